"""The web words by id (English only for now: the coach's languages come later)."""

from __future__ import annotations

from syncd.web.strings_en import STRINGS


def say(key: str, **fields: object) -> str:
    """The text `key`, filled with `fields`."""
    return STRINGS[key].format(**fields)
