"""Reading config.toml, and what is wrong with it in words: every problem names the key and
the fix, never the value of a key that may hold a secret, and never ends in a traceback."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from syncd.config_types import _SECRET_HELP
from syncd.errors import ConfigError

_TYPE_TAGS = {"", "str", "int", "float", "bool", "list", "dict", "none"}
#: keys whose values are never repeated in a message: they may hold a pasted secret
_SENSITIVE = re.compile(r"secret|password|passwd|token|key$|notify", re.I)
_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*=")
_TABLE_LINE = re.compile(r"^\s*\[{1,2}\s*([A-Za-z0-9_.-]+)\s*\]{0,2}\s*$")
_HINTS = {
    "Cannot overwrite a value": "this key is set twice; keep one of the two lines",
    "Cannot declare": "this table is declared twice; merge the two",
    "Invalid value": 'the value has no TOML form; quote text ("..."), write numbers bare',
}


def key_path(loc: tuple[str | int, ...]) -> str:
    """'athletes[0].notify[1]' for pydantic's ('athletes', 0, 'notify', 1)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _TYPE_TAGS or re.match(r"^[a-z-]+\[", part) or part.startswith("function-"):
            continue  # pydantic's names for union members and validators, not config keys
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


def _sensitive(loc: tuple[Any, ...]) -> bool:
    return any(isinstance(part, str) and _SENSITIVE.search(part) for part in loc)


def _describe(error: Any) -> str:
    kind, msg = str(error["type"]), str(error["msg"])
    value = error.get("input")
    loc = tuple(error["loc"])
    if kind == "extra_forbidden" and _sensitive(loc[-1:]):
        return f"unknown key, and it looks like a secret; {_SECRET_HELP}"
    if kind == "extra_forbidden":
        return "unknown key; remove it or correct its spelling (see `syncd config sample` for every key)"
    if kind == "missing":
        return "required; add this key"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if _sensitive(loc):
        if loc[-1] == "client_secret" or "password" in str(loc[-1]):
            return f"{msg.lower()}; {_SECRET_HELP}"
        return msg.lower()  # the value is never repeated: it may be a secret
    if kind == "literal_error":
        return f"{value!r} is not allowed; {msg.lower()}"
    if kind == "string_pattern_mismatch":
        return f"{value!r} has the wrong form; see this key's comment in `syncd config sample`"
    if value is not None and not isinstance(value, dict | list):
        return f"{msg.lower()} (got {value!r})"
    return msg.lower()


def validation_problems(exc: ValidationError, model: type[BaseModel] = BaseModel) -> list[str]:
    """One 'key.path: what is wrong; fix' line per pydantic error."""
    return [f"{key_path(tuple(e['loc']))}: {_describe(e)}" for e in exc.errors()]


def _toml_problem(exc: tomllib.TOMLDecodeError, text: str) -> str:
    """tomllib's message with the key (never the value) of the line it points at, and a hint."""
    message = str(exc)
    found = _LINE.search(message)
    head = _LINE.sub("", message).strip()
    where = ""
    if found:
        number = int(found.group(1))
        lines = text.splitlines()
        line = lines[number - 1] if 0 < number <= len(lines) else ""
        key = _KEY_LINE.match(line) or _TABLE_LINE.match(line)
        where = f" at line {number}" + (f" ({key.group(1)})" if key else "")
    hint = next((h for start, h in _HINTS.items() if head.startswith(start)), "")
    return f"not valid TOML{where}: {head[:1].lower()}{head[1:]}" + (f"; {hint}" if hint else "")


def read_toml(path: Path) -> dict[str, Any]:
    """The decoded TOML of a config file (a UTF-8 byte-order mark allowed). Raises
    ConfigError naming the file and what to do: missing, unreadable, not UTF-8, not TOML."""
    where = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            [
                "no such file; create it with `syncd config init` (or `syncd config sample > "
                f"{path}`) and edit it, or point --config / $SYNCD_CONFIG at yours"
            ],
            where,
        ) from None
    except IsADirectoryError:
        raise ConfigError(["is a directory; point --config at the config file in it"], where) from None
    except PermissionError:
        raise ConfigError(
            [
                f"cannot be read by uid {os.geteuid()} (permission denied); make it readable (e.g. mode 0640 "
                "and the group of the user syncd runs as)"
            ],
            where,
        ) from None
    except OSError as exc:
        raise ConfigError([f"cannot be read ({exc.strerror})"], where) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [f"cannot be decoded as utf-8 (an invalid byte at position {exc.start}); save it as UTF-8"],
            where,
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([_toml_problem(exc, text)], where) from None
    except RecursionError:
        raise ConfigError(["not valid TOML for syncd: values nested too deeply"], where) from None
