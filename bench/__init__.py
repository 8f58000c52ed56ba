"""Benchmarks. Each prints its figures with the naive approach measured in the same run."""

from __future__ import annotations

import argparse
import os
import platform
import time


def parser(description: str, child_arguments: int) -> argparse.ArgumentParser:
    """The options every benchmark takes (and the hidden ``--child`` a measurement process gets)."""
    parsed = argparse.ArgumentParser(description=description)
    parsed.add_argument("--events", type=int, default=1_000_000, help="size of the benchmark event file")
    parsed.add_argument("--baseline-events", type=int, default=20_000, help="events the naive approach runs on")
    parsed.add_argument("--seed", type=int, default=7, help="generator seed")
    parsed.add_argument("--child", nargs=child_arguments, help=argparse.SUPPRESS)
    return parsed


def machine() -> str:
    """Date, cores, CPU model and Python version, for the figures' heading."""
    with open("/proc/cpuinfo") as cpuinfo:
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), platform.processor())
    return f"{time.strftime('%Y-%m-%d')} — {os.cpu_count()} × {cpu}, Python {platform.python_version()}"
