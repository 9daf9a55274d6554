"""« Carte »: initiatives over territories, key figures, breakdowns, exports, presentation mode."""

from __future__ import annotations

import streamlit as st

from territoires import texts
from territoires.exports import (
    FORMAT_LABELS,
    MIME_TYPES,
    export_about,
    export_initiatives,
    export_name,
    to_csv_bytes,
    to_xlsx_bytes,
)
from territoires.filters import filters_to_params, retained_line
from territoires.formatting import markdown_literal
from territoires.geo.rurality import rural_qualifier, rurality_label
from territoires.maps.build import (
    aggregated_table,
    build_live_map,
    build_map,
    map_options_to_params,
    scope_label,
    source_line,
)
from territoires.maps.export import standalone_html, static_png
from territoires.maps.metrics import MAP_LEVEL_LABELS, METRICS
from territoires.settings import get_settings
from territoires.ui import map_view as mv
from territoires.ui.cache import get_initiatives, get_reference
from territoires.ui.chrome import demo_data_shown
from territoires.ui.sidebar import (
    FILTER_PARAM_KEYS,
    filters_sidebar,
    pending_filters_sidebar,
    query_params,
    sync_query_params,
)

presentation = st.query_params.get(mv.PRESENTATION_PARAM) == "1"
if presentation:
    mv.presentation_style()
else:  # the title shows at once; in a meeting, each step keeps its title until the next one's
    st.title("Carte des initiatives")
reference = get_reference()
initiatives = get_initiatives()
rurality = mv.rurality_or_none()
rural = mv.rural_codes(rurality)
# The map comes first: until it reports that it is drawn, this view's first run leaves out the
# filter and map-option widgets (the browser would lay them all out before starting on the map).
controls = mv.map_drawn()
if controls:
    if not presentation:  # one click from the top of the sidebar, for a meeting
        with st.sidebar:
            mv.presentation_toggle(key="presentation_sidebar", width="stretch")
    filters, filtered = filters_sidebar(initiatives, reference, rurality=rurality)
else:
    filters, filtered = pending_filters_sidebar(
        initiatives, reference, rurality=rurality, show_key=mv.SHOW_CONTROLS_KEY
    )
scope = filters.scope
place = scope_label(reference, scope)
source = source_line(reference.manifest, demo_data_shown())
vintage = reference.population_vintage(reference.scope_communes(scope)) or "?"
default_options = mv.default_map_options(presentation, get_settings().basemap)
steps = mv.parse_steps(query_params().get(mv.STEPS_PARAM), reference) or mv.default_steps(reference)

retained = retained_line(filters)  # what the figures and the map count, for the room too
if presentation:  # the page's first element, as the title above: it replaces the last one
    st.title(f"Carte des initiatives — {markdown_literal(place)}")
    if retained:
        line = mv.escape(retained)
        st.html(f'<div class="te-filtres" title="{line}">{line}</div>')
else:
    st.caption(
        f"Périmètre : {markdown_literal(place)}. "
        + (f"{markdown_literal(retained)}. " if retained else "")
        + "Cliquez sur un territoire pour ouvrir sa fiche."
    )
figures_slot = st.container()
map_slot = st.container()
options_slot = st.container()  # under the map, so that its arrival does not move the map
if presentation or not controls:
    options = mv.current_map_options(default_options)
else:
    with options_slot:
        options = mv.map_options_widgets(default_options, rurality_label(reference))

params = {
    **filters_to_params(filters),
    **map_options_to_params(options, default_options),
    **mv.steps_params(steps, reference),
}
sync_query_params(params, (*FILTER_PARAM_KEYS, *mv.MAP_PARAM_KEYS, mv.STEPS_PARAM))

key = mv.view_key(initiatives, reference, filters, rurality)
figures = mv.figures_list(
    mv.compute_figures(filtered, reference, scope, rural, view_key=key),
    vintage,
    rural_qualifier(reference),
    rurality_label(reference),
)

data = mv.compute_choropleth(filtered, reference, scope, options, view_key=key)
level = data.level
web = mv.geometry_source()
fmap, live = build_live_map(
    filtered,
    reference,
    scope,
    options,
    rural_codes=rural,
    data=data,
    asset_base=mv.asset_base_url(),
    source="",  # the page shows its source line right under the map: a shorter legend
    large_legend=presentation,
    fill_frame=presentation,  # the presentation style sets the frame's height
    web_dir=web[0] if web else None,
    web_base=web[1] if web else None,
    announce=True,
)
with map_slot:
    clicked = mv.show_map(
        fmap, height=mv.PRESENTATION_MAP_HEIGHT if presentation else mv.MAP_HEIGHT, live=live
    )
with figures_slot:  # sent after the map, shown above it: the browser starts on the map sooner
    mv.show_key_figures(figures, large=presentation)
    if filtered.empty and not initiatives.empty:
        st.info(
            texts.NO_MATCH_PRESENTATION if presentation else texts.NO_MATCH,
            icon=":material/filter_alt_off:",
        )
if presentation:
    st.html(f'<div class="te-source">{mv.escape(source)}</div>')
    mv.presentation_controls(filters, scope, steps, reference)
    st.stop()

if clicked:
    mv.fiche_link(clicked)
st.caption(source)
if not controls:
    st.stop()  # breakdowns and menus come with the controls, on the next run
mv.breakdown_charts(filtered)

title = f"{METRICS[options.metric].label} — {place}"
# Lazy expanders: what they hold (download buttons, the link in a code block, the list of
# steps) is sent only once they are opened, so it does not delay the map's first draw.
exports = st.expander(
    "Exporter", icon=":material/download:", key="carte_exports", on_change="rerun"
)
if exports.open:
    # the XLSX files' « À propos » sheet
    about = export_about(place, filters, source, rurality=rurality_label(reference))
    with exports:
        st.markdown("**Initiatives filtrées**")
        mv.download_buttons(
            [
                (
                    f"Initiatives ({FORMAT_LABELS[fmt]})",
                    export_name("initiatives", place, ext=fmt),
                    MIME_TYPES[fmt],
                    lambda fmt=fmt: export_initiatives(filtered, reference, fmt, about=about),
                )
                for fmt in ("csv", "xlsx", "geojson")
            ]
        )
        st.markdown(f"**Tableau par territoire** ({MAP_LEVEL_LABELS[level]})")
        table = aggregated_table(data)
        mv.download_buttons(
            [
                (
                    "Tableau (CSV)",
                    export_name("territoires", MAP_LEVEL_LABELS[level], place, ext="csv"),
                    MIME_TYPES["csv"],
                    lambda: to_csv_bytes(table),
                ),
                (
                    "Tableau (XLSX)",
                    export_name("territoires", MAP_LEVEL_LABELS[level], place, ext="xlsx"),
                    MIME_TYPES["xlsx"],
                    lambda: to_xlsx_bytes(table, "Territoires", about=about),
                ),
            ]
        )
        st.markdown("**Carte**")
        mv.download_buttons(
            [
                (
                    "Carte interactive hors ligne (HTML)",
                    export_name("carte", METRICS[options.metric].label, place, ext="html"),
                    "text/html",
                    lambda: standalone_html(
                        build_map(
                            filtered,
                            reference,
                            scope,
                            options,
                            rural_codes=rural,
                            data=data,
                            asset_base=None,
                            source=f"{retained}. {source}" if retained else source,
                        ),
                        title,
                    ),
                ),
                (
                    "Image pour diaporama (PNG)",
                    export_name("carte", METRICS[options.metric].label, place, ext="png"),
                    "image/png",
                    lambda: static_png(
                        reference,
                        scope,
                        data,
                        title=title,
                        subtitle=retained,
                        source=source,
                    ),
                ),
            ]
        )

sharing = st.expander(
    "Partager et présenter",
    icon=":material/co_present:",
    key="carte_sharing",
    on_change="rerun",
)
if sharing.open:
    with sharing:
        mv.copy_link_control({**params})
        mv.steps_editor(steps, reference)
        mv.presentation_toggle()
