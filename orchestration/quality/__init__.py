"""Data quality: the Great Expectations suites and their bridge to Dagster asset checks."""
