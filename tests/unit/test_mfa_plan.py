"""The MFA servers' plan (issue 12): tokens follow remote access, RADIUS clients get their addresses, the
operators' probe its flow, secrets stay names; `ferme check` refuses what cannot work, in one line each."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ferme.site.secrets import decrypt_sops
from ferme.site.sops import generate
from tests.conftest import INVENTORIES
from tests.lab.radius_probe import hotp
from tests.unit.test_broken_inventories import _break
from tests.unit.test_check_defects import _problems
from tests.unit.test_network_model import _flow, _plan

DEMO = (
    "    - {serial: LAB-DEMO-1, kind: hotp, seed: !secret token_agent_demo, pin: !secret pin_agent_demo, "
    "agent: agent.demo}\n"
)


def _mfa(plan: dict) -> dict:
    return plan["hosts"]["lab-mfa"]["state"]["mfa"]  # type: ignore[no-any-return]


def test_the_lab_agent_has_an_active_token_and_secrets_stay_names() -> None:
    plan = _plan(INVENTORIES / "lab")
    mfa = _mfa(plan)
    assert mfa["tokens"] == [{"serial": "LAB-DEMO-1", "kind": "hotp", "digits": 6, "agent": "agent.demo",
                              "seed": {"secret": "token_agent_demo"}, "pin": {"secret": "pin_agent_demo"},
                              "active": True}]  # fmt: skip
    assert mfa["users"]["type"] == "passwdresolver" and mfa["users"]["agents"] == ["agent.demo"]
    assert mfa["lockout_after"] == 5 and mfa["remote_access"]["agents"] == ["agent.demo"]
    assert mfa["pip"] == {"index_url": "http://198.18.6.254:3150/index/", "proxy": None}
    clients = {c["name"]: c["addresses"] for c in mfa["radius_clients"]}
    assert clients == {"lab-vpn": ["198.18.1.10"], "controleur": ["198.18.6.254"]}
    assert all(set(c["secret"]) == {"secret"} for c in mfa["radius_clients"])


def test_the_operators_probe_reaches_the_mfa_servers_management_leg() -> None:
    plan = _plan(INVENTORIES / "lab")
    probe = _flow(plan, "mfa/radius/controleur")
    # The admin zone is routed back by the management leg: the probe asks there (a symmetric path).
    assert probe["source"]["addresses"] == ["198.18.6.254"]
    assert probe["destination"]["addresses"] == ["198.18.4.20", "198.18.4.21"]
    assert _flow(plan, "vpn/radius/mfa")["destination"]["addresses"] == ["198.18.2.20", "198.18.2.21"]
    python = _flow(plan, "outbound/python/mirror")
    assert python["destination"]["addresses"] == ["198.18.6.254"] and "198.18.4.20" in python["source"]["addresses"]


def test_an_agent_removed_from_remote_access_loses_the_token(copy_example) -> None:
    folder = copy_example("lab", secrets=False)
    _break(folder, "services.yml", "remote_access: {group: GG-Teletravail, agents: [agent.demo]}",
           "remote_access: {group: GG-Teletravail, agents: []}")  # fmt: skip
    mfa = _mfa(_plan(folder))
    assert [t["active"] for t in mfa["tokens"]] == [False]  # disabled at the next apply, not deleted
    assert mfa["remote_access"]["agents"] == []


def test_remote_access_by_service_joins_the_services_group(copy_example) -> None:
    folder = copy_example("lab", secrets=False)
    _break(folder, "services.yml", "agents: [agent.demo]}", "agents: [], services: [pilote]}")
    _break(folder, "services.yml", "agent: agent.demo}", "agent: agent.demo, service: pilote}")
    mfa = _mfa(_plan(folder))
    assert mfa["remote_access"]["groups"] == ["GG-Pilote"]
    assert [t["active"] for t in mfa["tokens"]] == [True]


def test_mfa_mistakes_are_one_line_each(copy_example, cli) -> None:
    folder = copy_example("lab", secrets=False)
    _break(folder, "services.yml", "    - {name: controleur, address: 198.18.6.254, secret: !secret radius_probe}\n",
           "    - {address: 198.18.6.254, secret: !secret radius_probe}\n"
           "    - {host: lab-vpn, name: twice, address: 198.18.6.253, secret: !secret radius_probe}\n")  # fmt: skip
    _break(folder, "services.yml", DEMO, DEMO + DEMO.replace("agent.demo}", "agent.autre}"))
    _break(folder, "services.yml", "agents: [agent.demo]}", "agents: [agent.demo], services: [compta]}")
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    text = "\n".join(problems)
    assert re.search(r"services\.yml:\d+:\d+: mfa\.radius_clients\[1\]\.address: .*needs a `name`", text), text
    assert "mfa.radius_clients[2]: a RADIUS client is either a `host` or an `address`" in text, text
    assert re.search(r"mfa\.tokens\[1\]\.serial: token 'LAB-DEMO-1' is listed twice", text), text
    assert "mfa.remote_access.services[0]: unknown service 'compta'" in text, text
    assert len(problems) == 4, problems


def test_generated_secrets_have_the_form_their_field_needs(copy_example) -> None:
    folder = copy_example("lab")
    values = decrypt_sops(folder / "secrets.sops.yml")
    assert re.fullmatch(r"[0-9a-f]{40}", values["token_agent_demo"])  # a 160-bit HOTP seed
    assert re.fullmatch(r"[0-9]{6}", values["pin_agent_demo"])
    assert len(values["radius_probe"]) >= 24 and not values["radius_probe"].isdigit()
    assert len({generate("hex") for _ in range(20)}) == 20


def test_hotp_codes_match_rfc_4226() -> None:
    seed = b"12345678901234567890".hex()
    expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
    assert [hotp(seed, counter) for counter in range(10)] == expected


def test_the_plan_file_holds_no_secret_value(copy_example, cli, tmp_path: Path) -> None:
    folder = copy_example("lab")
    values = decrypt_sops(folder / "secrets.sops.yml")
    result = cli("plan", str(folder), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "out" / "plan.json").read_text() + result.stdout + result.stderr
    json.loads((tmp_path / "out" / "plan.json").read_text())
    # A PIN is six digits: it counts as leaked only as a number of its own, not inside a longer one.
    leaked = [name for name, value in values.items() if re.search(rf"(?<!\d){re.escape(value)}(?!\d)", text)]
    assert not leaked, leaked


def test_the_credential_provider_is_set_only_where_the_inventory_chooses_it() -> None:
    """`credential_provider`: the session hosts get the provider's settings (RDP logons only, filter on, the
    first MFA server, the realm); RD gateways get none; a site that chose the portal gets none anywhere."""
    key = "HKLM:\\SOFTWARE\\NetKnights GmbH\\PrivacyIDEA-CP\\"
    lab = _plan(INVENTORIES / "lab")
    values = {k.removeprefix(key): v for k, v in lab["hosts"]["lab-rdsh01"]["state"]["registry"].items()
              if k.startswith(key)}  # fmt: skip
    assert values["hostname"] == "lab-mfa.ad.lab.ferme.test" and values["default_realm"] == "lab"
    assert (values["enable_filter"], values["cpus_logon"], values["cpus_credui"]) == ("1", "1e", "3d")
    assert all(isinstance(v, str) for v in values.values())  # the provider reads REG_SZ only
    assert not [k for k in lab["hosts"]["lab-rdgw02"]["state"]["registry"] if k.startswith(key)]
    mairie = _plan(INVENTORIES / "mairie-exemple")
    assert not [k for h in mairie["hosts"].values() for k in h["state"].get("registry", {}) if k.startswith(key)]


def test_two_mfa_servers_share_one_database_and_one_key() -> None:
    plan = _plan(INVENTORIES / "lab")
    first, second = (plan["hosts"][h]["state"]["mfa"] for h in ("lab-mfa", "lab-mfa2"))
    assert (first["primary"], second["primary"]) == (True, False)  # one converges, the other reads the same data
    assert first["database"]["serves"] and first["database"]["listen"] == "198.18.2.20"
    assert first["database"]["clients"] == ["198.18.2.21"] and second["database"]["address"] == "198.18.2.20"
    assert first["shared_key"] == second["shared_key"] == {"secret": "mfa_shared"}
    assert "postgresql" in plan["hosts"]["lab-mfa"]["state"]["packages"]
    assert "postgresql" not in plan["hosts"]["lab-mfa2"]["state"]["packages"]
    flow = _flow(plan, "mfa/postgresql/lab-mfa")
    assert flow["source"]["addresses"] == ["198.18.2.21"] and flow["rules"] == [{"protocol": "tcp", "ports": "5432"}]


def test_keys_derived_from_the_shared_key_are_the_same_everywhere_and_differ_by_purpose() -> None:
    from ferme.roles.mfa import derived

    assert derived("k", "enckey", 96) == derived("k", "enckey", 96) and len(derived("k", "enckey", 96)) == 96
    assert derived("k", "pepper") != derived("k", "secret_key") != derived("other", "secret_key")


def test_two_mfa_servers_without_a_shared_database_are_refused(copy_example, cli) -> None:
    folder = copy_example("departement-exemple", secrets=False)
    _break(folder, "services.yml", "  database: {kind: postgresql, host: mfa01, password: !secret mfa_database}\n"
           "  shared_key: !secret mfa_shared\n", "")  # fmt: skip
    problems = _problems(cli("check", "--no-secrets", str(folder)))
    assert any("mfa.database: 2 MFA servers (mfa01, mfa02) with a database each: a code used at one would be "
               "accepted again at another" in p for p in problems), problems  # fmt: skip
    assert any("mfa.shared_key: MFA servers sharing a database need the same encryption key" in p for p in problems)
    assert len(problems) == 2, problems
