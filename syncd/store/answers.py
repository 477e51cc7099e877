"""What the runner's web answers leave in the state: the one-time nonces already used.

Only a SHA-256 of each nonce is kept, never a link or a form token, and rows are dropped
once every token that could carry them has expired.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from datetime import datetime, timedelta

from syncd.store.db import Store

#: spent nonces are kept this long: longer than any link or form token lives
KEEP = timedelta(days=32)


def _digest(nonce: str) -> str:
    return hashlib.sha256(("syncd-web-nonce:" + nonce).encode()).hexdigest()


def spend(store: Store, athlete: str, nonces: Iterable[str], now: datetime) -> bool:
    """Mark every nonce used, all or none; False (nothing changed) if one was used before."""
    digests = sorted({_digest(n) for n in nonces})
    stamp = now.isoformat(timespec="seconds")
    try:
        with store.transaction() as tx:
            tx.execute(
                "DELETE FROM web_spent WHERE spent_at < ?", ((now - KEEP).isoformat(timespec="seconds"),)
            )
            tx.executemany(
                "INSERT INTO web_spent (digest, athlete, spent_at) VALUES (?, ?, ?)",
                [(d, athlete, stamp) for d in digests],
            )
    except sqlite3.IntegrityError:
        return False
    return True


def spent(store: Store, nonce: str) -> bool:
    """Whether the nonce was used already."""
    row = store.conn.execute("SELECT 1 FROM web_spent WHERE digest = ?", (_digest(nonce),)).fetchone()
    return row is not None
