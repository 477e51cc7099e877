"""The Garmin Connect provider: `auth` (saved sign-in, lockout), `api` (one call: waits,
refresh, errors), `errors`, `mapping` (payloads → Activity), `provider` (listing and notes),
and `connect` (the connect/disconnect commands)."""

from syncd.providers.garmin.provider import GarminProvider

__all__ = ["GarminProvider"]
