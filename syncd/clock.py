"""The one wall clock the service reads (tests of whole commands set it with monkeypatch)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)
