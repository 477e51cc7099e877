"""syncd's small set of exceptions. `cli.render_error` turns them into a message with the fix."""

from __future__ import annotations

from datetime import datetime

# Exit statuses (sysexits.h): the CLI and systemd both read them.
EX_OK = 0
EX_USAGE = 2
EX_DATAERR = 65
EX_TEMPFAIL = 75
EX_CONFIG = 78


class SyncdError(Exception):
    """Base class: every subclass carries a message fit to show a person."""

    exit_code = 1


class ConfigError(SyncdError):
    """The configuration is wrong: names the file, the key path, the problem and the fix."""

    exit_code = EX_CONFIG

    def __init__(self, problems: list[str], path: str | None = None) -> None:
        self.problems = problems
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__(
            where + ("; ".join(problems) if len(problems) == 1 else "\n  " + "\n  ".join(problems))
        )


class ProviderError(SyncdError):
    """A provider call failed; subclasses say what the engine should do about it."""

    exit_code = EX_TEMPFAIL


class AuthRequired(ProviderError):
    """The account's tokens no longer work: the runner must run `syncd connect` again.
    `reason` says why in the words of the notice to the server's owner (None: unknown)."""

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class RateLimited(ProviderError):
    """The provider's request budget is used up until `retry_at` (UTC)."""

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class Unavailable(ProviderError):
    """The provider is down or timed out: try again later."""


class BadPayload(ProviderError):
    """One item from the provider could not be read: skip it, keep the rest."""


class DeliveryFailed(SyncdError):
    """A notifier could not deliver; `retryable` says whether to try again later."""

    exit_code = EX_TEMPFAIL

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable
