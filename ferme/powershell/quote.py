"""Literals for the PowerShell ferme emits: values always go in single quotes, never expanded."""

from __future__ import annotations

# Built-in groups by their well-known SID: their names are translated (French servers say
# "Utilisateurs du Bureau à distance").
REMOTE_DESKTOP_USERS = "S-1-5-32-555"
# The Windows Defender Firewall group of every rule ferme makes (and the only one it reads back).
FIREWALL_GROUP = "ferme"


def ps_quote(value: str) -> str:
    """A PowerShell single-quoted string literal (no expansion; `'` doubled)."""
    return "'" + value.replace("'", "''") + "'"


def ps_array(values: list[str]) -> str:
    return "@(" + ", ".join(ps_quote(v) for v in values) + ")"
