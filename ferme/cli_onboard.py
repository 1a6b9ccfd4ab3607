"""`ferme onboard INV --wave K [--rollback] [--dry]`: open an onboarding wave once its gates pass, or take it back.

Opening a wave records it open in INV/state/waves.json, so that the plan gives its group to the collections, the
gateways' CAP and the remote access group (the VPN's and the portal's), and activates its services' tokens; then
it converges the hosts that carry them (directory, brokers, gateways, MFA servers). If that fails, the previous
state is written back and converged again: a wave is open, or it is not.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click

from ferme.cli_files import EXIT_INVALID
from ferme.i18n import _

ROLES = ("directory", "rds_broker", "rds_gateway", "mfa")  # the hosts a wave changes


def _converge(inventory: Path, say: Callable[[str], None] = click.echo) -> bool:
    """`ferme apply --limit` the roles a wave changes, on the plan as the state file now says; True when no host
    failed."""
    from ferme.apply import apply as run_apply
    from ferme.cli import _load, runnable_plan
    from ferme.lab.lab import access

    plan = runnable_plan(inventory, _load(inventory, with_secrets=True))
    present = [r for r in ROLES if any(r in h["roles"] and h["managed"] for h in plan["hosts"].values())]
    if not present:
        return True
    result = run_apply(plan, limit=",".join(present), lab=access(plan), say=say)
    for name, host in sorted(result.hosts.items()):
        say(f"  {name}: {host.status}, {host.changed} changed{', ' + host.error if host.error else ''}")
    return not result.failed


@click.command()
@click.argument("inventory", type=click.Path(path_type=Path))
@click.option("--wave", "number", type=int, required=True, help="The wave's number (waves: in the inventory).")
@click.option("--rollback", is_flag=True, help="Take the wave back out (no gate: a rollback is always allowed).")
@click.option("--dry", is_flag=True, help="Check the gates and say what would change; change nothing.")
@click.option("--sessions-now", type=int, help="Sessions open now, as the broker counts them (default: the peak of "
              "the waves already open).")  # fmt: skip
@click.option("--verify-max-age", type=float, default=12.0, show_default=True,
              help="Hours a full `ferme verify` stays valid for the verify gate.")  # fmt: skip
def onboard(inventory: Path, number: int, rollback: bool, dry: bool, sessions_now: int | None,
            verify_max_age: float) -> None:  # fmt: skip
    """Open wave K of INVENTORY once its gates pass (verify green, capacity, VPN, bandwidth, tokens)."""
    from ferme.cli import _load
    from ferme.onboard.gates import check_gates, load_verify_record, wave_of
    from ferme.onboard.state import OPEN, ROLLED_BACK, load_states, record, restore
    from ferme.plan import build_plan
    from ferme.summary import table

    started = time.perf_counter()
    plan = build_plan(_load(inventory, with_secrets=False))
    try:
        wave = wave_of(plan, number)
    except ValueError as exc:
        click.echo(f"ferme onboard: {inventory}: {exc}, nothing changed", err=True)
        sys.exit(EXIT_INVALID)
    before = load_states(inventory)
    label = _("wave {number} ({label}, {agents} agents)").format(
        number=number, label=wave["label"] or ", ".join(wave["services"]), agents=wave["agents"]
    )
    if rollback:
        if wave["state"] != OPEN:
            click.echo(f"ferme onboard: {label} is {wave['state']}, not open: nothing to take back", err=True)
            sys.exit(EXIT_INVALID)
        if dry:
            click.echo(f"dry run: {label} would be taken out of {wave['group']}'s places (collections, CAP, remote "
                       "access group) and its services' tokens disabled")  # fmt: skip
            return
        record(inventory, number, ROLLED_BACK)
        click.echo(
            _("{label}: rolled back in the state file; converging {roles}").format(label=label, roles=", ".join(ROLES))
        )
        if not _converge(inventory):
            restore(inventory, before)
            click.echo(f"ferme onboard: converging failed: {label} stays open (state put back); run it again",
                       err=True)  # fmt: skip
            sys.exit(1)
        click.echo(
            _("{label}: rolled back in {seconds:.1f} s").format(label=label, seconds=time.perf_counter() - started)
        )
        return
    if wave["state"] == OPEN:
        click.echo(_("{label} is already open: nothing to do").format(label=label))
        return
    gates = check_gates(plan, number, sessions_now=sessions_now, verify=load_verify_record(inventory),
                        now=datetime.now(UTC), max_age_hours=verify_max_age)  # fmt: skip
    click.echo(table([_("gate"), _("result"), _("figures")],
                     [[g.name, _("passed") if g.passed else _("FAILED"), g.detail] for g in gates]))  # fmt: skip
    failed = [g for g in gates if not g.passed]
    if failed:
        more = _(" and {count} more").format(count=len(failed) - 1) if len(failed) > 1 else ""
        click.echo(_("ferme onboard: {label} not opened: gate {gate} failed ({detail}){more}; nothing changed").format(
            label=label, gate=failed[0].name, detail=failed[0].detail, more=more), err=True)  # fmt: skip
        sys.exit(1)
    if dry:
        click.echo(f"dry run: {label} would open: {wave['group']} ({', '.join(wave['ad_groups'])}) joins the "
                   "collections, the gateways' CAP and the remote access group")  # fmt: skip
        return
    record(inventory, number, OPEN, [g.to_json() for g in gates])
    click.echo(_("{label}: open in the state file; converging {roles}").format(label=label, roles=", ".join(ROLES)))
    if not _converge(inventory):
        restore(inventory, before)
        click.echo("ferme onboard: converging failed: the wave is taken back out (state put back, converging "
                   "again)", err=True)  # fmt: skip
        _converge(inventory)
        sys.exit(1)
    click.echo(_("{label}: open in {seconds:.1f} s").format(label=label, seconds=time.perf_counter() - started))
