"""Fakes that are real implementations: local servers and in-memory services for tests."""
