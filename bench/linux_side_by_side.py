"""ferme's `base` + `edge_firewall` beside an equivalent Ansible playbook, on the built-in lab's Debian hosts.

Method (one run of `make bench`; bench/RESULTS.md):
1. A fresh lab (`ferme lab up`): ferme's first run, `ferme verify`, then no-op runs, alternating ferme's path
   (batched facts) with the path before issue 17 (`FERME_FACT_BATCH=0`: pyinfra's one command per fact, every
   operation executed, the admin accounts read with pyinfra's facts): the ratio of the two.
2. A fresh lab again: the Ansible playbook `bench/ansible/base_edge.yml` (ansible-core from PyPI, tuned: pipelining,
   SSH ControlPersist, forks, smart gathering with a JSON fact cache), `ferme verify` on what it built (the same
   end state), then no-op runs alternating Ansible over SSH with Ansible under Mitogen's strategy.
Both tools get each host's slice of the same plan (the lab inventory's, with each Debian host's roles reduced to
`base` and `edge_firewall`: the MFA, VPN, portal and collaboration roles have no Ansible counterpart here).
Wall time and the controller's CPU time (user + system of the tool and its children) per run; medians of the
no-op runs. The machine is noisy: only ratios measured in the same run are compared.

`python bench/linux_side_by_side.py` runs it all and prints the Markdown section; `ferme-apply` and `ferme-verify`
are its children (ferme with the reduced plan).
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from measure import run_timed

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = ROOT / "inventories" / "lab"
WORK = ROOT / "build" / "bench" / "ansible"
ANSIBLE_VENV = ROOT / ".cache" / "bench" / "ansible"
KEEP_ROLES = {"edge_firewall"}  # with base, which every Debian host has
NOOP_RUNS = 3


def reduced_plan() -> tuple[dict[str, Any], list[str], Any]:
    """The lab's plan as `ferme apply` runs it, each Debian host keeping base and edge_firewall only."""
    from ferme.cli import runnable_plan
    from ferme.lab.lab import access
    from ferme.site.loader import load_site

    plan: dict[str, Any] = runnable_plan(INVENTORY, load_site(INVENTORY, with_secrets=True))  # type: ignore[assignment]
    hosts = sorted(n for n, h in plan["hosts"].items() if h["os"] == "debian" and h["managed"])
    for name in hosts:
        plan["hosts"][name]["roles"] = [r for r in plan["hosts"][name]["roles"] if r in KEEP_ROLES]
    return plan, hosts, access(plan)


def ferme_apply() -> None:
    from ferme.apply import apply
    from ferme.progress import Progress

    plan, hosts, lab = reduced_plan()
    started = time.perf_counter()
    result = apply(plan, limit=",".join(hosts), lab=lab, progress=Progress(live=False))
    changed = sum(r.changed for r in result.hosts.values())
    unchanged, failed = (sum(getattr(r, k) for r in result.hosts.values()) for k in ("unchanged", "failed"))
    print(f"{len(hosts)} hosts: {changed} changed, {unchanged} unchanged, {failed} failed in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    operations = Counter(name for r in result.hosts.values() for name in r.changed_operations)
    print(json.dumps({"changed": changed, "failed": result.failed, "operations": operations}))
    sys.exit(1 if result.failed else 0)


def ferme_switches() -> None:
    """`ferme apply --limit switches` in this process, to count the netdev connector's SSH sessions."""
    from ferme.apply import apply
    from ferme.connectors.netdev import SESSIONS
    from ferme.progress import Progress

    plan, _, lab = reduced_plan()
    result = apply(plan, limit="switches", lab=lab, progress=Progress(live=False))
    print(json.dumps({"switches": len(plan["switches"]), "changed": sum(r.changed for r in result.hosts.values()),
                      "sessions": sum(SESSIONS.values()), "failed": result.failed}))  # fmt: skip
    sys.exit(1 if result.failed else 0)


def ferme_verify() -> None:
    from ferme.verify import run_suites

    plan, hosts, lab = reduced_plan()
    code, checks = run_suites(plan, lab, None, hosts)  # type: ignore[arg-type]
    passed, failed = (sum(getattr(c, k) for c in checks.values()) for k in ("passed", "failed"))
    print(
        json.dumps({"passed": passed, "failed": failed, "messages": [m for c in checks.values() for m in c.messages]})
    )
    sys.exit(code)


def ansible_inventory(path: Path) -> None:
    """Each host with its slice of the reduced plan, as the playbook's variables, and how to reach it."""
    from ferme.apply import host_entry_for
    from ferme.operations import nft_commit
    from roles.base import ROUTING_UNIT, expected_rules
    from roles.edge_firewall import routes_unit, sysctls

    plan, hosts, lab = reduced_plan()
    entries = {}
    for name in hosts:
        _, data = host_entry_for(plan, name, lab)
        state = data["ferme"]["state"]
        edge = state.get("firewall") if "edge_firewall" in data["ferme"]["roles"] else None
        committed = edge or state["host_firewall"]
        ruleset = data["ferme_artifacts"][committed["ruleset"]]
        address = data["ssh_hostname"]
        ssh_options = ["-o", f"UserKnownHostsFile={lab.known_hosts}", "-o", "StrictHostKeyChecking=yes"]
        entries[name] = {
            "ansible_host": address, "ansible_user": data["ssh_user"], "ansible_port": data["ssh_port"],
            "ansible_ssh_private_key_file": str(lab.ssh_key),
            "ansible_ssh_common_args": " ".join(ssh_options),
            "state": state, "routing_present": bool(state["routing"]["tables"] or state["routing"]["routes"]),
            "expected_rules": expected_rules(state["routing"]), "routing_unit": ROUTING_UNIT,
            "edge": edge, "edge_sysctls": sysctls(edge) if edge else {},
            "edge_routes_unit": routes_unit(edge["routes"], edge["public_addresses"]) if edge else "",
            "ruleset": ruleset,
            "ruleset_current_command": nft_commit.is_current_command(_sha256(ruleset)),
            "ruleset_apply_commands": nft_commit.arm_and_apply_commands(committed["confirm_seconds"]),
            "confirm_argv": ["ssh", "-i", str(lab.ssh_key), *ssh_options, "-o", "BatchMode=yes",
                             "-o", "ControlMaster=no", f"{data['ssh_user']}@{address}", nft_commit.confirm_command()],
        }  # fmt: skip
    path.write_text(json.dumps({"all": {"hosts": entries}}, indent=1))


def _sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


ANSIBLE_CFG = """[defaults]
forks = 20
gathering = smart
fact_caching = jsonfile
fact_caching_connection = {facts}
fact_caching_timeout = 86400
interpreter_python = /usr/bin/python3
host_key_checking = True
retry_files_enabled = False
{strategy}
[ssh_connection]
pipelining = True
ssh_args = -o ControlMaster=auto -o ControlPersist=120s
control_path_dir = {control}
"""


@dataclass
class Run:
    what: str
    seconds: float
    cpu: float
    output: str
    code: int


def timed(what: str, command: list[str], env: dict[str, str] | None = None) -> Run:
    """Wall time and the CPU time of the command and every child it waited for."""
    seconds, cpu, done = run_timed(command, env)
    run = Run(what, seconds, cpu, done.stdout + done.stderr, done.returncode)
    logs = WORK.parent / "logs"  # every run's output, to read after the bench
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / (re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-") + ".log")).open("a") as log:
        log.write(run.output)
    print(f"  {what}: {seconds:.1f} s wall, {cpu:.1f} s CPU, exit {done.returncode}", file=sys.stderr, flush=True)
    return run


def lab(action: str) -> None:
    subprocess.run([str(Path(sys.executable).parent / "ferme"), "lab", action, str(INVENTORY)], check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)  # fmt: skip


def ansible_setup(mitogen: bool) -> dict[str, str]:
    """ansible.cfg for plain SSH or Mitogen, and the environment that points at it."""
    WORK.mkdir(parents=True, exist_ok=True)
    strategy = ""
    if mitogen:
        import glob

        found = glob.glob(str(ANSIBLE_VENV / "lib" / "python3*" / "site-packages" / "ansible_mitogen" / "plugins"))
        strategy = f"strategy_plugins = {found[0]}/strategy\nstrategy = mitogen_linear\n"
    config = WORK / ("ansible-mitogen.cfg" if mitogen else "ansible.cfg")
    # The SSH masters' sockets under this run's folder: a master left from an earlier lab would hang new sessions.
    config.write_text(ANSIBLE_CFG.format(facts=WORK / "facts", strategy=strategy, control=WORK / "cp"))
    return {"ANSIBLE_CONFIG": str(config), "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCAL_TEMP": str(WORK / "tmp")}


def playbook(what: str, mitogen: bool = False) -> Run:
    command = [str(ANSIBLE_VENV / "bin" / "ansible-playbook"), "-i", str(WORK / "inventory.json"),
               str(ROOT / "bench" / "ansible" / "base_edge.yml")]  # fmt: skip
    return timed(what, command, ansible_setup(mitogen))


def recap(run: Run) -> tuple[int, int]:
    """(changed, failed) from Ansible's PLAY RECAP."""
    changed = failed = 0
    for line in run.output.splitlines():
        if " : ok=" in line:
            fields = dict(item.split("=") for item in line.split(":", 1)[1].split())
            changed += int(fields["changed"])
            failed += int(fields["failed"]) + int(fields["unreachable"])
    return changed, failed


def ferme(what: str, *args: str, old_path: bool = False) -> Run:
    env = {"FERME_FACT_BATCH": "0"} if old_path else {}
    return timed(what, [sys.executable, __file__, *args], env)


def last_json(run: Run) -> dict[str, Any]:
    for line in reversed(run.output.splitlines()):
        if line.startswith("{"):
            return json.loads(line)  # type: ignore[no-any-return]
    raise SystemExit(f"{run.what}: no result\n{run.output[-3000:]}")


def must(run: Run) -> Run:
    if run.code != 0:
        raise SystemExit(f"{run.what} failed (exit {run.code}):\n{run.output[-4000:]}")
    return run


def median(runs: list[Run], key: str) -> float:
    return statistics.median(getattr(r, key) for r in runs)


def main() -> None:
    print(report())


def report() -> str:
    """Both phases on fresh labs; the Markdown sections (Linux roles, switches)."""
    if not (ANSIBLE_VENV / "bin" / "ansible-playbook").exists():
        raise SystemExit(f"Ansible is missing: make bench installs it in {ANSIBLE_VENV}")
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.rmtree(WORK.parent / "logs", ignore_errors=True)
    WORK.mkdir(parents=True)
    print("ferme, fresh lab", file=sys.stderr)
    lab("down")
    lab("up")
    try:
        ferme_first = must(ferme("ferme first run", "ferme-apply"))
        ferme_checked = last_json(must(ferme("ferme verify", "ferme-verify")))
        ferme_noop, pyinfra_noop = [], []
        for _ in range(NOOP_RUNS):
            ferme_noop.append(must(ferme("ferme no-op", "ferme-apply")))
            pyinfra_noop.append(must(ferme("ferme no-op, the path before", "ferme-apply", old_path=True)))
        switch_first = must(ferme("switch, first run", "ferme-switches"))
        switch_noop = [must(ferme("switch no-op", "ferme-switches")) for _ in range(NOOP_RUNS)]
        hosts = len(reduced_plan()[1])
        # what ferme printed, without this driver's own summary and JSON lines
        noop_lines = [line for line in ferme_noop[-1].output.splitlines()
                      if line.strip() and not line.startswith("{") and " hosts: " not in line]  # fmt: skip
        print("Ansible, fresh lab", file=sys.stderr)
        lab("down")
        lab("up")
        ansible_inventory(WORK / "inventory.json")
        ansible_first = must(playbook("ansible first run"))
        ansible_checked = last_json(ferme("ferme verify of Ansible's hosts", "ferme-verify"))
        ansible_noop, mitogen_noop = [], []
        for _ in range(NOOP_RUNS):
            ansible_noop.append(must(playbook("ansible no-op")))
            mitogen_noop.append(playbook("ansible no-op, Mitogen", mitogen=True))
        ferme_sees = last_json(ferme("ferme on Ansible's hosts", "ferme-apply"))
    finally:
        for socket in (WORK / "cp").glob("*"):  # Ansible's SSH masters: stopped, not left to time out
            stop = ["ssh", "-o", f"ControlPath={socket}", "-O", "exit", "lab"]
            subprocess.run(stop, capture_output=True, check=False)
        lab("down")
    rows = {
        "ferme_first": ferme_first, "ansible_first": ansible_first, "ferme_noop": ferme_noop,
        "pyinfra_noop": pyinfra_noop, "ansible_noop": ansible_noop, "mitogen_noop": mitogen_noop,
    }  # fmt: skip
    return (
        linux_report(rows, hosts, ferme_checked, ansible_checked, ferme_sees, noop_lines)
        + "\n"
        + switch_report(switch_first, switch_noop)
    )


def _cell(runs: Run | list[Run]) -> tuple[float, float]:
    group = runs if isinstance(runs, list) else [runs]
    return median(group, "seconds"), median(group, "cpu")


def linux_report(rows: dict[str, Any], hosts: int, ferme_checked: dict[str, Any], ansible_checked: dict[str, Any],
           ferme_sees: dict[str, Any], noop_lines: list[str]) -> str:  # fmt: skip
    ansible_version = subprocess.run([str(ANSIBLE_VENV / "bin" / "ansible"), "--version"], capture_output=True,
                                     text=True, check=False).stdout.splitlines()[0]  # fmt: skip
    mitogen_ok = all(r.code == 0 for r in rows["mitogen_noop"])
    f_first, a_first = _cell(rows["ferme_first"]), _cell(rows["ansible_first"])
    f_noop, p_noop, a_noop = _cell(rows["ferme_noop"]), _cell(rows["pyinfra_noop"]), _cell(rows["ansible_noop"])
    m_noop = _cell(rows["mitogen_noop"]) if mitogen_ok else None
    a_changed, _ = recap(rows["ansible_noop"][-1])
    lines = [
        f"## Linux roles on the lab: ferme beside Ansible ({hosts} Debian hosts, `base` + `edge_firewall`)",
        "",
        f"Ansible: {ansible_version} with the `ansible` 12.3.0 collections; Mitogen 0.3.54"
        + ("" if mitogen_ok else f" **did not run** ({_first_error(rows['mitogen_noop'])})")
        + ".",
        f"Medians of {NOOP_RUNS} no-op runs each; controller CPU = user + system time of the tool and its children.",
        "",
        "| run | wall s | controller CPU s |",
        "|---|---|---|",
        f"| ferme, first run (fresh hosts) | {f_first[0]:.1f} | {f_first[1]:.1f} |",
        f"| Ansible, first run (fresh hosts) | {a_first[0]:.1f} | {a_first[1]:.1f} |",
        f"| ferme, no-op | {f_noop[0]:.1f} | {f_noop[1]:.1f} |",
        f"| ferme, no-op, the path before (`FERME_FACT_BATCH=0`) | {p_noop[0]:.1f} | {p_noop[1]:.1f} |",
        f"| Ansible, no-op (SSH, pipelining, ControlPersist, fact cache) | {a_noop[0]:.1f} | {a_noop[1]:.1f} |",
    ]
    if m_noop:
        lines.append(f"| Ansible, no-op under Mitogen | {m_noop[0]:.1f} | {m_noop[1]:.1f} |")
    best = min([a_noop] + ([m_noop] if m_noop else []), key=lambda c: c[0])
    lines += [
        "",
        "| ratio | value | target |",
        "|---|---|---|",
        f"| no-op: the path before / ferme's | **{p_noop[0] / f_noop[0]:.1f}×** | ≥ 5× |",
        f"| no-op: best tuned Ansible / ferme | **{best[0] / f_noop[0]:.1f}×** | ≥ 5× |",
        f"| no-op controller CPU: best tuned Ansible / ferme | {best[1] / f_noop[1]:.1f}× | |",
        f"| first run: Ansible / ferme | {a_first[0] / f_first[0]:.1f}× | |",
        "",
        f"Same end state: `ferme verify` on ferme's hosts {ferme_checked['passed']} passed, "
        f"{ferme_checked['failed']} failed; on Ansible's hosts {ansible_checked['passed']} passed, "
        f"{ansible_checked['failed']} failed. Ansible's no-op reported {a_changed} changed task(s). `ferme apply` "
        f"on Ansible's hosts then changed {ferme_sees['changed']} operation(s) where the two tools write the same "
        "state differently: "
        + "; ".join(
            f"{name} × {count}" for name, count in sorted(ferme_sees["operations"].items(), key=lambda i: -i[1])
        )
        + ".",
        "ferme's first run, each host's time (a host that waits out a stalled download behind the lab's proxy "
        "shows here): "
        + ", ".join(
            f"{m[1]} {m[2]} s"
            for m in re.finditer(
                r"^([\w.-]+): \d+ changed, \d+ unchanged, \d+ failed in ([\d.]+) s$", rows["ferme_first"].output, re.M
            )
        )
        + ".",
        f"ferme's no-op printed {len(noop_lines)} progress line(s) off a terminal for {hosts} hosts (the command "
        "adds its table: a row per host and the totals).",
    ]
    return "\n".join(lines) + "\n"


def switch_report(first: Run, noops: list[Run]) -> str:
    facts = [last_json(run) for run in [first, *noops]]
    switches = facts[0]["switches"]
    seconds, cpu = _cell(noops)
    return (
        "\n".join(
            [
                f"## Switches: the lab's switch on the simulator ({switches} switch, fake-switches, Cisco IOS dialect)",
                "",
                "`ferme apply --limit switches` (the netdev connector: netmiko over SSH, hier_config's "
                f"remediation); the command's whole time, start-up included; median of {len(noops)} no-op runs.",
                "",
                "| run | changes | SSH sessions per switch | seconds per switch | controller CPU s |",
                "|---|---|---|---|---|",
                f"| first run (blank switch) | {facts[0]['changed']} | {facts[0]['sessions'] / switches:.0f} | "
                f"{first.seconds / switches:.1f} | {first.cpu:.1f} |",
                f"| no-op | {facts[-1]['changed']} | {max(f['sessions'] for f in facts[1:]) / switches:.0f} | "
                f"{seconds / switches:.1f} | {cpu:.1f} |",
            ]
        )
        + "\n"
    )


def _first_error(runs: list[Run]) -> str:
    for run in runs:
        for line in run.output.splitlines():
            if "ERROR" in line or "Error" in line:
                return line.strip()[:200]
    return "see its output"


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    commands = {"ferme-apply": ferme_apply, "ferme-verify": ferme_verify,
                "ferme-switches": ferme_switches,
                "ansible-inventory": lambda: ansible_inventory(Path(sys.argv[2]))}  # fmt: skip
    commands.get(sys.argv[1] if len(sys.argv) > 1 else "", main)()
