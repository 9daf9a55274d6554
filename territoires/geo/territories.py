"""Named territories: groupings of EPCI and communes (placeholder resolution; see build)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from territoires.errors import UnknownCodeError

if TYPE_CHECKING:
    from territoires.geo.reference import GeoReference


def resolve_territory(reference: GeoReference, territory_id: str) -> tuple[str, ...]:
    """Return the sorted INSEE codes of a named territory's communes."""
    territory = reference.territories.get(territory_id)
    if territory is None:
        raise UnknownCodeError(f"Territoire nommé inconnu : « {territory_id} ».")
    communes = reference.communes
    codes = set(territory.communes)
    if territory.epci:
        codes |= set(communes.loc[communes["epci_code"].isin(territory.epci), "code_insee"])
    for other in territory.includes:
        codes |= set(resolve_territory(reference, other))
    return tuple(sorted(codes))
