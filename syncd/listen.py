"""Binding the daemon's listener to `[daemon] webhook_listen`: a bad or taken address is a
ConfigError naming the key (exit 78, before any job runs), never an OSError traceback."""

from __future__ import annotations

import errno
from typing import Any

from syncd.errors import ConfigError


def bind(app: Any, listen: str, config_file: str) -> Any:
    """The listener serving `app` on `listen` ("host:port", bound, not started). Raises
    ConfigError naming daemon.webhook_listen when the address has no port or cannot be bound."""
    from syncd.providers.strava.endpoint import serve

    host, _, port_text = listen.rpartition(":")
    port = int(port_text) if port_text.isdigit() else -1
    if not 0 < port < 65536:
        raise ConfigError(
            [f"daemon.webhook_listen: {listen!r} has no port from 1 to 65535; write host:port"], config_file
        )
    try:
        return serve(app, host.strip("[]"), port)
    except OSError as exc:
        why = "is in use by another program" if exc.errno == errno.EADDRINUSE else f"({exc.strerror})"
        raise ConfigError(
            [
                f"daemon.webhook_listen: cannot listen on {listen}: the address {why}; choose "
                "another port or stop what uses it"
            ],
            config_file,
        ) from None
