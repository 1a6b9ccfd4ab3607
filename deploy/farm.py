"""The whole farm, in dependency order: `pyinfra inventories/<site>/inventory.py deploy/farm.py`.

`ferme apply` runs this same file (installed as `ferme.deploy`). Each host runs its OS's own role
(base, windows_host) then the roles the inventory gives it, in the catalogue's order.
"""

from pyinfra.context import host

from ferme.catalogue import host_roles, role_deploy

planned = host.data.get("ferme") or {}
for role in host_roles(planned.get("os", ""), planned.get("roles", [])):
    role_deploy(role)()
