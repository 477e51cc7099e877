"""47 broken configs and one valid one that looks odd (tests/e2e/configs.py): exit 78, the key
named, no traceback, no secret echoed; what only `syncd run` meets is met by `syncd run`."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from configs import CASES, Case, Place, check
from fakes.strava_server import FakeStrava
from faulttable import Tally, record
from harness import Installation
from world import free_port


def test_broken_configs_exit_78_naming_the_key_and_never_the_secret(tmp_path: Path) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    with FakeStrava() as fake:
        place = Place(fake.base_url, fake.client_id, free_port(), int(holder.getsockname()[1]))

        def one(item: tuple[int, Case]) -> Tally:
            number, case = item
            inst = Installation(tmp_path / f"c{number:02d}", fake)
            _, problems = check(case, inst, place)
            row = Tally(case.name, injected=1, recovered=int(not problems), problems=problems)
            row.secrets = int(any("secret is echoed" in p for p in problems))
            return row

        try:
            with ThreadPoolExecutor(max_workers=3) as pool:
                rows = list(pool.map(one, enumerate(CASES)))
        finally:
            holder.close()
    record(f"broken configs ({sum(c.exit_code == 78 for c in CASES)} broken, 1 valid)", rows)
    failed = [f"{r.name}: {'; '.join(r.problems)}" for r in rows if r.problems]
    assert not failed, "\n".join(failed)
