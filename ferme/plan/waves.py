"""Onboarding waves: who joins when, and how the load grows wave after wave; waves proposed from the services
when the inventory gives only a wave size."""

from __future__ import annotations

import math
from typing import Any

from ferme.site.model import Site


def propose_waves(services: dict[str, int], wave_size: int) -> list[list[str]]:
    """Services (name → agents) grouped into waves of at most `wave_size` agents, each service whole in exactly
    one wave: the largest first, each into the first wave with room (first-fit decreasing). ValueError for a
    service larger than a wave (its group must be split first)."""
    too_big = sorted(name for name, agents in services.items() if agents > wave_size)
    if too_big:
        raise ValueError(f"{', '.join(too_big)} hold more agents than a wave ({wave_size}): split their groups")
    waves: list[list[str]] = []
    room: list[int] = []
    for name, agents in sorted(services.items(), key=lambda item: (-item[1], item[0])):
        slot = next((i for i, left in enumerate(room) if left >= agents), None)
        if slot is None:
            waves.append([name])
            room.append(wave_size - agents)
        else:
            waves[slot].append(name)
            room[slot] -= agents
    return waves


def plan_waves(site: Site) -> list[dict[str, Any]]:
    services = {s.name: s for s in site.agents.services}
    cumulative = 0
    waves = []
    for wave in site.waves:
        agents = sum(services[name].agents for name in wave.services)
        cumulative += agents
        day, _, half = (wave.start or "").partition(" ")
        waves.append(
            {
                "number": wave.number,
                "label": wave.label,
                "start": wave.start,
                "date": day or None,
                "half_day": half or None,
                "services": list(wave.services),
                "ad_groups": [services[name].group for name in wave.services],
                "agents": agents,
                "agents_cumulative": cumulative,
                "concurrent_cumulative": math.ceil(cumulative * site.agents.concurrency),
                "state": site.wave_states.get(wave.number, "planned"),
                "group": wave_group(site, wave.number),
            }
        )
    return waves


def proposed_waves(site: Site) -> list[list[str]] | None:
    """Without waves in the inventory but with `agents.wave_size`: ferme's proposal (None otherwise)."""
    size = site.agents.wave_size
    if site.waves or size is None:
        return None
    return propose_waves({s.name: s.agents for s in site.agents.services}, size)


def wave_group(site: Site, number: int) -> str:
    """The AD group of an onboarding wave (it holds the wave's services' groups)."""
    return f"{site.directory.wave_group_prefix}{number}"


def open_wave_groups(site: Site) -> list[str]:
    """The groups of the waves `ferme onboard` opened."""
    return [wave_group(site, n) for n in site.open_waves]


def open_wave_services(site: Site) -> set[str]:
    return {name for wave in site.waves if wave.number in site.open_waves for name in wave.services}


def collection_groups(site: Site, collection: Any) -> list[str]:
    """Who may use a collection: its `user_groups`, and the groups of the open waves."""
    return [*collection.user_groups, *(g for g in open_wave_groups(site) if g not in collection.user_groups)]
