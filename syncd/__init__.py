"""syncd: injury-prevention notes for runners, from their Strava, Garmin Connect or intervals.icu history."""

__version__ = "0.1.0"
