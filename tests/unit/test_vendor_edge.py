"""A vendor edge (issue 11, point 10): the mairie's FortiGate variant, rendered complete, read back by a
third-party FortiOS configuration parser (anyconfig-fortios-backend), never by string matching alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyconfig  # a third-party FortiOS parser (anyconfig-fortios-backend, in the dev dependencies)
import pytest

from ferme.plan import build_plan
from ferme.render.artifacts import render_artifacts
from ferme.site import load_site
from tests.conftest import ROOT
from tests.unit.test_broken_inventories import _break
from tests.unit.test_check_defects import _problems

VARIANT = ROOT / "tests" / "fixtures" / "inventories" / "vendor-edge"


def _parsed(text: str) -> dict[str, list[dict[str, Any]]]:
    """`config` block → its `edit` entries, as the FortiOS parser reads them."""
    tree = anyconfig.loads(text, ac_parser="fortios")
    tree["configs"] = [c for c in tree["configs"] if "config" in c]  # the parser keeps the comments apart
    written = [line for line in text.splitlines() if line.startswith("config ")]
    if len(tree["configs"]) != len(written):  # the parser drops what does not nest: a broken file
        raise ValueError(f"{len(written)} config blocks written, {len(tree['configs'])} parsed")
    blocks: dict[str, list[dict[str, Any]]] = {}
    for block in tree["configs"]:
        blocks.setdefault(block["config"], []).extend(block.get("edits", [block]))
    return blocks


@pytest.fixture(scope="module")
def fortigate() -> tuple[dict[str, Any], str]:
    plan = build_plan(load_site(VARIANT, with_secrets=False))
    artifacts = render_artifacts(plan)  # type: ignore[arg-type]
    edge = [p for p in artifacts if p.endswith(".nft") and not p.startswith("firewall/hosts/")]
    assert not edge, "a site with a vendor edge has no edge nftables ruleset (its Debian hosts keep their own)"
    return plan, artifacts["firewall/vendor/fortigate.conf"]  # type: ignore[return-value]


def test_the_fortigate_variant_plans_without_error(cli) -> None:
    result = cli("check", "--no-secrets", str(VARIANT))
    assert result.exit_code == 0, result.stderr
    plan = build_plan(load_site(VARIANT, with_secrets=False))
    assert plan["hosts"]["fw01"]["os"] == "appliance" and not plan["hosts"]["fw01"]["managed"]


def test_published_services_are_vips(fortigate) -> None:
    _, text = fortigate
    vips = {v["edit"]: v for v in _parsed(text)["firewall vip"]}
    gateway = [v for v in vips.values() if v["extip"] == "203.0.113.2" and v["extport"] == "443"]
    assert len(gateway) == 1 and gateway[0]["mappedip"] == "10.50.10.10" and gateway[0]["extintf"] == "outside"
    assert {(v["protocol"], v["extport"]) for v in vips.values() if v["extip"] == "203.0.113.2"} == {
        ("tcp", "443"), ("udp", "3391")}  # fmt: skip
    collab = [v for v in vips.values() if v["extip"] == "203.0.113.3"]
    assert [v["mappedip"] for v in collab] == ["10.50.10.20"]
    # Policies from the Internet name the VIPs (FortiOS matches the destination before NAT on a VIP).
    policies = _parsed(text)["firewall policy"]
    published = [p for p in policies if p.get("srcintf") == "outside" and p.get("action") == "accept"]
    assert published and all(p["dstaddr"] in vips or set(p["dstaddr"]) <= set(vips) for p in published)


def test_every_policy_logs_and_the_last_refuses(fortigate) -> None:
    _, text = fortigate
    policies = _parsed(text)["firewall policy"]
    assert len(policies) > 10 and all(p["logtraffic"] == "all" for p in policies)
    last = policies[-1]
    assert (last["action"], last["srcaddr"], last["dstaddr"], last["service"]) == ("deny", "all", "all", "ALL")
    assert all(p["action"] == "accept" for p in policies[:-1])


def test_no_transit_rule_for_the_edge_own_addresses_and_management_stays(fortigate) -> None:
    plan, text = fortigate
    blocks = _parsed(text)
    own = {a for a in plan["hosts"]["fw01"]["addresses"].values()}
    objects = {o["edit"]: o for o in blocks["firewall address"]}
    own_objects = {name for name, o in objects.items() if o.get("subnet", [""])[0] in own}
    for policy in blocks["firewall policy"]:
        for key in ("srcaddr", "dstaddr"):
            names = policy[key] if isinstance(policy[key], list) else [policy[key]]
            assert not own_objects & set(names), policy
    # The administrators keep their way in: SSH and HTTPS from the admin zone to the appliance (local-in).
    local_in = blocks["firewall local-in-policy"]
    assert {p["comments"] for p in local_in} >= {"management/ssh/admin->appliance", "management/https/admin->appliance"}
    assert all(objects[p["srcaddr"]]["subnet"] == ["10.50.90.0", "255.255.255.0"] for p in local_in)


def test_the_appliance_terminates_the_vpn_with_radius_mfa_and_no_secret_written(monkeypatch) -> None:
    from ferme.site.loader import secret_refs
    from ferme.site.yamlsrc import load_folder

    data, _ = load_folder(VARIANT)
    for ref in secret_refs(data):
        monkeypatch.setenv(f"FERME_SECRET_{ref.name.upper()}", f"valeur-secrete-{ref.name}-42")
    plan = build_plan(load_site(VARIANT, with_secrets=True))
    text = render_artifacts(plan)["firewall/vendor/fortigate.conf"]  # type: ignore[arg-type]
    assert "valeur-secrete" not in text
    blocks = _parsed(text)
    radius = blocks["user radius"][0]
    assert radius["server"] == "10.50.10.20" and radius["secret"] == "FERME_SECRET_radius_fw01"
    tree = anyconfig.loads(text, ac_parser="fortios")["configs"]
    settings = next(b for b in tree if b.get("config") == "vpn ssl settings")
    assert settings["port"] == "10443" and settings["tunnel-ip-pools"] == "ferme-vpn-pool"
    vpn_policies = [p for p in blocks["firewall policy"] if p.get("srcintf") == "ssl.root"]
    assert vpn_policies and all(p["groups"] == "ferme-vpn" for p in vpn_policies)


def test_a_debian_edge_with_a_vendor_is_refused(copy_example, cli) -> None:
    folder = copy_example("mairie-exemple", secrets=False)
    _break(folder, "services.yml", "vendor: nftables", "vendor: fortigate")
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    assert any("fw01 is a Debian host" in p and "os: appliance" in p for p in problems), problems


def test_the_third_party_parser_rejects_a_broken_file(fortigate) -> None:
    """The parser is a real check: an unbalanced block is an error, not a silent pass."""
    _, text = fortigate
    broken = text.replace(
        "    next\nend\nconfig firewall service custom", "    next\nconfig firewall service custom", 1
    )
    assert broken != text
    with pytest.raises(ValueError, match="config blocks written"):
        _parsed(broken)


def test_the_fixture_is_the_mairie_with_a_fortigate() -> None:
    mairie = (ROOT / "inventories" / "mairie-exemple" / "network.yml").read_text().splitlines()[1:]
    assert (VARIANT / "network.yml").read_text().splitlines()[1:] == mairie
    assert Path(VARIANT / "hosts.yml").read_text().count("os: appliance") == 1


def test_the_fortigate_configuration_matches_its_reviewed_golden(fortigate) -> None:
    import os

    _, text = fortigate
    golden = ROOT / "tests" / "golden" / "vendor" / "fortigate-appliance.conf"
    if os.environ.get("FERME_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
