"""syncd's state: one SQLite file behind named methods; nothing outside this package sees SQL.

`db` holds the `Store` (activities, sessions, accounts, cursors, notes, provider and engine
values), `ledger` the findings and their delivery outbox, `webhooks` the recorded webhook
events, and `migrations` the schema.
"""

from syncd.store.db import DB_NAME, Store, UpsertResult

__all__ = ["DB_NAME", "Store", "UpsertResult"]
