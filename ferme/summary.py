"""Short terminal tables for the plan."""

from __future__ import annotations

from typing import Any

from ferme.i18n import _
from ferme.plan.types import Plan


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def _wave_state(state: str) -> str:
    return {"planned": _("planned"), "open": _("open"), "rolled_back": _("rolled back")}[state]


def _waves_line(plan: Plan) -> str:
    if plan["waves"]:
        return _("waves: ") + "; ".join(
            _("{number} {state} {start} ({agents} agents, {cumulative} in all)").format(
                number=w["number"], state=_wave_state(w["state"]), start=w["start"] or _("(no date)"),
                agents=w["agents"], cumulative=w["agents_cumulative"])
            for w in plan["waves"])  # fmt: skip
    proposed = plan.get("waves_proposed")
    if proposed:
        return _("waves proposed (agents.wave_size): ") + "; ".join(
            f"{i} {', '.join(w)}" for i, w in enumerate(proposed, 1)
        )
    return ""


def _licences_line(licences: dict[str, Any] | None) -> str:
    if not licences:
        return ""
    cals = licences["rds_cals"]
    cores = licences["windows_server_cores"]
    core_text = (f"Windows Server: {cores['standard_core_licences']} Standard or {cores['datacenter_core_licences']} "
                 f"Datacenter core licences ({cores['cheaper_edition']} cheaper at list prices)"
                 if isinstance(cores, dict) else f"Windows Server cores: {cores}")  # fmt: skip
    return (f"licences: {cals['count']} RDS CALs {cals['mode']}, " if cals else "licences: ") + (
        f"{licences['windows_server_user_cals']} Windows Server user CALs; {core_text}; {licences['office']}"
    )


def plan_summary(plan: Plan) -> str:
    site = plan["site"]
    by_os: dict[str, int] = {}
    for host in plan["hosts"].values():
        by_os[host["os"]] = by_os.get(host["os"], 0) + 1
    rows = [[role, str(len(hosts)), ", ".join(_compact(hosts))] for role, hosts in plan["roles"].items()]
    sizing = plan["sizing"]
    lines = [
        f"{site['label']} ({site['name']}, {site['domain']})",
        _("{hosts} hosts ({by_os}), {switches} switches, {zones} zones, {waves} waves").format(
            hosts=len(plan["hosts"]),
            by_os=", ".join(f"{n} {os}" for os, n in sorted(by_os.items())),
            switches=len(plan["switches"]),
            zones=len(plan["zones"]),
            waves=len(plan["waves"]),
        ),
        "",
        table([_("role"), _("hosts"), _("names")], rows),
        "",
        _(
            "sizing: {agents} agents, {concurrent_sessions} concurrent sessions, {vcpu_needed} vCPU needed → "
            "{session_hosts_needed}+{session_hosts_spare} session hosts of {vcpu_per_session_host} vCPU and "
            "{ram_gb_per_session_host} GB ({session_hosts_provisioned} in the inventory), {bandwidth_mbps} Mbps RDP at "
            "peak, profiles {profile_expected_gb} GB expected ({profile_storage_gb} GB at the cap), VPN for "
            "{vpn_concurrent}"
        ).format(**sizing)
        + (
            _(
                " ({processes} OpenVPN processes of {clients_per_process} clients: {cores} cores, about "
                "{mbit_s_per_process_measured} Mbit/s each as measured)"
            ).format(**sizing["vpn"])
            if sizing.get("vpn")
            else ""
        ),
        *(_("  warning: {warning}").format(warning=warning) for warning in sizing.get("warnings", [])),
        _licences_line(sizing.get("licences")),
        _waves_line(plan),
    ]
    services: list[dict[str, Any]] = plan.get("agent_services") or []
    if services:
        rows = [[e["fqdn"] or "—", e["public_address"] or "—", e["reached"], ", ".join(e["services"]), e["url"]]
                for e in services]  # fmt: skip
        lines += ["", _("services for the agents (public addresses pinned in firewall.publish):"),
                  table([_("name"), _("public address"), _("reached from"), _("service"), "URL"], rows)]  # fmt: skip
        libraries = [lib for e in services for lib in e.get("libraries", [])]
        if libraries:
            rows = [[lib["library"], lib["title"], lib["url"], lib["webdav"]] for lib in libraries]
            lines += ["", _("document libraries (the same address in a browser and for WebDAV):"),
                      table([_("library"), _("title"), "URL", _("WebDAV (file managers)")], rows)]  # fmt: skip
    remote = {name: z for name, z in plan["zones"].items() if z["kind"] == "remote"}
    if remote:
        rows = [[name, z["subnet"], z.get("via") or "—", str(z.get("bandwidth_mbps") or "—")]
                for name, z in sorted(remote.items())]  # fmt: skip
        lines += ["", f"sites behind the WAN ({len(remote)}, routed by the edge):",
                  table(["site", "network", "next hop", "link Mbps"], rows)]  # fmt: skip
    return "\n".join(lines)


def _compact(names: list[str], limit: int = 6) -> list[str]:
    return names if len(names) <= limit else [*names[:3], "…", *names[-2:]]
