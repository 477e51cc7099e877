"""The Strava provider: `api` (the HTTP client), `auth` (OAuth grants), `budget` (rate limits),
`errors`, `mapping` (payloads → Activity), `provider` (listing and notes), `connect` (the
connect/disconnect commands), and the optional webhook: `events`, `endpoint`, `subscriptions`."""

from syncd.providers.strava.provider import StravaProvider

__all__ = ["StravaProvider"]
