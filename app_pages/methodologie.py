"""« Méthodologie et sources »: data sources with their vintages, and how figures are computed."""

from __future__ import annotations

import streamlit as st

from territoires.docs import (
    initiatives_source,
    methodology_markdown,
    rurality_quality_markdown,
    sources_table,
)
from territoires.geo.rurality import NATIONAL_RURAL_SHARES, approximation_quality, frr_frame
from territoires.geo.sources import read_bretagne_grid
from territoires.ui.analysis_view import need_indicators
from territoires.ui.cache import get_reference, get_rurality, store_session
from territoires.ui.chrome import demo_data_shown

st.title("Méthodologie et sources")

reference = get_reference()
with store_session() as store:
    imports = store.last_imports(limit=1)
last_import = None if imports.empty else str(imports["importe_le"].iloc[0])[:10]
table = sources_table(
    reference.manifest,
    get_rurality(),
    frr=frr_frame(),
    initiatives=initiatives_source(demo_data_shown(), last_import),
    indicators=need_indicators(reference),
)
st.subheader("Jeux de données et millésimes")
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={"Source": st.column_config.LinkColumn("Source")},
)
quality = approximation_quality(reference.communes, read_bretagne_grid())
st.markdown(methodology_markdown(rurality_quality_markdown(quality, NATIONAL_RURAL_SHARES)))
