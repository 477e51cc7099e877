"""The note block inside a runner's description: their text is never touched."""

from __future__ import annotations

from syncd.notes import NoteOutcome, apply_block

OLD = "— syncd —\n45 % longer than your longest run in 30 days."
NEW = "— syncd —\n45 % longer than your longest run in 30 days.\nStrength today: wall sit 3 × 45 s"


def test_first_block_is_appended_after_a_blank_line() -> None:
    edit = apply_block("Great hills today.\n", NEW)
    assert edit.outcome is NoteOutcome.WRITE
    assert edit.description == "Great hills today.\n\n" + NEW


def test_block_on_empty_description_stands_alone() -> None:
    assert apply_block("", NEW).description == NEW


def test_block_is_replaced_in_place_and_runner_text_kept() -> None:
    current = f"Great hills today.\n\n{OLD}\n\nPS: new shoes"
    edit = apply_block(current, NEW, confirmed=OLD)
    assert edit.outcome is NoteOutcome.WRITE
    assert edit.description == f"Great hills today.\n\n{NEW}\n\nPS: new shoes"


def test_identical_block_sends_nothing() -> None:
    assert apply_block(f"Hi\n\n{NEW}", NEW, confirmed=NEW).outcome is NoteOutcome.UNCHANGED


def test_removed_block_is_not_restored() -> None:
    edit = apply_block("Great hills today. (I deleted the robot text)", NEW, confirmed=OLD)
    assert edit.outcome is NoteOutcome.ABANDONED
    assert edit.description == "Great hills today. (I deleted the robot text)"


def test_edited_block_counts_as_removed() -> None:
    edited = OLD.replace("45 %", "about half")
    assert apply_block(f"Run\n\n{edited}", NEW, confirmed=OLD).outcome is NoteOutcome.ABANDONED


def test_write_cut_short_by_a_crash_is_found_again() -> None:
    # the pending block reached the provider, but the confirmation was never saved
    assert apply_block(f"Run\n\n{NEW}", NEW, confirmed=OLD, pending=NEW).outcome is NoteOutcome.UNCHANGED
    # the pending block never reached the provider: the old one is still there
    edit = apply_block(f"Run\n\n{OLD}", NEW, confirmed=OLD, pending=NEW)
    assert edit.description == f"Run\n\n{NEW}"


def test_crash_before_first_write_still_appends() -> None:
    edit = apply_block("Run", NEW, confirmed=None, pending=NEW)
    assert edit.outcome is NoteOutcome.WRITE and edit.description == f"Run\n\n{NEW}"


def test_nothing_left_to_say_removes_our_block_and_keeps_theirs() -> None:
    edit = apply_block(f"Great hills today.\n\n{OLD}\n\nPS: new shoes", "", confirmed=OLD)
    assert edit.outcome is NoteOutcome.WRITE
    assert edit.description == "Great hills today.\n\nPS: new shoes"
    assert apply_block("Great hills today.", "").outcome is NoteOutcome.UNCHANGED


def test_only_the_first_copy_of_the_block_is_replaced() -> None:
    """A runner who pasted syncd's old block into their own text keeps that copy."""
    current = f"{OLD}\n\nLast year's note, kept on purpose:\n{OLD}"
    edit = apply_block(current, NEW, confirmed=OLD)
    assert edit.outcome is NoteOutcome.WRITE
    assert edit.description == f"{NEW}\n\nLast year's note, kept on purpose:\n{OLD}"
