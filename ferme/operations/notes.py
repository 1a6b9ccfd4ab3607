"""What an operation wants the run's report to say about a host (why a restart did not happen, say)."""

from __future__ import annotations

_NOTES: dict[str, list[str]] = {}


def note(host: str, text: str) -> None:
    _NOTES.setdefault(host, []).append(text)


def notes_of(host: str) -> list[str]:
    """The notes taken for `host` during this run, and forgets them."""
    return _NOTES.pop(host, [])


_DETAILS: dict[str, list[str]] = {}


def detail(host: str, lines: list[str]) -> None:
    """Lines the run shows under a host (a switch's remediation), never a secret. pyinfra makes an operation's
    commands again when it runs it (from fresh facts): the last lines given are the ones shown."""
    _DETAILS[host] = list(lines)


def details_of(host: str) -> list[str]:
    return _DETAILS.pop(host, [])
