"""Small HTML building blocks: the page frame, escaped text, answer forms, plain refusals.

Every page is server-rendered and works without JavaScript; `static/page.js` only draws the
chart and enhances. No page carries a link token or a key: forms post to the page's own
address (`action=""`) and links are relative, so the credential stays in the address bar.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from html import escape
from typing import Any

from syncd.web import PREFIX
from syncd.web.text import say


def e(value: object) -> str:
    """`value` as escaped HTML text."""
    return escape(str(value), quote=True)


def frame(title: str, body: str, *, data: dict[str, Any] | None = None) -> str:
    """A whole page: phone-sized viewport, our stylesheet and script, optional JSON data."""
    blob = ""
    if data is not None:
        text = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")
        blob = f'<script type="application/json" id="page-data">{text}</script>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{e(title)}</title>"
        f'<link rel="stylesheet" href="{PREFIX}/static/page.css">'
        f'<script defer src="{PREFIX}/static/page.js"></script></head>'
        f"<body><main>{body}</main>{blob}</body></html>"
    )


def section(title: str, inner: str, sid: str) -> str:
    return f'<section id="{e(sid)}"><h2>{e(title)}</h2>{inner}</section>'


def answer_form(
    token: str, choices: Iterable[tuple[str, str]], *, selected: str = "", cls: str = "answers"
) -> str:
    """A form posting one of `choices` ((value, label)) with its one-time token."""
    buttons = "".join(
        f'<button type="submit" name="v" value="{e(value)}"'
        + (' class="preset" autofocus' if value == selected else "")
        + f">{e(label)}</button>"
        for value, label in choices
    )
    return (
        f'<form method="post" action="" class="{e(cls)}">'
        f'<input type="hidden" name="t" value="{e(token)}">{buttons}</form>'
    )


def refusal(reason: str) -> str:
    """The plain page a refused link or form gets: what happened, nothing else."""
    body = f"<h1>{e(say('refused.title'))}</h1><p>{e(say('refused.' + reason))}</p>"
    return frame(say("refused.title"), body)


def notice(text: str) -> str:
    return f'<p class="notice" role="status">{e(text)}</p>'
