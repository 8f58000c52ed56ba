"""Benchmarks. Each prints its figures with the naive approach measured in the same run."""
