"""The `ferme` command."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from ferme import __version__
from ferme.cli_collab import collab
from ferme.cli_docs import docs
from ferme.cli_files import EXIT_INVALID, init, schema, secrets
from ferme.cli_onboard import onboard
from ferme.cli_tokens import import_tokens
from ferme.i18n import _
from ferme.plan import build_plan
from ferme.plan.types import Plan
from ferme.render.artifacts import OWNED_FOLDERS, render_artifacts
from ferme.site import InventoryError, Site, load_site
from ferme.site.errors import dotted_path
from ferme.summary import plan_summary, table


def _load(inventory: Path, *, with_secrets: bool) -> Site:
    try:
        return load_site(inventory, with_secrets=with_secrets)
    except InventoryError as exc:
        for problem in sorted(exc.problems, key=lambda p: p.mark):
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        message = (
            _("{inventory}: {count} problems, nothing changed")
            if count > 1
            else _("{inventory}: 1 problem, nothing changed")
        )
        click.echo(message.format(inventory=inventory, count=count), err=True)
        sys.exit(EXIT_INVALID)


def runnable_plan(inventory: Path, site: Site) -> Plan:
    """The plan as `ferme apply` runs it: with the inventory's folder (where the WinRM connector resolves its
    secret) and the build folder (where the VPN profile and the fact batch land)."""
    plan_data = build_plan(site)
    plan_data["inventory"] = str(inventory.resolve())
    plan_data["build"] = str((Path("build") / site.name).resolve())
    return plan_data


@click.group()
@click.version_option(__version__, prog_name="ferme")
def main() -> None:
    """Build and verify a collectivité's telework infrastructure from one YAML inventory."""


@main.command()
@click.argument("inventory", type=click.Path(path_type=Path))
@click.option("--no-secrets", is_flag=True, help="Do not resolve `!secret` values (check names only).")
def check(inventory: Path, no_secrets: bool) -> None:
    """Validate INVENTORY: exit 0, or exit 2 with `file:line:col: field: message` lines."""
    site = _load(inventory, with_secrets=not no_secrets)
    for problem in site.missing_files.values():
        click.echo(
            f"{problem.mark}: {dotted_path(problem.path)}: warning: {problem.message} ({problem.hint})", err=True
        )
    click.echo(
        _(
            "{inventory}: OK — site {site}, {hosts} hosts, {switches} switches, {zones} zones, {secrets} secrets "
            "resolved"
        ).format(
            inventory=inventory,
            site=site.name,
            hosts=len(site.hosts),
            switches=len(site.switches),
            zones=len(site.zones),
            secrets=len(site.secrets.names()),
        )
    )


@main.command()
@click.argument("inventory", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Output folder (default: build/<site>/).")
@click.option("--no-secrets", is_flag=True, help="Accepted for symmetry with check: plan never reads secret values.")
def plan(inventory: Path, out: Path | None, no_secrets: bool) -> None:
    """Derive the plan of INVENTORY into plan.json (secret values are neither needed nor written)."""
    started = time.perf_counter()
    site = _load(inventory, with_secrets=False)
    result = build_plan(site)
    artifacts = render_artifacts(result)
    target = out or Path("build") / site.name
    target.mkdir(parents=True, exist_ok=True)
    _write_json(target / "plan.json", result)
    for relative_path, text in artifacts.items():
        path = target / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_text(path, text)
    removed = _remove_stale(target, OWNED_FOLDERS, set(artifacts))
    click.echo(plan_summary(result))
    if removed:
        click.echo(
            _("removed {count} stale artifact(s) no longer in the inventory: {names}").format(
                count=len(removed), names=", ".join(removed)
            )
        )
    click.echo(_("wrote {plan} and {count} artifacts (flows: {flows}, matrice des flux, firewall rules) in "
                 "{seconds:.2f} s").format(plan=target / "plan.json", count=len(artifacts), flows=len(result["flows"]),
                                           seconds=time.perf_counter() - started))  # fmt: skip


def _remove_stale(target: Path, folders: tuple[str, ...], wanted: set[str]) -> list[str]:
    """Files ferme wrote earlier under `folders` of `target` that the inventory no longer makes (a deleted
    host's scripts): removed, so that nothing stale is shipped to a site. Returns their relative paths."""
    removed = []
    for folder in folders:
        for path in sorted((target / folder).rglob("*")) if (target / folder).is_dir() else []:
            relative_path = path.relative_to(target).as_posix()
            if path.is_file() and relative_path not in wanted:
                path.unlink()
                removed.append(relative_path)
        for path in sorted((target / folder).rglob("*"), reverse=True) if (target / folder).is_dir() else []:
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return removed


def _write_text(path: Path, text: str) -> None:
    """Whole or not at all: a reader never sees half a file. PowerShell scripts get a BOM: without one,
    Windows PowerShell 5.1 reads UTF-8 as the ANSI code page ("Bureau Ã  distance")."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    # and a CSV gets one too, so that a spreadsheet opens the matrice des flux's accents as UTF-8
    temporary.write_text(text, encoding="utf-8-sig" if path.suffix in (".ps1", ".csv") else "utf-8")
    temporary.replace(path)


def _write_json(path: Path, data: Any) -> None:
    _write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@main.command()
@click.argument("inventory", type=click.Path(path_type=Path))
@click.option("--dry", is_flag=True, help="Connect and compute the changes, execute nothing.")
@click.option("--limit", help="Only these hosts or roles (comma separated).")
@click.option("--report", type=click.Path(path_type=Path), help="Write per-host counts as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="A line per operation, and pyinfra's own log.")
def apply(inventory: Path, dry: bool, limit: str | None, report: Path | None, verbose: bool) -> None:
    """Converge the hosts of INVENTORY (pyinfra), then print changed/unchanged/failed per host."""
    from ferme.apply import apply as run_apply
    from ferme.apply import missing_for, select_hosts
    from ferme.lab.lab import access

    started = time.perf_counter()
    site = _load(inventory, with_secrets=True)
    plan_data = runnable_plan(inventory, site)
    lab = access(plan_data)
    if lab and verbose:
        click.echo(f"lab of {site.name} is running: SSH through {lab.controller} with the lab's own keys")
    try:
        chosen, _skipped = select_hosts(plan_data, limit, lab=lab is not None)
    except ValueError as exc:
        click.echo(f"ferme apply: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    blockers = missing_for(plan_data, chosen, site.missing_files)
    if blockers:
        for problem in blockers:
            click.echo(str(problem), err=True)
        click.echo(f"{inventory}: {len(blockers)} missing file(s), nothing changed", err=True)
        sys.exit(EXIT_INVALID)
    from ferme.progress import Progress

    result = run_apply(plan_data, dry=dry, limit=limit, lab=lab, say=click.echo, progress=Progress(verbose=verbose))
    rows = [[name, r.status, str(r.changed), str(r.unchanged), str(r.failed), r.error]
            for name, r in sorted(result.hosts.items())]  # fmt: skip
    click.echo(table([_("host"), _("status"), _("would change") if dry else _("changed"), _("unchanged"), _("failed"),
                      _("note")], rows))  # fmt: skip
    for name, r in sorted(result.hosts.items()):
        if r.lines:  # a switch's remediation: what was pushed, or what --dry would push
            click.echo(f"{name}: {len(r.lines)} line(s) {'to push' if dry else 'pushed'}")
            click.echo("\n".join(f"  {line}" for text in r.lines for line in text.splitlines()))
    totals = [sum(getattr(r, k) for r in result.hosts.values()) for k in ("changed", "unchanged", "failed")]
    totals_line = _("{changed} changed, {unchanged} unchanged, {failed} failed in {seconds:.1f} s").format(
        changed=totals[0], unchanged=totals[1], failed=totals[2], seconds=time.perf_counter() - started
    )
    click.echo(_("dry run: {totals}").format(totals=totals_line) if dry else totals_line)
    if report:
        _write_json(report, result.to_json())
    sys.exit(1 if result.failed else 0)


@main.command()
@click.argument("inventory", type=click.Path(path_type=Path))
@click.option("--junit", type=click.Path(path_type=Path), help="Write a JUnit XML report.")
@click.option("--limit", help="Only these hosts (comma separated).")
@click.option("-v", "--verbose", is_flag=True, help="pytest's own output (each check).")
def verify(inventory: Path, junit: Path | None, limit: str | None, verbose: bool) -> None:
    """Check the hosts of INVENTORY against the plan (tests/infra suites, testinfra over SSH)."""
    from ferme.lab.lab import access
    from ferme.verify import run_suites

    started = time.perf_counter()
    plan_data = build_plan(_load(inventory, with_secrets=False))
    plan_data["inventory"] = str(inventory.resolve())  # where Windows checks resolve the WinRM secret
    code, hosts = run_suites(
        plan_data, access(plan_data), junit, limit.split(",") if limit else None, verbose, click.echo
    )
    rows = [[name, str(c.passed), str(c.failed), str(c.skipped), ", ".join(filter(None, [*c.failures, c.skip_reason]))]
            for name, c in hosts.items()]  # fmt: skip
    for name, planned in plan_data["hosts"].items():
        if planned["os"] == "windows" and name not in hosts:
            rows.append([name, "-", "-", "-", _("Windows: not checked here (no Windows on this machine)")])
    click.echo(table([_("host"), _("passed"), _("failed"), _("skipped"), _("failures or why skipped")], sorted(rows)))
    for name, checks in sorted(hosts.items()):
        for message in checks.messages:  # why each check failed (pytest's detail: -v, or the JUnit report)
            click.echo(f"{name}: {message}")
    if limit is None:  # a full run: what `ferme onboard`'s verify gate reads
        from ferme.onboard.gates import save_verify_record

        failed = sum(c.failed for c in hosts.values()) or (1 if code else 0)  # a run that failed counts as one
        save_verify_record(inventory, sum(c.passed for c in hosts.values()), failed, list(hosts))
    verdict = _("verify passed in {seconds:.1f} s") if code == 0 else _("verify FAILED in {seconds:.1f} s")
    click.echo(verdict.format(seconds=time.perf_counter() - started))
    sys.exit(0 if code == 0 else 1)


@main.command()
@click.argument("inventory", type=click.Path(path_type=Path))
@click.option("--host", "hosts", multiple=True, help="Windows host to export (repeatable; default: all).")
@click.option("--out", type=click.Path(path_type=Path), help="Output folder (default: build/<site>/export/).")
def export(inventory: Path, hosts: tuple[str, ...], out: Path | None) -> None:
    """Standalone PowerShell 5.1 scripts that converge Windows hosts, for sites that run them themselves."""
    from ferme.powershell.check import check_script, errors
    from ferme.render.export import render_export

    site = _load(inventory, with_secrets=False)
    plan_data = build_plan(site)
    windows = [n for n, h in plan_data["hosts"].items() if h["os"] == "windows" and h["managed"]]
    unknown = [h for h in hosts if h not in plan_data["hosts"]]
    not_windows = [h for h in hosts if h in plan_data["hosts"] and h not in windows]
    if unknown or not_windows:
        for name in unknown:
            click.echo(f"ferme export: no host named {name!r} in {inventory}", err=True)
        for name in not_windows:
            why = "has managed: false" if plan_data["hosts"][name]["managed"] is False else "is not a Windows host"
            click.echo(f"ferme export: {name} {why}", err=True)
        sys.exit(EXIT_INVALID)
    target = out or Path("build") / site.name / "export"
    target.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in hosts or windows:
        script = render_export(plan_data, name)
        findings = errors(check_script(script))
        _write_text(target / f"{name}.ps1", script)
        rows.append([name, str(target / f"{name}.ps1"), str(script.count("\n")), str(len(findings))])
        for finding in findings:
            click.echo(f"{target / (name + '.ps1')}:{finding}", err=True)
    if not hosts:  # the whole site was exported: scripts of hosts no longer in it go
        wanted = {f"{name}.ps1" for name in windows}
        stale = sorted(p.name for p in target.glob("*.ps1") if p.name not in wanted)
        for name in stale:
            (target / name).unlink()
        if stale:
            click.echo(f"removed {len(stale)} stale script(s) of hosts no longer in the inventory: {', '.join(stale)}")
    click.echo(table(["host", "script", "lines", "catalogue findings"], rows))
    click.echo("checked statically against the PowerShell 5.1 cmdlet catalogue; not run: there is no Windows here")
    if any(row[3] != "0" for row in rows):
        sys.exit(1)


LAB_INVENTORY = Path("inventories/lab")


def _lab_plan(inventory: Path) -> Plan:
    return build_plan(_load(inventory, with_secrets=False))


@main.group()
def lab() -> None:
    """The built-in lab: the inventory's Debian hosts as containers on this machine (root)."""


@lab.command("up")
@click.argument("inventory", type=click.Path(path_type=Path), default=LAB_INVENTORY)
def lab_up(inventory: Path) -> None:
    """Build or complete the lab (idempotent)."""
    from ferme.lab import lab as lab_module
    from ferme.lab.system import LabError

    started = time.perf_counter()
    site = _load(inventory, with_secrets=True)
    plan_data = build_plan(site)
    passwords = {name: site.secrets.value(sw.connection.password)
                 for name, sw in site.switches.items() if sw.connection.password}  # fmt: skip
    try:
        timings = lab_module.up(plan_data, inventory, say=click.echo, switch_passwords=passwords)
    except LabError as exc:
        click.echo(f"ferme lab up: {exc}", err=True)
        sys.exit(1)
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    click.echo(
        _("lab up in {seconds:.1f} s ({parts}); `ferme lab down` removes it").format(
            seconds=time.perf_counter() - started, parts=parts
        )
    )


@lab.command("down")
@click.argument("inventory", type=click.Path(path_type=Path), default=LAB_INVENTORY)
def lab_down(inventory: Path) -> None:
    """Remove every host, namespace, mount, cgroup and process of the lab."""
    from ferme.lab import lab as lab_module
    from ferme.lab.system import LabError

    started = time.perf_counter()
    try:
        lab_module.down(_lab_plan(inventory), say=click.echo)
    except LabError as exc:
        click.echo(f"ferme lab down: {exc}", err=True)
        sys.exit(1)
    click.echo(_("lab down in {seconds:.1f} s").format(seconds=time.perf_counter() - started))


@lab.command("status")
@click.argument("inventory", type=click.Path(path_type=Path), default=LAB_INVENTORY)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def lab_status(inventory: Path, as_json: bool) -> None:
    """Show the lab's hosts and their state."""
    from ferme.lab import lab as lab_module

    report = lab_module.status(_lab_plan(inventory))
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    rows = [
        [h["name"], h["os"], h["state"], h["netns"] or "-", ", ".join(f"{z} {a}" for z, a in h["addresses"].items())]
        for h in report["hosts"]
    ]
    rows += [
        [s["name"], s["vendor"], s["state"], s["netns"] or "-", f"mgmt {s['address']}"] for s in report["switches"]
    ]
    click.echo(table(["host", "os", "state", "netns", "addresses"], rows))
    click.echo(f"controller {report['controller']} on the mgmt bridge; teleworker namespace {report['outside_netns']}")


main.add_command(schema)
main.add_command(secrets)
secrets.add_command(import_tokens)
main.add_command(init)
main.add_command(collab)
main.add_command(docs)
main.add_command(onboard)

if __name__ == "__main__":
    main()
