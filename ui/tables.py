"""Rows for the page's tables (``dataframe``) and the charts as an Arrow table, built without pandas.

Streamlit sends a table to the browser as Arrow bytes. Handed a list of dicts, it first builds a pandas
DataFrame and converts that (about 3 ms for a chart's 500 points, 2-8 ms for a table); an Arrow table built
from the same rows goes straight to bytes (0.3 ms). That is on the path of every rerun of History, Burst,
Activity and Sandbox, whatever the history's size.

Values a page shows may come from anywhere (an endpoint's answer, a person's comment): when Arrow cannot
type a column (an int beside a text, a number too big for 64 bits) the rows are handed over as they are, and
Streamlit's own pandas conversion shows them as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
import streamlit as st


def arrow_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> pa.Table | list[Any]:
    """``rows`` as an Arrow table with ``columns`` (every key of the rows, in the order first seen, when not
    given). NaN shows as an empty cell, as pandas showed it."""
    names = list(columns) if columns is not None else list(dict.fromkeys(name for row in rows for name in row))
    try:
        return pa.table({name: pa.array([row.get(name) for row in rows], from_pandas=True) for name in names})
    except (pa.ArrowException, TypeError, ValueError, OverflowError):  # incl. a text Arrow cannot encode
        return [dict(row) for row in rows]


def dataframe(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, **options: Any) -> Any:
    """``st.dataframe`` of ``rows`` (as an Arrow table), without the index and as wide as its container;
    ``options`` go to ``st.dataframe`` (column_config, a key and a selection mode, ...)."""
    return st.dataframe(arrow_table(rows, columns), **{"hide_index": True, "width": "stretch", **options})


__all__ = ["arrow_table", "dataframe"]
