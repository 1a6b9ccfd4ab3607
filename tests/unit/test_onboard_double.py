"""A wave opened and rolled back through `ferme.apply` against the WS-Management double (no Windows here): what
ferme sends to the broker, the gateway and the domain controller, and nothing when they already agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ferme.onboard.state import record
from ferme.plan import build_plan
from ferme.site import load_site
from tests.onboard_double import converge

GROUP = "GG-RDS-Vague-1"


def _plan(folder: Path) -> dict[str, Any]:
    return build_plan(load_site(folder, with_secrets=False))


def _sent(result: dict[str, Any], *words: str) -> list[str]:
    return [s for s in result["ran"] if all(w in s for w in words)]


def test_a_wave_opens_and_goes_back_on_the_windows_hosts(copy_example: Any, tmp_path: Path) -> None:
    folder = copy_example("mairie-exemple", secrets=False)
    before = _plan(folder)
    record(folder, 1, "open")
    opened = _plan(folder)

    first = converge(before, opened, tmp_path)
    assert {n: (h["status"], h["failed"]) for n, h in first["hosts"].items()} == {
        "dc01": ("ok", 0),
        "srv-rds01": ("ok", 0),
    }
    assert first["steps"] == ["settings Bureau: UserGroup"]  # one settings call for the collection, as a broker task
    assert first["hosts"]["dc01"]["changed"] >= 1 and first["hosts"]["srv-rds01"]["changed"] >= 2
    assert _sent(first, "Add-ADGroupMember", "GG-Teletravail", GROUP)  # the remote access group
    assert _sent(first, "CAP", f"{GROUP}@MAIRIE", "New-Item") and _sent(first, "RAP", f"{GROUP}@MAIRIE", "New-Item")
    assert _sent(first, f"MAIRIE\\\\{GROUP}") or _sent(first, f"MAIRIE\\{GROUP}")  # Remote Desktop Users

    again = converge(opened, opened, tmp_path / "again")
    assert sum(h["changed"] for h in again["hosts"].values()) == 0 and again["steps"] == []

    record(folder, 1, "rolled_back")
    back = converge(opened, _plan(folder), tmp_path / "back")
    assert all(h["status"] == "ok" for h in back["hosts"].values())
    assert back["steps"] == ["settings Bureau: UserGroup"]
    assert _sent(back, "Remove-ADGroupMember", "GG-Teletravail", GROUP)
    assert _sent(back, "Remove-Item", "CAP", f"{GROUP.lower()}@mairie")
