"""Deterministic synthetic data in the real input layouts (demo data, tests, benchmarks)."""
