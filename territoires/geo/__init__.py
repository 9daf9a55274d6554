"""Geographic reference: communes, EPCI, departements, regions, named territories, rurality."""

from territoires.geo.reference import (
    LEVELS,
    SCOPE_LEVELS,
    GeoReference,
    Level,
    Scope,
    ScopeLevel,
)

__all__ = ["LEVELS", "SCOPE_LEVELS", "GeoReference", "Level", "Scope", "ScopeLevel"]
