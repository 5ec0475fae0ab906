"""Tables and chart data go to Streamlit as Arrow tables; rows Arrow cannot type are handed over as they are."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from ui.tables import arrow_table

VALUES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30)


def test_rows_become_an_arrow_table_with_their_columns_in_order() -> None:
    table = arrow_table([{"#": 2, "outcome": "ok", "elapsed (ms)": 12.5}, {"#": 1, "outcome": "timeout",
                                                                         "elapsed (ms)": 10000.0}])
    assert isinstance(table, pa.Table)
    assert table.column_names == ["#", "outcome", "elapsed (ms)"]
    assert table.to_pylist()[1] == {"#": 1, "outcome": "timeout", "elapsed (ms)": 10000.0}


def test_named_columns_are_kept_when_there_is_no_row() -> None:
    table = arrow_table([], ["#", "outcome"])
    assert isinstance(table, pa.Table) and table.column_names == ["#", "outcome"] and table.num_rows == 0


def test_a_column_arrow_cannot_type_hands_the_rows_over_unchanged() -> None:
    rows = [{"HTTP": 200, "note": "a"}, {"HTTP": "(no answer)", "note": "b"}, {"HTTP": 2 ** 70, "note": "c"}]
    assert arrow_table(rows) == rows
    lone_surrogate = [{"value": "\ud800 from an endpoint's JSON"}]
    assert arrow_table(lone_surrogate) == lone_surrogate
    assert arrow_table([{1: "x"}]) == [{1: "x"}]  # type: ignore[dict-item]


def test_every_column_of_every_row_is_shown_and_nan_is_an_empty_cell() -> None:
    table = arrow_table([{"a": 1}, {"b": 2.5}, {"a": 3, "b": float("nan")}])
    assert isinstance(table, pa.Table) and table.column_names == ["a", "b"]
    assert table.to_pylist() == [{"a": 1, "b": None}, {"a": None, "b": 2.5}, {"a": 3, "b": None}]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({"a": VALUES, "b": VALUES, "c": VALUES}), max_size=6))
def test_any_rows_are_shown_unchanged_one_way_or_the_other(rows: list[dict]) -> None:
    table = arrow_table(rows)
    shown = table.to_pylist() if isinstance(table, pa.Table) else table
    assert len(shown) == len(rows)
    for got, want in zip(shown, rows, strict=True):
        for name in ("a", "b", "c"):
            nan = want[name] != want[name]  # NaN: an empty cell (None), or NaN itself when handed over as is
            assert got[name] == want[name] or (nan and (got[name] is None or got[name] != got[name])) \
                or (isinstance(want[name], bool | int) and got[name] == float(want[name]))
