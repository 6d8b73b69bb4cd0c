"""Loaders of the raw tables: streaming parse, quarantine of bad lines, COPY, idempotent upserts."""
