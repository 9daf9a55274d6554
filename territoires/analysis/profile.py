"""« Fiche territoire »: the figures of one territory against a reference territory.

A territory is any commune, EPCI, departement, region or named territory. Its reference is its
departement, its region or France. Figures are those of ``coverage`` computed on the territory
as a whole; breakdowns and the list of initiatives cover the initiatives that touch it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from territoires.analysis.aggregate import (
    FRANCE,
    breakdowns,
    placed_in,
    scope_mask,
    territory_names,
)
from territoires.analysis.coverage import DEFAULT_RADIUS_KM, commune_coverage, coverage
from territoires.analysis.placement import served_communes
from territoires.errors import UnknownCodeError
from territoires.geo.reference import LEVEL_LABELS, GeoReference, Scope
from territoires.links import quoted

ProfileLevel = Literal["commune", "epci", "departement", "region", "territoire"]
PROFILE_LEVELS: tuple[ProfileLevel, ...] = (
    "commune",
    "epci",
    "departement",
    "region",
    "territoire",
)
ReferenceLevel = Literal["departement", "region", "france"]
REFERENCE_RANK: dict[str, int] = {
    "commune": 0,
    "epci": 1,
    "territoire": 1,
    "departement": 2,
    "region": 3,
    "france": 4,
}

INITIATIVE_COLUMNS = [
    "id",
    "titre",
    "porteur",
    "financeurs",
    "themes",
    "montant",
    "annee",
    "commune_code",
    "fictif",
]


@dataclass(frozen=True)
class TerritoryKey:
    """One territory: its level, code and name."""

    level: str
    code: str
    nom: str

    @property
    def label(self) -> str:
        """« Nom (Niveau code) » for display."""
        if self.level == "france":
            return "France"
        return f"{self.nom} ({LEVEL_LABELS.get(self.level, self.level)} {self.code})"

    @property
    def scope(self) -> Scope:
        return FRANCE if self.level == "france" else Scope(self.level, self.code)  # type: ignore[arg-type]


@dataclass(frozen=True)
class TerritoryProfile:
    """Everything a fiche shows. Frames are plain pandas frames, ready to display."""

    territory: TerritoryKey
    reference: TerritoryKey
    figures: dict
    reference_figures: dict
    breakdowns: dict[str, pd.DataFrame] = field(default_factory=dict)
    initiatives: pd.DataFrame = field(default_factory=pd.DataFrame)
    communes: pd.DataFrame = field(default_factory=pd.DataFrame)
    radius_km: float = DEFAULT_RADIUS_KM


def territory_key(reference: GeoReference, level: str, code: str) -> TerritoryKey:
    """Return the key of a territory, or raise ``UnknownCodeError``."""
    if level == "france":
        return TerritoryKey("france", "FR", "France")
    if level not in PROFILE_LEVELS:
        raise UnknownCodeError(f"Niveau de territoire inconnu : « {quoted(level)} ».")
    names = territory_names(reference, level)  # type: ignore[arg-type]
    if code not in names.index:
        raise UnknownCodeError(
            f"Code inconnu pour le niveau {LEVEL_LABELS[level]} : « {quoted(code)} »."
        )
    return TerritoryKey(level, code, str(names[code]))


def _main_parent(reference: GeoReference, key: TerritoryKey, column: str) -> str | None:
    communes = reference.communes.loc[scope_mask(reference, key.scope)]
    values = communes[column].dropna()
    if values.empty:
        return None
    return str(values.value_counts().index[0])


def reference_choices(reference: GeoReference, key: TerritoryKey) -> list[TerritoryKey]:
    """Return the possible references of a territory: its departement, its region, France.

    For an EPCI or a named territory, « its » departement and region are those holding most of
    its communes. Only levels above the territory's own are offered.
    """
    choices: list[TerritoryKey] = []
    for level, column in (("departement", "departement_code"), ("region", "region_code")):
        if REFERENCE_RANK[level] <= REFERENCE_RANK[key.level]:
            continue
        code = _main_parent(reference, key, column)
        if code is not None:
            choices.append(territory_key(reference, level, code))
    choices.append(territory_key(reference, "france", "FR"))
    return choices


def _figures(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    key: TerritoryKey,
    communes: pd.DataFrame,
    radius_km: float,
    rural_codes: set[str] | None,
    frr_codes: set[str] | None,
) -> dict:
    table = coverage(
        initiatives,
        reference,
        "france",
        key.scope,
        radius_km=radius_km,
        rural_codes=rural_codes,
        frr_codes=frr_codes,
        communes=communes,
    )
    row = table.iloc[0].to_dict()
    row.update(code=key.code, nom=key.nom)
    return row


def territory_profile(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    level: str,
    code: str,
    *,
    reference_level: ReferenceLevel = "france",
    radius_km: float = DEFAULT_RADIUS_KM,
    rural_codes: set[str] | None = None,
    frr_codes: set[str] | None = None,
    communes: pd.DataFrame | None = None,
) -> TerritoryProfile:
    """Return the fiche of one territory compared with its departement, region or France.

    Parameters
    ----------
    initiatives : DataFrame
        The (filtered) initiatives.
    reference : GeoReference
        The geographic reference.
    level, code : str
        The territory (``commune``, ``epci``, ``departement``, ``region``, ``territoire``).
    reference_level : {"departement", "region", "france"}
        The comparison; falls back to the next level up (finally France) when it is not above
        the territory's own level.
    radius_km : float
        Reach X for the uncovered population.
    rural_codes, frr_codes : set of str, optional
        Rural and FRR communes.
    communes : DataFrame, optional
        A precomputed ``commune_coverage(initiatives, reference, radius_km=radius_km)``.
    """
    key = territory_key(reference, level, code)
    choices = {choice.level: choice for choice in reference_choices(reference, key)}
    ref_key = choices.get(reference_level, choices["france"])
    if communes is None:
        communes = commune_coverage(initiatives, reference, radius_km=radius_km)
    args = (communes, radius_km, rural_codes, frr_codes)
    figures = _figures(initiatives, reference, key, *args)
    reference_figures = _figures(initiatives, reference, ref_key, *args)
    mask = scope_mask(reference, key.scope)
    members = pd.DataFrame({"code_insee": reference.communes["code_insee"].to_numpy()[mask]})
    members["code"] = key.code
    touched = placed_in(initiatives, reference, members, served_communes(initiatives, reference))
    ids = set(touched["initiative_id"])
    mine = initiatives.loc[initiatives["id"].isin(ids)]
    commune_rows = communes.loc[mask].merge(
        reference.commune_labels().rename("nom"), left_on="code_insee", right_index=True, how="left"
    )
    return TerritoryProfile(
        territory=key,
        reference=ref_key,
        figures=figures,
        reference_figures=reference_figures,
        breakdowns=breakdowns(mine),
        initiatives=mine.reindex(columns=INITIATIVE_COLUMNS).reset_index(drop=True),
        communes=commune_rows.reset_index(drop=True),
        radius_km=radius_km,
    )


def parse_territory(text: str, reference: GeoReference) -> TerritoryKey:
    """Parse ``niveau:code`` or a bare code / named-territory id into a territory key.

    A bare value is tried as a named territory id, an EPCI SIREN (9 digits), a commune INSEE
    code (5 characters), then a departement and finally a region code (``53`` is the
    departement Mayenne; write ``region:53`` for Bretagne).
    """
    text = (text or "").strip()
    if not text or text.lower() == "france":
        return territory_key(reference, "france", "FR")
    if ":" in text:
        level, code = (part.strip() for part in text.split(":", 1))
        return territory_key(reference, level.lower(), code)
    if text in reference.territories:
        return territory_key(reference, "territoire", text)
    candidates = ["epci"] if len(text) == 9 else ["commune"] if len(text) == 5 else []
    candidates += ["departement", "region"]
    for level in candidates:
        try:
            return territory_key(reference, level, text.upper() if level != "epci" else text)
        except UnknownCodeError:
            continue
    raise UnknownCodeError(
        f"Territoire introuvable : « {text} ». Écrivez par exemple « departement:29 », "
        "« epci:242900744 » ou « territoire:centre-bretagne »."
    )
