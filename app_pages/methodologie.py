"""« Méthodologie et sources »: data sources with their vintages, and how figures are computed."""

from __future__ import annotations

import streamlit as st

from territoires.docs import methodology_markdown, sources_table
from territoires.ui.cache import get_reference, get_rurality

st.title("Méthodologie et sources")

reference = get_reference()
st.subheader("Jeux de données et millésimes")
st.dataframe(sources_table(reference.manifest, get_rurality()), hide_index=True, width="stretch")
st.markdown(methodology_markdown())
