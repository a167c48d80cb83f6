"""Benchmarks, run by hand (not in CI): python -m benchmarks.<name>. Each reports ratios against a
reference measured in the same run, so the figures mean something on any machine."""
