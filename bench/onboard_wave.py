"""Tool time of an onboarding wave of 300 agents (issue: under a minute), measured against the WS-Management double.

1. Gates and plan: `ferme onboard --dry` of the département's wave 1 (300 agents; a green verify recorded and a
   token per agent added to a copy), as a command, start-up included.
2. Opening: the Windows hosts a wave changes (domain controller; the all-in-one broker, gateway and session host)
   converged by `ferme.apply` through pyinfra and the winrm connector, against one double per host, on the mairie
   made to hold a wave of 300 (its `finances-rh` service grown to 300 agents; the work does not grow with the
   agents: one group member, one collection setting, two gateway lines, Remote Desktop Users).
3. Rollback: the same hosts back to the plan of before the wave.
The MFA servers' part (a flag per token in privacyIDEA, over SSH) is not in the double and not measured here.

A section of bench/RESULTS.md (`make bench`). No Windows ran: the double stands in for it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ferme.onboard.gates import save_verify_record  # noqa: E402
from ferme.onboard.state import record  # noqa: E402
from ferme.plan import build_plan  # noqa: E402
from ferme.site import load_site  # noqa: E402
from tests.onboard_double import converge  # noqa: E402
from tests.unit.test_onboard import _tokens  # noqa: E402

BIN = Path(sys.executable).parent


def _copy(name: str, into: Path) -> Path:
    target = into / name
    shutil.copytree(ROOT / "inventories" / name, target, ignore=shutil.ignore_patterns("secrets.sops.yml"))
    return target


def gates(work: Path) -> tuple[float, str]:
    folder = _copy("departement-exemple", work)
    services = folder / "services.yml"
    tokens = _tokens("dsi", 60) + _tokens("finances", 120) + _tokens("ressources-humaines", 120)
    services.write_text(
        services.read_text().replace("  radius_clients:\n", f"  tokens:{tokens}\n  radius_clients:\n", 1)
    )
    save_verify_record(folder, 120, 0, ["collab01"])
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "ferme"), "onboard", str(folder), "--wave", "1", "--dry"], capture_output=True,
                          text=True, check=False)  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the gates did not pass: {done.stdout}{done.stderr}")
    return seconds, done.stdout.strip().splitlines()[-1]


def windows(work: Path) -> tuple[dict, dict]:
    folder = _copy("mairie-exemple", work)
    site = folder / "site.yml"
    text = site.read_text()
    grown = "{name: finances-rh, group: GG-Finances, agents: 300}"
    text = text.replace("{name: finances-rh, group: GG-Finances, agents: 12}", grown).replace("count: 52", "count: 340")
    site.write_text(text)
    plan = lambda: build_plan(load_site(folder, with_secrets=False))  # noqa: E731
    before = plan()
    assert before["waves"][0]["agents"] == 300, before["waves"][0]
    record(folder, 1, "open")
    opened = plan()
    opening = converge(before, opened, work / "open")
    record(folder, 1, "rolled_back")
    back = converge(opened, plan(), work / "back")
    return opening, back


def report() -> str:
    with tempfile.TemporaryDirectory(prefix="ferme-bench-") as temporary:
        work = Path(temporary)
        gate_seconds, gate_line = gates(work)
        opening, back = windows(work)
    total = gate_seconds + opening["seconds"]
    changed = {n: h["changed"] for n, h in opening["hosts"].items()}
    lines = [
        "## Onboarding a wave of 300 agents: tool time",
        "",
        "bench/onboard_wave.py. **No Windows ran**: the WS-Management double answers for the Windows hosts (one "
        "double per host).",
        "",
        "| part | what | seconds |",
        "|---|---|---|",
        f"| gates + plan | `ferme onboard --dry`, département wave 1 (300 agents): {gate_line[:80]}… | "
        f"{gate_seconds:.2f} |",
        f"| opening | `ferme.apply` on {', '.join(sorted(changed))} (changes: {changed}; broker steps: "
        f"{', '.join(opening['steps'])}; {opening['requests'].get('http', 0)} HTTP requests) | "
        f"{opening['seconds']:.2f} |",
        f"| rollback | the same hosts back ({back['requests'].get('http', 0)} HTTP requests) | {back['seconds']:.2f} |",
        f"| **wave, gates + opening** | target: under 60 s | **{total:.2f}** ({'met' if total < 60 else 'NOT met'}) |",
        "",
        "Not in the figure: the MFA servers (a token's active flag in privacyIDEA, over SSH) and the time Windows "
        "itself takes to run each script (the double answers at once).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
