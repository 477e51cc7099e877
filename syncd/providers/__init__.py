"""Where activities come from: Strava, Garmin Connect, and offline files."""
