"""pyinfra inventory of this site: `pyinfra inventories/<site>/inventory.py deploy/farm.py`."""

from ferme.pyinfra_inventory import pyinfra_groups

globals().update(pyinfra_groups(__file__))
