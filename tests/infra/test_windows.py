"""Windows hosts: one PowerShell call per host returns its state as JSON; each check asserts a part of it.

Skipped with the reason when the host cannot be reached, and always in the built-in lab (no Windows).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from ferme.checks.windows import expectations, wanted
from ferme.connectors.winrs import Session
from ferme.facts.windows import host_facts_script, parse_host_facts
from ferme.pyinfra_inventory import winrm_host
from ferme.site.secrets import MissingSecret, secret_value

_facts: dict[str, dict[str, Any]] = {}


def _state(name: str, plan: dict[str, Any], context: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    if context.get("lab"):
        pytest.skip(f"{name}: Windows is not in the lab (no Windows on this machine)")
    expected = expectations(plan, name)
    if name not in _facts:
        connection = plan["hosts"][name]["connection"]
        try:
            socket.create_connection((winrm_host(connection), connection["port"]), timeout=3).close()
        except OSError as exc:
            pytest.skip(f"{name} ({connection['address']}:{connection['port']}) is not reachable: {exc}")
        secret = connection["password_secret"]
        try:
            password = secret_value(secret, Path(context.get("inventory") or "."))
        except MissingSecret as exc:
            pytest.fail(f"{name}: {exc}")
        session = Session(winrm_host(connection), connection["user"], password, port=connection["port"],
                          auth=connection["auth"], ca_bundle=connection.get("ca_bundle"))  # fmt: skip
        try:
            result = session.run(host_facts_script(wanted(expected)))
        finally:
            session.close()
        assert result.ok, f"{name}: the state query failed: {result.stderr}"
        _facts[name] = parse_host_facts(result.stdout.splitlines())
    return expected, _facts[name]


@pytest.fixture
def windows(request: pytest.FixtureRequest, plan: dict[str, Any], context: dict[str, Any]) -> Any:
    return _state(request.param, plan, context)


def test_features_installed(windows: Any) -> None:
    expected, facts = windows
    missing = [f for f in expected["features"] if not facts["features"].get(f)]
    assert not missing, f"features not installed: {missing}"


def test_registry_values(windows: Any) -> None:
    expected, facts = windows
    wrong = {k: facts["registry"].get(k) for k, v in expected["registry"].items() if facts["registry"].get(k) != v}
    assert not wrong, f"registry values differ: {wrong}"


def test_firewall_rules(windows: Any) -> None:
    """Each ferme rule as its flow wants it (name, protocol, ports, remote addresses), and no other."""
    expected, facts = windows
    found, wanted = set(facts["firewall_rules"]), set(expected["firewall_rules"])
    assert found == wanted, f"differ from the flows: {sorted(found - wanted)}; missing: {sorted(wanted - found)}"


def test_builtin_rules_replaced_by_ferme_are_off(windows: Any) -> None:
    """Windows' own RDP and WinRM-over-HTTP rules (open to any address) are off where ferme's replace them."""
    expected, facts = windows
    enabled = [name for name in expected["builtin_rules_off"] if facts["builtin_rules"].get(name)]
    assert not enabled, f"built-in rules still enabled: {enabled}"


def test_listening_ports(windows: Any) -> None:
    expected, facts = windows
    assert set(expected["listening"]) <= set(facts["listening"])


def test_services_running(windows: Any) -> None:
    expected, facts = windows
    stopped = [s for s in expected["services"] if facts["services"].get(s) != "Running"]
    assert not stopped, f"services not running: {stopped}"


def test_certificates_present(windows: Any) -> None:
    expected, facts = windows
    missing = [t for t in expected["certificates"] if t not in facts["certificates"]]
    assert not missing, f"certificates not in LocalMachine\\My: {missing}"


def test_local_group_members(windows: Any) -> None:
    """The members from the site's domain are exactly the plan's (others are not ferme's to judge)."""
    expected, facts = windows
    prefix = expected["groups_domain"].lower() + "\\"
    found = {group: sorted(m.lower() for m in facts["groups"].get(group) or [] if m.lower().startswith(prefix))
             for group in expected["groups"]}  # fmt: skip
    wanted = {group: sorted(m.lower() for m in members) for group, members in expected["groups"].items()}
    assert found == wanted, f"local groups differ from the plan: {found} != {wanted}"


def test_rd_deployment(windows: Any) -> None:
    """On the managing broker: servers and roles, licensing, the gateway's settings, HA, certificates by role,
    collections (hosts, settings, RemoteApps) as the inventory says: no deployment step left to run. Settings
    Group Policy sets on the broker are left out, as `ferme apply` leaves them."""
    from ferme.rds.delta import deployment_delta
    from ferme.rds.read import TS_POLICIES

    expected, facts = windows
    desired = expected.get("rd_deployment")
    if not desired:
        pytest.skip("not the managing broker")
    current = facts["rd_deployment"].get(desired["broker"])
    assert current is not None, f"no RD deployment on {desired['broker']} (Get-RDServer found none)"
    policies = {desired["broker"]: facts["policies"].get(TS_POLICIES)} if facts.get("policies") else {}
    left = deployment_delta(desired, current, policies).steps
    assert not left, f"the deployment differs: {[step.title for step in left]}"


def test_fslogix_running(windows: Any) -> None:
    """Session hosts with FSLogix profiles: its service runs (installed from the operator's installer)."""
    expected, facts = windows
    if not expected.get("fslogix"):
        pytest.skip("no FSLogix profiles on this host")
    service = expected["fslogix"]["service"]
    assert facts["services"].get(service) == "Running", f"{service}: {facts['services'].get(service)}"


def test_profile_share(windows: Any) -> None:
    """The profiles' share and folder grant what FSLogix needs (compared by SID for well-known accounts)."""
    expected, facts = windows
    share = expected.get("profile_share")
    if not share:
        pytest.skip("not the profiles' file server")
    found = facts["shares"].get(share["name"])
    assert found is not None, f"share {share['name']} is missing"
    assert found["path"] == share["path"], found
    missing = [f"{a}={r}" for a, r in share["share_access"].items() if f"{a}={r}".lower() not in
               {e.lower() for e in found["access"]}]  # fmt: skip
    assert not missing, f"share access missing: {missing}"
    acl = facts["acls"].get(share["path"]) or {"rules": [], "protected": False}
    rules = {r.lower() for r in acl["rules"]}
    wanted = [f"{a}={g if ':' in g else g + ':All'}" for a, g in share["acl"].items()]
    assert acl["protected"] and not [w for w in wanted if w.lower() not in rules], (acl, wanted)


def test_gateway_policies(windows: Any) -> None:
    """RD Gateways: one CAP and one RAP, for the collections' groups only, toward the farm's servers only."""
    from ferme.rds.gateway import ROOT, changes

    expected, facts = windows
    desired = expected.get("gateway_policies")
    if not desired:
        pytest.skip("not an RD Gateway")
    current = facts["gateway"].get(ROOT)
    assert current is not None, "the RDS: drive is not there (RDS-Gateway not installed)"
    left = changes(desired, current)
    assert not left, f"the gateway's policies differ: {left}"


def test_web_client(windows: Any, context: dict[str, Any]) -> None:
    """RD Web servers: the HTML5 web client published from the inventory's files and certificate (the marker
    ferme writes after installing), and IIS's machineKey derived from the site's secret (compared by digest)."""
    import hashlib

    from ferme.checks.windows import _web_files
    from ferme.rds.web import MARKER, RDWEB_PAGES, machine_key_digest, machine_keys, marker

    expected, facts = windows
    web = expected.get("web_client")
    if not web:
        pytest.skip("not an RD Web server")
    problems = []
    if _web_files(expected) and facts["files"].get(MARKER) != hashlib.sha256(marker(web).encode()).hexdigest().upper():
        problems.append("the web client is not published from the inventory's files")
    if web["machine_key"]:
        secret = secret_value(web["machine_key"]["secret"], Path(context.get("inventory") or "."))
        if facts["machine_keys"].get(RDWEB_PAGES) != machine_key_digest(machine_keys(secret)):
            problems.append("RD Web's machineKey is not the site's")
    assert not problems, problems


def test_brokers_sql_login(windows: Any) -> None:
    """The brokers' SQL Server: the brokers' group has its login, in dbcreator."""
    expected, facts = windows
    login = expected.get("sql_login")
    if not login:
        pytest.skip("not the brokers' SQL Server")
    assert facts["sql_logins"].get(login) == "1", f"{login}: {facts['sql_logins'].get(login) or 'no login'}"
