"""The whole farm, in dependency order: `pyinfra inventories/<site>/inventory.py deploy/farm.py`.

`ferme apply` runs this same file (installed as `ferme.deploy`). Each host runs its OS's own role
(base, windows_host) then the roles the inventory gives it, in the catalogue's order; each switch, its
configuration (ferme/operations/netdev.py).
"""

from pyinfra.context import host

from ferme.catalogue import host_roles, role_deploy

planned = host.data.get("ferme") or {}
switch = host.data.get("ferme_switch")
if switch:  # a switch (`@netdev/NAME`): its configuration, as one transaction
    from ferme.operations.netdev import configured

    configured(name="Switch configuration (remediation, read back, saved)", intended=switch["intended"],
               vendor=switch["vendor"])  # fmt: skip
for role in host_roles(planned.get("os", ""), planned.get("roles", [])):
    role_deploy(role)()
