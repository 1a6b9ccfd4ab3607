"""Onboarding waves: the planner's properties (every service, so every agent, in exactly one wave; no wave
over the size), the checks on the inventory's own waves, half-days."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ferme.plan import build_plan
from ferme.plan.waves import propose_waves
from ferme.site import load_site
from tests.conftest import INVENTORIES
from tests.unit.test_broken_inventories import _break

SIZES = st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), st.integers(1, 300), min_size=1, max_size=40)


@given(services=SIZES, wave_size=st.integers(300, 600))
def test_every_agent_is_in_exactly_one_wave_and_no_wave_is_over_the_size(services: dict[str, int],
                                                                         wave_size: int) -> None:  # fmt: skip
    waves = propose_waves(services, wave_size)
    placed = [name for wave in waves for name in wave]
    assert sorted(placed) == sorted(services)  # each service whole, once
    assert sum(services[n] for n in placed) == sum(services.values())  # every agent, once
    assert all(sum(services[n] for n in wave) <= wave_size for wave in waves)
    # no two waves could have been one (first fit opens a wave only when nothing fits): so never more than
    # twice the waves the agents' number needs
    loads = [sum(services[n] for n in wave) for wave in waves]
    assert all(a + b > wave_size for i, a in enumerate(loads) for b in loads[i + 1 :])
    assert len(waves) <= 2 * -(-sum(services.values()) // wave_size)


def test_a_service_larger_than_a_wave_is_refused() -> None:
    with pytest.raises(ValueError, match="routes hold more agents than a wave \\(300\\): split their groups"):
        propose_waves({"routes": 301, "dsi": 60}, 300)


def test_the_departement_opens_five_waves_of_300_on_half_days() -> None:
    plan = build_plan(load_site(INVENTORIES / "departement-exemple", with_secrets=False))
    assert [w["agents"] for w in plan["waves"]] == [300] * 5
    assert [(w["date"], w["half_day"]) for w in plan["waves"]][:2] == [("2027-01-11", "matin"),
                                                                       ("2027-01-11", "après-midi")]  # fmt: skip
    assert plan["waves"][-1]["agents_cumulative"] == 1500  # the 1,500 teleworkers of the five waves
    assert plan["waves_proposed"] is None  # the inventory gives its own waves


def test_a_wave_over_the_size_a_service_in_no_wave_and_a_bad_half_day_are_errors(copy_example, cli) -> None:
    folder = copy_example("departement-exemple", secrets=False)
    _break(folder, "site.yml", "services: [routes, colleges]}", "services: [routes, colleges, dsi]}")
    _break(folder, "site.yml", "services: [dsi, finances, ressources-humaines]}",
           "services: [finances, ressources-humaines]}")  # fmt: skip
    _break(folder, "site.yml", '"2027-01-13 matin"', '"2027-01-13 soir"')
    result = cli("check", "--no-secrets", str(folder))
    assert result.exit_code == 2
    assert "wave 4 holds 360 agents, more than agents.wave_size (300)" in result.stderr
    assert "the half-day is `matin` or `après-midi`" in result.stderr


def test_without_waves_ferme_proposes_them(copy_example, cli) -> None:
    folder = copy_example("departement-exemple", secrets=False)
    text = (folder / "site.yml").read_text()
    (folder / "site.yml").write_text(text[: text.index("waves:")])
    site = load_site(folder, with_secrets=False)
    proposed = build_plan(site)["waves_proposed"]
    assert proposed is not None and len(proposed) == 5  # 1,500 agents in waves of 300: exactly five
    assert sorted(n for wave in proposed for n in wave) == sorted(s.name for s in site.agents.services)
