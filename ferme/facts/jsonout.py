"""What Windows PowerShell's ConvertTo-Json does to lists, undone once for every fact that reads its output."""

from __future__ import annotations

from typing import Any


def as_list(value: Any) -> list[Any]:
    """ConvertTo-Json writes a one-element array as the element itself, and an empty one as null."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
