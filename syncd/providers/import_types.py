"""What the offline importers hand over: one record per row or line, with its fingerprint.

A record knows where it starts (file and physical line) and how to become an Activity, but
is only parsed when asked: a row stored before from the very same text (its fingerprint) is
recognised without being parsed again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import NamedTuple

from syncd.domain import Activity

#: changes whenever a row would be read differently: rows fingerprinted before are then
#: parsed again on the next import
PARSER_VERSION = "1"


class Bad(ValueError):
    """A record's or file's problem, in plain words."""


class Record(NamedTuple):
    """One row or line of a file: where it starts, its fingerprint, and how to parse it."""

    name: str  # the file as given; inside a zip: "export.zip:activities.csv"
    line: int  # 1-based physical line where the record starts
    fingerprint: str  # of the record's text, the file's layout and PARSER_VERSION ("" when refused)
    build: Callable[[], Activity] | None  # raises ValueError with the reason
    problem: str | None = None  # why the record was refused before parsing
    whole_account: bool = False  # from an export of the whole account (Strava's activities.csv)
    #: the raw payload, when `build` leaves it out of the activity (whose raw_json is then "{}")
    raw: Callable[[], str] | None = None


def fingerprint(layout: bytes, values: Sequence[str]) -> str:
    """A short digest of one record's text in a file of this layout."""
    return joined_fingerprint(layout, "\x1f".join(values))


def joined_fingerprint(layout: bytes, joined: str) -> str:
    """`fingerprint` of the values `joined` is made of ("\x1f".join(values))."""
    digest = hashlib.blake2b(layout, digest_size=16)
    digest.update(joined.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def layout_digest(*parts: str) -> bytes:
    """The digest of what decides how a file's records read (its header, the parser version)."""
    return hashlib.blake2b("\x1e".join((PARSER_VERSION, *parts)).encode(), digest_size=16).digest()
