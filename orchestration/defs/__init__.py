"""Dagster definitions, one folder per domain with the same files (assets, checks, schedules, sensors)."""
