"""The sizing sheet (`dimensionnement.csv`): every figure of the plan's sizing with how it was reached and its
source, in French, `;`-separated and written with a BOM (what a French spreadsheet opens as is)."""

from __future__ import annotations

import csv
import io
from typing import Any

from ferme.plan.types import Plan

COLUMNS = ["rubrique", "valeur", "calcul", "source"]


def sizing_rows(sizing: dict[str, Any]) -> list[list[str]]:
    src, lic = sizing["sources"], sizing["licences"]
    rows = [
        ["agents", str(sizing["agents"]), "inventaire (agents.count)", "inventaire"],
        ["sessions simultanées", str(sizing["concurrent_sessions"]), "agents × agents.concurrency", "inventaire"],
        ["vCPU nécessaires", str(sizing["vcpu_needed"]), "sessions par profil de charge ÷ (maximum × 75 %)",
         src["users_per_vcpu"]],
        ["hôtes de session", f"{sizing['session_hosts_needed']} + {sizing['session_hosts_spare']}",
         f"vCPU ÷ {sizing['vcpu_per_session_host']} vCPU par hôte ; N+1 et un hôte en maintenance",
         src["host_size"]],
        ["hôtes de session déclarés", str(sizing["session_hosts_provisioned"]), "inventaire", "inventaire"],
        ["mémoire par hôte de session (Go)", str(sizing["ram_gb_per_session_host"]),
         f"{sizing['sessions_per_host']} sessions × {sizing['ram_gb_per_session']} Go + système", src["ram"]],
        ["bande passante RDP en pointe (Mbit/s)", str(sizing["bandwidth_mbps"]),
         "sessions simultanées × débit par session selon la charge", src["bandwidth"]],
        ["profils : usage attendu (Go)", str(sizing["profile_expected_gb"]), "agents × expected_gb", src["storage"]],
        ["profils : plafond (Go)", str(sizing["profile_storage_gb"]), "agents × size_gb", src["storage"]],
        ["IOPS en régime établi", str(sizing["iops_steady"]), "sessions × 15", src["storage"]],
        ["IOPS à l'ouverture de session (pointe)", str(sizing["iops_logon_storm"]),
         "ouvertures par minute (pointe en 10 min) × 50", src["storage"]],
    ]  # fmt: skip
    if sizing.get("vpn"):
        vpn = sizing["vpn"]
        how = f"{vpn['concurrent']} clients ÷ 500 par processus ; {vpn['cores']} cœurs"
        rows.append(["VPN : processus OpenVPN", str(vpn["processes"]), how, src["vpn"]])
    if lic.get("rds_cals"):
        rows.append(["licences d'accès RDS (CAL)", str(lic["rds_cals"]["count"]), f"mode {lic['rds_cals']['mode']} : "
                     "utilisateurs nommés", lic["sources"]["rds_cal"]])  # fmt: skip
    rows.append(["CAL utilisateur Windows Server", str(lic["windows_server_user_cals"]), "utilisateurs nommés",
                 lic["sources"]["windows_cal"]])  # fmt: skip
    cores = lic["windows_server_cores"]
    if isinstance(cores, dict):
        rows.append(["licences cœur Windows Server", f"{cores['standard_core_licences']} Standard ou "
                     f"{cores['datacenter_core_licences']} Datacenter ({cores['cheaper_edition']} moins cher)",
                     f"{cores['hypervisors']} hyperviseurs × {cores['cores_licensed_per_hypervisor']} cœurs, "
                     f"{cores['windows_vms_per_hypervisor']} VM Windows chacun", lic["sources"]["cores"]])  # fmt: skip
    rows.append(["suite bureautique", lic["office"], "agents.office", lic["sources"]["office"]])
    rows += [["alerte", warning, "", ""] for warning in sizing["warnings"]]
    return rows


def render_sizing_csv(plan: Plan) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(sizing_rows(plan["sizing"]))
    return buffer.getvalue()
