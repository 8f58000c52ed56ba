"""What a person typed, made safe to show: control characters made visible.

A note or a reason is free text; printed raw, ``\x1b[2K\r`` would erase the terminal line and
let the text forge another in its place. Every control character (C0, DEL, C1) is shown as its
escape instead (``\x1b``), so what appears is exactly what was recorded.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def for_terminal(text: str) -> str:
    """``text`` with every control character replaced by a visible escape (``\\n``, ``\\x1b`` …)."""
    return _CONTROL.sub(lambda found: found.group().encode("unicode_escape").decode(), text)
