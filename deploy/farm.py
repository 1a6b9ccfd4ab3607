"""The whole farm, in dependency order: `pyinfra inventories/<site>/inventory.py deploy/farm.py`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyinfra import host

from roles import ORDER, role_deploy

planned_roles = host.data.get("ferme_roles", [])
is_linux = host.data.get("ferme", {}).get("os") == "debian"
if host.data.get("ferme", {}).get("os") == "windows":
    role_deploy("windows_host")()  # the host's own state, before its RDS roles
for role in ORDER:
    if role in planned_roles or (role == "base" and is_linux):
        role_deploy(role)()
