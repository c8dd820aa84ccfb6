"""The figure builders, one per dashboard panel."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402

from contactpro.analytics.matrix import STRATEGIES  # noqa: E402

Results = Mapping[str, Any]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
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


def _empty(ax: Any, message: str = "No data for this period") -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="grey")


def _pretty(name: str) -> str:
    return str(name).replace("_", " ")


def kpi_panel(kpis: Sequence[Mapping[str, Any]], period: str = "") -> Figure:
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
            kpi["text"],
            ha="center",
            va="center",
            fontsize=17,
            fontweight="bold",
            color="#1f2933",
        )
        ax.text(
            x + 0.5,
            y + 0.26,
            kpi["label"],
            ha="center",
            va="center",
            fontsize=8.5,
            color="#52606d",
            wrap=True,
        )
    ax.set_title(f"Key performance indicators{' - ' + period if period else ''}", fontsize=14)
    return fig


def volume_heatmap(volume: Sequence[Mapping[str, Any]], zone: str = "UTC") -> Figure:
    """Return contacts by weekday and hour of day as a heat map."""
    fig = _figure(11.0, 4.2)
    ax = fig.add_subplot()
    grid = np.zeros((7, 24))
    for row in volume:
        grid[int(row["weekday"]), int(row["hour"])] = row["contacts"]
    image = ax.imshow(grid, aspect="auto", cmap="Blues", interpolation="nearest")
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_yticks(range(7), WEEKDAYS)
    ax.set_xlabel(f"Hour of day ({zone})")
    ax.set_ylabel("Weekday")
    ax.set_title("Contact volume by hour and weekday")
    fig.colorbar(image, ax=ax, label="Contacts")
    return fig


def _top_intents(frame: pd.DataFrame, column: str = "contacts") -> list[str]:
    order = frame.groupby("intent")[column].sum().sort_values(ascending=False)
    return [str(i) for i in order.index[:MAX_INTENTS]]


def intent_mix(intent_trend: Sequence[Mapping[str, Any]], zone: str = "UTC") -> Figure:
    """Return contacts per week and primary intent (stacked counts, top intents + other).

    Counts, not shares: at a few contacts a week a 100 % bar would make noise look like a
    trend. Each bar is labelled with its week's total.
    """
    fig = _figure(11.0, 5.0)
    ax = fig.add_subplot()
    ax.set_title("Intent mix per week")
    ax.set_xlabel(f"Week starting ({zone})")
    ax.set_ylabel("Contacts")
    frame = pd.DataFrame(list(intent_trend))
    if frame.empty:
        _empty(ax)
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
            label=_pretty(intent),
            color=PALETTE[i % len(PALETTE)],
            width=0.7,
        )
        bottom += table[intent].to_numpy()
    for xi, total in zip(x, bottom, strict=True):
        ax.text(xi, total, f"n={int(total):,}", ha="center", va="bottom", fontsize=8)
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], list(table.index[::step]), rotation=45, ha="right")
    ax.set_ylim(0, max(1.0, float(bottom.max())) * 1.12)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(title="Intent", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return fig


def containment_by_intent(by_intent: Sequence[Mapping[str, Any]]) -> Figure:
    """Return automatic resolution and net containment per intent (horizontal bars)."""
    fig = _figure(10.0, 5.0)
    ax = fig.add_subplot()
    ax.set_title("Automatic resolution and net containment by intent")
    ax.set_xlabel("Share of the intent's contacts (%)")
    ax.set_ylabel("Primary intent")
    frame = pd.DataFrame(list(by_intent))
    if frame.empty:
        _empty(ax)
        return fig
    frame = frame.sort_values("contacts", ascending=False).head(10).iloc[::-1]
    y = np.arange(len(frame))
    ax.barh(
        y + 0.2,
        frame["resolution_rate"] * 100,
        height=0.4,
        label="Resolved by the bot",
        color=COLOURS["resolved"],
    )
    ax.barh(
        y - 0.2,
        frame["containment_rate"] * 100,
        height=0.4,
        label="Contained (no repeat)",
        color=COLOURS["contained"],
    )
    labels = [
        f"{_pretty(i)} (n={int(n):,})"
        for i, n in zip(frame["intent"], frame["contacts"], strict=True)
    ]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(loc="lower right", fontsize=8)
    return fig


def failure_funnel(funnel: Sequence[Mapping[str, Any]]) -> Figure:
    """Return the funnel from contact to net containment, with counts and shares."""
    fig = _figure(10.0, 4.8)
    ax = fig.add_subplot()
    ax.set_title("Failure funnel: where contacts drop out")
    ax.set_xlabel("Contacts")
    ax.set_ylabel("Stage")
    frame = pd.DataFrame(list(funnel))
    if frame.empty or frame["contacts"].iloc[0] == 0:
        _empty(ax)
        return fig
    frame = frame.iloc[::-1]
    y = np.arange(len(frame))
    ax.barh(y, frame["contacts"], color="#4c78a8", height=0.65, label="Contacts")
    top = float(frame["contacts"].max())
    for yi, (count, share) in enumerate(zip(frame["contacts"], frame["share"], strict=True)):
        ax.text(
            count + top * 0.01, yi, f"{int(count):,} ({share * 100:.0f} %)", va="center", fontsize=9
        )
    ax.set_yticks(y, list(frame["label"]))
    ax.set_xlim(0, top * 1.25)
    ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
    return fig


def handling_time(totals: Mapping[str, Any]) -> Figure:
    """Return mean handling time automated vs with an agent, and the mean queue wait."""
    fig = _figure(8.0, 4.5)
    ax = fig.add_subplot()
    ax.set_title("Mean handling time: automated vs with an agent")
    ax.set_ylabel("Minutes")
    ax.set_xlabel("Path of the contact")
    values = [
        ("Automated", totals.get("automated_seconds"), COLOURS["automated"]),
        ("With an agent\n(to the end)", totals.get("agent_seconds"), COLOURS["agent"]),
        ("Queue wait\n(escalated)", totals.get("queue_seconds"), COLOURS["queue"]),
    ]
    names = [v[0] for v in values]
    minutes = [(v[1] or 0.0) / 60.0 for v in values]
    bars = ax.bar(names, minutes, color=[v[2] for v in values], width=0.6)
    for bar, value in zip(bars, values, strict=True):
        text = "n/a" if value[1] is None else f"{value[1] / 60.0:.1f} min"
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


def priority_matrix(matrix: Mapping[str, Any], currency: str = "") -> Figure:
    """Return customers as conformity vs billing, coloured by quadrant, with counts."""
    fig = _figure(9.0, 6.5)
    ax = fig.add_subplot()
    ax.set_title("Priority matrix: conformity vs billing")
    ax.set_xlabel("Conformity (0-100)")
    ax.set_ylabel(f"Monthly billing{' (' + currency + ')' if currency else ''}")
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
            label=f"{strategy.label}: {counts.get(quadrant, 0):,} customers",
        )
    ax.axvline(c_cut, color="black", lw=1, ls="--")
    ax.axhline(b_cut, color="black", lw=1, ls="--")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, ymax)
    corners = {
        "retain": (0.02, 0.97, "left", "top"),
        "monitor": (0.98, 0.97, "right", "top"),
        "let_go": (0.02, 0.03, "left", "bottom"),
        "care": (0.98, 0.03, "right", "bottom"),
    }
    for quadrant, (x, y, ha, va) in corners.items():
        strategy = STRATEGIES[quadrant]
        ax.text(
            x,
            y,
            f"{strategy.label.upper()}\n{counts.get(quadrant, 0):,}",
            ha=ha,
            va=va,
            transform=ax.transAxes,
            fontsize=11,
            fontweight="bold",
            color=strategy.colour,
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
        )
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, title="Quadrant")
    return fig


def conformity_trend(
    trend: Sequence[Mapping[str, Any]], threshold: float = 50.0, zone: str = "UTC"
) -> Figure:
    """Return mean daily conformity (0-100) with the matrix threshold."""
    fig = _figure(10.0, 4.5)
    ax = fig.add_subplot()
    ax.set_title("Conformity trend")
    ax.set_xlabel(f"Day ({zone})")
    ax.set_ylabel("Mean conformity (0-100)")
    ax.set_ylim(0, 100)
    frame = pd.DataFrame(list(trend))
    if frame.empty:
        _empty(ax)
        return fig
    x = np.arange(len(frame))
    ax.plot(
        x,
        frame["conformity"].astype(float),
        marker="o",
        color=COLOURS["conformity"],
        label="Mean conformity",
    )
    ax.axhline(threshold, color="grey", ls="--", lw=1, label=f"Threshold ({threshold:.0f})")
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], list(frame["day"][::step]), rotation=45, ha="right")
    ax.legend(loc="lower left", fontsize=8)
    return fig


def _build(name: str, results: Results) -> Figure:
    tables = results["tables"]
    zone = str(results.get("timezone", "UTC"))
    builders: dict[str, Callable[[], Figure]] = {
        "kpis": lambda: kpi_panel(results["kpis"], results.get("period_label", "")),
        "volume": lambda: volume_heatmap(tables["volume"], zone),
        "intent_mix": lambda: intent_mix(tables["intent_trend"], zone),
        "containment": lambda: containment_by_intent(tables["by_intent"]),
        "funnel": lambda: failure_funnel(tables["funnel"]),
        "handling_time": lambda: handling_time(results["totals"]),
        "matrix": lambda: priority_matrix(results["matrix"], results.get("currency", "")),
        "conformity": lambda: conformity_trend(
            tables["conformity_trend"], results["matrix"].get("conformity_threshold", 50.0), zone
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


def build_figure(name: str, results: Results) -> Figure:
    """Return the figure ``name`` (a key of :data:`FIGURES`) for a run's results."""
    if name not in FIGURES:
        raise KeyError(f"unknown dashboard {name!r}")
    return _build(name, results)
