"""Expected state of a Windows host, read back in one PowerShell call (the batched facts) and compared.

testinfra's Windows modules run under cmd.exe with a shell per command (WINDOWS.md): ferme asks one
JSON document per host instead and asserts it in pytest (tests/infra/test_windows.py). Every value
comes from the host's state in the plan; only the firewall rule names are read off the flows.
"""

from __future__ import annotations

from typing import Any

from ferme.plan.types import Plan
from ferme.rds.gateway import ROOT as GATEWAY_ROOT
from ferme.rds.web import MARKER as WEB_MARKER
from ferme.rds.web import RDWEB_PAGES
from ferme.render.windows_firewall import builtin_rules_replaced, rule_signature, rules_for_host


def expectations(plan: Plan, name: str) -> dict[str, Any]:
    state = plan["hosts"][name]["state"]
    rules = rules_for_host(plan, name)
    return {
        "features": state["windows_features"],
        "registry": state["registry"],
        "firewall_rules": sorted(rule_signature(rule) for rule in rules),
        "builtin_rules_off": builtin_rules_replaced(rules),
        "listening": state["listening"],
        "services": state["services"],
        "certificates": sorted(c["thumbprint"] for c in state["certificates"]),
        "groups": state["groups"],
        "groups_domain": state["groups_domain"],
        "ad_groups": state.get("ad_groups", {}),
        "drain_minutes": state["drain_minutes"],
        "rd_deployment": state.get("rd_deployment"),
        "policies": state.get("policies", []),
        "fslogix": state.get("fslogix"),
        "gateway_policies": state.get("gateway_policies"),
        "web_client": state.get("web_client"),
        "sql_login": state.get("sql_login"),
        "domain_join": state.get("domain_join"),
        "ad_groups_present": state.get("ad_groups_present", []),
        "ad_ou": state.get("ad_ou"),
        "dns_round_robin": state.get("dns_round_robin"),
        "profile_share": state.get("profile_share"),
    }


def wanted(expected: dict[str, Any]) -> dict[str, Any]:
    """The facts to ask for (host_facts_script's argument)."""
    return {
        "features": expected["features"],
        "services": sorted(
            {*expected["services"], *([expected["fslogix"]["service"]] if expected.get("fslogix") else [])}
        ),
        "registry": [key.rsplit("\\", 1) for key in expected["registry"]],
        "groups": sorted(expected["groups"]),
        "ad_groups": sorted({*expected.get("ad_groups", {}), *expected.get("ad_groups_present", [])}),
        "ad_ous": [expected["ad_ou"]] if expected.get("ad_ou") else [],
        "dns_records": [[rr["zone"], rr["name"]]] if (rr := expected.get("dns_round_robin")) else [],
        "builtin_rules": expected["builtin_rules_off"],
        "rd_deployment": [expected["rd_deployment"]["broker"]] if expected.get("rd_deployment") else [],
        "policies": expected.get("policies", []),
        "shares": [expected["profile_share"]["name"]] if expected.get("profile_share") else [],
        "gateway": [GATEWAY_ROOT] if expected.get("gateway_policies") else [],
        "files": [WEB_MARKER] if _web_files(expected) else [],
        "sql_logins": [expected["sql_login"]] if expected.get("sql_login") else [],
        "machine_keys": [RDWEB_PAGES] if (expected.get("web_client") or {}).get("machine_key") else [],
        "acls": [expected["profile_share"]["path"]] if expected.get("profile_share") else [],
    }


def _web_files(expected: dict[str, Any]) -> bool:
    """An RD Web server whose web client ferme installs (the operator's files are given)."""
    web = expected.get("web_client") or {}
    return bool(web.get("enabled") and web.get("module") and web.get("package"))
