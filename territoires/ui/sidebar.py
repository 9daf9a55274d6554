"""The shared filters in the sidebar: widgets ⇄ ``Filters`` ⇄ session state ⇄ ``st.query_params``.

Every page calls ``filters_sidebar(initiatives, reference)``. The canonical value is the
``Filters`` kept in ``st.session_state[STATE_KEY]`` (it survives page changes); the widgets are
rebuilt from it when missing, and the URL mirrors it, so a copied link restores the same view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pandas as pd
import streamlit as st

from territoires import texts
from territoires.analysis.aggregate import THEMES, theme_label
from territoires.analysis.index import InitiativeIndex, index_for, known_index
from territoires.filters import (
    AMOUNT_MAX,
    PARAM_NAMES,
    FilterOptions,
    Filters,
    count_label,
    filter_options,
    filters_to_params,
    parse_filter_params,
    with_known_scope,
)
from territoires.filters import filtered_index as select
from territoires.formatting import fr_euros, markdown_literal
from territoires.geo.reference import LEVEL_LABELS, GeoReference, Scope
from territoires.geo.rurality import rural_qualifier, rurality_label
from territoires.links import MAX_SEARCH_CHARS, bounded_params

STATE_KEY = "territoires_filters"
# The page being run, recorded by app.py: Streamlit keeps a widget's value within one page only,
# so the filter widgets are loaded again from the session's filters on each new page.
PAGE_KEY = "territoires_page"
_W = "flt_"  # widget key prefix
SCOPE_LEVEL_CHOICES = ("france", "region", "departement", "epci", "territoire")
THEME_LOGIC_LABELS = {"any": "au moins un", "all": "tous"}
FUNDER_LOGIC_LABELS = {"or": "l'un au moins", "and": "tous"}


# --- territory choices -------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def _territory_choices(_reference: GeoReference, level: str, reference_key: str) -> dict[str, str]:
    """``code -> label`` for a scope level, sorted by label (cached per reference)."""
    if level == "territoire":
        items = {key: t.label for key, t in _reference.territories.items()}
    else:
        frame = {
            "region": _reference.regions,
            "departement": _reference.departements,
            "epci": _reference.epci,
        }[level]
        codes = frame["code"].astype(str)
        if level == "departement":
            items = dict(zip(codes, frame["nom"].astype(str) + " (" + codes + ")", strict=True))
        else:
            items = dict(zip(codes, frame["nom"].astype(str), strict=True))
    return dict(sorted(items.items(), key=lambda item: item[1]))


def territory_choices(reference: GeoReference, level: str) -> dict[str, str]:
    """``code -> French label`` of every territory of a scope level."""
    key = str(reference.manifest.get("built_at", "")) + str(len(reference.communes))
    return _territory_choices(reference, level, key)


def data_fingerprint(
    initiatives: pd.DataFrame, reference: GeoReference, rurality: pd.DataFrame | None = None
) -> str:
    """A cheap key for cached views: ids, last modification, reference, rurality (the part
    of the initiatives computed once for a shared frame)."""
    index = known_index(initiatives, reference)
    rows = index.computed("fingerprint", lambda: _rows_key(initiatives)) if index else None
    return f"{rows or _rows_key(initiatives)}:{id(reference)}:{_rurality_key(rurality)}"


def _rows_key(initiatives: pd.DataFrame) -> str:
    stamps = initiatives.get("modifie_le", pd.Series(dtype=object)).astype(str)
    return (
        f"{len(initiatives)}:{int(initiatives['id'].sum()) if len(initiatives) else 0}:"
        f"{stamps.max() if len(stamps) else ''}"
    )


def _rurality_key(rurality: pd.DataFrame | None) -> str:
    return "" if rurality is None else f"{len(rurality)}:{int(rurality['rural'].sum())}"


def filtered_index(
    initiatives: pd.DataFrame,
    filters: Filters,
    reference: GeoReference,
    rurality: pd.DataFrame | None = None,
) -> InitiativeIndex:
    """The index of the initiatives passing ``filters``, computed once per data version and
    filters for every session of the process (the last few kept by the shared index)."""
    index = index_for(initiatives, reference)
    key = ("filtered", repr(filters), _rurality_key(rurality))
    return index.recent(key, lambda: select(index, filters, rurality=rurality))


def filtered_initiatives(
    initiatives: pd.DataFrame,
    filters: Filters,
    reference: GeoReference,
    rurality: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``apply_filters``, shared by every session per data version and filters: the frame of
    ``filtered_index`` (read-only, as ``get_initiatives()``)."""
    return filtered_index(initiatives, filters, reference, rurality).frame


# --- state -------------------------------------------------------------------------------


def _widget_values(filters: Filters, options: FilterOptions) -> dict[str, object]:
    years = options.year_range
    year_value = None
    if years:
        low = filters.year_min if filters.year_min is not None else years[0]
        high = filters.year_max if filters.year_max is not None else years[1]
        year_value = (max(min(low, years[1]), years[0]), min(max(high, years[0]), years[1]))
    return {
        "themes": list(filters.themes),
        "themes_logic": filters.themes_logic,
        "funders": [f for f in filters.funders if f in options.funders],
        "funders_logic": filters.funders_logic,
        "cofunded_only": filters.cofunded_only,
        "years": year_value,
        "types": [t for t in filters.types if t in options.types],
        "amount_min": filters.amount_min,
        "amount_max": filters.amount_max,
        "scope_level": filters.scope.level
        if filters.scope.level in SCOPE_LEVEL_CHOICES
        else "france",
        "scope_code": filters.scope.code,
        "rural_only": filters.rural_only,
        "search": filters.search,
    }


def _load_widgets(filters: Filters, options: FilterOptions) -> None:
    for name, value in _widget_values(filters, options).items():
        st.session_state[_W + name] = value


def query_params() -> dict[str, str]:
    """The page's query parameters, each within its length limit (``links.bounded_params``).

    A longer value is taken out of the address, and the filters say so once.
    """
    params, problems = bounded_params(st.query_params.to_dict())
    for key in [key for key in st.query_params if key not in params]:
        del st.query_params[key]
    report_link_problems(problems)
    return params


def current_filters(reference: GeoReference) -> Filters:
    """The filters of this session (from the URL on the first run, with a known scope)."""
    if STATE_KEY not in st.session_state:
        filters, problems = parse_filter_params(query_params())
        filters, unknown = with_known_scope(filters, reference)
        problems += unknown
        if filters.scope.level not in SCOPE_LEVEL_CHOICES:  # a commune: its fiche shows it
            name = reference.commune(filters.scope.code or "")["nom"]
            problems.append(
                f"Le périmètre « commune » ({name}) n'est pas proposé : la page montre la France. "
                "Une commune se consulte sur la page « Fiche territoire »."
            )
            filters = replace(filters, scope=Scope())
        st.session_state[STATE_KEY] = filters
        report_link_problems(problems)
    return st.session_state[STATE_KEY]


def report_link_problems(problems: list[str]) -> None:
    """Add messages about a shared link's unreadable values, shown with the filters."""
    if problems:
        st.session_state.setdefault(STATE_KEY + "_problems", []).extend(problems)


def set_filters(filters: Filters) -> None:
    """Replace the session's filters (the widgets follow on the next run)."""
    st.session_state[STATE_KEY] = filters
    st.session_state.pop(_W + "loaded", None)


def sync_query_params(params: Mapping[str, str], managed: tuple[str, ...]) -> None:
    """Write ``params`` into the URL for the ``managed`` keys only (others are left alone)."""
    for key in managed:
        value = params.get(key)
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def sync_filter_params(filters: Filters) -> None:
    """Write the filters into the URL, so that a copied link gives the same filtered page."""
    sync_query_params(filters_to_params(filters), FILTER_PARAM_KEYS)


def _reset() -> None:
    st.session_state[STATE_KEY] = Filters()
    st.session_state.pop(_W + "loaded", None)


# --- widgets -----------------------------------------------------------------------------


def _year_bounds(value: object, options: FilterOptions) -> tuple[int | None, int | None]:
    if not value or not options.year_range:
        return None, None
    low, high = value  # type: ignore[misc]
    return (
        None if low <= options.year_range[0] else int(low),
        None if high >= options.year_range[1] else int(high),
    )


def _scope_widgets(reference: GeoReference) -> Scope:
    level = st.selectbox(
        "Périmètre",
        SCOPE_LEVEL_CHOICES,
        format_func=lambda v: LEVEL_LABELS[v],
        key=_W + "scope_level",
        placeholder=texts.CHOOSE,
    )
    if level == "france":
        return Scope()
    choices = territory_choices(reference, level)
    if not choices:
        st.caption("Aucun territoire de ce niveau dans le référentiel.")
        return Scope()
    if st.session_state.get(_W + "scope_code") not in choices:
        st.session_state[_W + "scope_code"] = next(iter(choices))
    code = st.selectbox(
        LEVEL_LABELS[level],
        list(choices),
        format_func=lambda c: choices.get(c, c),
        key=_W + "scope_code",
        help="Tapez quelques lettres pour chercher.",
        placeholder=texts.CHOOSE_TERRITORY,
    )
    return Scope(level, code)


def _theme_widgets(options: FilterOptions) -> tuple[tuple[str, ...], str]:
    available = list(dict.fromkeys([*THEMES, *options.themes]))
    themes = st.multiselect(
        "Thèmes", available, format_func=theme_label, key=_W + "themes", placeholder="Tous"
    )
    logic = st.radio(
        "Initiatives ayant",
        list(THEME_LOGIC_LABELS),
        format_func=lambda v: f"{THEME_LOGIC_LABELS[v]} des thèmes choisis",
        key=_W + "themes_logic",
        horizontal=True,
        disabled=len(themes) < 2,
    )
    return tuple(themes), logic


def _funder_widgets(options: FilterOptions) -> tuple[tuple[str, ...], str, bool]:
    funders = st.multiselect(
        "Financeurs", list(options.funders), key=_W + "funders", placeholder="Tous"
    )
    logic = st.radio(
        "Financées par",
        list(FUNDER_LOGIC_LABELS),
        format_func=lambda v: f"{FUNDER_LOGIC_LABELS[v]} des financeurs choisis",
        key=_W + "funders_logic",
        horizontal=True,
        disabled=len(funders) < 2,
    )
    cofunded = st.checkbox("Co-financées uniquement", key=_W + "cofunded_only")
    return tuple(funders), logic, cofunded


def _other_widgets(options: FilterOptions) -> dict[str, object]:
    values: dict[str, object] = {}
    if options.year_range and options.year_range[0] < options.year_range[1]:
        years = st.slider(
            "Années de décision",
            min_value=options.year_range[0],
            max_value=options.year_range[1],
            key=_W + "years",
        )
        values["year_min"], values["year_max"] = _year_bounds(years, options)
    types = st.multiselect("Type", list(options.types), key=_W + "types", placeholder="Tous")
    values["types"] = tuple(types)
    left, right = st.columns(2)
    for column, name, label in ((left, "amount_min", "min."), (right, "amount_max", "max.")):
        values[name] = column.number_input(
            f"Montant {label} (€)",
            min_value=0.0,
            max_value=AMOUNT_MAX,
            step=1000.0,
            value=None,
            format="%.0f",  # whole euros: « 500000 », not « 500000.00 »
            key=_W + name,
        )
    low, high = values["amount_min"], values["amount_max"]
    if low is not None and high is not None and low > high:
        st.warning(
            f"Le montant minimum ({fr_euros(low)}) dépasse le maximum ({fr_euros(high)}) : "
            "aucune initiative ne peut correspondre.",
            icon=":material/warning:",
        )
    return values


def _read_widgets(reference: GeoReference, options: FilterOptions, rural_ok: bool) -> Filters:
    search = st.text_input(
        "Recherche", key=_W + "search", placeholder="Titre, porteur, description…"
    ).strip()
    if len(search) > MAX_SEARCH_CHARS:  # as in a link (``links.max_chars``)
        search = search[:MAX_SEARCH_CHARS].strip()
        st.caption(
            f"La recherche compte {MAX_SEARCH_CHARS} caractères au plus : la suite est ignorée."
        )
    scope = _scope_widgets(reference)
    rural = st.checkbox(
        f"Communes rurales uniquement ({rural_qualifier(reference)})",
        key=_W + "rural_only",
        disabled=not rural_ok,
        help="Initiatives servant au moins une commune rurale du périmètre. Ruralité : "
        f"{rurality_label(reference)} (voir « Méthodologie et sources »).",
    )
    themes, themes_logic = _theme_widgets(options)
    funders, funders_logic, cofunded = _funder_widgets(options)
    others = _other_widgets(options)
    return Filters(
        themes=themes,
        themes_logic=themes_logic if len(themes) > 1 else "any",
        funders=funders,
        funders_logic=funders_logic if len(funders) > 1 else "or",
        cofunded_only=cofunded,
        scope=scope,
        rural_only=bool(rural and rural_ok),
        search=search,
        **others,
    )


def _keep_unshown(filters: Filters, previous: Filters, options: FilterOptions) -> Filters:
    """Keep filter values the widgets cannot show (e.g. a year outside the data's range)."""
    if not options.year_range:
        filters = replace(filters, year_min=previous.year_min, year_max=previous.year_max)
    return filters


def filters_sidebar(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    *,
    rurality: pd.DataFrame | None = None,
) -> tuple[Filters, pd.DataFrame]:
    """Show the filters in the sidebar; return them with the filtered initiatives.

    Parameters
    ----------
    initiatives : DataFrame
        Every initiative (``get_initiatives()``).
    reference : GeoReference
        The geographic reference.
    rurality : DataFrame, optional
        ``rurality_frame(reference)``; without it « Communes rurales uniquement » is disabled.
    """
    options = filter_options(initiatives)
    previous = current_filters(reference)
    widget_keys = [_W + name for name in _widget_values(previous, options)]
    page = str(st.session_state.get(PAGE_KEY, ""))
    if st.session_state.get(_W + "loaded") != page or any(
        k not in st.session_state for k in widget_keys
    ):
        _load_widgets(previous, options)
        st.session_state[_W + "loaded"] = page
    with st.sidebar:
        st.markdown("#### Filtres")
        for problem in st.session_state.pop(STATE_KEY + "_problems", []):
            st.warning(f"Lien partagé : {markdown_literal(problem)}")
        filters = _keep_unshown(
            _read_widgets(reference, options, rurality is not None), previous, options
        )
        st.session_state[STATE_KEY] = filters
        filtered = filtered_initiatives(initiatives, filters, reference, rurality)
        st.markdown(f"**{count_label(len(filtered), len(initiatives))}**")
        st.button(
            "Réinitialiser les filtres",
            on_click=_reset,
            icon=":material/filter_alt_off:",
            disabled=filters.is_default,
            width="stretch",
        )
    return filters, filtered


def pending_filters_sidebar(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    *,
    rurality: pd.DataFrame | None = None,
    show_key: str,
) -> tuple[Filters, pd.DataFrame]:
    """The session's filters without their widgets, for a first run that draws the map first.

    The sidebar shows the count and a button that sets ``show_key`` (the widgets otherwise come
    on the next run, once the map reports it is drawn).
    """
    filters = current_filters(reference)
    filtered = filtered_initiatives(initiatives, filters, reference, rurality)
    with st.sidebar:
        st.markdown("#### Filtres")
        st.markdown(f"**{count_label(len(filtered), len(initiatives))}**")
        st.caption("Les filtres s'affichent dès que la carte est dessinée.")
        st.button(
            "Afficher les filtres",
            key=show_key + "_bouton",
            on_click=lambda: st.session_state.update({show_key: True}),
            type="tertiary",
        )
    return filters, filtered


FILTER_PARAM_KEYS: tuple[str, ...] = tuple(PARAM_NAMES.values())
