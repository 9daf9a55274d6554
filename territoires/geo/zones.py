"""The communes of each zone (commune, EPCI, département, région, named territory), indexed once.

``GeoReference.communes_of`` scans every commune on each call: right for one page, far too slow
for an import that checks thousands of areas served (« epci:200067106 »). ``ZoneIndex`` groups
the communes by parent code once per level, on first use, and resolves each named territory
once; it answers exactly what ``communes_of`` answers, in the same order, with the same errors.
"""

from __future__ import annotations

import weakref

from territoires.errors import UnknownCodeError
from territoires.geo.reference import LEVEL_LABELS, PARENT_COLUMN, GeoReference, Level
from territoires.links import quoted


class ZoneIndex:
    """Communes by zone, for one ``GeoReference`` (read-only once built)."""

    def __init__(self, reference: GeoReference) -> None:
        self._reference = weakref.ref(reference)  # an index never keeps its reference alive
        self._levels: dict[str, dict[str, tuple[str, ...]]] = {}
        self._territories: dict[str, tuple[str, ...]] = {}
        self._territory_state: tuple = ()

    def communes(self, level: Level, code: str) -> tuple[str, ...]:
        """The INSEE codes of a zone's communes, as ``GeoReference.communes_of`` gives them.

        Raises
        ------
        UnknownCodeError
            When the code is not known at that level (French message).
        KeyError
            When the level is not one of ``LEVELS``.
        """
        if level == "territoire":
            return self._territory(code)
        found = self._level(level).get(code)
        if found is None:
            raise UnknownCodeError(
                f"Code inconnu pour le niveau {LEVEL_LABELS[level]} : « {quoted(code)} »."
            )
        return found

    def _territory(self, code: str) -> tuple[str, ...]:
        """A named territory's communes, resolved once while the territories stay the same
        (the app adds, replaces and removes user territories in the loaded reference)."""
        reference = self._alive()
        state = tuple(reference.territories.items())
        if state != self._territory_state:
            self._territory_state = state
            self._territories.clear()
        if code not in self._territories:
            self._territories[code] = reference.territory_communes(code)
        return self._territories[code]

    def _level(self, level: str) -> dict[str, tuple[str, ...]]:
        """Parent code -> its communes in the reference's order (one pass, on first use)."""
        if level not in self._levels:
            communes = self._alive().communes
            parents = communes[PARENT_COLUMN[level]].tolist()
            codes = communes["code_insee"].tolist()
            grouped: dict[str, list[str]] = {}
            for parent, code in zip(parents, codes, strict=True):
                if isinstance(parent, str):
                    grouped.setdefault(parent, []).append(code)
            self._levels[level] = {key: tuple(value) for key, value in grouped.items()}
        return self._levels[level]

    def _alive(self) -> GeoReference:
        reference = self._reference()
        if reference is None:
            raise ReferenceError("the GeoReference of this ZoneIndex no longer exists")
        return reference
