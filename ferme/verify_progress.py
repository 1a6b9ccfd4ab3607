"""The pytest plugin `ferme verify` loads into its suites' run: one line per host when its checks are done
(passed, failed, skipped, time), written to stderr as they end — what `ferme apply` prints off a terminal."""

from __future__ import annotations

import sys
import time
from typing import Any

from ferme.i18n import _


def host_of(nodeid: str) -> str:
    """`test_base.py::test_sshd[lab-fw]` → `lab-fw` (the suites are parametrised by host)."""
    return nodeid[nodeid.index("[") + 1 : -1] if nodeid.endswith("]") and "[" in nodeid else "-"


class HostLines:
    def __init__(self) -> None:
        self.total: dict[str, int] = {}
        self.counts: dict[str, dict[str, int]] = {}
        self.started: dict[str, float] = {}

    def pytest_collection_modifyitems(self, session: Any, config: Any, items: list[Any]) -> None:
        for item in items:
            host = host_of(item.nodeid)
            self.total[host] = self.total.get(host, 0) + 1

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when != "call" and not (report.failed or report.skipped):
            return  # a test's outcome: its call, or a setup that failed or skipped it
        host = host_of(report.nodeid)
        self.started.setdefault(host, time.perf_counter())
        counts = self.counts.setdefault(host, {"passed": 0, "failed": 0, "skipped": 0})
        counts["failed" if report.failed else "skipped" if report.skipped else "passed"] += 1
        if sum(counts.values()) == self.total.get(host):
            line = _("{host}: {passed} passed, {failed} failed, {skipped} skipped in {seconds:.1f} s").format(
                host=host, seconds=time.perf_counter() - self.started[host], **counts
            )
            print(line, file=sys.stderr, flush=True)


def pytest_configure(config: Any) -> None:
    config.pluginmanager.register(HostLines(), "ferme-host-lines")
