"""Inventory problems, reported as `file:line:col: field.path: message (hint)`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

# A path inside the merged inventory: ("hosts", "fw01", "addresses", "lan") or ("zones", 2, "vlan").
FieldPath = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Mark:
    """Where a value was written: file, 1-based line and column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    mark: Mark
    path: FieldPath
    message: str
    hint: str = ""
    repeats: int = 0  # the same mistake reached again through a YAML anchor

    def __str__(self) -> str:
        dotted = dotted_path(self.path) or "(top)"
        hint = "; ".join(
            filter(None, [self.hint, f"{self.repeats} more through the same YAML" if self.repeats else ""])
        )
        text = f"{self.mark}: {dotted}: {self.message}"
        if hint:
            text += f" ({hint})"
        return text


def dotted_path(path: FieldPath) -> str:
    """`hosts.fw01.addresses.lan`, `zones[2].vlan`; odd keys are quoted so the path stays one word."""
    parts: list[str] = []
    for item in path:
        if isinstance(item, int):
            parts.append(f"[{item}]")
            continue
        key = str(item)
        if not key or any(c.isspace() for c in key) or '"' in key:
            key = json.dumps(key, ensure_ascii=False).replace(" ", "\\u0020")
        parts.append(("." if parts else "") + key)
    return "".join(parts)


@dataclass
class InventoryError(Exception):
    """One or more problems in an inventory; nothing was changed."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in sorted(self.problems, key=lambda p: p.mark))


def relative(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
