"""The listener's HTTP server: waitress, with a deadline on the whole request and a clean stop.

Strava posts an event (~300 bytes) in one go and wants the answer within 2 seconds. waitress
alone closes a connection only when it has been idle for `channel_timeout`, and every byte
resets that, so 100 clients trickling one byte a second held all of its 100 connections and
every real event timed out. Here a request must arrive whole within `REQUEST_DEADLINE_S`
(checked every second), and the connection cap is well above what such a flood can fill in
that time. A per-client cap would not help: behind a reverse proxy every client is 127.0.0.1.

`close()` stops the server from inside its own loop thread (closing sockets under a running
`select` gave EBADF tracebacks at shutdown), after the requests being handled have finished.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

#: Seconds a request (line, headers and body) may take to arrive; a slower one is dropped.
REQUEST_DEADLINE_S = 5.0
#: Connections held at once; slow ones are dropped after REQUEST_DEADLINE_S, so a flood needs
#: over CONNECTION_LIMIT / REQUEST_DEADLINE_S new connections a second to fill it.
CONNECTION_LIMIT = 1000
#: Seconds an idle kept-alive connection stays open.
IDLE_TIMEOUT_S = 10
#: Seconds the requests being handled get to finish when the server stops.
STOP_GRACE_S = 5.0

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Server:
    """A waitress server on one address (all the addresses a host name resolves to), not
    started: `run()` serves until `close()`."""

    def __init__(self, app: WsgiApp, host: str, port: int, max_body: int) -> None:
        """Bind now. Raises OSError (the port is taken, the address is not this machine's)."""
        from waitress.adjustments import Adjustments
        from waitress.task import ThreadedTaskDispatcher

        adj = Adjustments(
            host=host,
            port=port,
            threads=4,
            ident="syncd",
            max_request_body_size=max_body,
            channel_timeout=IDLE_TIMEOUT_S,
            cleanup_interval=1,
            connection_limit=CONNECTION_LIMIT,
            clear_untrusted_proxy_headers=True,
        )
        self.map: dict[int, Any] = {}
        self.dispatcher = ThreadedTaskDispatcher()
        self.servers: list[Any] = []
        self._stopped = threading.Event()
        self._running = False
        server_class = _server_class()
        try:
            for sockinfo in adj.listen:
                self.servers.append(
                    server_class(app, self.map, dispatcher=self.dispatcher, adj=adj, sockinfo=sockinfo)
                )
        except BaseException:
            self._close_all()
            raise
        self.dispatcher.set_thread_count(adj.threads)
        self.adj = adj

    @property
    def effective_port(self) -> int:
        return int(self.servers[0].effective_port)

    def run(self) -> None:
        """Serve until `close()` (call this in a thread of its own)."""
        from waitress import wasyncore

        self._running = True
        try:
            wasyncore.loop(timeout=self.adj.asyncore_loop_timeout, map=self.map)
        finally:
            self._running = False
            self._stopped.set()

    def close(self) -> None:
        """Stop accepting, let the requests being handled finish (STOP_GRACE_S at most), then
        close every connection, all from inside the server's loop; returns once it ended."""
        if not self._running:
            self.dispatcher.shutdown(timeout=STOP_GRACE_S)
            self._close_all()
            return
        from waitress import wasyncore

        def stop_listening() -> None:
            for server in self.servers:  # the listening sockets only; the triggers stay
                wasyncore.dispatcher.close(server)

        trigger = self.servers[0].trigger
        trigger.pull_trigger(stop_listening)
        self.dispatcher.shutdown(timeout=STOP_GRACE_S)
        trigger.pull_trigger(self._close_all)
        self._stopped.wait(STOP_GRACE_S)

    def _close_all(self) -> None:
        from waitress import wasyncore

        wasyncore.close_all(self.map)  # connections, listeners and triggers: the loop ends


def _server_class() -> type[Any]:
    """waitress's TCP server whose maintenance also drops requests slower than the deadline."""
    from waitress.channel import HTTPChannel
    from waitress.server import TcpWSGIServer

    class Channel(HTTPChannel):  # type: ignore[misc]
        request_started = 0.0

        def received(self, data: bytes) -> bool:
            if self.request is None and data:  # the first bytes of a new request
                self.request_started = time.monotonic()
            return bool(super().received(data))

    class DeadlineServer(TcpWSGIServer):  # type: ignore[misc]
        channel_class = Channel

        def maintenance(self, now: float) -> None:
            super().maintenance(now)
            cutoff = time.monotonic() - REQUEST_DEADLINE_S
            for channel in list(self.active_channels.values()):
                # a request still arriving (none being handled) after the deadline: dropped
                if channel.request is not None and not channel.requests and channel.request_started < cutoff:
                    channel.will_close = True

    return DeadlineServer
