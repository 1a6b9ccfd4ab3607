"""ferme's roles: one package per role, each with one `@deploy` function, applied in ORDER."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

# Dependency order for a whole farm: the network and the firewall first, then the services the
# RDS farm needs (directory, MFA, profiles), then the farm itself from the broker outwards.
ORDER = (
    "base",
    "edge_firewall",
    "vpn",
    "mfa",
    "collab",
    "directory",
    "profiles",
    "rds_licensing",
    "rds_broker",
    "rds_session_host",
    "rds_web",
    "rds_gateway",
)


def role_deploy(role: str) -> Callable[..., Any]:
    module = import_module(f"roles.{role}")
    deploy: Callable[..., Any] = module.apply
    return deploy
