"""Ranges such as `rdsh[01:30]` or `Gi1/0/[1:24]`, and `address+` blocks for them."""

from __future__ import annotations

import ipaddress
import re

# A range is a shorthand for a few dozen hosts or ports; beyond this it is a typo.
MAX_RANGE = 1000
RANGE = re.compile(r"^(?P<head>[^\[\]]*)\[(?P<start>\d+):(?P<end>\d+)\](?P<tail>[^\[\]]*)$")


class RangeError(ValueError):
    pass


def expand_name(pattern: str) -> list[str]:
    """`rdsh[01:03]` → rdsh01, rdsh02, rdsh03 (zero padding kept); a plain name → itself."""
    if "[" not in pattern and "]" not in pattern:
        return [pattern]
    match = RANGE.match(pattern)
    if not match:
        raise RangeError("a range is written name[FIRST:LAST], e.g. rdsh[01:30]")
    start, end = match["start"], match["end"]
    if int(end) < int(start):
        raise RangeError(f"range end {end} is before its start {start}")
    count = int(end) - int(start) + 1
    if count > MAX_RANGE:
        raise RangeError(f"a range of {count} names is too large (at most {MAX_RANGE} in one range)")
    width = len(start) if start.startswith("0") else 0
    return [f"{match['head']}{n:0{width}d}{match['tail']}" for n in range(int(start), int(end) + 1)]


def address_block(text: str, count: int) -> list[ipaddress.IPv4Address]:
    """`198.18.2.10` for one host; `198.18.2.10+` for a range: .10, .11, … one per host."""
    block = text.endswith("+")
    first = ipaddress.IPv4Address(text.rstrip("+").strip())
    if count > 1 and not block:
        raise RangeError("a range of hosts needs a block: end the first address with `+`")
    return [first + i for i in range(count)]
