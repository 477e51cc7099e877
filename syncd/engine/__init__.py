"""The engine: one pass (`run_once`) fetches, stores, merges, evaluates, records and delivers.

`context` holds what a pass is given and reports, `fetch` the provider step, `passes` the
pass itself, `policy` who hears what, `delivery` notes and push, `digest` the weekly digest,
and `wiring` builds a real Context from the config and the installed plugins.
"""

from syncd.engine.context import Context, PassSummary, ProviderSummary, local_today, profile_of
from syncd.engine.passes import run_once

__all__ = ["Context", "PassSummary", "ProviderSummary", "local_today", "profile_of", "run_once"]
