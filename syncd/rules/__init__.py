"""Injury-prevention rules, one module per family; `base` holds the plugin interface."""

from syncd.rules.base import Rule, finding_key, iso_week

__all__ = ["Rule", "finding_key", "iso_week"]
