"""What Linux roles share about their services."""

from __future__ import annotations

from pyinfra.context import host
from pyinfra.facts.server import Command

# A running service older than one of its settings files (a run that stopped before restarting it) says "stale".
STALE = ("started=$(systemctl show -p ActiveEnterTimestamp --value {service}); "
         "[ -n \"$started\" ] && newest=$(stat -c %Y {files} 2>/dev/null | sort -n | tail -1) && "
         "[ \"$newest\" -gt \"$(date -d \"$started\" +%s)\" ] && echo stale || true")  # fmt: skip


def stale(service: str, settings: tuple[str, ...] | list[str]) -> bool:
    """The service runs on files older than its settings: it must be restarted even if nothing changes now."""
    return host.get_fact(Command, command=STALE.format(service=service, files=" ".join(settings))) == "stale"
