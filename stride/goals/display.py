"""What the goal pages show of an objective: progress, pace, projection and history charts.

Pure presentation: everything here reads objectives already fetched through the selectors
(with their key results prefetched) plus one history query, and computes no new truth —
the arithmetic lives in ``stride.lib.scoring``. Charts are plotly figures (written as
plotly's figure data) drawn in the browser by the plotly.js Stride serves itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from stride.access.viewer import Viewer
from stride.goals.health import ObjectiveHealth, objective_health
from stride.goals.models import KeyResult, KeyResultUpdate, Objective
from stride.goals.selectors import (
    AlignmentNode,
    AlignmentTree,
    can_edit_objective,
    key_result_history,
    visible_parent,
)
from stride.lib.charts import Chart, figure_json, plotly_template
from stride.lib.scoring import project_value

# A chart shows at most this many points per key result (the newest ones).
MAX_POINTS = 200


def format_number(value: Decimal | float | None) -> str:
    """A value as people write it: grouped, without the trailing zeros of the database."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    if number == number.to_integral_value():
        number = number.to_integral_value()
    return number_format(Decimal(format(number.normalize(), "f")), force_grouping=True)


# Money is written one way everywhere Stride shows it: the symbol before the amount for the
# currencies people know by their sign, the ISO code after it for the others.
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}


def format_money(value: Decimal, code: str) -> str:
    """``€37,000``, ``-$1,200.5``, ``37,000 CHF``."""
    text = format_number(abs(value))
    sign = "-" if value < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(code.upper())
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {code}".strip()


def format_value(kr: KeyResult, value: Decimal | None) -> str:
    """A key result's value with its unit: ``€1,200``, ``45%``, ``12 demos``, ``Done``."""
    if value is None:
        return "—"
    if kr.kind == KeyResult.Kind.MILESTONE:
        return _("Done") if value >= 1 else _("Not yet")
    if kr.kind == KeyResult.Kind.CURRENCY:
        return format_money(value, kr.unit)
    text = format_number(value)
    if kr.kind == KeyResult.Kind.PERCENT:
        return f"{text}%"
    return f"{text} {kr.unit}".strip()


@dataclass
class UpdateRow:
    update: KeyResultUpdate
    value_display: str


@dataclass
class KeyResultRow:
    kr: KeyResult
    progress: float
    history: list[tuple[datetime, Decimal]]
    projected: Decimal | None
    chart: Chart | None = None
    updates: list[UpdateRow] = field(default_factory=list)
    # The detail page's "record a new value" form, for editors.
    value_form: Any = None

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    @property
    def is_milestone(self) -> bool:
        return self.kr.kind == KeyResult.Kind.MILESTONE

    @property
    def current_display(self) -> str:
        return format_value(self.kr, self.kr.current)

    @property
    def target_display(self) -> str:
        return format_value(self.kr, self.kr.target)

    @property
    def weight_display(self) -> str:
        return format_number(self.kr.weight)

    @property
    def start_display(self) -> str:
        return format_value(self.kr, self.kr.start)

    @property
    def is_decreasing(self) -> bool:
        """A target below the start: lower is better ("580 → 500", not "580 of 500")."""
        return self.kr.direction == "decreasing"

    @property
    def projected_display(self) -> str:
        """A projection is an estimate: shown to a sensible precision, not to the 4th
        decimal the arithmetic produced."""
        if self.projected is None:
            return ""
        step = Decimal("0.1") if abs(self.projected) >= 10 else Decimal("0.01")
        rounded = self.projected.quantize(step)
        if self.kr.kind == KeyResult.Kind.MILESTONE:
            return format_number(rounded)
        return format_value(self.kr, rounded)

    @property
    def projected_reaches_target(self) -> bool:
        if self.projected is None:
            return False
        return self.kr.progress(self.projected) >= 1.0


@dataclass
class ObjectiveRow:
    objective: Objective
    progress: float
    health: ObjectiveHealth
    parent: Objective | None
    can_edit: bool
    key_results: list[KeyResultRow]
    chart: Chart | None = None

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    @property
    def status(self) -> str:
        return self.health.status

    @property
    def expected(self) -> float:
        return self.health.expected

    @property
    def expected_percent(self) -> int:
        return round(self.expected * 100)

    @property
    def paced_from(self) -> date:
        """Where the chart's expected-pace line starts: pace runs from each key result's
        set-up (``goals.health``), so from the earliest one, or the period's start."""
        return self.health.paced_from


def _period_end_at(objective: Objective, zone: ZoneInfo) -> datetime:
    return datetime.combine(objective.period_end + timedelta(days=1), time.min, tzinfo=zone)


def objective_row(
    viewer: Viewer,
    objective: Objective,
    *,
    today: date,
    zone: ZoneInfo,
    history: dict[int, list[tuple[datetime, Decimal]]] | None = None,
    parent: Objective | None = None,
) -> ObjectiveRow:
    kr_rows = []
    for kr in objective.key_results.all():
        points = (history or {}).get(kr.pk, [])
        kr_rows.append(
            KeyResultRow(
                kr=kr,
                progress=kr.progress(),
                history=points,
                projected=project_value(points, at=_period_end_at(objective, zone))
                if history is not None
                else None,
            )
        )
    health = objective_health(objective, today=today, zone=zone)
    return ObjectiveRow(
        objective=objective,
        progress=health.health.progress,
        health=health,
        parent=parent if parent is not None else visible_parent(objective),
        can_edit=can_edit_objective(viewer, objective),
        key_results=kr_rows,
    )


def objective_rows(
    viewer: Viewer,
    objectives: Sequence[Objective],
    *,
    today: date,
    zone: ZoneInfo,
    charts: bool = True,
) -> list[ObjectiveRow]:
    """Rows for a list of objectives; with ``charts``, their key results' history (one
    query for all of them), projections and a progress chart per objective."""
    history = key_result_history(viewer, objectives, zone=zone) if charts else None
    rows = [
        objective_row(viewer, objective, today=today, zone=zone, history=history)
        for objective in objectives
    ]
    if charts:
        for row in rows:
            row.chart = objective_chart(row, zone=zone)
    return rows


@dataclass
class TreeNode:
    row: ObjectiveRow
    children: list[TreeNode]
    personal_count: int = 0


def tree_rows(
    viewer: Viewer, tree: AlignmentTree, *, today: date, zone: ZoneInfo
) -> tuple[list[TreeNode], list[TreeNode]]:
    """The alignment tree with each objective's progress and status worked out."""

    def convert(node: AlignmentNode) -> TreeNode:
        row = objective_row(viewer, node.objective, today=today, zone=zone)
        return TreeNode(row, [convert(child) for child in node.children], node.personal_count)

    return [convert(n) for n in tree.roots], [convert(n) for n in tree.unaligned]


# --- charts -------------------------------------------------------------------------------


def _local(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _thin(points: list[tuple[datetime, Decimal]]) -> list[tuple[datetime, Decimal]]:
    return points[-MAX_POINTS:]


def _layout(objective: Objective, *, y_title: str, percent: bool) -> dict[str, object]:
    yaxis: dict[str, object] = {"title": {"text": y_title}, "zeroline": False}
    if percent:
        yaxis.update(range=[0, 105], ticksuffix="%")
    return {
        "template": "none",
        "height": 260,
        "margin": {"l": 56, "r": 16, "t": 16, "b": 40},
        "font": {"family": "system-ui, sans-serif", "size": 12, "color": "#1b1f24"},
        "legend": {"orientation": "h", "y": -0.25},
        "hovermode": "x unified",
        "xaxis": {
            "type": "date",
            "range": [
                objective.period_start.isoformat(),
                (objective.period_end + timedelta(days=1)).isoformat(),
            ],
        },
        "yaxis": yaxis,
    }


def _scatter(**props: Any) -> dict[str, Any]:
    """A scatter trace as plotly's figure data (``go.Scatter(**props)`` written out)."""
    return {"type": "scatter", **props}


def _figure(traces: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    """A figure as plotly's data, its named template written out as ``go.Figure`` would."""
    return {"data": traces, "layout": {**layout, "template": plotly_template(layout["template"])}}


def objective_chart(row: ObjectiveRow, *, zone: ZoneInfo) -> Chart:
    """Each key result's progress over the period against the steady pace line."""
    objective = row.objective
    traces: list[dict[str, Any]] = [
        _scatter(
            x=[row.paced_from.isoformat(), objective.period_end.isoformat()],
            y=[0, 100],
            mode="lines",
            name=_("Expected pace"),
            line={"dash": "dash", "color": "#6b7280"},
            hoverinfo="skip",
        )
    ]
    table: list[tuple[datetime, list[str]]] = []
    for kr_row in row.key_results:
        points = _thin(kr_row.history)
        kr = kr_row.kr
        traces.append(
            _scatter(
                x=[_local(at, zone) for at, _value in points],
                y=[round(kr.progress(value) * 100, 1) for _at, value in points],
                mode="lines+markers",
                name=kr.title,
                line={"shape": "hv"},
            )
        )
        for at, value in points:
            table.append(
                (
                    at,
                    [
                        _local(at, zone),
                        kr.title,
                        format_value(kr, value),
                        f"{round(kr.progress(value) * 100)}%",
                    ],
                )
            )
    fig = _figure(traces, _layout(objective, y_title=_("Progress"), percent=True))
    caption = _(
        "Progress of each key result of “%(title)s” from %(start)s to %(end)s: "
        "%(percent)s%% done now, %(expected)s%% expected by today at a steady pace."
    ) % {
        "title": objective.title,
        "start": objective.period_start.isoformat(),
        "end": objective.period_end.isoformat(),
        "percent": row.percent,
        "expected": row.expected_percent,
    }
    table.sort(key=lambda item: item[0])
    return Chart(
        dom_id=f"chart-objective-{objective.pk}",
        figure_json=figure_json(fig),
        caption=caption,
        columns=[_("When"), _("Key result"), _("Value"), _("Progress")],
        rows=[cells for _at, cells in table],
    )


def key_result_chart(objective: Objective, kr_row: KeyResultRow, *, zone: ZoneInfo) -> Chart:
    """One key result's value over the period, its target and the projected end value.
    The updates table beside it lists the same numbers, so the chart carries no table."""
    kr = kr_row.kr
    points = _thin(kr_row.history)
    start, end = objective.period_start.isoformat(), objective.period_end.isoformat()
    traces = [
        _scatter(
            x=[start, end],
            y=[float(kr.target), float(kr.target)],
            mode="lines",
            name=_("Target"),
            line={"dash": "dash", "color": "#166534"},
        ),
        _scatter(
            x=[_local(at, zone) for at, _value in points],
            y=[float(value) for _at, value in points],
            mode="lines+markers",
            name=_("Value"),
            line={"shape": "hv", "color": "#1d4ed8"},
        ),
    ]
    if kr_row.projected is not None and points:
        traces.append(
            _scatter(
                x=[_local(points[-1][0], zone), end],
                y=[float(points[-1][1]), float(kr_row.projected)],
                mode="lines",
                name=_("Projection"),
                line={"dash": "dot", "color": "#92400e"},
            )
        )
    unit = "%" if kr.kind == KeyResult.Kind.PERCENT else kr.unit
    fig = _figure(traces, _layout(objective, y_title=unit, percent=False))
    if kr_row.projected is not None:
        caption = _(
            "Value of “%(title)s” over the period: %(current)s now, target %(target)s, "
            "projected %(projected)s by the end of the period. Every update is listed in "
            "the table below."
        ) % {
            "title": kr.title,
            "current": kr_row.current_display,
            "target": kr_row.target_display,
            "projected": kr_row.projected_display,
        }
    else:
        caption = _(
            "Value of “%(title)s” over the period: %(current)s now, target %(target)s. "
            "Every update is listed in the table below."
        ) % {
            "title": kr.title,
            "current": kr_row.current_display,
            "target": kr_row.target_display,
        }
    return Chart(dom_id=f"chart-kr-{kr.pk}", figure_json=figure_json(fig), caption=caption)


def detail_rows(
    viewer: Viewer,
    objective: Objective,
    updates: list[KeyResultUpdate],
    *,
    today: date,
    zone: ZoneInfo,
    parent: Objective | None,
) -> ObjectiveRow:
    """The detail page's row: history and projection per key result from the updates
    already read for the page's table (no further query), one chart per key result."""
    start = datetime.combine(objective.period_start, time.min, tzinfo=zone)
    end = _period_end_at(objective, zone)
    history: dict[int, list[tuple[datetime, Decimal]]] = {}
    by_kr: dict[int, list[KeyResultUpdate]] = {}
    for update in reversed(updates):  # oldest first
        by_kr.setdefault(update.key_result_id, []).append(update)
        if start <= update.at < end:
            history.setdefault(update.key_result_id, []).append((update.at, update.value))
    row = objective_row(viewer, objective, today=today, zone=zone, history=history, parent=parent)
    for kr_row in row.key_results:
        kr_row.updates = [
            UpdateRow(update, format_value(kr_row.kr, update.value))
            for update in reversed(by_kr.get(kr_row.kr.pk, []))
        ]
        kr_row.chart = key_result_chart(objective, kr_row, zone=zone)
    return row
