"""Maps the top-level folders into the ``caseledger`` namespace (see docs/architecture.md).

The folders a reader knows the product by (``domain/``, ``projections/``, ``application/``,
``cli/``, ``tui/``, ``fixtures/``) stay at the top of the repository; installed, each is a
sub-package of ``caseledger`` (``caseledger.domain`` …), so nothing generic lands in
site-packages. ``tests/`` and ``bench/`` are not mapped, so they never ship. Every other
setting is in pyproject.toml; only the package list needs code (a new sub-folder needs no edit).
"""

from setuptools import find_packages, setup

ROOMS = ("domain", "projections", "application", "cli", "tui", "fixtures")

setup(
    packages=[f"caseledger.{room}{'.' + sub if sub else ''}" for room in ROOMS for sub in ["", *find_packages(room)]],
    package_dir={f"caseledger.{room}": room for room in ROOMS},
)
