"""Juniper SRX, Cisco ASA and Palo Alto edges get a complete configuration (issue 11, point 10), like the
FortiGate: interfaces and zones, NAT for the published services and to the outside, a policy per flow that
logs, a final deny that logs, no transit rule for the appliance's own addresses, management to the
appliance from the admin zone, routes, RADIUS to privacyIDEA, a partial-load form, no secret written.

Read back with third-party parsers: hier_config (Junos, turned into `set` commands; the ASA's IOS-style
hierarchy) and the XML parser for PAN-OS (no PAN-OS parser runs offline). Not loaded on an appliance.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hier_config import Platform, get_hconfig

from ferme.plan import build_plan
from ferme.render.artifacts import VENDOR_FILES, render_artifacts
from ferme.site import load_site
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "inventories" / "vendor-edge"
GOLDEN = ROOT / "tests" / "golden" / "vendor"


def _variant(vendor: str, folder: Path) -> Path:
    """The FortiGate fixture with another vendor's appliance, the VPN left out (ferme renders only a
    FortiGate's VPN)."""
    shutil.copytree(FIXTURE, folder)
    services = (folder / "services.yml").read_text().replace("vendor: fortigate", f"vendor: {vendor}")
    services = services[: services.index("\nvpn:\n")] + services[services.index("\nfirewall:\n") :]
    # No VPN: the OTP at the Windows logon.
    services = services.replace("mfa: [vpn, credential_provider]}", "mfa: credential_provider}")
    (folder / "services.yml").write_text(services.replace("vpn: 203.0.113.2, ", ""))
    hosts = (folder / "hosts.yml").read_text().replace("roles: [edge_firewall, vpn]", "roles: [edge_firewall]")
    (folder / "hosts.yml").write_text(hosts)
    network = re.sub(r"\n  - \{name: vpn, kind: vpn[^\n]*", "", (folder / "network.yml").read_text())
    (folder / "network.yml").write_text(network)
    return folder


def _render(vendor: str, tmp_path: Path) -> tuple[dict, str]:
    plan = build_plan(load_site(_variant(vendor, tmp_path / vendor), with_secrets=False))
    artifacts = render_artifacts(plan)  # type: ignore[arg-type]
    assert not [p for p in artifacts if p.endswith(".nft") and not p.startswith("firewall/hosts/")]
    return plan, artifacts[f"firewall/vendor/{VENDOR_FILES[vendor]}"]  # type: ignore[return-value]


@pytest.mark.parametrize("vendor", ["srx", "ciscoasa", "paloalto"])
def test_the_configuration_matches_its_reviewed_golden(vendor: str, tmp_path: Path) -> None:
    import os

    _, text = _render(vendor, tmp_path)
    golden = GOLDEN / f"appliance-{VENDOR_FILES[vendor]}"
    if os.environ.get("FERME_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def _junos_set(text: str) -> list[str]:
    body = text[text.index("*/") + 2 :]  # the header is a Junos comment
    return [line.cisco_style_text() for line in get_hconfig(Platform.JUNIPER_JUNOS, body).all_children_sorted()]


def test_srx(tmp_path: Path) -> None:
    plan, text = _render("srx", tmp_path)
    lines = _junos_set(text)
    assert all(re.match(r"set (interfaces|security|applications|routing-options|access) ", line) for line in lines)
    pools = {m.group(1): m.group(2) for line in lines
             if (m := re.match(r"set security nat destination pool (\S+) address (\S+) port", line))}  # fmt: skip
    assert set(pools.values()) == {"10.50.10.20/32", "10.50.10.10/32"}  # collab, gateway + RD Web
    assert any("rule-set ferme-dnat rule" in line and "destination-address 203.0.113.3/32" in line for line in lines)
    assert "set security nat source rule-set ferme-snat rule ferme-interface then source-nat interface" in lines
    policies = {m.group(1) for line in lines if (m := re.match(r"set security policies .* policy (\S+) ", line))}
    logged = {m.group(1) for line in lines
              if (m := re.match(r"set security policies .* policy (\S+) then log session-init", line))}  # fmt: skip
    assert policies == logged and len(policies) > 20, policies - logged
    assert "set security policies global policy ferme-deny-all then deny" in lines
    # No transit rule for the appliance's own addresses; management to it from the admin zone.
    own = {a for a in plan["hosts"]["fw01"]["addresses"].values()}
    assert not [line for line in lines if "address-book" in line and any(f" {a}/32" in line for a in own)]
    assert "set security zones security-zone admin interfaces admin.0 host-inbound-traffic system-services ssh" in lines
    assert not any("security-zone users" in line and "system-services ssh" in line for line in lines)
    assert "set routing-options static route 0.0.0.0/0 next-hop 203.0.113.1" in lines
    assert 'set access radius-server 10.50.10.20 secret "FERME_SECRET_radius_fw01"' in lines


def test_asa(tmp_path: Path) -> None:
    _, text = _render("ciscoasa", tmp_path)
    config = get_hconfig(Platform.CISCO_IOS, text)
    top = [child.text for child in config.children]
    nat = [c for c in config.children if c.text.startswith("object network ferme-vip-")]
    assert {n.text for n in nat} == {"object network ferme-vip-collab-tcp-443",
                                     "object network ferme-vip-rds_gateway-rds_web-tcp-443",
                                     "object network ferme-vip-rds_gateway-rds_web-udp-3391"}  # fmt: skip
    statics = {child.text for n in nat for child in n.children if child.text.startswith("nat ")}
    assert "nat (servers,outside) static 203.0.113.3 service tcp 443 443" in statics
    permits = [t for t in top if " extended permit " in t]
    assert permits and all(t.endswith(" log") for t in permits)
    for interface in ("outside", "users", "servers", "admin"):
        lists = [t for t in top if t.startswith(f"access-list ferme-{interface}-in extended")]
        assert lists[-1] == f"access-list ferme-{interface}-in extended deny ip any4 any4 log", interface
        assert f"access-group ferme-{interface}-in in interface {interface}" in top
    assert "access-list ferme-outside-in extended permit tcp any4 object ferme-h-srv-lin01-servers eq 443 log" in top
    assert "ssh 10.50.90.0 255.255.255.0 admin" in top and not any(t.startswith("ssh ") and "users" in t for t in top)
    assert "object network ferme-pat-users" in top and "route outside 0.0.0.0 0.0.0.0 203.0.113.1" in top
    assert "key FERME_SECRET_radius_fw01" in text


def test_panos(tmp_path: Path) -> None:
    _, text = _render("paloalto", tmp_path)
    root = ET.fromstring(text.split("-->", 1)[1])
    vsys = root.find("./devices/entry[@name='localhost.localdomain']/vsys/entry[@name='vsys1']")
    assert vsys is not None
    rules = vsys.findall("./rulebase/security/rules/entry")
    assert len(rules) > 20 and all(r.findtext("log-end") == "yes" for r in rules)
    assert rules[-1].get("name") == "ferme-deny-all" and rules[-1].findtext("action") == "deny"
    addresses = {e.get("name"): e.findtext("ip-netmask") for e in vsys.findall("./address/entry")}
    # A published service: the pre-NAT (public) address with the post-NAT zone, as PAN-OS matches them.
    collab = next(r for r in rules if r.get("name", "").startswith("collab_https_outside"))
    destination = collab.findtext("./destination/member")
    assert destination and addresses[destination] == "203.0.113.3/32"
    assert collab.findtext("./from/member") == "outside" and collab.findtext("./to/member") == "servers"
    nat = vsys.findall("./rulebase/nat/rules/entry")
    translated = {addresses[e.findtext("./destination/member") or ""]: addresses[e.findtext(
        "./destination-translation/translated-address") or ""] for e in nat if e.find("destination-translation")
        is not None}  # fmt: skip
    assert translated == {"203.0.113.3/32": "10.50.10.20/32", "203.0.113.2/32": "10.50.10.10/32"}
    assert any(e.find("./source-translation/dynamic-ip-and-port") is not None for e in nat)
    radius = vsys.findall("./server-profile/radius/entry/server/entry")
    assert [r.findtext("secret") for r in radius] == ["FERME_SECRET_radius_fw01"]
    assert "load config partial mode merge" in text


@pytest.mark.parametrize("vendor", ["ciscoasa", "srx", "paloalto"])
def test_the_vpn_of_an_appliance_other_than_a_fortigate_is_refused(vendor: str, cli, tmp_path: Path) -> None:
    folder = tmp_path / vendor
    shutil.copytree(FIXTURE, folder)
    services = folder / "services.yml"
    services.write_text(services.read_text().replace("vendor: fortigate", f"vendor: {vendor}"))
    result = cli("check", "--no-secrets", str(folder))
    assert result.exit_code == 2 and f"ferme renders the VPN of a FortiGate only, not of a {vendor}" in result.stderr
