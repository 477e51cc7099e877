"""systemd's notification protocol (sd_notify(3)): READY, STATUS, WATCHDOG, STOPPING."""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger("syncd.daemon")

_notify_warned = False


def sd_notify(message: str) -> bool:
    """Tell systemd about our state (READY=1, STATUS=..., WATCHDOG=1); False outside systemd
    or when the message could not go. Never blocks: when systemd's socket is full (systemd
    busy), the message is dropped; a later one says the same again."""
    global _notify_warned
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # abstract socket namespace
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        try:
            sock.sendto(message.encode(), address)
        except BlockingIOError:
            log.debug("systemd's notify socket is full; %s dropped", message.split("=", 1)[0])
            return False
        except OSError as exc:
            if not _notify_warned:  # once, not at every watchdog beat
                log.warning("could not notify systemd: %s", exc)
                _notify_warned = True
            return False
    return True


def watchdog_interval() -> float | None:
    """Half the systemd watchdog period, in seconds, when the unit sets WatchdogSec=."""
    usec = os.environ.get("WATCHDOG_USEC")
    if not usec or (os.environ.get("WATCHDOG_PID") not in (None, str(os.getpid()))):
        return None
    return int(usec) / 2_000_000
