"""The console's charts as Vega-Lite specs with their data inline (no Altair, no pandas on the page path).

Building a chart through Altair validates it against the whole Vega-Lite JSON schema on every rerun
(about 40 ms a chart); a spec written as a dict draws the same chart for nothing. The data goes as an Arrow
table (``ui.tables``): a list of dicts would be turned into a pandas DataFrame first (3 ms against 0.3 ms).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from streamlit.delta_generator import DeltaGenerator

from ui.tables import arrow_table

OK_COLOR, FAILED_COLOR = "#1a7f37", "#cf222e"


def _draw(where: DeltaGenerator, spec: dict[str, Any]) -> None:
    where.vega_lite_chart(None, {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", **spec},
                          width="stretch")


def outcome_bars(where: DeltaGenerator, counts: Mapping[str, int], title: str, measure: str) -> None:
    """A bar per outcome category (``measure`` names the count), ok in green, the others in red."""
    values = [{"category": category, measure: int(count)} for category, count in counts.items()]
    _draw(where, {
        "title": title, "data": {"values": arrow_table(values)}, "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": measure, "type": "quantitative", "axis": {"format": "d", "tickMinStep": 1}},
            "y": {"field": "category", "type": "nominal", "sort": "-x"},
            "color": {"condition": {"test": "datum.category == 'ok'", "value": OK_COLOR}, "value": FAILED_COLOR},
            "tooltip": [{"field": "category", "type": "nominal"}, {"field": measure, "type": "quantitative"}],
        },
    })


def latency_line(where: DeltaGenerator, points: Sequence[tuple[datetime, float, str]], title: str) -> None:
    """Latency (ms) over time, a point per fire."""
    values = [{"fired at": at.isoformat(), "ms": ms, "category": category} for at, ms, category in points]
    _draw(where, {
        "title": title, "data": {"values": arrow_table(values)}, "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "fired at", "type": "temporal", "axis": {"format": "%m-%d %H:%M:%S", "labelAngle": -30}},
            "y": {"field": "ms", "type": "quantitative", "title": "elapsed ms"},
            "tooltip": [{"field": "fired at", "type": "temporal"}, {"field": "ms", "type": "quantitative"},
                        {"field": "category", "type": "nominal"}],
        },
    })


def latency_histogram(where: DeltaGenerator, bins: Sequence[Sequence[float]], title: str) -> None:
    """Pre-binned latencies: (from ms, to ms, installations) per bin."""
    values = [{"from_ms": low, "to_ms": high, "installations": count} for low, high, count in bins]
    _draw(where, {
        "title": title, "data": {"values": arrow_table(values)}, "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "from_ms", "type": "quantitative", "bin": "binned", "title": "elapsed ms"},
            "x2": {"field": "to_ms"},
            "y": {"field": "installations", "type": "quantitative", "title": "installations"},
            "tooltip": [{"field": "from_ms", "type": "quantitative"}, {"field": "to_ms", "type": "quantitative"},
                        {"field": "installations", "type": "quantitative"}],
        },
    })


__all__ = ["latency_histogram", "latency_line", "outcome_bars"]
