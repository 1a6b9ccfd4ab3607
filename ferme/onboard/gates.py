"""The gates a wave passes before `ferme onboard` opens it, each with its figures and, when it fails, by how much:
- verify: the last full `ferme verify` passed, and not long ago;
- capacity: the sessions now plus the wave's peak fit the session hosts in service (spares set aside);
- vpn: the same peak fits the VPN's cap and its pool;
- bandwidth: the peak's RDP bandwidth fits the Internet link (`bandwidth_mbps` of the outside zone), 20 % kept;
- tokens: every agent of the wave's services has a token.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ferme.i18n import _
from ferme.plan.types import Plan

LINK_SHARE = 0.8  # of the Internet link the agents' sessions may take at peak


@dataclass(frozen=True)
class Gate:
    name: str
    passed: bool
    detail: str  # the figures, in English (the console's language follows the locale)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def verify_record_path(inventory: Path) -> Path:
    return inventory / "state" / "verify.json"


def save_verify_record(inventory: Path, passed: int, failed: int, hosts: list[str]) -> None:
    """What a full `ferme verify` found, for the verify gate (a run with --limit is not recorded)."""
    path = verify_record_path(inventory)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "passed": passed, "failed": failed,
              "hosts": sorted(hosts)}  # fmt: skip
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def load_verify_record(inventory: Path) -> dict[str, Any] | None:
    path = verify_record_path(inventory)
    if not path.is_file():
        return None
    try:
        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return record


def wave_of(plan: Plan, number: int) -> dict[str, Any]:
    """The planned wave `number`; ValueError naming the inventory's waves when there is none."""
    wave = next((w for w in plan["waves"] if w["number"] == number), None)
    if wave is None:
        known = ", ".join(str(w["number"]) for w in plan["waves"]) or "none"
        raise ValueError(f"no wave {number} in the inventory (waves: {known})")
    return wave


def wave_peak(plan: Plan, number: int) -> int:
    """The wave's agents connected at once at peak (agents.concurrency)."""
    agents: int = wave_of(plan, number)["agents"]
    share: float = plan["sizing"]["concurrent_sessions"] / max(plan["sizing"]["agents"], 1)
    return math.ceil(round(agents * share, 6))


def estimated_sessions(plan: Plan) -> int:
    """Without a measured figure: the peak of the waves already open."""
    return sum(wave_peak(plan, w["number"]) for w in plan["waves"] if w["state"] == "open")


def _verify(record: dict[str, Any] | None, now: datetime, max_age_hours: float) -> Gate:
    if record is None:
        return Gate("verify", False, _("no full `ferme verify` recorded: run ferme verify INV first"))
    at = datetime.fromisoformat(record["at"])
    age = (now - at).total_seconds() / 3600
    if record["failed"]:
        return Gate("verify", False, _("the last verify ({at}) failed {failed} check(s)").format(**record))
    if age > max_age_hours:
        return Gate("verify", False, _("the last verify is {age:.1f} h old, {over:.1f} h over the {allowed:g} h "
                                       "allowed: run ferme verify INV").format(age=age, over=age - max_age_hours,
                                                                               allowed=max_age_hours))  # fmt: skip
    return Gate("verify", True, _("{passed} checks passed {age:.1f} h ago").format(passed=record["passed"], age=age))


def _within(name: str, detail: str, excess: float, failed: str) -> Gate:
    """A gate measured in figures: passed within the limit, else failed with by how much (`failed` a template)."""
    if excess > 0:
        return Gate(name, False, failed.format(detail=detail, over=excess))
    return Gate(name, True, detail)


def _capacity(plan: Plan, after: int) -> Gate:
    sizing = plan["sizing"]
    if not sizing["session_hosts_provisioned"]:
        return Gate("capacity", True, _("no session host in the inventory: not applicable"))
    per_vcpu = sizing["concurrent_sessions"] / max(sizing["vcpu_needed"], 1)
    in_service = sizing["vcpu_provisioned"] - sizing["session_hosts_spare"] * sizing["vcpu_per_session_host"]
    capacity = math.floor(round(max(in_service, 0) * per_vcpu, 6))
    spare = sizing["session_hosts_spare"]
    detail = _("{after} sessions for {capacity} ({in_service} vCPU in service, {spare} spare host(s) set aside, "
               "{per_vcpu:.2f} sessions per vCPU)").format(after=after, capacity=capacity, in_service=in_service,
                                                           spare=spare, per_vcpu=per_vcpu)  # fmt: skip
    return _within("capacity", detail, after - capacity, _("{detail}: {over} session(s) over"))


def _vpn(plan: Plan, after: int) -> Gate:
    vpn = plan["sizing"].get("vpn")
    if not vpn:
        return Gate("vpn", True, _("no VPN in the inventory: not applicable"))
    room = min(vpn["concurrent"], vpn["pool_room"])
    detail = _("{after} clients for a cap of {concurrent} and a pool of {pool_room} addresses").format(
        after=after, **vpn
    )
    return _within("vpn", detail, after - room, _("{detail}: {over} over"))


def _bandwidth(plan: Plan, after: int) -> Gate:
    links = [z.get("bandwidth_mbps") for z in plan["zones"].values() if z["kind"] == "outside"]
    link = sum(b for b in links if b)
    if not link:
        return Gate("bandwidth", True, _("the Internet link is not declared (bandwidth_mbps of the outside zone): "
                                         "not checked"))  # fmt: skip
    per_session = plan["sizing"]["bandwidth_mbps"] / max(plan["sizing"]["concurrent_sessions"], 1)
    needed, allowed = after * per_session, link * LINK_SHARE
    detail = _("{needed:.0f} Mbit/s at peak for {allowed:.0f} Mbit/s ({share:.0%} of a {link} Mbit/s link)").format(
        needed=needed, allowed=allowed, share=LINK_SHARE, link=link
    )
    return _within("bandwidth", detail, needed - allowed, _("{detail}: {over:.0f} Mbit/s over"))


def _tokens(plan: Plan, number: int) -> Gate:
    mfa = plan["settings"].get("mfa")
    if mfa is None:
        return Gate("tokens", True, _("no MFA in the inventory: not applicable"))
    agents = {s["name"]: s["agents"] for s in plan["settings"]["agents"]["services"]}
    held: dict[str, int] = {}
    for token in mfa["tokens"]:
        if token.get("service"):
            held[token["service"]] = held.get(token["service"], 0) + 1
    wave = wave_of(plan, number)
    short = {s: agents[s] - held.get(s, 0) for s in wave["services"] if held.get(s, 0) < agents[s]}
    total = sum(agents[s] for s in wave["services"])
    if short:
        missing = ", ".join(f"{s} {held.get(s, 0)}/{agents[s]}" for s in sorted(short))
        return Gate("tokens", False, _("{short} of {total} agents without a token ({missing}): ferme secrets "
                                       "import-tokens INV FILE").format(short=sum(short.values()), total=total,
                                                                        missing=missing))  # fmt: skip
    return Gate("tokens", True, _("{total} agents, each with a token").format(total=total))


def check_gates(plan: Plan, number: int, *, sessions_now: int | None, verify: dict[str, Any] | None,
                now: datetime, max_age_hours: float) -> list[Gate]:  # fmt: skip
    """Every gate of wave `number` (its state must not be open yet)."""
    now_sessions = estimated_sessions(plan) if sessions_now is None else sessions_now
    after = now_sessions + wave_peak(plan, number)
    return [_verify(verify, now, max_age_hours), _capacity(plan, after), _vpn(plan, after),
            _bandwidth(plan, after), _tokens(plan, number)]  # fmt: skip
