"""The service's log: quiet and readable in the journal.

`syncd run` logs what a self-hoster wants to read: its start (config, athletes, interval,
webhook address, next digest), each pass's summary, what went wrong. The scheduler's routine
lines (a job started, a job done, a run skipped because the previous one still runs: about
2,900 a day with the minutely delivery job) are debug lines, shown with `-vv`.

Under systemd (stderr is the journal, `$JOURNAL_STREAM`), each line starts with the syslog
priority in angle brackets, `<3>` for an error, which journald reads as the line's level
(`journalctl -p warning` then works) and strips; elsewhere lines start with the level's name.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from syncd.config import Config

#: logging level → syslog priority (sd-daemon(3): "<3>" error, "<4>" warning, ...)
_PRIORITY = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6, logging.DEBUG: 7}
#: apscheduler's own lines that are routine, not worth a warning: a poll that is still running
#: when its next run comes (max_instances=1) is simply skipped
_ROUTINE = ("maximum number of running instances reached",)


class JournalFormatter(logging.Formatter):
    """`<priority>logger: message`, as journald reads levels from a stream."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        priority = _PRIORITY.get(record.levelno, 6 if record.levelno < logging.WARNING else 3)
        return "\n".join(f"<{priority}>{line}" for line in text.splitlines() or [""])


class RoutineToDebug(logging.Filter):
    """Turns apscheduler's routine warnings into debug lines (dropped unless debug is on)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING and any(r in record.getMessage() for r in _ROUTINE):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


def on_journal() -> bool:
    """Whether stderr is connected to the systemd journal ($JOURNAL_STREAM names its device
    and inode, systemd.exec(5))."""
    stream = os.environ.get("JOURNAL_STREAM", "")
    device, _, inode = stream.partition(":")
    try:
        info = os.fstat(sys.stderr.fileno())
    except (OSError, ValueError):
        return False
    return bool(inode) and f"{info.st_dev}:{info.st_ino}" == f"{device}:{inode}"


def configure(debug: bool) -> None:
    """Set up the service's log: the scheduler's routine lines at debug, journald's level
    prefixes when stderr is the journal."""
    scheduler = logging.getLogger("apscheduler")
    scheduler.setLevel(logging.DEBUG if debug else logging.WARNING)
    if not any(isinstance(f, RoutineToDebug) for f in scheduler.filters):
        for name in ("apscheduler", "apscheduler.scheduler", "apscheduler.executors.default"):
            logging.getLogger(name).addFilter(RoutineToDebug())
    if on_journal():
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JournalFormatter("%(name)s: %(message)s"))


def start_line(config_path: Path, config: Config, scheduler: Any, webhook: Any, state: Path) -> str:
    """The service's first line: config, athletes, interval, webhook, next digest, state."""
    from syncd.engine.digest import digest_schedule

    names = ", ".join(a.name for a in config.athletes) or "none"
    digests = []
    for athlete in config.athletes:
        day, hour, minute = digest_schedule(athlete)
        job = scheduler.get_job(f"digest:{athlete.name}")
        when = getattr(job, "next_run_time", None)
        at = f"{when:%a %Y-%m-%d %H:%M %Z}" if when else f"{day} {hour:02d}:{minute:02d}"
        digests.append(f"{athlete.name} {at}")
    listen = f"on {config.daemon.webhook_listen}" if webhook is not None else "off"
    return (
        f"syncd running: config {config_path}; athletes {names}; poll every "
        f"{config.daemon.poll_interval}; webhook {listen}; next digest "
        f"{', '.join(digests) or 'none'}; state in {state}"
    )
