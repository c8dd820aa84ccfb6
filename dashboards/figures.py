"""The figure builders, one per dashboard panel."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator, PercentFormatter, ScalarFormatter  # noqa: E402

from contactpro.analytics.matrix import STRATEGIES  # noqa: E402
from contactpro.console.strings import translate  # noqa: E402
from contactpro.console.wording import (  # noqa: E402
    date_time,
    long_date,
    number,
    numbers_in,
    word,
)
from contactpro.markets import zone_place  # noqa: E402

Results = Mapping[str, Any]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
COLOURS = {
    "resolved": "#2ca02c",
    "contained": "#17becf",
    "escalated": "#ff7f0e",
    "abandoned": "#7f7f7f",
    "automated": "#2ca02c",
    "agent": "#ff7f0e",
    "queue": "#d62728",
    "conformity": "#9467bd",
}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22")
MAX_INTENTS = 7


def _figure(width: float = 9.0, height: float = 5.0) -> Figure:
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _words(language: str) -> Callable[[str], str]:
    """Return the console catalogue's lookup in ``language`` (figures share the console's words)."""
    return lambda key: translate(key, language)


def _empty(ax: Any, language: str) -> None:
    message = translate("fig_no_data", language)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="grey")


def _initial(text: str) -> str:
    """Return ``text`` with a capital first letter ("let go" -> "Let go")."""
    return text[:1].upper() + text[1:]


def _intent(name: str, language: str) -> str:
    return word(_words(language), "intent_", str(name))


def _days(values: Sequence[object], language: str) -> list[str]:
    """Return axis days ("2026-11-02") as the language writes them ("2 de noviembre",
    "November 2"), with the year when the days span more than one."""
    days = [date.fromisoformat(str(value)[:10]) for value in values]
    with_year = len({day.year for day in days}) > 1
    return [long_date(day, language, with_year=with_year) for day in days]


def kpi_panel(kpis: Sequence[Mapping[str, Any]], period: str = "", language: str = "en") -> Figure:
    """Return a grid of KPI tiles: label and formatted value."""
    cols = 4
    rows = max(1, -(-len(kpis) // cols))
    fig = _figure(12.0, 1.7 * rows + 0.8)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(0, cols)
    ax.set_ylim(0, rows)
    for i, kpi in enumerate(kpis):
        x, y = i % cols, rows - 1 - i // cols
        ax.add_patch(
            matplotlib.patches.FancyBboxPatch(
                (x + 0.05, y + 0.08),
                0.9,
                0.84,
                boxstyle="round,pad=0.01",
                facecolor="#f4f6f8",
                edgecolor="#c9d1d9",
            )
        )
        ax.text(
            x + 0.5,
            y + 0.58,
            translate("not_measured", language)
            if kpi.get("value") is None
            else numbers_in(str(kpi["text"]), language),
            ha="center",
            va="center",
            fontsize=17,
            fontweight="bold",
            color="#1f2933",
        )
        ax.text(
            x + 0.5,
            y + 0.26,
            _kpi_label(kpi, language),
            ha="center",
            va="center",
            fontsize=8.5,
            color="#52606d",
            wrap=True,
        )
    title = translate("fig_kpis", language)
    # A stored label reads "<start> to <end> (<zone>)"; a dash reads the same in any language.
    period = period.replace(" to ", " – ")
    ax.set_title(f"{title}{' · ' + period if period else ''}", fontsize=14)
    return fig


def volume_heatmap(
    volume: Sequence[Mapping[str, Any]], zone: str = "UTC", language: str = "en"
) -> Figure:
    """Return contacts by weekday and hour of day as a heat map."""
    fig = _figure(11.0, 4.2)
    ax = fig.add_subplot()
    grid = np.zeros((7, 24))
    for row in volume:
        grid[int(row["weekday"]), int(row["hour"])] = row["contacts"]
    image = ax.imshow(grid, aspect="auto", cmap="Blues", interpolation="nearest")
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    tr = _words(language)
    ax.set_yticks(range(7), [tr(f"day_{day}") for day in WEEKDAYS])
    ax.set_xlabel(tr("fig_hour").format(zone=zone_place(zone, language)))
    ax.set_ylabel(tr("fig_weekday"))
    ax.set_title(tr("fig_volume"))
    fig.colorbar(image, ax=ax, label=tr("fig_contacts"))
    return fig


def _top_intents(frame: pd.DataFrame, column: str = "contacts") -> list[str]:
    order = frame.groupby("intent")[column].sum().sort_values(ascending=False)
    return [str(i) for i in order.index[:MAX_INTENTS]]


def intent_mix(
    intent_trend: Sequence[Mapping[str, Any]], zone: str = "UTC", language: str = "en"
) -> Figure:
    """Return contacts per week and primary intent (stacked counts, top intents + other).

    Counts, not shares: at a few contacts a week a 100 % bar would make noise look like a
    trend. Each bar is labelled with its week's total.
    """
    fig = _figure(11.0, 5.0)
    ax = fig.add_subplot()
    tr = _words(language)
    ax.set_title(tr("fig_intent_mix"))
    ax.set_xlabel(tr("fig_week").format(zone=zone_place(zone, language)))
    ax.set_ylabel(tr("fig_contacts"))
    frame = pd.DataFrame(list(intent_trend))
    if frame.empty:
        _empty(ax, language)
        return fig
    period = "week" if "week" in frame.columns else "day"
    top = _top_intents(frame)
    frame["intent"] = frame["intent"].where(frame["intent"].isin(top), "other")
    table = frame.pivot_table(index=period, columns="intent", values="contacts", aggfunc="sum")
    table = table.fillna(0)
    table = table[[c for c in [*top, "other"] if c in table.columns]]
    x = np.arange(len(table))
    bottom = np.zeros(len(table))
    for i, intent in enumerate(table.columns):
        ax.bar(
            x,
            table[intent].to_numpy(),
            bottom=bottom,
            label=_intent(intent, language),
            color=PALETTE[i % len(PALETTE)],
            width=0.7,
        )
        bottom += table[intent].to_numpy()
    for xi, total in zip(x, bottom, strict=True):
        ax.text(
            xi, total, f"n={number(int(total), 0, language)}", ha="center", va="bottom", fontsize=8
        )
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], _days(list(table.index[::step]), language), rotation=45, ha="right")
    ax.set_ylim(0, max(1.0, float(bottom.max())) * 1.12)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(title=tr("intent"), loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return fig


def containment_by_intent(by_intent: Sequence[Mapping[str, Any]], language: str = "en") -> Figure:
    """Return automatic resolution and net containment per intent (horizontal bars)."""
    fig = _figure(10.0, 5.0)
    ax = fig.add_subplot()
    tr = _words(language)
    ax.set_title(tr("fig_containment"))
    ax.set_xlabel(tr("fig_share"))
    ax.set_ylabel(tr("fig_primary_intent"))
    frame = pd.DataFrame(list(by_intent))
    if frame.empty:
        _empty(ax, language)
        return fig
    frame = frame.sort_values("contacts", ascending=False).head(10).iloc[::-1]
    y = np.arange(len(frame))
    ax.barh(
        y + 0.2,
        frame["resolution_rate"] * 100,
        height=0.4,
        label=tr("fig_resolved_by_bot"),
        color=COLOURS["resolved"],
    )
    ax.barh(
        y - 0.2,
        frame["containment_rate"] * 100,
        height=0.4,
        label=tr("fig_contained"),
        color=COLOURS["contained"],
    )
    labels = [
        f"{_intent(i, language)} (n={number(int(n), 0, language)})"
        for i, n in zip(frame["intent"], frame["contacts"], strict=True)
    ]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(loc="lower right", fontsize=8)
    return fig


def failure_funnel(funnel: Sequence[Mapping[str, Any]], language: str = "en") -> Figure:
    """Return the funnel from contact to net containment, with counts and shares."""
    fig = _figure(10.0, 4.8)
    ax = fig.add_subplot()
    tr = _words(language)
    ax.set_title(tr("fig_funnel"))
    ax.set_xlabel(tr("fig_contacts"))
    ax.set_ylabel(tr("fig_stage"))
    frame = pd.DataFrame(list(funnel))
    if frame.empty or frame["contacts"].iloc[0] == 0:
        _empty(ax, language)
        return fig
    frame = frame.iloc[::-1]
    y = np.arange(len(frame))
    ax.barh(y, frame["contacts"], color="#4c78a8", height=0.65, label=tr("fig_contacts"))
    top = float(frame["contacts"].max())
    for yi, (count, share) in enumerate(zip(frame["contacts"], frame["share"], strict=True)):
        ax.text(
            count + top * 0.01,
            yi,
            f"{number(int(count), 0, language)} ({number(share * 100, 0, language)} %)",
            va="center",
            fontsize=9,
        )
    stages = frame["stage"] if "stage" in frame else frame["label"]
    ax.set_yticks(y, [word(tr, "funnel_", str(stage)) for stage in stages])
    ax.set_xlim(0, top * 1.25)
    ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
    return fig


def handling_time(totals: Mapping[str, Any], language: str = "en") -> Figure:
    """Return mean handling time automated vs with an agent, and the mean queue wait."""
    fig = _figure(8.0, 4.5)
    ax = fig.add_subplot()
    tr = _words(language)
    ax.set_title(tr("fig_handling_time"))
    ax.set_ylabel(tr("fig_minutes"))
    ax.set_xlabel(tr("fig_path"))
    values = [
        (tr("fig_automated"), totals.get("automated_seconds"), COLOURS["automated"]),
        (tr("fig_with_agent"), totals.get("agent_seconds"), COLOURS["agent"]),
        (tr("fig_queue_wait"), totals.get("queue_seconds"), COLOURS["queue"]),
    ]
    names = [v[0] for v in values]
    minutes = [(v[1] or 0.0) / 60.0 for v in values]
    bars = ax.bar(names, minutes, color=[v[2] for v in values], width=0.6)
    for bar, value in zip(bars, values, strict=True):
        text = (
            tr("fig_not_available")
            if value[1] is None
            else f"{number(value[1] / 60.0, 1, language)} min"
        )
        ax.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height(),
            text,
            ha="center",
            va="bottom",
            fontsize=10,
        )
    ax.set_ylim(0, max(minutes + [0.1]) * 1.2)
    return fig


def priority_matrix(
    matrix: Mapping[str, Any], currency: str = "", language: str = "en", past_period: str = ""
) -> Figure:
    """Return customers as conformity vs billing, coloured by quadrant, with counts.

    ``past_period`` (the period, when the run looked back) is named under the title: that
    matrix is not the customers' current one.
    """
    fig = _figure(9.0, 6.5)
    ax = fig.add_subplot()
    tr = _words(language)
    past = f"\n{tr('fig_matrix_past').format(period=past_period)}" if past_period else ""
    ax.set_title(tr("fig_matrix") + past)
    ax.set_xlabel(tr("fig_conformity_axis"))
    ax.set_ylabel(f"{tr('fig_billing_axis')}{' (' + currency + ')' if currency else ''}")
    sample = pd.DataFrame(list(matrix.get("sample", [])))
    counts = {q["quadrant"]: q["customers"] for q in matrix.get("quadrants", [])}
    c_cut = float(matrix.get("conformity_threshold", 50.0))
    b_cut = float(matrix.get("billing_threshold", 0.0))
    ymax = float(sample["billing"].max()) * 1.08 if not sample.empty else max(1.0, b_cut * 2)
    ymax = max(ymax, b_cut * 1.2, 1.0)
    for quadrant, strategy in STRATEGIES.items():
        part = sample[sample["quadrant"] == quadrant] if not sample.empty else sample
        ax.scatter(
            part["conformity"] if not part.empty else [],
            part["billing"] if not part.empty else [],
            s=12,
            alpha=0.6,
            color=strategy.colour,
            label=f"{_initial(tr('quadrant_' + quadrant))}: "
            f"{number(counts.get(quadrant, 0), 0, language)} {tr('fig_customers')}",
        )
    ax.axvline(c_cut, color="black", lw=1, ls="--")
    # Billing splits only the high-conformity side (care / monitor): the line starts at the cut.
    ax.axhline(b_cut, xmin=min(max(c_cut / 100, 0.0), 1.0), color="black", lw=1, ls="--")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, ymax)
    # High conformity splits by billing (care below, monitor above the line); low conformity
    # does not: retain or let go is value against cost of recovery at any billing, so that
    # side gets one label with both counts rather than a corner each.
    corners = {"monitor": (0.98, 0.97, "right", "top"), "care": (0.98, 0.03, "right", "bottom")}
    for quadrant, (x, y, ha, va) in corners.items():
        ax.text(
            x,
            y,
            f"{tr('quadrant_' + quadrant).upper()}\n{number(counts.get(quadrant, 0), 0, language)}",
            ha=ha,
            va=va,
            transform=ax.transAxes,
            fontsize=11,
            fontweight="bold",
            color=STRATEGIES[quadrant].colour,
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
        )
    low_side = (" · " if c_cut >= 45 else "\n").join(
        f"{tr('quadrant_' + q).upper()} {number(counts.get(q, 0), 0, language)}"
        for q in ("retain", "let_go")
    )
    ax.text(
        0.02,
        0.51,
        low_side,
        ha="left",
        va="bottom",
        transform=ax.transAxes,
        fontsize=11,
        fontweight="bold",
        color=STRATEGIES["retain"].colour,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
    )
    ax.text(  # the rule, wrapped to the low side's width (about a character per point)
        0.02,
        0.49,
        textwrap.fill(tr("fig_matrix_low_side"), max(16, int(c_cut * 0.8))),
        ha="left",
        va="top",
        transform=ax.transAxes,
        fontsize=9,
        color="#1f2933",
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, title=tr("col_quadrant"))
    return fig


def conformity_trend(
    trend: Sequence[Mapping[str, Any]],
    threshold: float = 50.0,
    zone: str = "UTC",
    language: str = "en",
) -> Figure:
    """Return mean daily conformity (0-100) with the matrix threshold."""
    fig = _figure(10.0, 4.5)
    ax = fig.add_subplot()
    tr = _words(language)
    ax.set_title(tr("fig_conformity"))
    ax.set_xlabel(tr("fig_day").format(zone=zone_place(zone, language)))
    ax.set_ylabel(tr("fig_mean_conformity_axis"))
    ax.set_ylim(0, 100)
    frame = pd.DataFrame(list(trend))
    if frame.empty:
        _empty(ax, language)
        return fig
    x = np.arange(len(frame))
    ax.plot(
        x,
        frame["conformity"].astype(float),
        marker="o",
        color=COLOURS["conformity"],
        label=tr("fig_mean_conformity"),
    )
    ax.axhline(
        threshold,
        color="grey",
        ls="--",
        lw=1,
        label=tr("fig_threshold").format(value=number(threshold, None, language)),
    )
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], _days(list(frame["day"][::step]), language), rotation=45, ha="right")
    ax.legend(loc="lower left", fontsize=8)
    return fig


def _kpi_label(kpi: Mapping[str, Any], language: str) -> str:
    """Return a KPI's label in ``language`` (the stored English label if it has no words)."""
    key = f"kpi_{kpi['key']}"
    text = translate(key, language)
    return str(kpi["label"]) if text == key else text


def _period(results: Results, language: str) -> str:
    """Return the run's period as the language writes it, on the company's clock: "7 de
    noviembre de 2026, 10:23 – 7 de diciembre de 2026, 10:23 (hora de Bogotá)"."""
    if "period_start" not in results:  # an older run: its stored label
        return str(results.get("period_label", ""))
    zone = str(results.get("timezone", "UTC"))
    start, end = (
        date_time(datetime.fromisoformat(results[key]).astimezone(ZoneInfo(zone)), language)
        for key in ("period_start", "period_end")
    )
    place = zone_place(zone, language)
    return translate("fig_period", language).format(start=start, end=end, zone=place)


def _past_period(results: Results, language: str) -> str:
    """Return the run's period when its matrix is of a past period (``matrix.current``
    false), else an empty string."""
    if results["matrix"].get("current") is not False:
        return ""
    return _period(results, language)


def _build(name: str, results: Results, language: str) -> Figure:
    tables = results["tables"]
    zone = str(results.get("timezone", "UTC"))
    lang = language
    builders: dict[str, Callable[[], Figure]] = {
        "kpis": lambda: kpi_panel(results["kpis"], _period(results, lang), lang),
        "volume": lambda: volume_heatmap(tables["volume"], zone, lang),
        "intent_mix": lambda: intent_mix(tables["intent_trend"], zone, lang),
        "containment": lambda: containment_by_intent(tables["by_intent"], lang),
        "funnel": lambda: failure_funnel(tables["funnel"], lang),
        "handling_time": lambda: handling_time(results["totals"], lang),
        "matrix": lambda: priority_matrix(
            results["matrix"], results.get("currency", ""), lang, _past_period(results, lang)
        ),
        "conformity": lambda: conformity_trend(
            tables["conformity_trend"],
            results["matrix"].get("conformity_threshold", 50.0),
            zone,
            lang,
        ),
    }
    return builders[name]()


FIGURES: dict[str, str] = {
    "kpis": "Key performance indicators",
    "volume": "Contact volume by hour and weekday",
    "intent_mix": "Intent mix per week",
    "containment": "Automatic resolution and net containment by intent",
    "funnel": "Failure funnel",
    "handling_time": "Handling time: automated vs agent",
    "matrix": "Priority matrix",
    "conformity": "Conformity trend",
}


class _TickNumbers(ScalarFormatter):
    """matplotlib's tick labels with the numbers written the language's way ("0,5" in Spanish)."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def __call__(self, x: float, pos: int | None = None) -> str:
        return numbers_in(super().__call__(x, pos), self.language)


def _write_ticks(figure: Figure, language: str) -> None:
    """Give every numeric axis of ``figure`` tick labels in ``language``."""
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(_TickNumbers(language))


def build_figure(name: str, results: Results, language: str = "en") -> Figure:
    """Return the figure ``name`` (a key of :data:`FIGURES`) for a run's results in ``language``."""
    if name not in FIGURES:
        raise KeyError(f"unknown dashboard {name!r}")
    figure = _build(name, results, language)
    _write_ticks(figure, language)
    return figure
