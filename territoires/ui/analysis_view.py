"""Streamlit side of « Couverture » and « Fiche territoire »: cached analyses and shared widgets.

The analyses themselves are pure functions of ``territoires.analysis``; this module only caches
them per (data version, filters, reach) and draws the small widgets both pages share.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from territoires import texts
from territoires.analysis.coverage import commune_coverage, coverage
from territoires.analysis.index import known_index
from territoires.analysis.indicators import DIRECTION_LABELS, Indicator, builtin_indicators
from territoires.analysis.indicators import frr_codes as reference_frr_codes
from territoires.analysis.profile import TerritoryKey, territory_key
from territoires.analysis.ranking import REFERENCE_LEVELS, rank_territories
from territoires.analysis.score import (
    COVERAGE_KEYS,
    COVERAGE_LABELS,
    DEFAULT_FLAGGED_SHARE,
    DEFAULT_NEED_SHARE,
    ScoreSettings,
    Selection,
)
from territoires.analysis.tables import COLUMN_LABELS, need_labels
from territoires.errors import TerritoiresError
from territoires.filters import Filters, filters_to_params
from territoires.formatting import fr_number, markdown_literal
from territoires.geo.reference import LEVEL_LABELS, GeoReference, Scope
from territoires.geo.rurality import rural_qualifier, rurality_label
from territoires.links import quoted
from territoires.ui.access_view import current_access
from territoires.ui.cache import get_reference, per_frame
from territoires.ui.selection import selectable_table
from territoires.ui.sidebar import filtered_initiatives, territory_choices

ANALYSIS_LEVELS: tuple[str, ...] = ("epci", "commune", "territoire", "departement", "region")
FICHE_LEVELS: tuple[str, ...] = ("commune", "epci", "territoire", "departement", "region")
RADIUS_DEFAULT = 15
RADIUS_BOUNDS = (5, 50)


def default_level(reference: GeoReference, scope: Scope) -> str:
    """The level to rank a scope's territories at: EPCI over a département or wider (France, a
    région, a grouping of régions such as « France métropolitaine »), communes within a
    smaller territory such as the Centre-Bretagne."""
    wide = scope.level in ("region", "departement") or reference.spans_regions(scope)
    return "epci" if wide else "commune"


def data_key(initiatives: pd.DataFrame) -> str:
    """A short fingerprint of the initiatives (ids and modification times) for cache keys."""
    if initiatives.empty:
        return "vide"
    return per_frame(initiatives, "data_key", lambda: _digest(initiatives))


def _digest(initiatives: pd.DataFrame) -> str:
    columns = [c for c in ("id", "modifie_le") if c in initiatives]
    digest = pd.util.hash_pandas_object(initiatives[columns].astype(str), index=False).sum()
    return f"{len(initiatives)}-{int(digest)}"


def analysis_pool(
    initiatives: pd.DataFrame,
    filters: Filters,
    reference: GeoReference,
    rurality: pd.DataFrame | None,
) -> pd.DataFrame:
    """The filtered initiatives **without** the territorial scope.

    Distances must see initiatives just across the scope's border; the scope only chooses
    which territories are shown.
    """
    unscoped = replace(filters, scope=Scope())
    return filtered_initiatives(initiatives, unscoped, reference, rurality)


def pool_key(filters: Filters, initiatives: pd.DataFrame) -> str:
    """Cache key of the pool: the non-territorial filters and the data version."""
    params = filters_to_params(replace(filters, scope=Scope()))
    return urlencode(sorted(params.items())) + "|" + data_key(initiatives)


@st.cache_data(show_spinner="Calcul des distances…", max_entries=6)
def _commune_coverage(key: str, radius_km: float, _pool: pd.DataFrame, _ref: GeoReference):
    return commune_coverage(_pool, _ref, radius_km=radius_km)


def cached_commune_coverage(
    pool: pd.DataFrame, reference: GeoReference, radius_km: float, key: str
) -> pd.DataFrame:
    """``commune_coverage`` cached per pool key and reach: shared by every session when the
    pool is (``analysis_pool``), else in this session's cache."""
    index = known_index(pool, reference)
    if index is None:
        return _commune_coverage(key, float(radius_km), pool, reference)
    return index.recent(
        ("commune_coverage", float(radius_km)),
        lambda: commune_coverage(pool, reference, radius_km=radius_km),
    )


def cached_coverage(
    pool: pd.DataFrame,
    reference: GeoReference,
    level: str,
    scope: Scope,
    *,
    radius_km: float,
    rural: frozenset[str] | None,
    frr: set[str],
    communes: pd.DataFrame,
    themes: tuple[str, ...] | None,
) -> pd.DataFrame:
    """``coverage`` per territory, computed once per pool (data version and filters), level,
    scope, reach and themes for every session when the pool is shared (``analysis_pool``);
    read-only."""

    def compute() -> pd.DataFrame:
        return coverage(
            pool,
            reference,
            level,  # type: ignore[arg-type]
            scope,
            radius_km=radius_km,
            rural_codes=rural_set(rural),
            frr_codes=frr,
            communes=communes,
            themes=themes,
        )

    index = known_index(pool, reference)
    if index is None:
        return compute()
    rural_key = len(rural) if rural is not None else None
    key = ("coverage", level, repr(scope), float(radius_km), repr(themes), rural_key, len(frr))
    return index.recent(key, compute)


def frr_codes(rurality: pd.DataFrame | None = None) -> set[str]:
    """FRR communes: the imported list, else the committed one (ANCT, 10 July 2025).

    ``rurality`` is accepted for the pages' existing calls; the list lives on the reference.
    """
    return reference_frr_codes(get_reference())


def need_indicators(reference: GeoReference) -> list[Indicator]:
    """The need indicators offered: built in (memoised per reference), then imported."""
    from territoires.ui.cache import get_stored_indicators

    return builtin_indicators(reference) + list(get_stored_indicators())


DIRECTION_CHOICES = {
    "eleve": "Une valeur élevée signale un besoin (taux de pauvreté, part des 75 ans ou plus)",
    "faible": "Une valeur faible signale un besoin (médecins accessibles, revenu médian)",
}


def _read_upload(upload, reference: GeoReference, column: str | None, level: str | None):
    """The uploaded file read as an indicator table (through a temporary file)."""
    import tempfile
    from pathlib import Path

    from territoires.analysis.indicator_files import read_indicator_table

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        return read_indicator_table(path, reference, column=column, level=level)  # type: ignore[arg-type]


def indicator_import_panel(reference: GeoReference) -> None:
    """Import a need indicator (CSV or XLSX by commune or EPCI) and list the imported ones."""
    with st.expander("Importer un indicateur de besoin", icon=":material/upload_file:"):
        st.caption(
            "Un tableau par commune ou par EPCI, tel que l'exportent l'Observatoire des "
            "territoires ou l'INSEE : une colonne de codes, un libellé, une ou plusieurs "
            "colonnes de valeurs (virgule décimale, lignes de titre et valeurs secrètes "
            "acceptées). L'indicateur devient une composante du besoin, avec son sens."
        )
        editor = current_access().may("editeur")
        if not editor:
            st.caption("Importer ou retirer un indicateur est réservé aux éditeurs.")
        upload = None
        if editor:
            from territoires.ui.chrome import uploaded_file_in_french, uploader_in_french

            types = ["csv", "xlsx", "txt"]
            uploader_in_french(types)
            upload = st.file_uploader(
                "Fichier CSV ou XLSX", type=types, key="cov_indicateur_fichier"
            )
            uploaded_file_in_french(upload)
        if upload is not None:
            _import_form(upload, reference)
        _imported_list(editor)


def _import_form(upload, reference: GeoReference) -> None:
    from territoires.ui.cache import clear_after_write, store_session

    column = st.session_state.get("cov_indicateur_colonne")
    try:
        table = _read_upload(upload, reference, column, None)
    except TerritoiresError as exc:
        st.error(markdown_literal(exc.user_message))
        return
    if len(table.columns) > 1:
        st.selectbox(
            "Colonne de valeurs",
            table.columns,
            index=table.columns.index(table.column),
            key="cov_indicateur_colonne",
            placeholder=texts.CHOOSE,
        )
    st.caption(markdown_literal(table.summary()))
    with st.form("cov_indicateur_form"):
        label = st.text_input(
            "Libellé", value=table.label_hint or table.column, key="cov_indicateur_libelle"
        )
        direction = st.radio(
            "Sens",
            list(DIRECTION_CHOICES),
            format_func=DIRECTION_CHOICES.get,
            index=0,
            key="cov_indicateur_sens",
        )
        left, right = st.columns(2)
        source = left.text_input("Source (producteur, jeu de données)", key="cov_indicateur_source")
        vintage = right.text_input(
            "Millésime", value=table.vintage_hint, key="cov_indicateur_millesime"
        )
        unit = st.text_input(
            "Unité (facultatif : %, pour 100 000 hab.…)", key="cov_indicateur_unite"
        )
        submitted = st.form_submit_button("Importer l'indicateur", icon=":material/upload:")
    if not submitted:
        return
    record = table.record(label, direction, source, vintage, unit, upload.name)
    if isinstance(record, str):
        st.error(record)
        return
    try:
        with store_session() as store:
            store.save_indicator(record, table.values, actor=current_access().actor())
    except TerritoiresError as exc:
        st.error(markdown_literal(exc.user_message))
        return
    clear_after_write()
    st.success(f"Indicateur « {markdown_literal(label.strip())} » importé.")


def _imported_list(editor: bool) -> None:
    from territoires.ui.cache import clear_after_write, get_stored_indicators, store_session

    imported = list(get_stored_indicators())
    if not imported:
        return
    st.markdown("**Indicateurs importés**")
    for indicator in imported:
        left, right = st.columns([5, 1])
        left.markdown(
            markdown_literal(
                f"{indicator.label} — {indicator.source}, millésime {indicator.vintage} "
                f"({'par EPCI' if indicator.level == 'epci' else 'par commune'}, "
                f"{DIRECTION_LABELS[indicator.direction]})"
            )
        )
        if editor and right.button(
            "Retirer", key=f"cov_retirer_{indicator.key}", icon=":material/delete:"
        ):
            ident = int(indicator.key.removeprefix("import-"))
            with store_session() as store:
                store.remove_indicator(ident, actor=current_access().actor())
            clear_after_write()
            st.rerun()


@st.cache_data(show_spinner="Calcul du classement…", max_entries=12)
def _ranking(key: tuple, _pool, _reference, _indicators, _communes, _rural) -> pd.DataFrame:
    level, scope, settings, selection, reference_level, radius = key[:6]
    return rank_territories(
        _pool,
        _reference,
        level,
        scope,
        settings=settings,
        indicators=_indicators,
        selection=selection,
        reference_level=reference_level,
        radius_km=radius,
        rural_codes=_rural,
        frr_codes=reference_frr_codes(_reference),
        communes=_communes,
    )


def cached_ranking(
    pool: pd.DataFrame,
    reference: GeoReference,
    *,
    level: str,
    scope: Scope,
    settings: ScoreSettings,
    selection: Selection,
    reference_level: str,
    radius_km: float,
    indicators: list[Indicator],
    communes: pd.DataFrame,
    rural: frozenset[str] | None,
    key: str,
) -> pd.DataFrame:
    """``rank_territories`` cached per pool key and every setting (a slider move that comes
    back to a previous value is instant)."""
    # an indicator imported again under the same label keeps its key: its values count too
    indicator_key = tuple(
        (i.key, i.vintage, len(i.values), float(i.values.sum())) for i in indicators
    )
    arguments = (level, scope, settings, selection, reference_level, float(radius_km))
    return _ranking(
        (*arguments, indicator_key, key), pool, reference, indicators, communes, rural_set(rural)
    )


def rural_set(rural: frozenset[str] | None) -> set[str] | None:
    return set(rural) if rural is not None else None


def radius_slider(key: str) -> float:
    """The reach X in km (default 15)."""
    return float(
        st.slider(
            "Portée d'une initiative (km)",
            min_value=RADIUS_BOUNDS[0],
            max_value=RADIUS_BOUNDS[1],
            value=RADIUS_DEFAULT,
            step=1,
            key=key,
            help="Une commune est « couverte » si une initiative se trouve à cette distance "
            "ou moins (à vol d'oiseau).",
        )
    )


def fiche_url(level: str, code: str) -> str:
    """Relative URL of a territory's fiche."""
    return "./fiche?" + urlencode({"niveau": level, "code": code})


def with_fiche_links(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """Add a « Fiche » link column built from ``code``."""
    return frame.assign(Fiche=[fiche_url(level, str(code)) for code in frame["code"]])


def rural_share_header() -> str:
    """« Part rurale (approximation) », or with the imported grid's name."""
    return f"{COLUMN_LABELS['part_rurale']} ({rural_qualifier(get_reference())})"


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """French column headers for display; population columns name their vintage."""
    vintage = get_reference().population_vintage()
    labels = dict(COLUMN_LABELS, part_rurale=rural_share_header())
    if vintage:
        for column in (
            "population",
            "population_non_couverte",
            "population_nouvellement_couverte",
            "population_cumulee",
        ):
            if column in labels:
                labels[column] = f"{labels[column]} ({vintage})"
    return frame.rename(columns=labels)


def percent_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Shares in [0, 1] as percentages (for display)."""
    result = frame.copy()
    for column in columns:
        if column in result:
            result[column] = result[column] * 100
    return result


def fiche_page_link(key: TerritoryKey, label: str | None = None) -> None:
    """A link to a territory's fiche."""
    st.page_link(
        "app_pages/fiche.py",
        label=label or f"Ouvrir la fiche : {markdown_literal(key.label)}",
        icon=":material/location_city:",
        query_params={"niveau": key.level, "code": key.code},
    )


def territory_picker(
    reference: GeoReference, prefix: str, default: TerritoryKey | None = None
) -> TerritoryKey | None:
    """Level + territory selectors (communes by INSEE code or name); None until chosen."""
    levels = list(FICHE_LEVELS)
    level_index = levels.index(default.level) if default and default.level in levels else 1
    left, right = st.columns([1, 2])
    level = left.selectbox(
        "Niveau",
        levels,
        index=level_index,
        format_func=lambda v: LEVEL_LABELS.get(v, v),
        key=prefix + "niveau",
        placeholder=texts.CHOOSE,
    )
    if level == "commune":
        return _commune_picker(reference, right, prefix, default)
    choices = territory_choices(reference, level)
    codes = list(choices)
    index = codes.index(default.code) if default and default.code in choices else None
    code = right.selectbox(
        "Territoire",
        codes,
        index=index,
        format_func=lambda c: choices.get(c, c),
        placeholder="Choisissez un territoire",
        key=prefix + "code_" + level,
    )
    return territory_key(reference, level, code) if code else None


def _commune_picker(reference, container, prefix: str, default: TerritoryKey | None):
    text = container.text_input(
        "Commune (code INSEE ou nom)",
        value=default.code if default and default.level == "commune" else "",
        key=prefix + "commune",
    ).strip()
    if not text:
        return None
    communes = reference.communes
    exact = communes.loc[communes["code_insee"] == text.upper()]
    if not exact.empty:
        return territory_key(reference, "commune", str(exact.iloc[0]["code_insee"]))
    matches = communes.loc[communes["nom"].str.lower().str.startswith(text.lower())].head(50)
    if matches.empty:
        container.warning(f"Aucune commune ne correspond à « {markdown_literal(quoted(text))} ».")
        return None
    labels = reference.commune_labels().reindex(matches["code_insee"]).to_numpy()
    options = dict(
        zip(
            matches["code_insee"],
            labels + " (" + matches["departement_code"].astype(str).to_numpy() + ")",
            strict=True,
        )
    )
    code = container.selectbox(
        "Communes trouvées",
        list(options),
        format_func=options.get,
        key=prefix + "trouvees",
        placeholder=texts.CHOOSE,
    )
    return territory_key(reference, "commune", str(code)) if code else None


def key_from_params(reference: GeoReference, level: str | None, code: str | None):
    """The territory named in the URL, or None (with a French warning when unknown)."""
    if not level or not code:
        return None
    try:
        return territory_key(reference, level, code)
    except TerritoiresError as exc:
        st.warning(f"Lien : {markdown_literal(exc.user_message)}")
        return None


# --- widgets of the « Couverture » page ----------------------------------------------------

RANKING_SHOWN = [
    "rang",
    "nom",
    "score",
    "score_couverture",
    "score_besoin",
    "raisons",
    "population",
    "part_rurale",
    "initiatives",
    "initiatives_accessibles_10k_hab",
    "distance_moyenne_km",
    "themes_manquants",
    "code",
]
COVERAGE_SHOWN = [
    "code",
    "nom",
    "population",
    "part_rurale",
    "initiatives",
    "montant",
    "initiatives_10k_hab",
    "initiatives_accessibles_10k_hab",
    "euros_par_hab",
    "part_population_touchee",
    "distance_mediane_km",
    "distance_moyenne_km",
    "population_non_couverte",
    "themes_presents",
    "themes_manquants",
    "financeurs",
    "part_population_frr",
]
STEPS_SHOWN = [
    "rang",
    "nom",
    "departement_code",
    "population",
    "besoin",
    "communes_nouvellement_couvertes",
    "population_nouvellement_couverte",
    "population_ponderee_nouvellement_couverte",
    "population_cumulee",
    "part_cumulee",
]
SHARE_COLUMNS = ["part_rurale", "part_population_touchee", "part_population_frr", "part_cumulee"]


def _column_config() -> dict:
    percent = st.column_config.NumberColumn(format="%.0f %%")
    return {
        "Score": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f"),
        "Couverture (0-100)": st.column_config.NumberColumn(format="%.0f"),
        "Besoin (0-100)": st.column_config.NumberColumn(format="%.0f"),
        "Besoin (0-1)": st.column_config.NumberColumn(format="%.2f"),
        "Initiatives accessibles / 10 000 hab.": st.column_config.NumberColumn(format="%.2f"),
        "Raisons": st.column_config.TextColumn(width="large"),
        rural_share_header(): st.column_config.NumberColumn(
            format="%.0f %%",
            help="Part de la population vivant dans une commune rurale ; ruralité : "
            f"{rurality_label(get_reference())}.",
        ),
        "Population touchée": percent,
        "Population en FRR": percent,
        "Part couverte (cumul)": percent,
        "Montant (€)": st.column_config.NumberColumn(format="%.0f €"),
        "Initiatives / 10 000 hab.": st.column_config.NumberColumn(format="%.2f"),
        "€ / habitant": st.column_config.NumberColumn(format="%.2f"),
        "Distance médiane (km)": st.column_config.NumberColumn(format="%.1f"),
        "Distance moyenne pondérée (km)": st.column_config.NumberColumn(format="%.1f"),
        "Fiche": st.column_config.LinkColumn(display_text="Ouvrir la fiche"),
    }


def _display(frame: pd.DataFrame, level: str | None) -> pd.DataFrame:
    shown = with_fiche_links(frame, level) if level else frame
    return labelled(percent_columns(shown, SHARE_COLUMNS))


def metric_row(items: list[tuple[str, str]]) -> None:
    """Key figures side by side."""
    for column, (label, value) in zip(st.columns(len(items)), items, strict=True):
        column.metric(label, value, border=True)


REFERENCE_LABELS = {"departement": "Son département", "region": "Sa région", "france": "La France"}


def reference_choice(key: str) -> str:
    """The territory the reasons compare each value with."""
    return st.selectbox(
        "Comparer à",
        REFERENCE_LEVELS,
        format_func=REFERENCE_LABELS.get,
        key=key,
        placeholder=texts.CHOOSE,
        help="Chaque raison donne la valeur du territoire et celle de son département, de sa "
        "région (celui ou celle qui compte le plus de ses habitants) ou de la France.",
    )


def flagged_share_slider(key: str) -> float:
    """The share of ranked territories flagged (20 % by default)."""
    return (
        st.slider(
            "Part des territoires signalés (%)",
            5,
            50,
            int(100 * DEFAULT_FLAGGED_SHARE),
            5,
            key=key,
            help="Les territoires classés en tête, dans cette proportion, sont signalés comme "
            "les moins couverts.",
        )
        / 100
    )


def _indicator_help(indicator: Indicator) -> str:
    return (
        f"{indicator.description} Source : {indicator.source}, millésime {indicator.vintage}. "
        f"Sens : {DIRECTION_LABELS[indicator.direction]}."
    )


def score_settings_widgets(
    indicators: list[Indicator], themes_considered: int, flagged_share: float
) -> ScoreSettings:
    """The expander of the score's parts and weights; returns the chosen settings."""
    defaults = ScoreSettings()
    with st.expander("Composantes du score et leurs poids", icon=":material/tune:"):
        need_share = st.slider(
            "Part du besoin dans le score (%)",
            0,
            100,
            int(100 * DEFAULT_NEED_SHARE),
            5,
            key="cov_part_besoin",
            help="Le reste du score est la partie « couverture ».",
        )
        left, right = st.columns(2)
        left.markdown("**Couverture** (initiatives retenues par les filtres)")
        coverage = {
            name: left.slider(
                COVERAGE_LABELS[name],
                0.0,
                1.0,
                defaults.coverage.get(name, 0.0),
                0.05,
                key=f"cov_w_{name}",
                disabled=name == "themes" and themes_considered < 2,
                help="Sans effet avec un seul thème retenu : il redirait « aucune initiative »."
                if name == "themes"
                else None,
            )
            for name in COVERAGE_KEYS
        }
        right.markdown("**Besoin** (indicateurs, avec leur source)")
        need = {
            indicator.key: right.slider(
                f"{indicator.label} ({indicator.vintage})",
                0.0,
                1.0,
                float(defaults.need.get(indicator.key, 1.0 if indicator.imported else 0.0)),
                0.05,
                key=f"cov_w_besoin_{indicator.key}",
                help=_indicator_help(indicator),
            )
            for indicator in indicators
        }
    return ScoreSettings(
        coverage_weights=tuple(coverage.items()),
        need_weights=tuple(need.items()),
        need_share=need_share / 100,
        flagged_share=flagged_share,
    )


NEED_FORMATS = {"part": "%.0f %%", "evolution": "%+.1f %%", "km": "%.1f km", "valeur": "%.2f"}


def _need_display(
    ranked: pd.DataFrame, indicators: list[Indicator]
) -> tuple[pd.DataFrame, dict[str, str], dict]:
    """The need columns of a ranking for display: percentages × 100, headers, formats."""
    frame = pd.DataFrame(index=ranked.index)
    labels = need_labels(indicators)
    config = {}
    for indicator in indicators:
        column = f"besoin_{indicator.key}"
        if column not in ranked:
            continue
        scale = 100 if indicator.unit in ("part", "evolution") else 1
        frame[column] = ranked[column] * scale
        config[labels[column]] = st.column_config.NumberColumn(
            format=NEED_FORMATS[indicator.unit], help=_indicator_help(indicator)
        )
    return frame, labels, config


def ranking_table(
    ranked: pd.DataFrame, level: str, reference: GeoReference, indicators: list[Indicator]
) -> None:
    """The ranking; selecting a row shows its full reasons and a link to its fiche."""
    shown = ranked[RANKING_SHOWN]
    needs, labels, config = _need_display(ranked, indicators)
    display = _display(shown, level)
    display = pd.concat([display, needs.rename(columns=labels)], axis=1)
    code = selectable_table(
        display,
        shown["code"],
        key="cov_ranking",
        hide_index=True,
        width="stretch",
        height=420,
        column_config={**_column_config(), **config},
    )
    if code is None:
        st.caption("Sélectionnez une ligne pour lire ses raisons en entier et ouvrir sa fiche.")
        return
    row = shown.loc[shown["code"] == code].iloc[0]
    name, reasons = markdown_literal(str(row["nom"])), markdown_literal(str(row["raisons"]))
    st.info(
        f"**{name}** — rang {row['rang']}, score {fr_number(row['score'], 1)} / 100 "
        f"(couverture {fr_number(row['score_couverture'])}, besoin "
        f"{fr_number(row['score_besoin'])}). {reasons}"
    )
    fiche_page_link(territory_key(reference, level, str(row["code"])))


def coverage_table(table: pd.DataFrame, level: str) -> None:
    """The coverage measures of every territory."""
    st.dataframe(
        _display(table[COVERAGE_SHOWN], level),
        hide_index=True,
        width="stretch",
        height=520,
        column_config=_column_config(),
    )


def steps_table(sites: pd.DataFrame) -> None:
    """The greedy steps: newly covered population and cumulative total (with the need
    columns only under the « besoin » objective)."""
    shown = [c for c in STEPS_SHOWN if c in sites]
    if sites.attrs.get("objectif") != "besoin":
        shown = [
            c for c in shown if c not in ("besoin", "population_ponderee_nouvellement_couverte")
        ]
    st.dataframe(
        _display(sites[shown], None),
        hide_index=True,
        width="stretch",
        column_config=_column_config(),
    )


def table_downloads(
    frame: pd.DataFrame, name: tuple[str, ...], sheet: str, extra=(), about=()
) -> None:
    """CSV and XLSX buttons for a table (formula-safe exports), plus ``extra`` buttons.

    ``name`` holds the parts of the files' names (``exports.export_name``); ``about``, the
    lines of the XLSX's « À propos » sheet (``exports.export_about``).
    """
    from territoires.exports import MIME_TYPES, export_name, to_csv_bytes, to_xlsx_bytes
    from territoires.ui.map_view import download_buttons

    download_buttons(
        [
            (
                f"{sheet} (CSV)",
                export_name(*name, ext="csv"),
                MIME_TYPES["csv"],
                lambda: to_csv_bytes(frame),
            ),
            (
                f"{sheet} (XLSX)",
                export_name(*name, ext="xlsx"),
                MIME_TYPES["xlsx"],
                lambda: to_xlsx_bytes(frame, sheet[:31], about=about),
            ),
            *extra,
        ]
    )
