"""Literals for the PowerShell ferme emits: values always go in single quotes, never expanded."""

from __future__ import annotations

# Built-in groups by their well-known SID: their names are translated (French servers say
# "Utilisateurs du Bureau à distance").
REMOTE_DESKTOP_USERS = "S-1-5-32-555"
# The Windows Defender Firewall group of every rule ferme makes (and the only one it reads back).
FIREWALL_GROUP = "ferme"


# PowerShell ends a single-quoted string at any of these, not only at ' (its tokenizer's IsSingleQuote):
# a French "l’état" typed in a word processor would otherwise close the string and run what follows.
SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"


def ps_quote(value: str) -> str:
    """A PowerShell single-quoted string literal (no expansion; every single-quote character doubled)."""
    return "'" + "".join(c + c if c in SINGLE_QUOTES else c for c in value) + "'"


def ps_array(values: list[str]) -> str:
    return "@(" + ", ".join(ps_quote(v) for v in values) + ")"
