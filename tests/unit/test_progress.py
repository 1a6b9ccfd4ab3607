"""What `ferme apply` prints while it runs: off a terminal one line per host when it ends; with -v a line per
operation of that host; on a terminal a live table (rich) that ends on each host's counts."""

from __future__ import annotations

import io
import re
from typing import Any

from ferme.progress import Progress


def _run(progress: Progress) -> None:
    with progress:
        for host in ("lab-fw", "lab-mfa"):
            progress.host_started(host, 0)  # being prepared
        progress.host_started("lab-fw", 2)
        progress.operation_started("lab-fw", "Base | packages")
        progress.operation_done("lab-fw", "Base | packages", changed=False, failed=False)
        progress.operation_started("lab-fw", "Edge | ruleset")
        progress.operation_done("lab-fw", "Edge | ruleset", changed=True, failed=False)
        progress.host_finished("lab-fw")
        progress.host_started("lab-mfa", 3)
        progress.operation_started("lab-mfa", "MFA | privacyIDEA")
        progress.operation_done("lab-mfa", "MFA | privacyIDEA", changed=False, failed=True)
        progress.host_finished("lab-mfa", "PyinfraError: Error in operation MFA | privacyIDEA on lab-mfa")


def test_off_a_terminal_one_line_per_host_when_it_ends() -> None:
    out = io.StringIO()
    _run(Progress(out))
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"lab-fw: 1 changed, 1 unchanged, 0 failed in \d+\.\d s", lines[0])
    assert lines[1].startswith("lab-mfa: FAILED (PyinfraError: Error in operation MFA | privacyIDEA on lab-mfa); "
                               "0 changed, 0 unchanged, 1 failed in ")  # fmt: skip


def test_verbose_gives_a_line_per_operation_of_the_host() -> None:
    out = io.StringIO()
    _run(Progress(out, verbose=True))
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["[lab-fw] Base | packages: unchanged", "[lab-fw] Edge | ruleset: changed"]
    assert "[lab-mfa] MFA | privacyIDEA: failed" in lines
    assert len(lines) == 5  # three operations, two hosts' ends


def test_on_a_terminal_a_live_table_that_ends_on_the_counts() -> None:
    out = io.StringIO()
    _run(Progress(out, live=True))
    text = out.getvalue()
    assert "lab-fw" in text and "2/2" in text and "done in" in text
    assert "lab-mfa" in text and "1/3" in text and "FAILED" in text
    assert "lab-fw: 1 changed" not in text  # no plain lines on a terminal: the table says it


def test_pyinfra_routine_lines_are_dropped_unless_verbose_and_remarks_kept() -> None:
    import logging

    from ferme.apply import _Routine

    def passes(message: str, verbose: bool = False, level: int = logging.INFO) -> bool:
        record = logging.LogRecord("pyinfra", level, __file__, 1, message, None, None)
        return _Routine(verbose).filter(record)

    for routine in ("--> Starting operation: Base | packages", "[lab-fw]     \x1b[32mSuccess\x1b[0m",
                    "[lab-fw] No changes", "[@winrm/dc01] Skipped", "[lab-fw]  Connected",
                    "[@winrm/dc01]      \x1b[32mReady:\x1b[0m farm.py"):  # fmt: skip
        assert not passes(routine), routine
        assert passes(routine, verbose=True)
    assert passes("[@winrm/srv-rds01] RDS step: settings Bureau: UserGroup")  # a role's remark
    assert passes("[lab-fw] Success", level=logging.WARNING)


def test_verify_prints_a_line_per_host_when_its_checks_are_done(capsys: Any) -> None:
    from types import SimpleNamespace

    from ferme.verify_progress import HostLines, host_of

    assert host_of("test_base.py::test_sshd[lab-fw]") == "lab-fw" and host_of("test_x.py::test_y") == "-"
    lines = HostLines()
    items = [SimpleNamespace(nodeid=f"test_base.py::test_{n}[{h}]") for h in ("lab-fw", "lab-vpn") for n in "ab"]
    lines.pytest_collection_modifyitems(None, None, items)  # type: ignore[arg-type]

    def report(nodeid: str, when: str, outcome: str) -> Any:
        return SimpleNamespace(nodeid=nodeid, when=when, failed=outcome == "failed", skipped=outcome == "skipped")

    lines.pytest_runtest_logreport(report("test_base.py::test_a[lab-fw]", "setup", "passed"))  # not an outcome
    lines.pytest_runtest_logreport(report("test_base.py::test_a[lab-fw]", "call", "passed"))
    lines.pytest_runtest_logreport(report("test_base.py::test_a[lab-vpn]", "setup", "skipped"))
    assert capsys.readouterr().err == ""  # no host is done yet
    lines.pytest_runtest_logreport(report("test_base.py::test_b[lab-fw]", "call", "failed"))
    assert re.fullmatch(r"lab-fw: 1 passed, 1 failed, 0 skipped in \d+\.\d s\n", capsys.readouterr().err)
