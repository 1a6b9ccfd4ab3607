"""`make bench`: every benchmark in one run, written to bench/RESULTS.md (date, machine, versions, method, tables,
ratios, and the issue's targets as rows, met or not).

Order: what needs no lab first (check + plan, scaling, WinRM traffic, an onboarding wave), then the lab's side by
side with Ansible, which builds a fresh lab twice and takes it down at the end. Needs root (the lab) and the Ansible
environment that `make bench` installs under .cache/bench/ansible.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))


def _versions() -> str:
    from importlib.metadata import version

    ansible = subprocess.run([str(ROOT / ".cache" / "bench" / "ansible" / "bin" / "ansible"), "--version"],
                             capture_output=True, text=True, check=False).stdout.splitlines()[:1]  # fmt: skip
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                            check=False).stdout.strip()  # fmt: skip
    return (f"ferme {commit or '?'}, pyinfra {version('pyinfra')}, Python {platform.python_version()}; "
            f"{ansible[0] if ansible else 'Ansible missing'}")  # fmt: skip


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // (1024 * 1024)
    cores = len(os.sched_getaffinity(0))
    return f"{platform.node()}: {cores} cores ({cpu}), {memory} GiB, {platform.platform()}"


def _targets(sections: dict[str, str]) -> list[str]:
    """The issue's targets, read back from the sections' own figures."""
    rows = ["| target | measured | met |", "|---|---|---|"]
    linux = sections["linux"]
    ratios = (
        ("no-op apply ≥ 5× faster than the path before issue 17", "no-op: the path before / ferme's"),
        ("no-op apply ≥ 5× faster than tuned Ansible's no-op", "no-op: best tuned Ansible / ferme"),
    )
    for label, row in ratios:
        pattern = re.escape(f"| {row} | **") + r"([\d.]+)×"
        found = re.search(pattern, linux)
        value = float(found.group(1)) if found else 0.0
        rows.append(f"| {label} | {value:.1f}× | {'yes' if value >= 5 else 'no'} |")
    lines = re.search(r"printed (\d+) progress line\(s\) off a terminal for (\d+) hosts", linux)
    if lines:
        printed, hosts = int(lines.group(1)), int(lines.group(2))
        rows.append(f"| no-op prints at most one line per host (plus the table) off a terminal | {printed} lines, "
                    f"{hosts} hosts | {'yes' if printed <= hosts else 'no'} |")  # fmt: skip
    check = re.search(r"\*\*check \+ plan\*\* \(target < 2 s\) \| \*\*([\d.]+)\*\*", sections["check_plan"])
    if check:
        rows.append(f"| `ferme check` + `ferme plan` of departement-exemple < 2 s | {check.group(1)} s | "
                    f"{'yes' if float(check.group(1)) < 2 else 'no'} |")  # fmt: skip
    wave = re.search(r"\*\*wave, gates \+ opening\*\* \| target: under 60 s \| \*\*([\d.]+)\*\*", sections["onboard"])
    if wave:
        rows.append(f"| a wave of 300 agents, tool time < 60 s | {wave.group(1)} s | "
                    f"{'yes' if float(wave.group(1)) < 60 else 'no'} |")  # fmt: skip
    return rows


def main() -> None:
    import check_plan
    import linux_side_by_side
    import onboard_wave
    import scaling
    import winrm_traffic

    started = time.perf_counter()
    sections: dict[str, str] = {}
    for key, module in (("check_plan", check_plan), ("scaling", scaling), ("winrm", winrm_traffic),
                        ("onboard", onboard_wave), ("linux", linux_side_by_side)):  # fmt: skip
        print(f"bench: {key}", file=sys.stderr, flush=True)
        sections[key] = module.report()
    minutes = (time.perf_counter() - started) / 60
    text = "\n".join(
        [
            "# ferme benchmarks",
            "",
            f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, one `make bench` run ({minutes:.0f} min).",
            f"- Machine: {_machine()}.",
            f"- Versions: {_versions()}.",
            "- Method: each section says what it runs; wall times are the commands' own (start-up included), CPU "
            "times are user + system of the tool and every child it waited for. The machine is shared and noisy: "
            "compare the ratios measured in the same run, not figures across runs. **No Windows ran**: Windows "
            "figures come from the WS-Management double (tests/protocol/wsman_double.py). Switches run on the "
            "fake-switches simulator.",
            "",
            "## Targets (issue 17 and earlier)",
            "",
            *_targets(sections),
            "",
            sections["linux"],
            sections["winrm"],
            sections["scaling"],
            sections["check_plan"],
            sections["onboard"],
        ]
    )
    (BENCH / "RESULTS.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
