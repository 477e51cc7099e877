"""The rules for syncd's block inside a runner's activity description (DESIGN.md, "The note").

The runner's own text is never changed. syncd remembers the exact block it last wrote and
finds it again as an exact substring: found → replaced in place; never written → appended
after a blank line; written before but gone → the runner removed or edited it, and syncd
leaves that description alone from then on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_BLOCK_CHARS = 500


class NoteOutcome(StrEnum):
    WRITE = "write"  # the description must be written with the new text
    UNCHANGED = "unchanged"  # the block is already there, identical: send nothing
    ABANDONED = "abandoned"  # the runner removed or edited the block: leave it alone


@dataclass(frozen=True)
class NoteEdit:
    outcome: NoteOutcome
    description: str  # the description to write (WRITE) or as found (otherwise)


def apply_block(
    current: str, block: str, confirmed: str | None = None, pending: str | None = None
) -> NoteEdit:
    """How `current` changes to carry `block`.

    `confirmed` is the block syncd last wrote there; `pending` one whose write may have been
    cut short by a crash (it may or may not have reached the provider).
    """
    if not block:
        return _remove(current or "", confirmed, pending)
    if len(block) > MAX_BLOCK_CHARS:
        raise ValueError(f"note block is {len(block)} characters; the limit is {MAX_BLOCK_CHARS}")
    current = current or ""
    for old in (pending, confirmed):
        if old and old in current:
            if old == block:
                return NoteEdit(NoteOutcome.UNCHANGED, current)
            return NoteEdit(NoteOutcome.WRITE, current.replace(old, block, 1))
    if confirmed:
        return NoteEdit(NoteOutcome.ABANDONED, current)
    if block in current:
        return NoteEdit(NoteOutcome.UNCHANGED, current)
    own = current.rstrip()
    return NoteEdit(NoteOutcome.WRITE, f"{own}\n\n{block}" if own else block)


def _remove(current: str, confirmed: str | None, pending: str | None) -> NoteEdit:
    """Take syncd's block out (nothing left to say); the runner's text stays as it was."""
    for old in (pending, confirmed):
        if old and old in current:
            rest = re.sub(r"\n{3,}", "\n\n", current.replace(old, "", 1)).strip("\n")
            return NoteEdit(NoteOutcome.WRITE, rest)
    return NoteEdit(NoteOutcome.ABANDONED if confirmed else NoteOutcome.UNCHANGED, current)
