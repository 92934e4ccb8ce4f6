"""Benchmarks, each runnable alone (`python bench/<name>.py`), printing its figures."""
