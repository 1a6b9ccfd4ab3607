"""Onboarding waves: who joins when, and how the load grows wave after wave."""

from __future__ import annotations

import math
from typing import Any

from ferme.site.model import Site


def plan_waves(site: Site) -> list[dict[str, Any]]:
    services = {s.name: s for s in site.agents.services}
    cumulative = 0
    waves = []
    for wave in site.waves:
        agents = sum(services[name].agents for name in wave.services)
        cumulative += agents
        waves.append(
            {
                "number": wave.number,
                "label": wave.label,
                "start": wave.start.isoformat() if wave.start else None,
                "services": list(wave.services),
                "ad_groups": [services[name].group for name in wave.services],
                "agents": agents,
                "agents_cumulative": cumulative,
                "concurrent_cumulative": math.ceil(cumulative * site.agents.concurrency),
            }
        )
    return waves
