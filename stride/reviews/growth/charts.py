"""The growth graph's figures, as plotly's figure data (``stride.lib.charts``): the same
numbers are in the table beside them on the page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from stride.lib.charts import Chart, figure_json, plotly_template
from stride.reviews.growth.selectors import Growth
from stride.reviews.models import OverallRating

_FONT = {"family": "system-ui, sans-serif", "size": 12, "color": "#1b1f24"}


def _layout(**extra: Any) -> dict[str, Any]:
    return {
        "template": plotly_template("plotly_white"),
        "height": 320,
        "margin": {"l": 56, "r": 56, "t": 16, "b": 48},
        "font": _FONT,
        "legend": {"orientation": "h", "y": -0.2},
        "hovermode": "x unified",
        "xaxis": {"type": "date", "fixedrange": True},
        **extra,
    }


def ratings_chart(growth: Growth) -> Chart:
    """Overall rating (1–5, left axis) and goal achievement (%, right axis) per cycle."""
    points = growth.points
    days = [p.on.isoformat() for p in points]
    names = [p.cycle.name for p in points]
    fig = {
        "data": [
            {
                "type": "scatter",
                "name": _("Overall rating"),
                "x": days,
                "y": [p.overall for p in points],
                "customdata": names,
                "mode": "lines+markers",
                "connectgaps": True,
                "hovertemplate": "%{customdata}: %{y}<extra></extra>",
            },
            {
                "type": "scatter",
                "name": _("Goal achievement"),
                "x": days,
                "y": [p.goal_percent for p in points],
                "customdata": names,
                "yaxis": "y2",
                "mode": "lines+markers",
                "line": {"dash": "dot"},
                "connectgaps": True,
                "hovertemplate": "%{customdata}: %{y}%<extra></extra>",
            },
        ],
        "layout": _layout(
            yaxis={
                "title": {"text": _("Overall rating")},
                "range": [0.5, 5.5],
                "tickvals": OverallRating.values,
                "fixedrange": True,
            },
            yaxis2={
                "title": {"text": _("Goal achievement")},
                "range": [0, 105],
                "tickvals": [0, 25, 50, 75, 100],
                "ticksuffix": "%",
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "fixedrange": True,
            },
        ),
    }
    return Chart(
        dom_id="growth-ratings-chart",
        figure_json=figure_json(fig),
        caption=_(
            "Overall rating (1 to 5) and goal achievement per review cycle; the same "
            "figures are in the table below."
        ),
    )


def competencies_chart(growth: Growth) -> Chart | None:
    """Each competency's rating per cycle against the expected level (a job level)."""
    names = growth.competency_names
    if not names:
        return None
    points = growth.points
    days = [p.on.isoformat() for p in points]
    traces: list[dict[str, Any]] = []
    for name in names:
        ratings = []
        for p in points:
            found = [c.rating for c in p.competencies if c.name == name]
            ratings.append(found[0] if found else None)
        traces.append(
            {
                "type": "scatter",
                "name": name,
                "x": days,
                "y": ratings,
                "mode": "lines+markers",
                "connectgaps": True,
            }
        )
    if growth.expected_level is not None:
        traces.append(
            {
                "type": "scatter",
                "name": _("Expected level"),
                "x": days,
                "y": [growth.expected_level for _p in points],
                "mode": "lines",
                "line": {"dash": "dash", "color": "#6b7280"},
            }
        )
    ranks = sorted(growth.level_names)
    fig = {
        "data": traces,
        "layout": _layout(
            yaxis={
                "title": {"text": _("Job level")},
                "range": [0.5, (ranks[-1] if ranks else 1) + 0.5],
                "tickvals": ranks,
                "ticktext": [growth.level_names[r] for r in ranks],
                "fixedrange": True,
            },
        ),
    }
    return Chart(
        dom_id="growth-competencies-chart",
        figure_json=figure_json(fig),
        caption=_(
            "The manager's rating of each competency per review cycle, against the level "
            "expected at the person's job level; the same figures are in the table below."
        ),
    )
