"""The weekly digest's and its chart's English texts (`syncd.coach.digest`, `syncd.coach.chart`).

Part of the English table (`syncd.coach.strings_en.STRINGS`)."""

from __future__ import annotations

DIGEST_STRINGS: dict[str, str] = {
    "digest.months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    "digest.weekdays": "Mon Tue Wed Thu Fri Sat Sun",
    "digest.span": "{first}–{last}",
    "digest.title": "Your running week, {span}",
    "digest.distance": "Running: {km} {unit} this week. The {n} weeks before, oldest "
    "first: {previous} {unit}.",
    "digest.distance.alone": "Running: {km} {unit} this week.",
    "digest.longest": "Longest run: {km} {unit} ({day}).",
    "digest.cap": "Keep the next runs under {cap} {unit}: your longest run of the last 30 days plus {pct} %.",
    "digest.cap.after_big": "Your longest run of the last 30 days was the big one on {day}: build "
    "from your usual runs of about {typical} {unit}, not from it.",
    "digest.recover": "After this week's {moment}, recovery comes first: easy runs no longer than "
    "your usual {typical} {unit} for the next few days.",
    "digest.moment.race": "race",
    "digest.moment.spike": "big step up",
    "digest.moment.pain": "pain",
    "digest.left_out.1": "1 run left out: {runs}. If it was real, confirm it with syncd and it counts.",
    "digest.left_out.n": "{n} runs left out: {runs}. If one was real, confirm it with syncd and it counts.",
    "digest.left_out.cli.1": "1 run left out: {runs}. `syncd confirm {id}` if it was real.",
    "digest.left_out.cli.n": "{n} runs left out: {runs}. `syncd confirm ID` for each that was real.",
    "digest.left_out.run": "{day} {km} {unit} ({reason})",
    "digest.cap.none": "No run in the last 30 days, so there is no distance cap yet: come "
    "back with short, easy runs and judge them by time.",
    "digest.strength.0": "Strength: 0 sessions this week (aim: {low} to {high}). Two short "
    "sessions of squats, a wall sit, side lunges and hip work would do.",
    "digest.strength.1": "Strength: 1 session this week; the aim is {low} to {high}, so one "
    "more would get you there.",
    "digest.strength.met": "Strength: {n} sessions this week, on target ({low} to {high}). Nicely done.",
    "digest.strength.quiet": "Strength reminders now come here rather than to your phone: "
    "one short session this week would be a good start.",
    "digest.findings": "Worth knowing this week:",
    "digest.finding": "• {day}, {title}: {text}{folded}",
    "digest.folded": " (saved for this digest instead of a push)",
    "digest.more": "• …and {n} more of less weight.",
    "digest.quiet": "A quiet week: nothing in your training stood out. Keep enjoying the runs.",
    "digest.no_run": "No run this week. When you start again, begin with short, easy runs; "
    "syncd will wait for your next run before the next digest.",
    "digest.distance.none": "Running: none this week.",
    "digest.acwr": "Acute:chronic load ratio {ratio} (last 7 days against the last 28). A "
    "descriptive number, not a warning.",
    "digest.footer": "General advice, not a diagnosis.",
    "digest.acwr.none": "Acute:chronic load ratio: not enough history yet (it needs 28 days).",
    "digest.push.title": "Your week: {km} {unit}, {n} to note",
    "digest.push.title.quiet": "Your week: {km} {unit}, all quiet",
    "digest.push.body": "{km} {unit} run, longest {longest} {unit}; strength {strength} of "
    "{low}–{high}. {cap}{top}",
    "digest.push.cap": "Next runs: under {cap} {unit}. ",
    "digest.push.top": "Top note: {title}.",
    "digest.push.pain": "You mentioned pain: please have it checked by a physiotherapist or doctor.",
    "digest.push.title.none": "Your week: no run",
    "chart.title": "Last {weeks} weeks",
    "chart.subtitle": "{athlete} · week ending {day}",
    "chart.cap_line": "Next-run cap as of {day}: {cap} {unit} for any single run",
    "chart.cap_text": "Keep the next runs under {cap} {unit}",
    "chart.distance": "Running per week ({unit})",
    "chart.longest": "Longest run ({unit})",
    "chart.strength": "Strength sessions per week (aim: {low} to {high})",
    "chart.strength_done": "session done",
    "chart.strength_missing": "missing to reach {low}",
    "chart.spike_week": "Week with a much longer run",
    "chart.spike_run": "Run much longer than the previous 30 days' longest",
    "chart.week": "Weekly running distance",
    "chart.no_data": "no data",
    "chart.week_axis": "Weeks, labelled by their first day",
    "chart.text_spike": "▲ longer run",
    "chart.left_out": "Run left out (implausible numbers)",
    "chart.text_left_out": "?N: N {unit} of runs left out as implausible",
    "chart.text_legend": "█ {unit} per week · S strength session · ▲ much longer run",
    "report.page_title": "syncd · {title}",
}
