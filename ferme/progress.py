"""What `ferme apply` shows while it runs: one line per host that a person can follow.

On a terminal, a live view (rich): each host with its operations done out of its own, changes so far and the
operation running. Elsewhere (CI, a pipe), one plain line per host when it ends (or fails). With `-v`, a line
per operation of the host (never the operations of roles it does not have) and pyinfra's own log.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

from ferme.i18n import _


@dataclass
class HostProgress:
    total: int = 0
    done: int = 0
    changed: int = 0
    failed: int = 0
    current: str = ""
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None
    error: str = ""

    @property
    def seconds(self) -> float:
        return (self.finished or time.perf_counter()) - self.started


class Progress:
    """Host events in, lines out; the renderer depends on where the output goes."""

    def __init__(self, stream: TextIO | None = None, *, verbose: bool = False, live: bool | None = None):
        self.stream = stream or sys.stderr
        self.verbose = verbose
        self.hosts: dict[str, HostProgress] = {}
        self.live = (not verbose and self.stream.isatty()) if live is None else live
        self._view: Any = None

    # events

    def host_started(self, host: str, total: int) -> None:
        """A host is being prepared (total 0: its operations not known yet), or starts its `total` operations."""
        progress = self.hosts.setdefault(host, HostProgress())
        progress.total, progress.current = total, _("preparing") if not total else ""
        self._refresh()

    def operation_started(self, host: str, name: str) -> None:
        self.hosts[host].current = name
        self._refresh()

    def operation_done(self, host: str, name: str, *, changed: bool, failed: bool) -> None:
        progress = self.hosts[host]
        progress.done += 1
        progress.changed += int(changed)
        progress.failed += int(failed)
        if self.verbose:
            outcome = _("failed") if failed else _("changed") if changed else _("unchanged")
            self._print(f"[{host}] {name}: {outcome}")
        self._refresh()

    def host_finished(self, host: str, error: str = "") -> None:
        progress = self.hosts.setdefault(host, HostProgress())
        progress.finished, progress.error, progress.current = time.perf_counter(), error, ""
        if not self.live:
            self._print(self.line(host))
        self._refresh()

    # output

    def line(self, host: str) -> str:
        """The host's one line: its counts and time, or where it failed."""
        p = self.hosts[host]
        counts = _("{changed} changed, {unchanged} unchanged, {failed} failed in {seconds:.1f} s").format(
            changed=p.changed, unchanged=p.done - p.changed - p.failed, failed=p.failed, seconds=p.seconds
        )
        if p.error:
            return _("{host}: FAILED ({error}); {counts}").format(host=host, error=p.error, counts=counts)
        return f"{host}: {counts}"

    def __enter__(self) -> Progress:
        if self.live:
            from rich.console import Console
            from rich.live import Live

            self._view = Live(self._table(), console=Console(file=self.stream), refresh_per_second=8, transient=False)
            self._view.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._view is not None:
            self._view.update(self._table())
            self._view.__exit__(None, None, None)
            self._view = None

    def _table(self) -> Any:
        from rich.table import Table

        table = Table(box=None, pad_edge=False)
        for column in (_("host"), _("operations"), _("changed"), _("now")):
            table.add_column(column)
        for host, p in sorted(self.hosts.items()):
            state = (p.error and _("FAILED")) or (_("done in {seconds:.1f} s").format(seconds=p.seconds)
                                                  if p.finished else p.current)  # fmt: skip
            table.add_row(host, f"{p.done}/{p.total}", str(p.changed), state[:70])
        return table

    def _refresh(self) -> None:
        if self._view is not None:
            self._view.update(self._table())

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)
