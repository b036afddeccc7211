"""Administrative units before and after 1 July 2025, their lineage, and address conversion."""

from motcua.units.models import REORGANISATION_DATE, Succession, Unit, UnitVersion
from motcua.units.registry import Registry, UnknownUnit, get_registry

__all__ = ["REORGANISATION_DATE", "Registry", "Succession", "Unit", "UnitVersion", "UnknownUnit", "get_registry"]
