"""A provider from a separate package (tests/plugins/site/syncd_folder), installed only through
its entry point, is configured, connected, synced and gets notes, with no change to syncd;
and it passes the same provider contract as the built-ins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from contract import Account, Fault, ProviderContract

SITE = Path(__file__).parent / "plugins" / "site"
sys.path.insert(0, str(SITE))

from syncd_folder import FolderProvider  # noqa: E402  (the plugin's own folder, as if installed)


class FolderAccount:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.write_text(json.dumps({"activities": [], "faults": []}), encoding="utf-8")
        self.provider = FolderProvider("sam", path)
        self.count = 0

    def _edit(self, change: Any) -> None:
        data = json.loads(self.path.read_text(encoding="utf-8"))
        change(data)
        self.path.write_text(json.dumps(data), encoding="utf-8")

    def add(self, start: datetime, km: float, title: str = "Run") -> str:
        self.count += 1
        ident = str(700 + self.count)
        self._edit(lambda d: d["activities"].append({"id": ident, "start": start.isoformat(), "km": km}))
        return ident

    def remove(self, provider_id: str) -> None:
        self._edit(lambda d: d.update(activities=[a for a in d["activities"] if a["id"] != provider_id]))

    def description(self, provider_id: str) -> str:
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return next(a.get("description") or "" for a in data["activities"] if a["id"] == provider_id)

    def set_description(self, provider_id: str, text: str) -> None:
        def change(data: dict[str, Any]) -> None:
            for a in data["activities"]:
                if a["id"] == provider_id:
                    a["description"] = text

        self._edit(change)

    def fail_next(self, fault: Fault) -> None:
        self._edit(lambda d: d["faults"].append(fault))


class TestFolderProvider(ProviderContract):
    @pytest.fixture
    def account(self, tmp_path: Path) -> Account:
        return FolderAccount(tmp_path / "noor.json")


def syncd(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syncd", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


@pytest.fixture
def setup(tmp_path: Path) -> tuple[list[str], dict[str, str], Path]:
    service = tmp_path / "service"
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[providers.folder]
root = "{service}"

[[athletes]]
name = "sam"
timezone = "UTC"
providers = ["folder"]
notes = {{ folder = true }}
""",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "SYNCD_PLUGINS"}  # this test asks for plugins
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SITE), env.get("PYTHONPATH")]))
    return ["--config", str(config), "--state-dir", str(tmp_path / "state")], env, service


def test_a_plugin_provider_is_configured_connected_synced_and_noted(
    setup: tuple[list[str], dict[str, str], Path], tmp_path: Path
) -> None:
    argv, env, service = setup
    assert syncd("config", "validate", *argv, env=env, cwd=tmp_path).returncode == 0
    connected = syncd(
        "connect", "folder", "--athlete", "sam", "--account", "noor", *argv, env=env, cwd=tmp_path
    )
    assert connected.returncode == 0, connected.stderr
    assert connected.stdout.strip() == "Connected folder account noor for sam."
    now = datetime.now(UTC).replace(microsecond=0)
    runs = [
        {"id": f"r{i}", "start": (now - timedelta(days=36 - i)).isoformat(), "km": 8.0}
        for i in range(0, 35, 2)
    ]
    spike = {"id": "spike", "start": (now - timedelta(hours=2)).isoformat(), "km": 16.0}
    spike["description"] = "Great hills today."
    (service / "noor.json").write_text(
        json.dumps({"activities": [*runs, spike], "faults": []}), encoding="utf-8"
    )

    synced = syncd("sync", "--athlete", "sam", "--json", *argv, env=env, cwd=tmp_path)
    assert synced.returncode == 0, synced.stderr
    [summary] = json.loads(synced.stdout)
    assert summary["providers"]["folder"]["new"] == len(runs) + 1 and summary["delivered"] >= 1
    data = json.loads((service / "noor.json").read_text(encoding="utf-8"))
    note = next(a["description"] for a in data["activities"] if a["id"] == "spike")
    assert note.startswith("Great hills today.\n\n— syncd —\n") and note.count("— syncd —") == 1

    status = syncd("status", "--json", *argv, env=env, cwd=tmp_path)
    [account] = json.loads(status.stdout)["athletes"]["sam"]["accounts"]
    assert (account["provider"], account["status"], account["last_error"]) == ("folder", "active", None)


def test_without_plugins_the_provider_is_not_installed(
    setup: tuple[list[str], dict[str, str], Path], tmp_path: Path
) -> None:
    argv, env, _ = setup
    checked = syncd("config", "validate", *argv, env={**env, "SYNCD_PLUGINS": "builtin"}, cwd=tmp_path)
    assert checked.returncode == 78
    assert "athletes[0].providers[0]: 'folder' is not installed" in checked.stderr
    assert "providers.folder: no installed provider has this name" in checked.stderr
