"""Hypothesis strategies derived from the event catalogue itself (msgspec type info).

Deriving them from the payload Structs means a field added to the catalogue is covered by the
round-trip properties without anyone remembering to write a strategy for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from hypothesis import strategies as st

from caseledger.domain.events import catalogue as p

TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), min_size=1, max_size=60)


def _for(info: msgspec.inspect.Type) -> st.SearchStrategy[Any]:
    if isinstance(info, msgspec.inspect.StrType):
        if info.pattern:
            return st.from_regex(r"\A[A-Za-z0-9._-]{1,64}\Z")
        return TEXT.filter(lambda s: len(s) <= (info.max_length or 200))
    if isinstance(info, msgspec.inspect.LiteralType):
        return st.sampled_from(info.values)
    if isinstance(info, msgspec.inspect.IntType):
        return st.integers(min_value=info.ge if info.ge is not None else -(2**40), max_value=info.le if info.le is not None else 2**40)
    if isinstance(info, msgspec.inspect.FloatType):
        return st.floats(min_value=0.25, max_value=80, allow_nan=False).map(lambda x: round(x, 2))
    if isinstance(info, msgspec.inspect.DateType):
        return st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31))
    if isinstance(info, msgspec.inspect.ListType):
        return st.lists(_for(info.item_type), max_size=4)
    if isinstance(info, msgspec.inspect.UnionType):
        return st.one_of([st.none() if isinstance(t, msgspec.inspect.NoneType) else _for(t) for t in info.types])
    raise TypeError(f"no strategy for {info!r}")


def payload_of(cls: type[p.Payload]) -> st.SearchStrategy[p.Payload]:
    """Any payload of type ``cls`` that satisfies the catalogue's shape rules."""
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    fields = {field.name: _for(field.type) for field in info.fields}
    return st.fixed_dictionaries(fields).map(lambda values: cls(**values))


any_payload: st.SearchStrategy[p.Payload] = st.sampled_from(list(p.PAYLOAD_TYPES.values())).flatmap(payload_of)

aware_datetimes = st.datetimes(  # hypothesis takes naive bounds; ``timezones`` makes every drawn value aware
    min_value=dt.datetime(1990, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2090, 1, 1),  # noqa: DTZ001
    timezones=st.sampled_from(
        [dt.UTC, dt.timezone(dt.timedelta(hours=-5)), dt.timezone(dt.timedelta(hours=-8)), dt.timezone(dt.timedelta(hours=5, minutes=30))]
    ),
)
