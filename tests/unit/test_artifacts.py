"""Rendered artifacts (nftables, Windows rules, vendor configs, matrice des flux) against reviewed golden files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ferme.plan import build_plan
from ferme.render.artifacts import VENDOR_FILES, render_artifacts
from ferme.render.fortigate import render_fortigate
from ferme.render.vendor import render_vendor
from ferme.site import load_site
from tests.conftest import EXAMPLES, INVENTORIES, ROOT

GOLDEN = ROOT / "tests" / "golden" / "artifacts"
VENDOR_EDGE = ROOT / "tests" / "fixtures" / "inventories" / "vendor-edge"


def _artifacts(name: str) -> dict[str, str]:
    return render_artifacts(build_plan(load_site(INVENTORIES / name, with_secrets=False)))


@pytest.mark.parametrize("name", EXAMPLES)
def test_artifacts_match_golden(name: str) -> None:
    produced = _artifacts(name)
    folder = GOLDEN / name
    if os.environ.get("FERME_UPDATE_GOLDEN"):
        shutil.rmtree(folder, ignore_errors=True)
        for path, text in produced.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text, encoding="utf-8")
    golden = {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}
    assert sorted(produced) == sorted(golden)
    for path, text in produced.items():
        assert text == golden[path], f"{name}/{path} differs from its golden file"


@pytest.mark.parametrize("platform", sorted(VENDOR_FILES))
def test_vendor_renderer_matches_golden(platform: str) -> None:
    """Each vendor's configuration of the mairie's flows (a site gets only its own vendor's: below)."""
    produced = render_vendor(build_plan(load_site(INVENTORIES / "mairie-exemple", with_secrets=False)), platform)
    golden = ROOT / "tests" / "golden" / "vendor" / VENDOR_FILES[platform]
    if os.environ.get("FERME_UPDATE_GOLDEN"):
        golden.write_text(produced, encoding="utf-8")
    assert produced == golden.read_text(encoding="utf-8")


def test_a_vendor_edge_gets_its_vendor_config_only() -> None:
    plan = build_plan(load_site(VENDOR_EDGE, with_secrets=False))
    produced = render_artifacts(plan)
    edge = [p for p in produced if p.startswith("firewall/") and not p.startswith("firewall/hosts/")]
    assert edge == ["firewall/vendor/fortigate.conf"]
    assert produced["firewall/vendor/fortigate.conf"] == render_fortigate(plan)  # complete: the edge is declared
    nft_site = render_artifacts(build_plan(load_site(INVENTORIES / "mairie-exemple", with_secrets=False)))
    assert [p for p in nft_site if p.startswith("firewall/") and not p.startswith("firewall/hosts/")] == [
        "firewall/fw01.nft"
    ]


def test_a_vendor_edge_with_a_debian_edge_is_refused(cli, tmp_path: Path) -> None:
    folder = tmp_path / "mairie"
    shutil.copytree(INVENTORIES / "mairie-exemple", folder)
    (folder / "services.yml").write_text(
        (folder / "services.yml").read_text().replace("vendor: nftables", "vendor: fortigate")
    )
    result = cli("check", "--no-secrets", str(folder))
    assert result.exit_code == 2
    assert "firewall.vendor: the edge is a fortigate appliance, but fw01 is a Debian host" in result.stderr


def test_plan_removes_artifacts_of_hosts_no_longer_in_the_inventory(cli, tmp_path: Path) -> None:
    folder = tmp_path / "departement"
    shutil.copytree(INVENTORIES / "departement-exemple", folder)
    out = tmp_path / "out"
    assert cli("plan", str(folder), "--out", str(out)).exit_code == 0
    assert cli("export", str(folder), "--out", str(out / "export")).exit_code == 0
    (out / "firewall" / "notes.txt").write_text("kept? no: firewall/ is ferme's")
    assert (out / "windows" / "rdsh40" / "firewall.ps1").is_file() and (out / "export" / "rdsh40.ps1").is_file()
    hosts = folder / "hosts.yml"
    hosts.write_text(hosts.read_text().replace("rdsh[01:40]:", "rdsh[01:39]:"))
    services = folder / "services.yml"
    services.write_text(services.read_text().replace('"rdsh[33:40]"', '"rdsh[33:39]"'))
    planned = cli("plan", str(folder), "--out", str(out))
    assert planned.exit_code == 0, planned.stderr
    assert not (out / "windows" / "rdsh40").exists()
    removed = "removed 2 stale artifact(s) no longer in the inventory: firewall/notes.txt, windows/rdsh40/firewall.ps1"
    assert removed in planned.stdout
    assert (out / "windows" / "rdsh39" / "firewall.ps1").is_file()
    exported = cli("export", str(folder), "--out", str(out / "export"))
    assert exported.exit_code == 0
    assert "removed 1 stale script(s) of hosts no longer in the inventory: rdsh40.ps1" in exported.stdout
    assert not (out / "export" / "rdsh40.ps1").exists() and (out / "export" / "rdsh39.ps1").is_file()


@pytest.mark.parametrize("name", ["lab", "mairie-exemple", "departement-exemple"])
def test_nft_accepts_the_edge_and_host_rulesets(name: str, tmp_path: Path) -> None:
    """`nft -c` parses and checks each ruleset, unprivileged, in a user namespace of its own: the edge's and
    every other managed Debian host's."""
    if shutil.which("nft") is None or shutil.which("unshare") is None:
        pytest.skip("nft or unshare missing (make setup installs nftables)")
    rulesets = {p: t for p, t in _artifacts(name).items() if p.endswith(".nft")}
    plan = build_plan(load_site(INVENTORIES / name, with_secrets=False))
    debian = [h for h, info in plan["hosts"].items() if info["os"] == "debian" and info["managed"]]
    assert sorted(rulesets) == sorted(f"firewall/hosts/{h}.nft" if h != plan["edge"]["host"] else f"firewall/{h}.nft"
                                      for h in debian)  # fmt: skip
    for path, text in rulesets.items():
        file = tmp_path / Path(path).name
        file.write_text(text)
        result = subprocess.run(["unshare", "-rn", "nft", "-c", "-f", str(file)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


def test_nft_refuses_a_broken_ruleset(tmp_path: Path) -> None:
    """The check above can fail: a typo in a rule is caught."""
    if shutil.which("nft") is None or shutil.which("unshare") is None:
        pytest.skip("nft or unshare missing")
    text = _artifacts("lab")["firewall/lab-fw.nft"].replace("tcp dport 22", "tcp dprot 22")
    file = tmp_path / "broken.nft"
    file.write_text(text)
    result = subprocess.run(["unshare", "-rn", "nft", "-c", "-f", str(file)], capture_output=True, text=True)
    assert result.returncode != 0


def test_powershell_files_carry_a_bom_for_windows_powershell(cli, tmp_path: Path) -> None:
    """Windows PowerShell 5.1 reads a UTF-8 file without BOM as the ANSI code page (issue 10, point 10)."""
    out = tmp_path / "out"
    assert cli("plan", str(INVENTORIES / "mairie-exemple"), "--out", str(out)).exit_code == 0
    assert cli("export", str(INVENTORIES / "mairie-exemple"), "--out", str(out / "export")).exit_code == 0
    for script in [*out.rglob("*.ps1")]:
        assert script.read_bytes().startswith(b"\xef\xbb\xbf"), script
    assert not (out / "plan.json").read_bytes().startswith(b"\xef\xbb\xbf")


def test_no_script_for_a_host_ferme_does_not_manage(cli, tmp_path: Path) -> None:
    """A Windows host with managed: false gets no firewall script and no export (issue 10, point 11)."""
    folder = tmp_path / "mairie"
    shutil.copytree(INVENTORIES / "mairie-exemple", folder)
    hosts = folder / "hosts.yml"
    hosts.write_text(
        hosts.read_text().replace("    roles: [directory]\n", "    roles: [directory]\n    managed: false\n")
    )
    out = tmp_path / "out"
    assert cli("plan", str(folder), "--out", str(out)).exit_code == 0
    assert not (out / "windows" / "dc01").exists() and (out / "windows" / "srv-rds01" / "firewall.ps1").is_file()
    exported = cli("export", str(folder), "--out", str(out / "export"))
    assert exported.exit_code == 0 and not (out / "export" / "dc01.ps1").exists()
    refused = cli("export", str(folder), "--host", "dc01")
    assert refused.exit_code == 2 and "dc01 has managed: false" in refused.stderr


def test_several_gateways_are_chosen_by_client_not_by_connection() -> None:
    """One client's HTTPS channels and its UDP channel must reach the same RD gateway (issue 11,
    point 7): the DNAT target is a hash of the client's address, the same expression for TCP and UDP."""
    ruleset = _artifacts("lab")["firewall/lab-fw.nft"]  # two gateways, rds.gateway.ha: edge_hash
    dnat = [line.strip() for line in ruleset.splitlines() if "dnat ip to" in line and "rds_gateway" in line]
    targets = {line.split("dnat ip to ", 1)[1].split(" comment", 1)[0] for line in dnat}
    assert any("tcp dport 443 " in line for line in dnat) and any("udp dport 3391 " in line for line in dnat), dnat
    # One target for TCP and UDP, with its seed written: nft gives each rule a random seed otherwise.
    assert len(targets) == 1 and re.match(r"jhash ip saddr mod 2 seed 0x[0-9a-f]{8} map", next(iter(targets))), targets
    assert "numgen" not in ruleset


def test_a_named_load_balancer_receives_the_published_gateway() -> None:
    """rds.gateway.ha: load_balancer (the département): the edge publishes to the load balancer's address, and
    the gateways accept the load balancer (a proxy) on their own firewall."""
    artifacts = _artifacts("departement-exemple")
    dnat = [
        line for line in artifacts["firewall/fw01.nft"].splitlines() if "dnat ip to" in line and "rds_gateway" in line
    ]
    assert dnat and all("dnat ip to 10.20.30.15 " in line for line in dnat), dnat
    gateway = artifacts["windows/gw01/firewall.ps1"]
    assert "'ferme-rds_gateway-https-load_balancer-tcp|Inbound|Allow|True|TCP|443|10.20.30.15'" in gateway


def test_the_matrice_des_flux_csv_opens_in_a_spreadsheet(cli, tmp_path: Path) -> None:
    """UTF-8 with a BOM (issue 11, point 12): without it a spreadsheet reads "matrice" accents as ANSI."""
    out = tmp_path / "out"
    assert cli("plan", str(INVENTORIES / "mairie-exemple"), "--out", str(out)).exit_code == 0
    assert (out / "matrice-des-flux.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_icmp_errors_only_when_related_and_new_inbound_logged() -> None:
    """Issue 11, point 9 (in part): no unsolicited ICMP error passes (related ones do, by conntrack),
    input and forward have echo-request limits of their own, new connections from outside are logged."""
    ruleset = _artifacts("mairie-exemple")["firewall/fw01.nft"]
    assert "destination-unreachable" not in ruleset and "ct state established,related accept" in ruleset
    assert "jump icmp_input" in ruleset and "jump icmp_forward" in ruleset and "icmp_essential" not in ruleset
    assert ruleset.count('ct state new limit rate 10/second burst 20 packets log prefix "ferme ') == 2


def test_the_edge_replaces_its_own_table_only(tmp_path: Path) -> None:
    """Issue 11, point 9: `flush ruleset` wiped the tables of OpenVPN or fail2ban. The ruleset now declares,
    deletes and rewrites `table inet ferme` in one transaction: applied twice in a fresh network namespace
    next to another tool's table, that table stays and ferme's rules are not doubled."""
    if shutil.which("nft") is None or shutil.which("unshare") is None:
        pytest.skip("nft or unshare missing")
    ruleset = _artifacts("mairie-exemple")["firewall/fw01.nft"]
    assert "flush ruleset" not in ruleset
    (tmp_path / "edge.nft").write_text(ruleset)
    (tmp_path / "other.nft").write_text("table inet f2b {\n\tchain input {\n\t\ttype filter hook input priority -1;\n"
                                        "\t\tip saddr 192.0.2.66 drop\n\t}\n}\n")  # fmt: skip
    script = (
        f"nft -f {tmp_path / 'other.nft'} && nft -f {tmp_path / 'edge.nft'} && nft -f {tmp_path / 'edge.nft'} "
        "&& nft list tables && nft list chain inet ferme forward | grep -c 'counter packets'"
    )
    result = subprocess.run(["unshare", "-rn", "sh", "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split()
    assert "f2b" in lines and lines.count("ferme") == 1, result.stdout
    assert int(lines[-1]) == ruleset.split("chain forward {", 1)[1].split("\n\t}", 1)[0].count(" counter ")


def test_the_outside_drops_bogons_and_unknown_interfaces_fail_closed() -> None:
    """Issue 11, point 9: bogon sources dropped on outside (its own subnet spared: the ISP's link), and a
    packet from an interface the inventory does not know (a new VLAN, a container bridge) is dropped."""
    ruleset = _artifacts("mairie-exemple")["firewall/fw01.nft"]
    bogons = next(line for line in ruleset.splitlines() if "bogon source" in line)
    assert 'iifname "outside" ip saddr != 203.0.113.0/28' in bogons and "10.0.0.0/8" in bogons, bogons
    unknown = next(line for line in ruleset.splitlines() if "unknown interface" in line)
    for name in ("lo", "outside", "dmz", "servers", "users", "mgmt"):
        assert f'"{name}"' in unknown, unknown
    assert unknown.strip().startswith("iifname != {") and "drop" in unknown
