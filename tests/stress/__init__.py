"""Stress, concurrency and leak jobs (short versions run in CI; see docs/stress-and-leaks.md)."""
