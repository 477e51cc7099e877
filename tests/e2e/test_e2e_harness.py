"""The suite's own instruments: the secret search finds a planted token, and the state view
reads what syncd wrote (so a clean table means something)."""

from __future__ import annotations

from pathlib import Path

from fakes.push_server import PushServer
from fakes.strava_server import FakeStrava
from harness import EVERY, Installation


def test_the_secret_search_finds_a_token_wherever_it_is_planted(tmp_path: Path) -> None:
    with FakeStrava() as fake, PushServer() as push:
        inst = Installation(tmp_path / "inst", fake, push)
        token = fake.new_tokens(fake.codes.pop(fake.issue_code()))["refresh_token"]
        assert inst.leaks() == []
        (inst.logs / "999.err").write_text(f"INFO refreshed with {token}\n")
        inst.state_dir.mkdir()
        (inst.state_dir / "syncd.sqlite3-wal").write_bytes(b"\x00\x01" + push.password.encode() + b"\x00")
        inst.token_dir.mkdir()
        (inst.token_dir / "strava-sam.json").write_text(f'{{"refresh_token": "{token}"}}')  # where it belongs
        (inst.token_dir / ".strava-sam.json.x1y2").write_text("{}")  # a temp file left by a kill
        found = inst.leaks()
        EVERY.remove(inst)  # planted on purpose: not for the final sweep
    assert any(f.startswith("logs/999.err: strava token") for f in found), found
    assert "state/syncd.sqlite3-wal: push password" in found, found
    assert "tokens/.strava-sam.json.x1y2: a leftover copy of the token file" in found, found
    assert not any(f.startswith("tokens/strava-sam.json:") for f in found), found
