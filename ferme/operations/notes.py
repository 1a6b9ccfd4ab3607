"""What an operation wants the run's report to say about a host (why a restart did not happen, say)."""

from __future__ import annotations

_NOTES: dict[str, list[str]] = {}


def note(host: str, text: str) -> None:
    _NOTES.setdefault(host, []).append(text)


def notes_of(host: str) -> list[str]:
    """The notes taken for `host` during this run, and forgets them."""
    return _NOTES.pop(host, [])
