"""The coach: exercise catalogue, strength-session builder and message wording."""
