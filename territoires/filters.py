"""Filters on initiatives: a frozen value object, a pure ``apply_filters``, a URL round trip.

``Filters`` is shared by every page (the sidebar keeps one in session state and mirrors it in
``st.query_params``). ``apply_filters`` is pure: it returns a new frame and never mutates its
inputs. ``filters_to_params`` / ``filters_from_params`` give a lossless round trip through
``dict[str, str]`` query parameters; only non-default values are written, so a default view has a
short URL.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Literal
from urllib.parse import unquote

import numpy as np
import pandas as pd

from territoires.analysis.aggregate import theme_label
from territoires.analysis.index import InitiativeIndex, index_for, known_index
from territoires.errors import TerritoiresError
from territoires.formatting import fr_count, fr_euros, fr_number
from territoires.geo.reference import SCOPE_LEVELS, GeoReference, Scope
from territoires.importers.values import YEAR_RANGE
from territoires.links import quoted

ThemeLogic = Literal["any", "all"]
FunderLogic = Literal["or", "and"]
THEME_LOGICS: tuple[ThemeLogic, ...] = ("any", "all")
FUNDER_LOGICS: tuple[FunderLogic, ...] = ("or", "and")

# Query-parameter names, one per filter field (map/page state uses other names).
PARAM_NAMES: dict[str, str] = {
    "themes": "themes",
    "themes_logic": "themes_mode",
    "funders": "financeurs",
    "funders_logic": "financeurs_mode",
    "cofunded_only": "cofinancees",
    "year_min": "annee_min",
    "year_max": "annee_max",
    "types": "types",
    "amount_min": "montant_min",
    "amount_max": "montant_max",
    "scope": "perimetre",
    "rural_only": "rural",
    "search": "q",
}


AMOUNT_MAX = 1e12  # € (a thousand billion): a filter's bound, in a link as in the sidebar


class FilterParamError(TerritoiresError):
    """A filter value in a URL or form cannot be understood."""


def _unreadable(key: str, text: str) -> FilterParamError:
    return FilterParamError(f"Valeur non reconnue pour « {key} » : « {quoted(text)} ».")


def _out_of_range(key: str, text: str, low: str, high: str) -> FilterParamError:
    return FilterParamError(
        f"Valeur hors limites pour « {key} » : « {quoted(text)} » (de {low} à {high})."
    )


@dataclass(frozen=True)
class Filters:
    """Every filter the sidebar offers. The default value filters nothing.

    Attributes
    ----------
    themes : tuple of str
        Theme codes; empty means no theme filter.
    themes_logic : {"any", "all"}
        « au moins un » (any selected theme) or « tous » (every selected theme).
    funders : tuple of str
        Funders' full names; empty means no funder filter.
    funders_logic : {"or", "and"}
        Any selected funder, or every selected funder.
    cofunded_only : bool
        Keep only initiatives with at least two distinct funders.
    year_min, year_max : int or None
        Inclusive decision-year bounds. An initiative with no year is left out when a bound is set.
    types : tuple of str
        Initiative types; empty means every type.
    amount_min, amount_max : float or None
        Inclusive bounds on the total amount in €. Unknown amounts are left out when a bound is set.
    scope : Scope
        Territorial scope; an initiative is in scope when any commune it serves is.
    rural_only : bool
        Keep only initiatives serving at least one rural commune (in the scope).
    search : str
        Words searched in title, porteur and description (accents and case ignored, all words).
    """

    themes: tuple[str, ...] = ()
    themes_logic: ThemeLogic = "any"
    funders: tuple[str, ...] = ()
    funders_logic: FunderLogic = "or"
    cofunded_only: bool = False
    year_min: int | None = None
    year_max: int | None = None
    types: tuple[str, ...] = ()
    amount_min: float | None = None
    amount_max: float | None = None
    scope: Scope = field(default_factory=Scope)
    rural_only: bool = False
    search: str = ""

    def __post_init__(self) -> None:
        if self.themes_logic not in THEME_LOGICS:
            raise ValueError(f"expected themes_logic in {THEME_LOGICS}, got {self.themes_logic!r}")
        if self.funders_logic not in FUNDER_LOGICS:
            raise ValueError(
                f"expected funders_logic in {FUNDER_LOGICS}, got {self.funders_logic!r}"
            )
        for name in ("themes", "funders", "types"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                raise TypeError(f"expected a tuple for {name}, got {type(value).__name__}")

    @property
    def is_default(self) -> bool:
        """True when no filter is set."""
        return self == Filters()

    def active_count(self) -> int:
        """Number of filters that differ from the default (for a « n filtres actifs » hint)."""
        default = Filters()
        skip = {"themes_logic", "funders_logic"}
        return sum(
            1
            for f in fields(self)
            if f.name not in skip and getattr(self, f.name) != getattr(default, f.name)
        )

    def with_scope(self, scope: Scope) -> Filters:
        """Return a copy with another territorial scope."""
        return replace(self, scope=scope)


# --- applying filters --------------------------------------------------------------------


COMBINING_PLANES = 0x20000  # every combining mark sits in Unicode's first two planes


def _combining_marks() -> dict[int, None]:
    """Every combining mark (accents once decomposed), for ``str.translate`` to drop."""
    return {code: None for code in range(COMBINING_PLANES) if unicodedata.combining(chr(code))}


_COMBINING: dict[int, None] = {}


def normalize_text(text: object) -> str:
    """Lower-case, accent-free form of a text, for searching (``None``/NaN give ``""``)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    if not _COMBINING:
        _COMBINING.update(_combining_marks())
    stripped = unicodedata.normalize("NFKD", str(text)).translate(_COMBINING)
    return " ".join(stripped.casefold().split())


def _range_mask(values: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    mask = ~np.isnan(values)
    if low is not None:
        mask &= values >= low
    if high is not None:
        mask &= values <= high
    return mask


def _search_mask(index: InitiativeIndex, search: str) -> np.ndarray:
    words = normalize_text(search).split()
    texts = index.search_texts()
    return np.fromiter(
        (all(word in text for word in words) for text in texts), dtype=bool, count=len(texts)
    )


def _rural_codes(rurality: pd.DataFrame) -> set[str]:
    missing = {"code_insee", "rural"} - set(rurality.columns)
    if missing:
        raise ValueError(f"expected columns {sorted(missing)} in the rurality frame")
    rural = rurality["rural"].fillna(False).astype(bool)
    return set(rurality.loc[rural, "code_insee"].astype(str))


def rural_mask(reference: GeoReference, rurality: pd.DataFrame | None) -> np.ndarray:
    """Which communes of the reference are rural (``rurality_frame(reference)`` by default),
    as a boolean array over ``reference.communes``; memoised per rurality frame."""
    from territoires.analysis.aggregate import communes_in
    from territoires.analysis.memo import per_reference

    if rurality is None:
        from territoires.geo.rurality import rurality_frame

        rurality = rurality_frame(reference)
    frame = rurality
    return per_reference(
        reference,
        "rural_mask",
        lambda: communes_in(reference, _rural_codes(frame)),
        token=(frame,),
    )


def _territorial_mask(
    index: InitiativeIndex, filters: Filters, rurality: pd.DataFrame | None
) -> np.ndarray:
    """Initiatives serving a commune of the scope (rural when asked)."""
    from territoires.analysis.aggregate import scope_mask

    placement = index.placement_rows()
    pos = placement.pos
    inside = np.ones(len(index.reference.communes), dtype=bool)
    if filters.scope.level != "france":
        inside &= scope_mask(index.reference, filters.scope)
    if filters.rural_only:
        inside &= rural_mask(index.reference, rurality)
    keep = (pos >= 0) & inside[np.maximum(pos, 0)]
    mask = np.zeros(len(index), dtype=bool)
    mask[placement.row[keep]] = True
    return mask


def filter_mask(
    index: InitiativeIndex, filters: Filters, *, rurality: pd.DataFrame | None = None
) -> np.ndarray:
    """Which rows of ``index.frame`` pass every filter (see ``apply_filters``)."""
    if not isinstance(filters, Filters):
        raise TypeError(f"expected Filters, got {type(filters).__name__}")
    mask = np.ones(len(index), dtype=bool)
    if filters.themes:
        pick = index.themes.all_of if filters.themes_logic == "all" else index.themes.any_of
        mask &= pick(filters.themes)
    if filters.funders:
        pick = index.funders.all_of if filters.funders_logic == "and" else index.funders.any_of
        mask &= pick(filters.funders)
    if filters.cofunded_only:
        mask &= index.funders.counts() >= 2
    if filters.year_min is not None or filters.year_max is not None:
        mask &= _range_mask(index.years, filters.year_min, filters.year_max)
    if filters.types:
        mask &= index.types.any_of(filters.types)
    if filters.amount_min is not None or filters.amount_max is not None:
        mask &= _range_mask(index.amounts, filters.amount_min, filters.amount_max)
    if filters.search.strip() and mask.any():
        mask &= _search_mask(index, filters.search)
    if (filters.scope.level != "france" or filters.rural_only) and mask.any():
        mask &= _territorial_mask(index, filters, rurality)
    return mask


def filtered_index(
    index: InitiativeIndex, filters: Filters, *, rurality: pd.DataFrame | None = None
) -> InitiativeIndex:
    """The index of the rows passing every filter: ``index`` itself when all pass (no copy),
    else the subset, taken from ``index``'s arrays."""
    mask = filter_mask(index, filters, rurality=rurality)
    return index if mask.all() else index.take(np.flatnonzero(mask))


def apply_filters(
    initiatives: pd.DataFrame,
    filters: Filters,
    reference: GeoReference,
    *,
    rurality: pd.DataFrame | None = None,
    placement: pd.DataFrame | None = None,
    index: InitiativeIndex | None = None,
) -> pd.DataFrame:
    """Return the initiatives that pass every filter (a new frame, same columns and index).

    Parameters
    ----------
    initiatives : DataFrame
        As returned by ``Store.list_initiatives()`` (see docs/architecture.md).
    filters : Filters
        The filters to apply.
    reference : GeoReference
        Used for the territorial scope and, by default, for rurality.
    rurality : DataFrame, optional
        ``code_insee, rural`` per commune; defaults to
        ``territoires.geo.rurality.rurality_frame(reference)`` when ``rural_only`` is set.
    placement : DataFrame, optional
        Precomputed ``served_communes(initiatives, reference)``, to save recomputing it.
    index : InitiativeIndex, optional
        The index of ``initiatives`` (the app's, built once per data version).
    """
    index = index_for(initiatives, reference, index, placement=placement)
    return initiatives.loc[filter_mask(index, filters, rurality=rurality)]


# --- options offered by the sidebar ------------------------------------------------------


@dataclass(frozen=True)
class FilterOptions:
    """Values found in the initiatives, to fill the sidebar widgets."""

    themes: tuple[str, ...]
    funders: tuple[str, ...]
    types: tuple[str, ...]
    year_range: tuple[int, int] | None
    amount_range: tuple[float, float] | None


def _bounds(values: np.ndarray) -> tuple[float, float] | None:
    known = values[~np.isnan(values)]
    return (float(known.min()), float(known.max())) if len(known) else None


def options_of(index: InitiativeIndex) -> FilterOptions:
    """The themes, funders, types, year and amount ranges present in an index's rows."""
    years = _bounds(index.years)
    return FilterOptions(
        themes=index.themes.distinct(),
        funders=index.funders.distinct(),
        types=index.types.distinct(),
        year_range=(int(years[0]), int(years[1])) if years else None,
        amount_range=_bounds(index.amounts),
    )


def filter_options(
    initiatives: pd.DataFrame, reference: GeoReference | None = None
) -> FilterOptions:
    """Return the themes, funders, types, year and amount ranges present in the initiatives."""
    index = known_index(initiatives, reference) or InitiativeIndex(initiatives, reference)  # type: ignore[arg-type]
    return index.computed("filter_options", lambda: options_of(index))


# --- query-parameter round trip ----------------------------------------------------------


def _encode_list(values: Iterable[str]) -> str:
    return ",".join(str(v).replace("%", "%25").replace(",", "%2C") for v in values)


def _decode_list(text: str) -> tuple[str, ...]:
    return tuple(unquote(part) for part in text.split(",") if part != "")


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def filters_to_params(filters: Filters) -> dict[str, str]:
    """Return the query parameters for the non-default filters (lossless, see the inverse)."""
    default = Filters()
    params: dict[str, str] = {}
    for f in fields(filters):
        value = getattr(filters, f.name)
        if value == getattr(default, f.name):
            continue
        key = PARAM_NAMES[f.name]
        if isinstance(value, tuple):
            params[key] = _encode_list(value)
        elif isinstance(value, bool):
            params[key] = "1" if value else "0"
        elif isinstance(value, Scope):
            params[key] = f"{value.level}:{value.code}" if value.code else value.level
        elif isinstance(value, int | float) and f.name.startswith("amount"):
            params[key] = _format_number(value)
        else:
            params[key] = str(value)
    return params


def _parse_year(key: str, text: str) -> int:
    """A year of a link, within the years an initiative can have."""
    try:
        value = int(text)
    except ValueError as exc:
        raise _unreadable(key, text) from exc
    low, high = YEAR_RANGE
    if not low <= value <= high:
        raise _out_of_range(key, text, str(low), str(high))
    return value


def _parse_amount(key: str, text: str) -> float:
    """An amount of a link, from 0 to ``AMOUNT_MAX`` € (the sidebar's bounds)."""
    try:
        value = float(text)
    except ValueError as exc:
        raise _unreadable(key, text) from exc
    if not math.isfinite(value):
        raise _unreadable(key, text)
    if not 0 <= value <= AMOUNT_MAX:
        raise _out_of_range(key, text, fr_euros(0), fr_euros(AMOUNT_MAX))
    return value


IGNORED = "Ce filtre est ignoré."  # after the reason a filter of a shared link was left out


def _parse_scope(text: str) -> Scope:
    level, _, code = text.partition(":")
    if level not in SCOPE_LEVELS or (level != "france" and not code):
        raise FilterParamError(f"Périmètre non reconnu : « {quoted(text)} ».")
    return Scope(level, code or None) if level != "france" else Scope()


def _parse_one(name: str, key: str, text: str) -> object:
    if name in ("themes", "funders", "types"):
        return _decode_list(text)
    if name in ("cofunded_only", "rural_only"):
        if text not in ("0", "1"):
            raise _unreadable(key, text)
        return text == "1"
    if name in ("year_min", "year_max"):
        return _parse_year(key, text)
    if name in ("amount_min", "amount_max"):
        return _parse_amount(key, text)
    if name == "scope":
        return _parse_scope(text)
    if name == "themes_logic" and text not in THEME_LOGICS:
        raise _unreadable(key, text)
    if name == "funders_logic" and text not in FUNDER_LOGICS:
        raise _unreadable(key, text)
    return text


def parse_filter_params(params: Mapping[str, str]) -> tuple[Filters, list[str]]:
    """Read filters from query parameters; return them with French messages for ignored values.

    Unknown keys are ignored (they belong to other state); a value that cannot be read is left
    at its default and reported, so a damaged link still opens.
    """
    values: dict[str, object] = {}
    problems: list[str] = []
    for name, key in PARAM_NAMES.items():
        if key not in params:
            continue
        raw = params[key]
        text = raw[-1] if isinstance(raw, list) else str(raw)
        try:
            values[name] = _parse_one(name, key, text)
        except FilterParamError as exc:
            problems.append(f"{exc.user_message} {IGNORED}")
    for low, high, what, read, show in (
        ("year_min", "year_max", "Années inversées", "lues", str),
        ("amount_min", "amount_max", "Montants inversés", "lus", fr_euros),
    ):
        first, last = values.get(low), values.get(high)
        if first is not None and last is not None and first > last:  # type: ignore[operator]
            values[low], values[high] = last, first
            problems.append(f"{what} dans le lien : {read} de {show(last)} à {show(first)}.")
    return Filters(**values), problems


def unknown_scope(scope: Scope, reference: GeoReference) -> str | None:
    """The French reason why the reference does not know a scope, or None when it does."""
    if scope.level == "france":
        return None
    try:
        reference.scope_communes(scope)
    except TerritoiresError as exc:
        return exc.user_message
    return None


def with_known_scope(filters: Filters, reference: GeoReference) -> tuple[Filters, list[str]]:
    """The filters with a scope the reference knows, and a French message when it did not.

    A link can name a territory the reference does not hold (a typo, an EPCI merged since the
    link was shared, a named territory removed since): its scope falls back to France, so that
    the page still opens, and the message says which territory was left out.
    """
    reason = unknown_scope(filters.scope, reference)
    if reason is None:
        return filters, []
    return replace(filters, scope=Scope()), [f"{reason} {IGNORED}"]


def filters_from_params(params: Mapping[str, str]) -> Filters:
    """Inverse of ``filters_to_params``; values that cannot be read are left at their default."""
    filters, _ = parse_filter_params(params)
    return filters


def _list_text(items: Iterable[str], joiner: str) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {joiner} {items[-1]}"


def _range_text(low: str | None, high: str | None) -> str:
    if low is not None and high is not None:
        return f"de {low} à {high}" if low != high else low
    return f"à partir de {low}" if low is not None else f"jusqu'à {high}"


def describe_filters(filters: Filters) -> str:
    """The filters other than the scope, in one short French line (empty when none is set).

    What a projected map, a slide or an exported file says about the initiatives it counts:
    « thèmes Prendre soin ou Cultures et savoirs · financeur Fondation de France · années de
    2022 à 2024 · communes rurales ». User text (a search) is returned as typed: escape it
    wherever HTML is written.
    """
    parts: list[str] = []
    if filters.themes:
        joiner = "et" if filters.themes_logic == "all" else "ou"
        parts.append("thèmes " if len(filters.themes) > 1 else "thème ")
        parts[-1] += _list_text((theme_label(t) for t in filters.themes), joiner)
    if filters.funders:
        joiner = "et" if filters.funders_logic == "and" else "ou"
        parts.append("financeurs " if len(filters.funders) > 1 else "financeur ")
        parts[-1] += _list_text(filters.funders, joiner)
    if filters.cofunded_only:
        parts.append("co-financées")
    if filters.year_min is not None or filters.year_max is not None:
        low = None if filters.year_min is None else str(filters.year_min)
        high = None if filters.year_max is None else str(filters.year_max)
        parts.append(f"{'année' if low == high else 'années'} {_range_text(low, high)}")
    if filters.types:
        parts.append(f"type {_list_text(filters.types, 'ou')}")
    if filters.amount_min is not None or filters.amount_max is not None:
        low = None if filters.amount_min is None else fr_euros(filters.amount_min)
        high = None if filters.amount_max is None else fr_euros(filters.amount_max)
        parts.append(f"montant {_range_text(low, high)}")
    if filters.rural_only:
        parts.append("communes rurales")
    if filters.search:
        parts.append(f"recherche « {filters.search} »")
    return " · ".join(parts)


def retained_line(filters: Filters) -> str:
    """« Initiatives retenues : … » (``describe_filters``), or "" when no filter is set: the
    line a page, a slide, an exported map or a meeting sheet carries about its filters."""
    described = describe_filters(filters)
    return f"Initiatives retenues : {described}" if described else ""


def count_label(shown: int, total: int) -> str:
    """« n initiatives sur N », in French."""
    return f"{fr_count(shown, 'initiative')} sur {fr_number(total)}"
