"""Answers on a push: ntfy's action buttons and click link as apprise URL arguments, and the
question's link in the body for every other service.

apprise's ntfy plugin takes `click=` and `actions=` in its URL and sends them as the `X-Click`
and `X-Actions` headers; actions use ntfy's short form, `view, LABEL, URL` joined by `;`
(labels may hold neither `,` nor `;`). An apprise release without `actions=` ignores it;
`click=` is older, so a tap on the message still opens the question's page.
"""

from __future__ import annotations

from urllib.parse import quote

from syncd.notifiers.base import Message

NTFY_MAX_ACTIONS = 3
_NTFY_SCHEMES = ("ntfy", "ntfys")


def _label(text: str) -> str:
    """A label ntfy's short form can carry: no separators, no control characters."""
    cleaned = "".join(c for c in text if c.isprintable() and c not in ",;%")
    return cleaned.strip() or "Open"


def ntfy_actions(message: Message) -> str:
    """The message's first three actions in ntfy's short form ("" when it has none)."""
    return "; ".join(
        f"view, {_label(a.label)}, {a.url}, clear=true" for a in message.actions[:NTFY_MAX_ACTIONS]
    )


def with_answers(url: str, body: str, message: Message) -> tuple[str, str]:
    """(apprise URL, body) carrying the message's answers: ntfy gets buttons and a click link
    as URL arguments; every other service gets the link at the end of the body."""
    link = message.link or message.click
    scheme = url.partition("://")[0].lower()
    if scheme not in _NTFY_SCHEMES or not (message.actions or message.click):
        return url, (f"{body}\n{link}" if link else body)
    base, hash_sep, fragment = url.partition("#")
    extra = []
    if message.click:
        extra.append("click=" + quote(message.click, safe=""))
    actions = ntfy_actions(message)
    if actions:
        extra.append("actions=" + quote(actions, safe=""))
    joiner = "&" if "?" in base else "?"
    return base + joiner + "&".join(extra) + hash_sep + fragment, body
