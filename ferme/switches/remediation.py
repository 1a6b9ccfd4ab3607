"""From a switch's running configuration to its intended one: the lines to push, and the lines that undo them.

hier_config computes both. ferme narrows it to what ferme manages, so a push never touches the rest of a
switch (its boot lines, a port-channel someone else set up, an interface ferme does not list):
- only the running configuration's top-level sections that ferme's intended configuration also writes (by
  their first words: `vlan`, `interface`, `ntp server`...) are compared; an interface ferme does not list is
  never removed;
- lines that carry a secret (the local account, SNMPv3 users, RADIUS/TACACS keys) are left out: a switch
  shows them hashed or encrypted its own way, never as written. The artifact carries them for onboarding; ferme
  logs in with the account's secret, which proves it is set.
- a replaced value is set again, not negated first: `switchport trunk allowed vlan 10,30` replaces a list
  (a `no switchport trunk allowed vlan ...` first would carry every VLAN on the trunk for a moment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hier_config import MatchRule, Platform, WorkflowRemediation, get_hconfig, get_hconfig_driver
from hier_config.models import IdempotentCommandsRule

from ferme.switches.render import expand_vlans, vlan_ranges

PLATFORMS = {"cisco_ios": Platform.CISCO_IOS, "aruba_aoscx": Platform.ARUBA_AOSCX, "hp_procurve": Platform.HP_PROCURVE}
COMMENT = {"cisco_ios": "!", "aruba_aoscx": "!", "hp_procurve": ";"}
# The running sections ferme owns: those it removes when its intended configuration no longer writes them.
# Any other running line is compared only when ferme writes it word for word (then it is not pushed again),
# and never removed: ferme's `ip ssh version 2` replaces a `version 1` on the switch, someone's own ACL stays.
OWNED = {
    "cisco_ios": re.compile(r"^(vlan (?!1$)\d+$|interface |ntp server |logging host |ip access-list standard FERME-"
                            r"|snmp-server group FERME-|radius server ferme-|tacacs server ferme-"
                            r"|aaa group server (radius|tacacs\+) FERME-)"),
    "aruba_aoscx": re.compile(r"^(vlan (?!1$)\d+$|interface |ntp server |logging \d|access-list ip FERME-)"),
    "hp_procurve": re.compile(r"^(vlan (?!1$)\d+$|interface |ntp server |logging \d|ip authorized-managers )"),
}  # fmt: skip
# Values set again to change them (no negation first), by the interface or VLAN line that holds them.
REPLACED = {
    "cisco_ios": (("interface ", "switchport trunk allowed vlan "), ("interface ", "switchport trunk native vlan "),
                  ("interface ", "switchport access vlan "), ("interface ", "storm-control broadcast level "),
                  ("ip default-gateway ",), ("hostname ",), ("logging trap ",), ("ip domain name ",),
                  ("banner login ",)),
    "aruba_aoscx": (("interface ", "vlan trunk native "), ("interface ", "vlan access "),
                    ("interface ", "rate-limit broadcast "), ("hostname ",), ("ip route 0.0.0.0/0 ",)),
    "hp_procurve": (("hostname ",), ("ip default-gateway ",), ("interface ", "name "),
                    ("interface ", "broadcast-limit ")),
}  # fmt: skip
VLAN_LIST = re.compile(r"^(\s*(?:switchport trunk allowed vlan|vlan trunk allowed) )([\d,-]+)$")
BANNER = re.compile(r"^banner \S+ \^C\s*$")
CONTINUED = re.compile(r"^(\s*switchport trunk allowed vlan) add (\S+)\s*$")
SECRET_LINE = re.compile(
    r"^\s*(username |user \S+ group |password manager |snmp-server user |snmpv3 user |radius-server host "
    r"|tacacs-server host |key )"
)


@dataclass(frozen=True)
class Remediation:
    lines: tuple[str, ...]  # to push, in order (sub-mode lines indented)
    rollback: tuple[str, ...]  # what undoes them, from the running configuration it started from

    @property
    def empty(self) -> bool:
        return not self.lines


def _driver(vendor: str) -> object:
    driver = get_hconfig_driver(PLATFORMS[vendor])
    for path in REPLACED[vendor]:
        rule = IdempotentCommandsRule(match_rules=tuple(MatchRule(startswith=word) for word in path))
        driver.rules.idempotent_commands.append(rule)
    return driver


def _blocks(text: str, vendor: str) -> list[list[str]]:
    """Top-level sections: a line at column 0 and the indented lines under it; comments and `end` dropped."""
    blocks: list[list[str]] = []
    banner: list[str] | None = None  # a banner's lines, up to its closing delimiter (hier_config reads it whole)
    for line in text.splitlines():
        if banner is not None:
            banner.append(line.rstrip())
            if line.strip().endswith("^C"):
                banner = None
            continue
        if BANNER.match(line):
            banner = [line.rstrip()]
            blocks.append(banner)
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith(COMMENT[vendor]) or stripped == "end":
            continue
        if SECRET_LINE.match(line):
            continue
        if line[0].isspace() and blocks:
            continued = CONTINUED.match(line)
            if continued and blocks[-1][-1].lstrip().startswith(continued.group(1).lstrip()):
                blocks[-1][-1] += "," + continued.group(2)  # IOS wraps a long VLAN list on `... add` lines
                continue
            blocks[-1].append(_canonical(line.rstrip()))
        else:
            blocks.append([line.rstrip()])
    return blocks


def _comparable(running: str, intended: str, vendor: str) -> tuple[str, str]:
    """The running configuration narrowed to the sections ferme writes; both without secrets or comments."""
    wanted = _blocks(intended, vendor)
    written = {block[0] for block in wanted}
    kept = []
    for block in _blocks(running, vendor):
        if block[0].startswith("interface ") and block[0] not in written:
            continue  # an interface ferme does not list is left as it is
        if block[0] in written or OWNED[vendor].match(block[0]):
            kept.append(block)
    return _text(kept), _text(wanted)


def _canonical(line: str) -> str:
    """A VLAN list written one way whatever the switch's own way (98,99 or 98-99)."""
    match = VLAN_LIST.match(line)
    if not match:
        return line
    return match.group(1) + vlan_ranges(expand_vlans(match.group(2)))


def _text(blocks: list[list[str]]) -> str:
    return "\n".join(line for block in blocks for line in block) + "\n"


def remediation(vendor: str, running: str, intended: str) -> Remediation:
    """The lines that bring `running` to `intended` for what ferme manages, and their rollback."""
    if vendor not in PLATFORMS:
        raise ValueError(f"no remediation for vendor {vendor!r} (ferme knows {', '.join(PLATFORMS)})")
    current, wanted = _comparable(running, intended, vendor)
    driver = _driver(vendor)
    workflow = WorkflowRemediation(get_hconfig(driver, current), get_hconfig(driver, wanted))  # type: ignore[arg-type]
    return Remediation(_lines(workflow.remediation_config), _lines(workflow.rollback_config))


def _lines(config: object) -> tuple[str, ...]:
    return tuple(child.cisco_style_text() for child in config.all_children_sorted())  # type: ignore[attr-defined]
