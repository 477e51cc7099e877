"""Pick the text table for a language; English is complete, others fall back to it per id."""

from __future__ import annotations

import importlib
import re
from collections import ChainMap
from collections.abc import Mapping
from functools import cache

from syncd.coach import strings_en

DEFAULT_LANG = "en"
_CODE = re.compile(r"^[a-z]{2,3}(_[a-z]{2})?$")


def _code(lang: str) -> str:
    return lang.strip().lower().replace("-", "_")


@cache
def table(lang: str = DEFAULT_LANG) -> Mapping[str, str]:
    """The strings for `lang` (e.g. "en", "nl", "pt_br"); unknown languages give English."""
    code = _code(lang)
    if code == DEFAULT_LANG or not _CODE.match(code):
        return strings_en.STRINGS
    name = f"syncd.coach.strings_{code}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return strings_en.STRINGS
    own: dict[str, str] = dict(getattr(module, "STRINGS", {}))
    return ChainMap(own, strings_en.STRINGS)


def text(key: str, lang: str = DEFAULT_LANG, **fields: object) -> str:
    """The message `key` in `lang`, filled with `fields`.

    A translation whose template does not fit the fields falls back to the English one, so a
    stale translation degrades to English instead of failing a delivery.
    """
    template = table(lang)[key]
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError):
        return strings_en.STRINGS[key].format(**fields)


def first(keys: tuple[str, ...], lang: str = DEFAULT_LANG) -> str | None:
    """The first of `keys` that has a text (most specific first), or None."""
    strings = table(lang)
    return next((k for k in keys if k in strings), None)
