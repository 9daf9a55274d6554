"""Tables whose rows can be selected: the selection is read as the id of a row, never as a
position in whatever list the page shows now.

Streamlit keeps a table's selection as row positions, and keeps it when the rows change (a
search typed after a click, another user's import): read against the new rows, the 6th row
selected in a list of 480 points past the end of a list of 3, or at another initiative. Here
the table's key carries a digest of the ids it shows, so that a table of other rows is a new
table, with no selection; within one list, a position gives the id of the row clicked.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st


def rows_key(prefix: str, ids: pd.Series) -> str:
    """A table key that changes with the ids of its rows, in their order."""
    digest = hashlib.sha1("\x1f".join(ids.astype(str)).encode("utf-8")).hexdigest()[:16]
    return f"{prefix}_{digest}"


def selected_id(rows: list[int], ids: pd.Series) -> object | None:
    """The id of the selected row, or None (no selection, or a position off the list)."""
    if not rows or not 0 <= rows[0] < len(ids):
        return None
    return ids.iloc[rows[0]]


def selectable_table(frame: pd.DataFrame, ids: pd.Series, *, key: str, **options) -> object:
    """``st.dataframe`` with single-row selection; returns the selected row's id, or None.

    Parameters
    ----------
    frame : DataFrame
        The table shown.
    ids : Series
        The id of each of its rows, in the same order.
    key : str
        The table's name; its widget key adds the digest of ``ids``.
    **options
        Passed to ``st.dataframe`` (``column_config``, ``height``…).
    """
    if len(ids) != len(frame):
        raise ValueError(f"expected one id per row ({len(frame)}), got {len(ids)}")
    event = st.dataframe(
        frame,
        on_select="rerun",
        selection_mode="single-row",
        key=rows_key(key, ids),
        **options,
    )
    return selected_id(list(event.selection.rows) if event is not None else [], ids)
