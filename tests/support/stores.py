"""The types of the store fixtures in ``tests/conftest.py``, for tests that take them."""

from __future__ import annotations

from collections.abc import Callable

NewStore = Callable[[], str]
"""The ``new_store`` fixture: each call gives the URL of a fresh, empty store on one backend."""
