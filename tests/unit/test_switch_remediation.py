"""Remediation between a switch's running and intended configurations: exactly the expected lines, and the
rollback that undoes them (hier_config, narrowed to what ferme manages)."""

from __future__ import annotations

import re

import pytest

from ferme.switches.remediation import remediation

RUNNING = """\
version 15.2
hostname sw01
boot-start-marker
boot-end-marker
username admin privilege 15 secret 9 $9$abcdefghijklmn$0123456789012345678901234567890123456789012
vlan 10
 name servers
vlan 20
 name users
vlan 99
 name mgmt
interface GigabitEthernet1/0/1
 description fw01
 switchport trunk native vlan 999
 switchport trunk allowed vlan 10,20,99
 switchport mode trunk
interface GigabitEthernet1/0/2
 description srv01
 switchport access vlan 10
 switchport mode access
interface GigabitEthernet1/0/3
 description poste
 switchport access vlan 20
 switchport mode access
interface GigabitEthernet1/0/20
 description set by hand, not listed by ferme
 switchport access vlan 20
interface Port-channel1
 description someone else's
ntp server 10.0.0.5
"""


def intended(**changes: str) -> str:
    text = RUNNING.replace("username admin privilege 15 secret 9", "username admin privilege 15 algorithm-type "
                           "scrypt secret <secret switch_admin> ! was")  # fmt: skip
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    # ferme's own rendering never lists the interfaces it does not manage
    text = re.sub(r"interface (GigabitEthernet1/0/20|Port-channel1)\n( .*\n)*", "", text)
    return "! ferme: configuration voulue\n" + text + "end\n"


def lines(*text: str) -> tuple[str, ...]:
    return tuple(text)


CASES = {
    "add a VLAN": (
        {"vlan 99\n": "vlan 30\n name dmz\nvlan 99\n"},
        lines("vlan 30", "  name dmz"),
        lines("no vlan 30"),
    ),
    "rename a VLAN": (
        {" name servers\n": " name serveurs\n"},
        lines("vlan 10", "  name serveurs"),
        lines("vlan 10", "  name servers"),
    ),
    "move a port to another VLAN": (
        {"description poste\n switchport access vlan 20": "description poste\n switchport access vlan 10"},
        lines("interface GigabitEthernet1/0/3", "  switchport access vlan 10"),
        lines("interface GigabitEthernet1/0/3", "  switchport access vlan 20"),
    ),
    "trunk: add a VLAN": (
        {"allowed vlan 10,20,99": "allowed vlan 10,20,30,99", "vlan 99\n": "vlan 30\n name dmz\nvlan 99\n"},
        lines("vlan 30", "  name dmz", "interface GigabitEthernet1/0/1", "  switchport trunk allowed vlan 10,20,30,99"),
        lines("no vlan 30", "interface GigabitEthernet1/0/1", "  switchport trunk allowed vlan 10,20,99"),
    ),
    "trunk: remove a VLAN": (
        {"allowed vlan 10,20,99": "allowed vlan 10,99"},
        lines("interface GigabitEthernet1/0/1", "  switchport trunk allowed vlan 10,99"),
        lines("interface GigabitEthernet1/0/1", "  switchport trunk allowed vlan 10,20,99"),
    ),
    "trunk: replace the list": (
        {"allowed vlan 10,20,99": "allowed vlan 20"},
        lines("interface GigabitEthernet1/0/1", "  switchport trunk allowed vlan 20"),
        lines("interface GigabitEthernet1/0/1", "  switchport trunk allowed vlan 10,20,99"),
    ),
    "remove a stale VLAN": (
        {"vlan 20\n name users\n": ""},
        lines("no vlan 20"),
        lines("vlan 20", "  name users"),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_change_gives_exactly_its_lines_and_their_rollback(case: str) -> None:
    changes, expected, rollback = CASES[case]
    result = remediation("cisco_ios", RUNNING, intended(**changes))
    assert result.lines == expected
    assert result.rollback == rollback


def test_nothing_to_change_pushes_nothing() -> None:
    result = remediation("cisco_ios", RUNNING, intended())
    assert result.empty and not result.rollback


def test_what_ferme_does_not_write_is_left_alone() -> None:
    # version/boot lines, an interface and a port-channel ferme does not list, the hashed local account
    result = remediation("cisco_ios", RUNNING, intended(**{"ntp server 10.0.0.5": "ntp server 10.0.0.6"}))
    assert result.lines == ("no ntp server 10.0.0.5", "ntp server 10.0.0.6")
    assert result.rollback == ("no ntp server 10.0.0.6", "ntp server 10.0.0.5")


def test_a_secret_line_is_never_pushed_nor_compared() -> None:
    result = remediation("cisco_ios", RUNNING.replace("secret 9 $9$abc", "secret 9 $9$xyz"), intended())
    assert result.empty
    assert not any("secret" in line for line in remediation("cisco_ios", "", intended()).lines)


def test_a_long_vlan_list_wrapped_by_ios_reads_as_one() -> None:
    wrapped = RUNNING.replace(
        " switchport trunk allowed vlan 10,20,99\n",
        " switchport trunk allowed vlan 10\n switchport trunk allowed vlan add 20,99\n",
    )
    assert remediation("cisco_ios", wrapped, intended()).empty


def test_an_aruba_cx_access_port_moves_without_negation_first() -> None:
    running = (
        "vlan 10\n    name servers\nvlan 20\n    name users\ninterface 1/1/3\n    no routing\n    vlan access 20\n"
    )
    wanted = running.replace("vlan access 20", "vlan access 10")
    result = remediation("aruba_aoscx", running, wanted)
    assert result.lines == ("interface 1/1/3", "  vlan access 10")
    assert result.rollback == ("interface 1/1/3", "  vlan access 20")


def test_a_procurve_port_moves_between_vlans() -> None:
    running = 'vlan 10\n   name "servers"\n   untagged 1-2\n   exit\nvlan 20\n   name "users"\n   untagged 3\n   exit\n'
    wanted = 'vlan 10\n   name "servers"\n   untagged 1\n   exit\nvlan 20\n   name "users"\n   untagged 2-3\n   exit\n'
    result = remediation("hp_procurve", running, wanted)
    assert result.lines == ("interface 2", "  untagged vlan 20"), result.lines
    assert result.rollback == ("interface 2", "  untagged vlan 10"), result.rollback


def test_someone_elses_globals_stay_and_ferme_s_own_are_not_pushed_twice() -> None:
    running = (
        RUNNING + "ip access-list extended CUSTOMER\n permit ip any any\nlogging buffered 4096\nip ssh version 2\n"
    )
    wanted = intended(**{"ntp server 10.0.0.5\n": "ntp server 10.0.0.5\nip ssh version 2\n"})
    assert remediation("cisco_ios", running, wanted).empty
    result = remediation("cisco_ios", RUNNING, wanted)
    assert result.lines == ("ip ssh version 2",) and result.rollback == ("no ip ssh version 2",)


def test_the_default_vlan_is_never_removed() -> None:
    running = 'vlan 1\n   name "DEFAULT_VLAN"\n   exit\nvlan 10\n   name "servers"\n   exit\n'
    wanted = 'vlan 10\n   name "servers"\n   exit\n'
    assert remediation("hp_procurve", running, wanted).empty


def test_a_banner_is_one_block_replaced_whole() -> None:
    banner = "banner login ^C\nAcces reserve.\nToute connexion est journalisee.\n^C\n"
    running = RUNNING + banner
    assert remediation(
        "cisco_ios", running, intended(**{"ntp server 10.0.0.5\n": "ntp server 10.0.0.5\n" + banner})
    ).empty
    changed = banner.replace("journalisee", "enregistree")
    result = remediation("cisco_ios", running, intended(**{"ntp server 10.0.0.5\n": "ntp server 10.0.0.5\n" + changed}))
    assert result.lines == ("banner login ^C\nAcces reserve.\nToute connexion est enregistree.\n^C",)
    assert result.rollback == ("banner login ^C\nAcces reserve.\nToute connexion est journalisee.\n^C",)


def test_a_banner_is_pushed_apart_with_a_one_character_delimiter() -> None:
    from ferme.operations.netdev import segments

    lines = ("vlan 30", "  name dmz", "banner login ^C\nAcces reserve.\n^C", "interface Gi1/0/1", "  shutdown")
    assert segments(lines) == [(["vlan 30", "  name dmz"], False), (["banner login #", "Acces reserve.", "#"], True),
                               (["interface Gi1/0/1", "  shutdown"], False)]  # fmt: skip
