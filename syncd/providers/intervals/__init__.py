"""The intervals.icu provider: `api` (one call, errors), `mapping` (payloads → Activity),
`types` (activity types → Sport), `provider` (listing, deletions, notes), `connect` (the
connect/disconnect commands) and `settings` (the `[providers.intervals]` table)."""

from syncd.providers.intervals.provider import IntervalsProvider

__all__ = ["IntervalsProvider"]
