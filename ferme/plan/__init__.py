"""Pure derivations from a Site: sizing, waves, per-host state (and flows, later)."""

from ferme.plan.build import build_plan

__all__ = ["build_plan"]
