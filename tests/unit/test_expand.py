from __future__ import annotations

import ipaddress

import pytest

from ferme.site.expand import RangeError, address_block, expand_name


def test_ranges_keep_zero_padding() -> None:
    assert expand_name("rdsh[01:03]") == ["rdsh01", "rdsh02", "rdsh03"]
    assert expand_name("Gi1/0/[9:11]") == ["Gi1/0/9", "Gi1/0/10", "Gi1/0/11"]
    assert expand_name("sw[1:2]-b") == ["sw1-b", "sw2-b"]
    assert expand_name("fw01") == ["fw01"]


@pytest.mark.parametrize("bad", ["rdsh[03:01]", "x[1:2", "x[a:b]", "x[1:2][3:4]"])
def test_bad_ranges(bad: str) -> None:
    with pytest.raises(RangeError):
        expand_name(bad)


def test_address_blocks() -> None:
    assert address_block("10.0.0.10+", 3) == [ipaddress.IPv4Address(f"10.0.0.{n}") for n in (10, 11, 12)]
    assert address_block("10.0.0.10", 1) == [ipaddress.IPv4Address("10.0.0.10")]
    with pytest.raises(RangeError):
        address_block("10.0.0.10", 2)
