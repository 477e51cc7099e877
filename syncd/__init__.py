"""syncd: injury-prevention notes for runners, from their Strava and Garmin history."""

__version__ = "0.1.0"
