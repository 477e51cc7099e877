"""The runner answers back: signed answer links on pushes, the runner's page, the owner's
status page, and the check-ins they make (docs/checkins.md).

Served on the daemon's listener under `/syncd/` when `[daemon] public_url` is set. A link
is signed with a per-install key kept with the OAuth tokens (`keys`), names one athlete and
one question, and expires after 7 days; a state-changing answer is a POST from the page the
link opens, with a one-time form token (`signing`). The CLI (`syncd checkin`) gives the same
answers through `answers.give`.
"""

PREFIX = "/syncd"
