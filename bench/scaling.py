"""How ferme's controller work grows with the site: `ferme check`, `ferme plan` and a dry apply of generated
inventories with 10, 100 and 500 session hosts.

The inventories are departement-exemple with its `rdsh` range resized (and the RDS zone and a management zone of
their own widened to hold them). `ferme check` and `ferme plan` run as commands (start-up included). The dry apply
runs `ferme.apply` (pyinfra and the winrm connector) on the session hosts, each answered by a WS-Management double
of its own in this process (no Windows here) with its facts converged: what is measured is the controller's side,
the CPU time of the `ferme` process (user + system) per host and per host-operation. Linear growth means a flat
figure per host-operation.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ferme.checks.windows import expectations  # noqa: E402
from ferme.checks.windows import wanted as facts_wanted  # noqa: E402
from ferme.facts.windows import host_facts_script  # noqa: E402
from ferme.operations.windows import wanted_for  # noqa: E402
from ferme.plan import build_plan  # noqa: E402
from ferme.site import load_site  # noqa: E402
from tests.protocol.wsman_double import Reply, Server, converged_facts  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from measure import run_timed  # noqa: E402

BIN = Path(sys.executable).parent
SIZES = (10, 100, 500)
PASSWORD = "Double-Password-2"
RUN_APPLY = """
import json, sys
from ferme.apply import apply
from ferme.progress import Progress
plan = json.load(open(sys.argv[1]))
say = lambda text: print(text, file=sys.stderr)
result = apply(plan, dry=True, limit=sys.argv[2], say=say, progress=Progress(live=False))
print(json.dumps(result.to_json()))
"""


def generate(session_hosts: int, into: Path) -> Path:
    """departement-exemple with `session_hosts` session hosts (secrets as `ferme secrets init` made them)."""
    folder = into / f"departement-{session_hosts}"
    shutil.copytree(ROOT / "inventories" / "departement-exemple", folder)
    network = folder / "network.yml"
    text = network.read_text()
    text = text.replace("{name: rds, kind: servers, vlan: 11, subnet: 10.20.11.0/24, gateway: 10.20.11.1,",
                        "{name: rds, kind: servers, vlan: 11, subnet: 10.21.0.0/22, gateway: 10.21.0.1,")  # fmt: skip
    text = text.replace("  - {name: mgmt-dmz,", "  - {name: mgmt-rds, kind: mgmt, vlan: 97, subnet: 10.22.0.0/22, "
                        "gateway: 10.22.0.1}\n  - {name: mgmt-dmz,", 1)  # fmt: skip
    network.write_text(text)
    hosts = folder / "hosts.yml"
    text = hosts.read_text()
    old = "  rdsh[01:40]:"
    assert old in text, "departement-exemple's session hosts moved"
    text = text.replace(old, f"  rdsh[001:{session_hosts:03d}]:")
    text = text.replace("rds: 10.20.11.1,", "rds: 10.21.0.1,").replace(
        "mgmt: 10.20.99.1,", "mgmt: 10.20.99.1, mgmt-rds: 10.22.0.1,"
    )
    text = text.replace("addresses: {rds: 10.20.11.101+, mgmt: 10.20.99.101+}",
                        "addresses: {rds: 10.21.0.10+, mgmt-rds: 10.22.0.10+}")  # fmt: skip
    hosts.write_text(text)
    services = folder / "services.yml"
    apps = max(1, session_hosts // 5)  # the business applications' collection: a fifth, as in the example
    text = services.read_text().replace('"rdsh[01:32]"', f'"rdsh[001:{session_hosts - apps:03d}]"')
    services.write_text(text.replace('"rdsh[33:40]"', f'"rdsh[{session_hosts - apps + 1:03d}:{session_hosts:03d}]"'))
    return folder


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str, str]:
    seconds, cpu, done = run_timed(command, env, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds, cpu, done.stdout, done.stderr


def dry_apply(plan: dict[str, Any], work: Path) -> dict[str, Any]:
    hosts = sorted(n for n, h in plan["hosts"].items() if "rds_session_host" in h["roles"])
    with contextlib.ExitStack() as stack:
        for name in hosts:
            home = work / name
            home.mkdir(parents=True, exist_ok=True)
            server = stack.enter_context(Server(home, "ferme-deploy", PASSWORD))
            connection = plan["hosts"][name]["connection"]
            connection.update(
                address="127.0.0.1",
                port=server.port,
                ca_bundle=str(server.ca),
                user="ferme-deploy",
                auth="ntlm",
                fqdn=None,
            )  # the site's Kerberos needs its domain: NTLM to the double
            expected = expectations(plan, name)
            script = host_facts_script(json.loads(wanted_for(**facts_wanted(expected))))
            joined = {"joined": True, "name": (expected.get("domain_join") or {}).get("domain", "")}
            server.double.register(script, Reply(stdout=converged_facts(expected, domain=joined)))
        plan_file = work / "plan.json"
        plan_file.write_text(json.dumps(plan))
        env = {"FERME_SECRET_WINRM_DEPLOY": PASSWORD, "FERME_SECRET_AD_JOIN": "Double-Join-2"}
        seconds, cpu, out, log = timed([sys.executable, "-c", RUN_APPLY, str(plan_file), ",".join(hosts)], env)
    result = json.loads(out.splitlines()[-1])["hosts"]
    operations = sum(r["changed"] + r["unchanged"] for r in result.values())
    failed = [n for n, r in result.items() if r["status"] != "ok"]
    if failed:
        raise SystemExit(f"dry apply failed on {', '.join(failed[:5])}: {result[failed[0]]}\n{log[-3000:]}")
    return {"hosts": len(hosts), "operations": operations, "seconds": seconds, "cpu": cpu,
            "would_change": sum(r["changed"] for r in result.values())}  # fmt: skip


def report() -> str:
    rows = []
    with tempfile.TemporaryDirectory(prefix="ferme-scaling-") as tmp:
        for size in SIZES:
            folder = generate(size, Path(tmp))
            plan = build_plan(load_site(folder, with_secrets=False))
            total = len(plan["hosts"])  # before dry_apply points the session hosts at the doubles
            check = timed([str(BIN / "ferme"), "check", str(folder)])
            planned = timed([str(BIN / "ferme"), "plan", str(folder), "--out", str(Path(tmp) / f"plan-{size}")])
            dry = dry_apply(plan, Path(tmp) / f"doubles-{size}")
            rows.append((size, total, check, planned, dry))
            print(f"  {size} session hosts: done", file=sys.stderr, flush=True)
    lines = [
        "## Scaling: generated inventories (departement-exemple with 10, 100, 500 session hosts)",
        "",
        "`ferme check` and `ferme plan` as commands; the dry apply of the session hosts against one WS-Management "
        "double each (**no Windows ran**), controller CPU of the `ferme` process.",
        "",
        "| session hosts | hosts in the plan | check s (CPU) | plan s (CPU) | dry apply s | dry apply CPU s | "
        "operations | CPU ms per host | CPU ms per host-operation |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size, total, check, planned, dry in rows:
        lines.append(
            f"| {size} | {total} | {check[0]:.1f} ({check[1]:.1f}) | {planned[0]:.1f} ({planned[1]:.1f}) | "
            f"{dry['seconds']:.1f} | {dry['cpu']:.1f} | {dry['operations']} | {1000 * dry['cpu'] / dry['hosts']:.0f} | "
            f"{1000 * dry['cpu'] / max(dry['operations'], 1):.1f} |"
        )
    first, last = rows[0][4], rows[-1][4]
    growth = (last["cpu"] / last["operations"]) / (first["cpu"] / first["operations"])
    plan_growth = (rows[-1][3][1] / rows[-1][1]) / (rows[0][3][1] / rows[0][1])
    lines += [
        "",
        f"CPU per host-operation from {SIZES[0]} to {SIZES[-1]} session hosts: ×{growth:.2f} "
        f"({'about linear' if growth < 1.5 else 'more than linear'}); `ferme plan`'s CPU per host in the plan: "
        f"×{plan_growth:.2f}. The fixed start-up cost (Python, imports, pyinfra) weighs most in the small runs.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(report())
