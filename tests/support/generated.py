"""The day the tests' generated streams are made on (:func:`caseledger.fixtures.generate.generate`'s
``until``): fixed, so that no test reads the clock, and later than the last event any test asks
for (its streams start on the generator's 2024-01-01 and run about a year at most)."""

from __future__ import annotations

import datetime as dt

GENERATED_UNTIL = dt.date(2026, 1, 1)
