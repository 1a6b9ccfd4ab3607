"""A switch's intended configuration as its vendor's text (templates/switches/VENDOR.j2).

Secrets are written as `<secret NAME>` placeholders: the artifact and the golden files name them, and only
the push (`fill_secrets`) puts values in, in memory, on the way to the switch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import jinja2

from ferme.plan.types import Plan
from ferme.resources import template_environment
from ferme.switches.intent import switch_intent

VENDORS = ("cisco_ios", "aruba_aoscx", "hp_procurve")
SHORT_NAMES = {"Gi": "GigabitEthernet", "Fa": "FastEthernet", "Te": "TenGigabitEthernet", "Tw": "TwoGigabitEthernet"}
PLACEHOLDER = re.compile(r"<secret ([A-Za-z0-9_.-]+)>")


def cisco_port(name: str) -> str:
    """IOS shows interfaces by their full names: Gi1/0/1 is GigabitEthernet1/0/1."""
    for short, full in SHORT_NAMES.items():
        if name.startswith(short) and not name.startswith(full):
            return full + name[len(short) :]
    return name


def vlan_ranges(numbers: Iterable[int]) -> str:
    """10,11,12,20,98,99 → 10-12,20,98,99: how IOS shows a VLAN list (a range from three VLANs on)."""
    return _ranges(sorted(set(numbers)), str, shortest=3)


def expand_vlans(text: str) -> list[int]:
    """10-12,20 → [10, 11, 12, 20]."""
    numbers: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        numbers += list(range(int(low), int(high or low) + 1))
    return numbers


def port_list(names: Iterable[str]) -> str:
    """ArubaOS-Switch port lists: 1,2,3,7 → 1-3,7 (numbered ports; others listed one by one)."""
    names = list(dict.fromkeys(names))
    numbered = sorted(int(n) for n in names if n.isdigit())
    others = [n for n in names if not n.isdigit()]
    return ",".join([p for p in [_ranges(numbered, str)] if p] + others)


def _ranges(numbers: list[int], show: Callable[[int], str], shortest: int = 2) -> str:
    """Consecutive numbers as `first-last` when there are at least `shortest` of them."""
    parts: list[str] = []
    run: list[int] = []
    for number in [*numbers, None]:
        if number is not None and run and number == run[-1] + 1:
            run.append(number)
            continue
        if run:
            parts += [f"{show(run[0])}-{show(run[-1])}"] if len(run) >= shortest else [show(n) for n in run]
        run = [number] if number is not None else []
    return ",".join(parts)


def _environment() -> jinja2.Environment:
    environment = template_environment("switches")
    environment.filters.update(cisco_port=cisco_port, vlan_ranges=vlan_ranges, port_list=port_list)
    environment.tests["contains"] = lambda sequence, item: item in sequence
    return environment


def render_switch(plan: Plan, name: str) -> str:
    """The intended configuration of switch `name`, secrets as placeholders."""
    intent = switch_intent(plan, name)
    header = {"cisco_ios": "!", "aruba_aoscx": "!", "hp_procurve": ";"}[intent.vendor]
    text = _environment().get_template(f"{intent.vendor}.j2").render(s=intent)
    model = f", {intent.model}" if intent.model else ""
    lines = [f"{header} ferme: configuration voulue de {name} ({intent.vendor}{model})",
             f"{header} Secrets: <secret NOM>, que ferme apply remplace par leur valeur en poussant."]  # fmt: skip
    return "\n".join(lines) + "\n" + text


def rendered_vendor(plan: Plan, name: str) -> bool:
    """Whether ferme renders this switch's vendor (hp_comware and juniper_junos: not yet)."""
    return str(plan["switches"][name]["vendor"]) in VENDORS


def fill_secrets(text: str, value: Callable[[str], str]) -> str:
    """The configuration with its placeholders replaced by the secrets' values (for the push only)."""
    return PLACEHOLDER.sub(lambda match: value(match.group(1)), text)
