"""Charts as Stride draws them: plotly figures written as plotly's own figure data in a
``<script type="application/json">`` beside an empty element, drawn in the browser by the
plotly.js Stride serves itself (``stride/charts.js``: no inline script, so the
Content-Security-Policy forbids them altogether).

Pages render a ``Chart`` with ``{% include "stride/includes/chart.html" with chart=… %}``
and load the scripts with ``{% include "stride/includes/chart_script.html" %}`` in their
``scripts`` block. Any app may use this; it knows no domain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import plotly.io as pio
from django.utils.safestring import SafeString, mark_safe
from plotly.io.json import to_json_plotly

# Same escapes as Django's json_script: the JSON may hold user text such as "</script>".
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@dataclass
class Chart:
    """One figure: plotly's JSON (escaped for a ``<script type="application/json">``) and
    its text alternative — a caption and, when no other table on the page carries the same
    numbers, a data table."""

    dom_id: str
    figure_json: SafeString
    caption: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def figure_json(fig: dict[str, Any]) -> SafeString:
    """Plotly's JSON for a figure given as plotly's own data (``{"data": […], "layout":
    {…}}``, what ``go.Figure(…).to_plotly_json()`` gives), escaped to sit inside
    ``<script type="application/json">``.

    Pages write figure data directly rather than building ``go.Figure`` objects: those
    validate every property and copy their whole template on each request, which cost
    more than the rest of the team page. The tests check the data against graph objects."""
    return mark_safe(to_json_plotly(fig).translate(_JSON_ESCAPES))  # noqa: S308 - escaped above


@cache
def _template_data(name: str) -> str:
    return to_json_plotly(pio.templates[name])


def plotly_template(name: str) -> dict[str, Any]:
    """A named plotly template (``plotly_white``) as the data ``go.Figure`` would write for
    it. A figure built with graph objects copies and validates the whole template on
    every request (some 10 ms for the team page's one chart); this reads it once."""
    template: dict[str, Any] = json.loads(_template_data(name))
    return template
