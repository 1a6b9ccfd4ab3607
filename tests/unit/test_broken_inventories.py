"""Broken copies of the mairie example: exit 2, one precise `file:line:col: field: message` line each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<field>\S+): (?P<message>.+)$")

# (case, file, text written by the test, replacement, expected file:line:col, field, message part)
CASES = [
    ("yaml-syntax", "hosts.yml", 'description: "Pare-feu de bordure, VPN et portail OTP"',
     "description: Pare-feu: de bordure",
     "hosts.yml:19:26", "(top)", "YAML syntax error: mapping values are not allowed here"),
    ("bad-address", "hosts.yml", "mgmt: 10.50.99.20}", "mgmt: 10.50.99.300}",
     "hosts.yml:25:45", "hosts.srv-lin01.addresses.mgmt", "bad address '10.50.99.300'"),
    ("duplicate-vlan", "network.yml", "vlan: 20,", "vlan: 10,",
     "network.yml:7:38", "zones[3].vlan", "VLAN 10 is already used by zone 'servers'"),
    ("outside-subnet", "hosts.yml", "servers: 10.50.10.20,", "servers: 10.50.11.20,",
     "hosts.yml:25:26", "hosts.srv-lin01.addresses.servers", "10.50.11.20 is outside zone 'servers'"),
    ("unknown-host", "network.yml", "{host: srv-lin01,", "{host: srv-lin02,",
     "network.yml:23:23", "switches.sw01.ports.Gi1/0/3.host", "unknown host 'srv-lin02'"),
    ("unknown-role", "hosts.yml", "roles: [mfa, collab]", "roles: [mfa, colab]",
     "hosts.yml:23:18", "hosts.srv-lin01.roles[1]", "unknown value 'colab' (did you mean collab?"),
    ("missing-secret", "services.yml", "!secret collab_admin", "!secret collab_admin2",
     "services.yml:22:19", "collab.admin_password", "missing secret 'collab_admin2' (set FERME_SECRET_COLLAB_ADMIN2"),
    ("typo-in-field", "hosts.yml", '    description: "Ferme RDS', '    descripton: "Ferme RDS',
     "hosts.yml:29:5", "hosts.srv-rds01.descripton", "unknown field (did you mean `description`?)"),
    ("trunk-zone-without-vlan", "network.yml", "trunk: [dmz, servers, users, mgmt, admin]",
     "trunk: [dmz, servers, users, mgmt, admin, vpn]", "network.yml:21:16", "switches.sw01.ports.Gi1/0/1",
     "zone 'vpn' has no VLAN, and sw01 port Gi1/0/1 carries it"),
    ("unknown-uplink", "network.yml", "{host: fw01, trunk:", "{uplink: sw02, trunk:",
     "network.yml:21:25", "switches.sw01.ports.Gi1/0/1.uplink", "unknown switch 'sw02'"),
    ("port-twice-by-range", "network.yml", "Gi1/0/[5:22]:", "Gi1/0/[4:22]:",
     "network.yml:25:7", "switches.sw01.ports.Gi1/0/[4:22]", "Gi1/0/4 is listed twice (also under Gi1/0/4)"),
    ("port-outside-interfaces", "network.yml", '"Gi1/0/[1:28]"', '"Gi1/0/[1:20]"',
     "network.yml:19:17", "switches.sw01.interfaces", "Gi1/0/21, Gi1/0/22, Gi1/0/23 under ports but not in"),
    ("parking-vlan-of-a-zone", "network.yml", "switches:\n", "switching: {parking_vlan: 20}\nswitches:\n",
     "network.yml:13:27", "switching.parking_vlan", "VLAN 20 is zone 'users''s: unused ports would be parked"),
    ("rds-role-on-debian", "hosts.yml", "roles: [mfa, collab]", "roles: [mfa, collab, rds_web]",
     "hosts.yml:23:12", "hosts.srv-lin01.roles", "srv-lin01: role rds_web runs on windows, not debian"),
    ("range-without-block", "hosts.yml", "  dc01:\n", "  dc[01:02]:\n",
     "hosts.yml:36:26", "hosts.dc[01:02].addresses.servers", "a range of hosts needs a block"),
    ("unknown-radius-client", "services.yml", "{host: fw01, secret", "{host: fw02, secret",
     "services.yml:33:14", "mfa.radius_clients[0].host", "unknown host 'fw02'"),
]  # fmt: skip


def _break(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"the test's anchor {old!r} must be once in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(("case", "file", "old", "new", "where", "field", "message"), CASES, ids=[c[0] for c in CASES])
def test_broken_copy_is_reported_precisely(case, file, old, new, where, field, message, copy_example, cli) -> None:
    folder = copy_example("mairie-exemple")
    _break(folder, file, old, new)
    result = cli("check", str(folder))
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert lines[-1].endswith("nothing changed")
    problems = [LINE.match(line) for line in lines[:-1]]
    assert all(problems), f"every problem line has the file:line:col: field: message form: {lines}"
    first = problems[0]
    assert first is not None
    assert f"{Path(first['file']).name}:{first['line']}:{first['col']}" == where, lines
    assert first["field"] == field
    assert message in first["message"]


def test_every_problem_is_reported_at_once(copy_example, cli) -> None:
    folder = copy_example("mairie-exemple")
    _break(folder, "network.yml", "vlan: 20,", "vlan: 10,")
    _break(folder, "hosts.yml", "servers: 10.50.10.20,", "servers: 10.50.11.20,")
    _break(folder, "network.yml", "{host: srv-lin01,", "{host: srv-lin02,")
    result = cli("check", str(folder))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 4  # three problems and the closing line


def test_two_brokers_need_ha(copy_example, cli) -> None:
    folder = copy_example("departement-exemple")
    text = (folder / "services.yml").read_text(encoding="utf-8")
    start, end = text.index("  broker_ha:"), text.index("  gateway:")
    (folder / "services.yml").write_text(text[:start] + text[end:], encoding="utf-8")
    result = cli("check", str(folder))
    assert result.exit_code == 2
    assert "2 connection brokers (cb01, cb02) but no broker_ha" in result.stderr


def test_two_gateways_need_ha(copy_example, cli) -> None:
    folder = copy_example("departement-exemple")
    _break(folder, "services.yml", "ha: load_balancer, ", "")
    result = cli("check", str(folder))
    assert result.exit_code == 2
    assert "rds.gateway: 2 RD gateways (gw01, gw02) but no ha" in result.stderr


def test_missing_folder_is_an_error(cli, tmp_path: Path) -> None:
    result = cli("check", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "no such inventory folder" in result.stderr


def test_plan_refuses_broken_inventory_and_writes_nothing(copy_example, cli, tmp_path: Path) -> None:
    folder = copy_example("mairie-exemple")
    _break(folder, "network.yml", "vlan: 20,", "vlan: 10,")
    out = tmp_path / "out"
    result = cli("plan", str(folder), "--out", str(out))
    assert result.exit_code == 2
    assert not out.exists()
