"""« Administration » (admins): users and roles, merges of funders and themes, restore of
deleted initiatives."""

from __future__ import annotations

import streamlit as st

from territoires.ui.admin_view import deleted_panel, merge_panel, users_panel
from territoires.ui.editing_view import show_flash

st.title("Administration")
st.caption(
    "Réservée aux administrateurs. Chaque action est inscrite à l'historique, avec votre adresse."
)
show_flash()
users, merges, deleted = st.tabs(
    ["Utilisateurs et rôles", "Fusionner financeurs et thèmes", "Initiatives supprimées"]
)
with users:
    users_panel()
with merges:
    merge_panel()
with deleted:
    deleted_panel()
