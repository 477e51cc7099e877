"""The lock and the renewal mark of one account's tokens, shared by every syncd process.

Strava retires a refresh token the moment it issues a new one, so two processes (the service
and a `syncd sync` beside it) must never refresh the same account at once: the lock is an
flock on `<lock dir>/<provider>-<athlete>.lock`, taken around load, refresh and save. The
mark `<provider>-<athlete>.renewing` (a time, no token) is written before a refresh is sent
and removed by the save of its answer, so a later refresh that Strava refuses knows its
predecessor was cut short (syncd stopped between Strava's answer and the save).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from syncd import tokens_place
from syncd.errors import ProviderError

#: How long a process waits for another one renewing the same account's access.
LOCK_WAIT_S = 90.0

_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


class TokenStoreError(ProviderError):
    """The token store cannot be read or written; says where and what to do.

    A ProviderError, so one account whose tokens cannot be read never stops the others."""


def check_names(provider: str, athlete: str) -> None:
    """Raise ValueError for a name part that could escape a file name or a keyring key."""
    for value in (provider, athlete):
        if not value or not all(c.isalnum() or c in "-_" for c in value):
            raise ValueError(f"invalid account name part {value!r}")


class AccountLocks:
    """The per-account lock and renewal mark, kept in `lock_dir` (None: a lock within this
    process only, and no mark)."""

    lock_dir: Path | None = None
    #: called after every save and delete (records which state these tokens belong to)
    on_save: Callable[[], None] | None = None

    def _saved(self, provider: str, athlete: str) -> None:
        """After a save or delete: no renewal is in progress any more."""
        if self.lock_dir is not None:
            (self.lock_dir / f"{provider}-{athlete}.renewing").unlink(missing_ok=True)
        if self.on_save is not None:
            self.on_save()

    @contextmanager
    def locked(self, provider: str, athlete: str, timeout: float = LOCK_WAIT_S) -> Iterator[None]:
        """Hold the account's lock (every thread and every syncd process of this store):
        around load, refresh and save, so two never renew with the same refresh token.
        Raises TokenStoreError when another holder keeps it longer than `timeout`."""
        check_names(provider, athlete)
        name = f"{provider}-{athlete}"
        key = f"{self.lock_dir}/{name}"
        with _THREAD_LOCKS_GUARD:
            inner = _THREAD_LOCKS.setdefault(key, threading.Lock())
        if not inner.acquire(timeout=timeout):
            raise TokenStoreError(f"another task is renewing {athlete}'s {provider} access; trying later")
        try:
            if self.lock_dir is None:
                yield
            else:
                with _flocked(self.lock_dir / f"{name}.lock", timeout, f"{athlete}'s {provider} access"):
                    yield
        finally:
            inner.release()

    def mark_renewing(self, provider: str, athlete: str) -> None:
        """Note that a renewal is under way (cleared by the save that ends it)."""
        if self.lock_dir is not None:
            check_names(provider, athlete)
            self.lock_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            tokens_place.write_small(self.lock_dir / f"{provider}-{athlete}.renewing", f"{time.time():.0f}\n")

    def renewal_cut_short(self, provider: str, athlete: str) -> bool:
        """Whether an earlier renewal began and never saved its answer (syncd was stopped)."""
        if self.lock_dir is None:
            return False
        check_names(provider, athlete)
        return (self.lock_dir / f"{provider}-{athlete}.renewing").exists()


@contextmanager
def _flocked(path: Path, timeout: float, what: str) -> Iterator[None]:
    import fcntl

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise TokenStoreError(f"cannot open the lock file {path}: {exc.strerror}") from None
    try:
        tokens_place.match_owner(fd, path.parent)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TokenStoreError(
                        f"another syncd process has been renewing {what} for {timeout:.0f} s; trying later"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the flock


def fsync_dir(directory: Path) -> None:
    """fsync a directory, so a rename inside it survives a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
