"""Streamlit side of the map page: map options, the map component, key figures, breakdowns,
exports, shareable link and presentation mode. Pure work is delegated to ``territoires.maps``,
``territoires.analysis`` and ``territoires.exports``.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components
from streamlit.errors import StreamlitAPIException
from streamlit_folium import st_folium

from territoires import texts
from territoires.analysis.aggregate import breakdowns, key_figures
from territoires.errors import TerritoiresError
from territoires.filters import Filters, unknown_scope
from territoires.formatting import (
    fr_count,
    fr_euros,
    fr_euros_short,
    fr_number,
    fr_percent,
    markdown_literal,
)
from territoires.geo.reference import LEVEL_LABELS, GeoReference, Scope
from territoires.maps.assets import ASSETS_DIR
from territoires.maps.build import (
    BASEMAP_LABELS,
    BASEMAPS,
    LEVEL_CHOICES,
    MAP_PARAM_NAMES,
    ChoroplethData,
    MapOptions,
    parse_map_params,
)
from territoires.maps.classify import METHOD_LABELS, METHODS
from territoires.maps.metrics import MAP_LEVEL_LABELS, METRICS
from territoires.settings import get_settings
from territoires.ui.cache import per_frame

MAP_STATE_KEY = "territoires_map_options"
STEPS_PARAM = "etapes"
PRESENTATION_PARAM = "presentation"
_M = "map_"
MAP_HEIGHT = 620
PRESENTATION_MAP_HEIGHT = 720
RETURNED_OBJECTS = ["last_active_drawing"]  # a click on a territory; pan and zoom never rerun


# --- local assets ------------------------------------------------------------------------


def asset_base_url() -> str:
    """URL, relative to streamlit-folium's iframe, under which Streamlit serves our assets.

    Declaring a (never rendered) component whose folder is ``territoires/assets`` makes the
    Streamlit server serve those files at ``/component/territoires.ui.map_view.assets/…``,
    next to streamlit-folium's own ``/component/streamlit_folium.st_folium/index.html``.
    """
    components.declare_component("assets", path=str(ASSETS_DIR))
    return f"../{__name__}.assets"


def geometry_source() -> tuple[Path, str] | None:
    """Folder for the map geometry files and the URL under which Streamlit serves it.

    Same mechanism as ``asset_base_url``, over ``<geodata cache>/web``. ``None`` when that
    folder cannot be created (read-only install): the geometry then travels inside the map.
    """
    folder = get_settings().geodata_dir / "web"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    components.declare_component("geometrie", path=str(folder))
    return folder, f"../{__name__}.geometrie"


# --- map options -------------------------------------------------------------------------


def default_map_options(presentation: bool, basemap_setting: str) -> MapOptions:
    """Default map state: no basemap in presentation mode, else the configured one."""
    basemap = "aucun" if presentation or basemap_setting not in BASEMAPS else basemap_setting
    return MapOptions(basemap=basemap)  # type: ignore[arg-type]


def current_map_options(default: MapOptions) -> MapOptions:
    """This session's map options (from the URL on the first run)."""
    if MAP_STATE_KEY not in st.session_state:
        from territoires.ui.sidebar import query_params, report_link_problems

        options, problems = parse_map_params(query_params(), default)
        st.session_state[MAP_STATE_KEY] = options
        report_link_problems(problems)
    options = st.session_state[MAP_STATE_KEY]
    for f in fields(MapOptions):  # widgets not shown on the last run lose their state
        if _M + f.name not in st.session_state:
            st.session_state[_M + f.name] = getattr(options, f.name)
    return options


def _choice(container, label: str, choices, name: str, labels: Callable = str):
    """One list of map options (``labels`` gives each choice's text), with a French
    placeholder for the list emptied to search in it."""
    return container.selectbox(
        label, choices, format_func=labels, key=_M + name, placeholder=texts.CHOOSE
    )


def map_options_widgets(default: MapOptions, rurality: str = "") -> MapOptions:
    """Two rows of map controls (what is mapped, then what is drawn); returns the options.

    Two rows keep every label readable on a 1280-pixel screen beside the sidebar;
    ``rurality`` (``rurality_label``) names the source of « Zones rurales » in its help.
    """
    current_map_options(default)
    cols = st.columns([1.2, 2.2, 1.4, 0.8], vertical_alignment="bottom")
    level = _choice(
        cols[0],
        "Niveau",
        LEVEL_CHOICES,
        "level",
        lambda v: "Automatique" if v == "auto" else MAP_LEVEL_LABELS[v],
    )
    metric = _choice(cols[1], "Indicateur", list(METRICS), "metric", lambda v: METRICS[v].label)
    method = _choice(cols[2], "Classes", METHODS, "method", METHOD_LABELS.__getitem__)
    classes = _choice(cols[3], "Nombre", list(range(2, 8)), "classes")
    cols = st.columns([1.6, 1.4, 1.6, 1.0], vertical_alignment="center")
    basemap = _choice(cols[0], "Fond de carte", BASEMAPS, "basemap", BASEMAP_LABELS.__getitem__)
    points = cols[1].toggle(
        "Initiatives (points)", key=_M + "points", help="Chaque initiative, colorée par thème"
    )
    rural = cols[2].toggle(
        "Zones rurales",
        key=_M + "rural_overlay",
        help="Contour en tirets de l'ensemble des communes rurales du périmètre"
        + (f" ; ruralité : {rurality}." if rurality else "."),
    )
    options = MapOptions(level, metric, method, classes, basemap, points, rural)  # type: ignore[arg-type]
    st.session_state[MAP_STATE_KEY] = options
    return options


MAP_PARAM_KEYS: tuple[str, ...] = tuple(MAP_PARAM_NAMES.values())


def rurality_or_none() -> pd.DataFrame | None:
    """The rurality frame, or None while the geo reference cannot provide it."""
    from territoires.ui.cache import get_rurality

    try:
        return get_rurality()
    except ImportError:
        return None


@st.cache_resource(show_spinner=False, max_entries=4)
def _rural_codes(key: str, _codes: pd.Series) -> frozenset[str]:
    return frozenset(_codes.astype(str))


def rural_codes(rurality: pd.DataFrame | None) -> frozenset[str] | None:
    """Codes of the rural communes, or None without a rurality frame.

    The set (about 30,000 codes, ~50 ms to build) is shared across runs, keyed by a digest of
    the codes and rural flags; it is immutable, so sharing it is safe.
    """
    if rurality is None:
        return None
    rural = rurality["rural"].fillna(False).astype(bool)
    codes = rurality.loc[rural, "code_insee"]
    digest = hashlib.sha1(rural.to_numpy().tobytes())
    digest.update("|".join(codes.iloc[[0, -1]].astype(str)).encode() if len(codes) else b"")
    return _rural_codes(f"{len(rurality)}:{len(codes)}:{digest.hexdigest()}", codes)


# --- the map component -------------------------------------------------------------------


def show_map(fmap, *, height: int, key: str = "carte", live=None) -> dict | None:
    """Render the folium map; return the properties of the last clicked territory, if any.

    ``live`` is the feature group of ``build_live_map``: it is swapped into the existing map
    when filters change, without rebuilding the map.
    """
    result = st_folium(
        fmap,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=RETURNED_OBJECTS,
        feature_group_to_add=live,
    )
    drawing = (result or {}).get("last_active_drawing") or {}
    properties = drawing.get("properties") or {}
    return properties if properties.get("code") and properties.get("niveau") else None


SHOW_CONTROLS_KEY = "carte_commandes"


def map_drawn(key: str = "carte") -> bool:
    """Whether this page view's map has been drawn (it reported itself, or was clicked).

    The « Carte » page draws the map first and adds its filters and controls on the next run:
    in one run, the browser would lay them all out before it starts on the map. A button sets
    ``SHOW_CONTROLS_KEY`` should the map never report (a browser without JavaScript canvas).
    """
    value = st.session_state.get(key)
    drawing = value.get("last_active_drawing") if isinstance(value, dict) else None
    return bool(drawing) or bool(st.session_state.get(SHOW_CONTROLS_KEY))


def fiche_link(clicked: dict) -> None:
    """Offer a link to the clicked territory's fiche."""
    level, code = str(clicked["niveau"]), str(clicked["code"])
    name = markdown_literal(str(clicked.get("nom") or code))
    label = f"Fiche territoire : {name} ({markdown_literal(LEVEL_LABELS.get(level, level))})"
    try:
        st.page_link(
            "app_pages/fiche.py",
            label=label,
            icon=":material/location_city:",
            query_params={"niveau": level, "code": code},
        )
    except StreamlitAPIException:
        st.markdown(f"[{label}](./fiche?{urlencode({'niveau': level, 'code': code})})")


# --- key figures and breakdowns ------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One key figure: label, formatted value, help text."""

    label: str
    value: str
    help: str


def figures_list(
    figures: dict,
    population_vintage: str,
    rural_qualifier: str = "approximation",
    rural_source: str = "",
) -> list[Figure]:
    """Format D's ``key_figures`` for display, in French.

    ``rural_qualifier`` follows « Ruraux touchés » (« approximation », or the official grid's
    name); ``rural_source`` names the rurality source in its help.
    """
    share = figures.get("part_population_rurale_touchee")
    rural = figures.get("population_rurale")
    source = f" Ruralité : {rural_source}." if rural_source else ""
    return [
        Figure(
            "Initiatives",
            fr_number(figures["initiatives"]),
            "Initiatives filtrées du périmètre.",
        ),
        Figure(
            "Montant",
            fr_euros_short(figures["montant"]),
            f"Montant total connu : {fr_euros(figures['montant'])}, réparti entre les "
            "communes servies (part du périmètre).",
        ),
        Figure(
            "Communes",
            fr_number(figures["communes_touchees"]),
            "Communes touchées : servies par au moins une initiative.",
        ),
        Figure(
            f"Habitants {population_vintage}",
            fr_number(figures["population_touchee"]),
            f"Habitants des communes touchées (population légale {population_vintage}, INSEE).",
        ),
        Figure(
            f"Ruraux touchés ({rural_qualifier})",
            fr_percent(share),
            "Part de la population rurale du périmètre vivant dans une commune touchée"
            + (f" ({fr_number(rural)} habitants ruraux)." if rural else ".")
            + source,
        ),
    ]


@st.cache_data(show_spinner=False, max_entries=64)
def _figures(
    key: str, _filtered: pd.DataFrame, _reference: GeoReference, _scope: Scope, _rural
) -> dict:
    return key_figures(_filtered, _reference, _scope, _rural)


def compute_figures(
    filtered: pd.DataFrame,
    reference: GeoReference,
    scope: Scope,
    rural: frozenset[str] | None,
    *,
    view_key: str = "",
) -> dict:
    """Key figures of the filtered initiatives in the scope (``aggregate.key_figures``).

    Cached when ``view_key`` (data version and filters, see ``view_key``) is given.
    """
    if not view_key:
        return key_figures(filtered, reference, scope, set(rural) if rural is not None else None)
    key = f"{view_key}|{scope!r}|{len(rural) if rural is not None else None}"
    return _figures(key, filtered, reference, scope, rural)


@st.cache_data(show_spinner=False, max_entries=64)
def _choropleth(
    key: str, _filtered: pd.DataFrame, _reference: GeoReference, _scope: Scope, _options
) -> ChoroplethData:
    from territoires.maps.build import choropleth_data

    return choropleth_data(_filtered, _reference, _scope, _options)


def compute_choropleth(
    filtered: pd.DataFrame,
    reference: GeoReference,
    scope: Scope,
    options: MapOptions,
    *,
    view_key: str,
) -> ChoroplethData:
    """``choropleth_data`` cached per data version, filters and map options."""
    return _choropleth(f"{view_key}|{scope!r}|{options!r}", filtered, reference, scope, options)


def view_key(
    initiatives: pd.DataFrame,
    reference: GeoReference,
    filters: Filters,
    rurality: pd.DataFrame | None,
) -> str:
    """Key of the current view for the caches: data version and filters."""
    from territoires.ui.sidebar import data_fingerprint

    return f"{data_fingerprint(initiatives, reference, rurality)}|{filters!r}"


KEY_FIGURES_CSS = """
<style>
.te-kfs { display: flex; flex-wrap: wrap; gap: 0.75rem; margin: 0.1rem 0 0.4rem 0; }
/* never cut a label or a value: a label wraps, a card is never narrower than its value or
   its longest word (the row wraps instead), and the values stand on one line at the bottom */
.te-kf { flex: 1 1 9rem; min-width: min-content; border: 1px solid rgba(49, 51, 63, 0.2);
  border-radius: 0.5rem; padding: 0.5rem 0.9rem; cursor: help; display: flex;
  flex-direction: column; justify-content: space-between; }
.te-kf-l { font-size: 0.875rem; line-height: 1.2; color: rgba(49, 51, 63, 0.8);
  white-space: normal; overflow-wrap: break-word; }
.te-kf-v { font-size: 2rem; line-height: 1.15; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
</style>
"""


def key_figures_html(figures: list[Figure], *, large: bool = False) -> str:
    """The key figures as one block of escaped HTML; each help text is the card's tooltip.

    One block rather than five ``st.metric``: on the « Carte » page the browser lays it out in
    a fraction of the time, and the map is drawn sooner.
    """
    cells = []
    for f in figures:
        label = f'<div class="te-kf-l">{html.escape(f.label)}</div>'
        value = f'<div class="te-kf-v">{html.escape(f.value)}</div>'
        cells.append(
            f'<div class="te-kf" role="listitem" title="{html.escape(f.help)}">'
            + (value + label if large else label + value)
            + "</div>"
        )
    kind = "te-kfs te-kfs-grand" if large else "te-kfs"
    return f'<div class="{kind}" role="list">{"".join(cells)}</div>'


def show_key_figures(figures: list[Figure], *, large: bool = False) -> None:
    """The key figures above the map; ``large`` for a projector (sized by the presentation
    style)."""
    st.html(KEY_FIGURES_CSS + key_figures_html(figures, large=large))


BAR_COLOR = "#1b5e7a"  # the theme's primary colour (.streamlit/config.toml)
BARS_CSS = f"""
<style>
.te-bars {{ max-height: 220px; overflow-y: auto; font-size: 0.85rem; line-height: 1.25; }}
.te-bar {{ display: grid; grid-template-columns: minmax(0, 45%) 1fr auto; gap: 0.5rem;
  align-items: center; margin: 0.2rem 0; }}
.te-bar-l {{ overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }}
.te-bar-t {{ background: #eef2f4; height: 0.95rem; border-radius: 2px; }}
.te-bar-f {{ display: block; height: 100%; background: {BAR_COLOR}; border-radius: 2px; }}
.te-bar-v, .te-col-v {{ font-variant-numeric: tabular-nums; }}
.te-cols {{ display: flex; align-items: flex-end; gap: 0.2rem; height: 200px;
  font-size: 0.8rem; overflow-x: auto; }}
.te-col {{ flex: 1 1 0; min-width: 0; display: flex; flex-direction: column;
  align-items: center; justify-content: flex-end; height: 100%; }}
.te-col-b {{ width: 70%; background: {BAR_COLOR}; border-radius: 2px 2px 0 0; }}
.te-col-l {{ white-space: nowrap; }}
</style>
"""
COLUMN_PX = 150  # height of the tallest column of a vertical bar chart


def bars_html(frame: pd.DataFrame, label: str, *, vertical: bool = False) -> str:
    """A bar chart of ``frame["initiatives"]`` per ``frame[label]`` in plain HTML and CSS.

    Plain HTML rather than ``st.bar_chart``: the page's three Vega charts cost about half a
    second of the browser's main thread, which delayed the map drawn above them. Counts are
    written next to the bars, and each bar's tooltip repeats them. Labels are escaped.
    """
    top = max(int(frame["initiatives"].max()), 1) if len(frame) else 1
    items = []
    for name, count in zip(frame[label].astype(str), frame["initiatives"].astype(int), strict=True):
        value = fr_number(count)
        tip = html.escape(f"{name} : {fr_count(count, 'initiative')}", quote=True)
        name = html.escape(name)
        if vertical:
            height = round(COLUMN_PX * count / top)
            items.append(
                f'<div class="te-col" title="{tip}"><span class="te-col-v">{value}</span>'
                f'<span class="te-col-b" style="height:{height}px"></span>'
                f'<span class="te-col-l">{name}</span></div>'
            )
        else:
            width = 100 * count / top
            items.append(
                f'<div class="te-bar" title="{tip}"><span class="te-bar-l">{name}</span>'
                f'<span class="te-bar-t"><span class="te-bar-f" style="width:{width:.1f}%">'
                f'</span></span><span class="te-bar-v">{value}</span></div>'
            )
    kind = "te-cols" if vertical else "te-bars"
    return f'<div class="{kind}">{"".join(items)}</div>'


def _bar(title: str, frame: pd.DataFrame, x: str, *, horizontal: bool) -> None:
    st.markdown(f"**{title}**")
    if frame.empty or not frame["initiatives"].any():
        st.caption("Aucune initiative.")
        return
    st.html(bars_html(frame, x, vertical=not horizontal))


def breakdown_charts(filtered: pd.DataFrame) -> None:
    """Breakdowns by theme, funder and year, side by side."""
    parts = per_frame(filtered, "breakdowns", lambda: breakdowns(filtered))
    st.html(BARS_CSS)
    left, middle, right = st.columns(3)
    with left:
        _bar("Par thème", parts["theme"], "libelle", horizontal=True)
    with middle:
        _bar("Par financeur", parts["financeur"], "financeur", horizontal=True)
    with right:
        years = parts["annee"].assign(annee=parts["annee"]["annee"].astype(str))
        _bar("Par année", years, "annee", horizontal=False)


# --- exports -----------------------------------------------------------------------------


def _safe(build: Callable[[], bytes]) -> Callable[[], bytes]:
    def run() -> bytes:
        try:
            return build()
        except TerritoiresError as exc:
            return exc.user_message.encode("utf-8")

    return run


def download_buttons(items: list[tuple[str, str, str, Callable[[], bytes]]]) -> None:
    """One deferred download button per ``(label, file name, mime, build)``."""
    for column, (label, name, mime, build) in zip(st.columns(len(items)), items, strict=True):
        column.download_button(
            label,
            data=_safe(build),
            file_name=name,
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
        )


# --- shareable link and presentation ---------------------------------------------------------


def share_link(params: dict[str, str]) -> str:
    """Absolute URL of the current page with the given query parameters."""
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{urlencode(params)}" if params else base


def copy_link_control(params: dict[str, str]) -> None:
    """« Copier le lien »: the link in a code block, whose copy button copies it."""
    st.markdown("**Copier le lien** de cette vue (filtres, carte, présentation) :")
    st.code(share_link(params), language=None, wrap_lines=True)


PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
footer { display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] {
  padding: 0.8rem 1.5rem 0.5rem 1.5rem !important; max-width: 100% !important;
}
h1 { font-size: clamp(1.6rem, 3vw, 2.6rem) !important; padding-top: 0.2rem !important; }
.te-kfs-grand { gap: 1rem; margin: 0.2rem 0 0.6rem 0; }
.te-kfs-grand .te-kf { flex: 1 1 0; background: #f4f6f8; border: none; border-radius: 10px;
  padding: 0.4rem 0.9rem; cursor: default; }
.te-kfs-grand .te-kf-v { font-size: clamp(1.5rem, 3vw, 3rem); font-weight: 700;
  line-height: 1.1; color: #0b3954; }
.te-kfs-grand .te-kf-l { font-size: clamp(0.9rem, 1.3vw, 1.2rem); line-height: 1.2;
  color: #333; }
.te-source { font-size: 0.95rem; color: #444; }
.te-filtres { font-size: clamp(1rem, 1.5vw, 1.3rem); color: #333; margin-top: -0.6rem;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
/* the title, key figures (labels on two lines: « Ruraux touchés (approximation) »), map,
   source and step buttons fit on one screen */
iframe[title="streamlit_folium.st_folium"] {
  height: max(340px, calc(100vh - 375px)) !important;
}
/* with the filters' line under the title */
.stApp:has(.te-filtres) iframe[title="streamlit_folium.st_folium"] {
  height: max(340px, calc(100vh - 410px)) !important;
}
</style>
"""


def presentation_style() -> None:
    """Hide the sidebar and chrome; large type."""
    st.html(PRESENTATION_CSS)


def parse_steps(text: str | None, reference: GeoReference | None = None) -> list[Scope]:
    """Read the ``etapes`` parameter (``niveau:code,…``); unreadable items are skipped, and so
    are territories that ``reference``, when given, does not know."""
    steps = []
    for item in (text or "").split(","):
        level, _, code = item.partition(":")
        if level in ("region", "departement", "epci", "territoire") and code:
            steps.append(Scope(level, code))  # type: ignore[arg-type]
        elif level == "france":
            steps.append(Scope())
    if reference is not None:
        steps = [step for step in steps if unknown_scope(step, reference) is None]
    return steps


def format_steps(steps: list[Scope]) -> str:
    """Inverse of ``parse_steps``."""
    return ",".join(s.level if s.level == "france" else f"{s.level}:{s.code}" for s in steps)


def step_neighbours(steps: list[Scope], current: Scope) -> tuple[Scope | None, Scope | None]:
    """Previous and next steps around the current scope (wrapping; first step when absent)."""
    if not steps:
        return None, None
    if current not in steps:
        return steps[-1], steps[0]
    index = steps.index(current)
    return steps[index - 1], steps[(index + 1) % len(steps)]


def go_to_scope(filters: Filters, scope: Scope) -> None:
    """Switch the session's filters to another scope (used by the step buttons)."""
    from territoires.ui.sidebar import set_filters

    set_filters(filters.with_scope(scope))


def escape(text: str) -> str:
    """HTML-escape a text for ``st.html``."""
    return html.escape(text)


def default_steps(reference: GeoReference) -> list[Scope]:
    """Territories stepped through by default: the named territories, else the régions.

    Groupings of whole régions (« France métropolitaine ») are scopes to choose, not the local
    territories a meeting goes through: they are left out.
    """
    local = [t for t in reference.territories.values() if not t.regions]
    if local:
        ordered = sorted(local, key=lambda t: t.label)
        return [Scope("territoire", t.id) for t in ordered]
    return [Scope("region", str(code)) for code in reference.regions["code"]]


def steps_params(steps: list[Scope], reference: GeoReference) -> dict[str, str]:
    """The ``etapes`` parameter when the steps differ from the default ones."""
    return {} if steps == default_steps(reference) else {STEPS_PARAM: format_steps(steps)}


def _step_candidates(reference: GeoReference) -> dict[str, str]:
    from territoires.ui.sidebar import territory_choices

    candidates: dict[str, str] = {}
    for level in ("territoire", "region", "departement"):
        for code, label in territory_choices(reference, level).items():
            candidates[f"{level}:{code}"] = f"{label} ({LEVEL_LABELS[level]})"
    return candidates


def _save_steps() -> None:
    chosen = st.session_state.get("steps_choice") or []
    if chosen:
        st.query_params[STEPS_PARAM] = ",".join(chosen)
    elif STEPS_PARAM in st.query_params:
        del st.query_params[STEPS_PARAM]


def steps_editor(steps: list[Scope], reference: GeoReference) -> None:
    """Choose the territories to step through in presentation mode."""
    candidates = _step_candidates(reference)
    current = [s for s in format_steps(steps).split(",") if s in candidates]
    if "steps_choice" not in st.session_state:
        st.session_state["steps_choice"] = current
    st.multiselect(
        "Territoires à présenter, dans l'ordre (boutons « Précédent » / « Suivant »)",
        list(candidates),
        format_func=lambda v: candidates.get(v, v),
        key="steps_choice",
        on_change=_save_steps,
        placeholder="Territoires nommés par défaut",
    )


def _enter_presentation() -> None:
    st.query_params[PRESENTATION_PARAM] = "1"


def _leave_presentation() -> None:
    if PRESENTATION_PARAM in st.query_params:
        del st.query_params[PRESENTATION_PARAM]


def presentation_toggle(key: str = "presentation_toggle", width: str = "content") -> None:
    """Button switching to presentation mode (also reachable with ``?presentation=1``)."""
    st.button(
        "Passer en mode présentation",
        key=key,
        on_click=_enter_presentation,
        icon=":material/slideshow:",
        type="primary",
        width=width,
        help="Masque les menus, agrandit le titre et les chiffres clés ; fond de carte « aucun » "
        "par défaut (fonctionne sans connexion).",
    )


def presentation_controls(
    filters: Filters, scope: Scope, steps: list[Scope], reference: GeoReference
) -> None:
    """Previous / next territory and a way back, under the map.

    The direction is an icon and the key a hint, both in sight when a long name is cut short:
    the keyboard's left and right arrows press the buttons (a presenter's laptop, or a clicker
    set to arrows).
    """
    from territoires.maps.build import scope_label

    previous, following = step_neighbours(steps, scope)
    left, middle, right, last = st.columns([1, 2, 1, 1])
    if previous is not None:
        left.button(
            markdown_literal(scope_label(reference, previous)),
            on_click=go_to_scope,
            args=(filters, previous),
            width="stretch",
            icon=":material/chevron_left:",
            shortcut="Left",
            help="Territoire précédent (touche ←)",
        )
    if scope in steps:
        middle.markdown(f"Étape {steps.index(scope) + 1} sur {len(steps)}")
    if following is not None:
        right.button(
            markdown_literal(scope_label(reference, following)),
            on_click=go_to_scope,
            args=(filters, following),
            width="stretch",
            icon=":material/chevron_right:",
            icon_position="right",
            shortcut="Right",
            help="Territoire suivant (touche →)",
        )
    last.button("Quitter la présentation", on_click=_leave_presentation, width="stretch")
