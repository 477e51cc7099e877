"""Typed reading of one provider payload (a JSON object): a present field of the wrong type, a
number that is not finite or a count out of range is a BadPayload naming the activity and the
field; an absent one is None (or "" and False)."""

from __future__ import annotations

import math
from typing import Any

from syncd.errors import BadPayload


class PayloadReader:
    """Typed access to one payload's fields."""

    def __init__(self, item: dict[str, Any], ident: object) -> None:
        self.item = item
        self.ident = ident

    def bad(self, key: str, kind: str) -> BadPayload:
        return BadPayload(f"activity {self.ident}: {key} is not {kind}")

    def number(self, key: str) -> float | None:
        value = self.item.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.bad(key, "a number")
        try:
            number = float(value)
        except OverflowError:  # an integer too large for a float
            raise self.bad(key, "a finite number") from None
        if not math.isfinite(number):  # JSON's 1e999 is inf, and NaN reads too
            raise self.bad(key, "a finite number")
        return number

    def whole(self, key: str) -> int | None:
        value = self.number(key)
        if value is not None and abs(value) >= 2**53:  # beyond any real count (and SQLite's range)
            raise self.bad(key, "a count in range")
        return None if value is None else round(value)

    def text(self, key: str) -> str:
        value = self.item.get(key)
        if value is not None and not isinstance(value, str):
            raise self.bad(key, "text")
        return value or ""

    def flag(self, key: str) -> bool:
        value = self.item.get(key)
        if value is not None and not isinstance(value, bool):
            raise self.bad(key, "true or false")
        return bool(value)
