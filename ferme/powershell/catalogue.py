"""The cmdlet catalogue (Windows Server 2025 / PowerShell 5.1, from Microsoft's docs, CC BY 4.0: see data/)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "powershell-catalogue.json"
# The HTML5 web client's module, from the how-to page that documents it (no reference pages exist).
WEB_CLIENT = DATA.with_name("rdwebclient-catalogue.json")


@dataclass(frozen=True)
class Cmdlet:
    name: str
    entry: dict[str, Any]

    @property
    def parameter_sets(self) -> list[dict[str, Any]]:
        return self.entry["parameter_sets"]  # type: ignore[no-any-return]

    @property
    def common(self) -> bool:
        return bool(self.entry.get("common_parameters"))

    @property
    def doc_notes(self) -> list[Any]:
        return self.entry.get("doc_notes", [])  # type: ignore[no-any-return]


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    data["cmdlets"].update(json.loads(WEB_CLIENT.read_text(encoding="utf-8"))["cmdlets"])
    return data


@cache
def _index() -> dict[str, str]:
    """Lower-cased name or alias → catalogue name."""
    index: dict[str, str] = {}
    for name, entry in _data()["cmdlets"].items():
        index[name.lower()] = name
        for alias in entry.get("aliases", []):
            index.setdefault(alias.lower(), name)
    return index


def lookup(command: str) -> Cmdlet | None:
    name = command.split("\\")[-1].lower()  # Module\Verb-Noun
    found = _index().get(name)
    return Cmdlet(found, _data()["cmdlets"][found]) if found else None


def names() -> list[str]:
    return list(_data()["cmdlets"])


def common_parameters() -> dict[str, Any]:
    return _data()["common_parameters"]  # type: ignore[no-any-return]
