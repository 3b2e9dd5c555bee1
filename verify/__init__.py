"""verify — certification of recovered networks and comparison up to symmetries."""

from .compare import compare_networks, match_units

__all__ = ["compare_networks", "match_units"]
