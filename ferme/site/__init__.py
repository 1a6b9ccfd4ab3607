"""The site inventory: load, validate, resolve."""

from ferme.site.errors import InventoryError, Problem
from ferme.site.loader import load_site
from ferme.site.model import Host, Site, Zone

__all__ = ["Host", "InventoryError", "Problem", "Site", "Zone", "load_site"]
