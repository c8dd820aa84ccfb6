"""Every dashboard figure: produced, non-empty, with its title, axes and number of series."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from matplotlib.figure import Figure

import dashboards
from dashboards.figures import build_figure


def _ax(figure: Figure) -> Any:
    return figure.axes[0]


def test_kpi_panel_shows_every_kpi(results: dict[str, Any]) -> None:
    figure = dashboards.kpi_panel(results["kpis"], results["period_label"])
    texts = [t.get_text() for t in _ax(figure).texts]
    assert _ax(figure).get_title().startswith("Key performance indicators")
    assert all(k["label"] in texts and k["text"] in texts for k in results["kpis"])


def test_volume_heatmap(results: dict[str, Any]) -> None:
    figure = dashboards.volume_heatmap(results["tables"]["volume"])
    ax = _ax(figure)
    assert ax.get_title() == "Contact volume by hour and weekday"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Hour of day (UTC time)", "Weekday")
    grid = ax.images[0].get_array()
    assert grid.shape == (7, 24) and grid[6, 23] == 29
    assert figure.axes[1].get_ylabel() == "Contacts"  # the colour bar


def test_intent_mix_has_one_series_per_intent(results: dict[str, Any]) -> None:
    ax = _ax(dashboards.intent_mix(results["tables"]["intent_trend"]))
    assert ax.get_title() == "Intent mix per week"
    assert ax.get_ylabel() == "Contacts"
    assert len(ax.containers) == 4
    assert [t.get_text() for t in ax.get_legend().get_texts()][0] == "unrecognised"


def test_containment_by_intent_has_two_series(results: dict[str, Any]) -> None:
    ax = _ax(dashboards.containment_by_intent(results["tables"]["by_intent"]))
    assert ax.get_title() == "Automatic resolution and net containment by intent"
    assert ax.get_xlabel() == "Share of the intent's contacts (%)"
    assert len(ax.containers) == 2
    assert [p.get_width() for p in ax.containers[0]][-1] == pytest.approx(80.0)


def test_failure_funnel_counts(results: dict[str, Any]) -> None:
    ax = _ax(dashboards.failure_funnel(results["tables"]["funnel"]))
    assert ax.get_title() == "Failure funnel: where contacts drop out"
    widths = sorted(p.get_width() for p in ax.containers[0])
    assert widths == [50, 60, 70, 80, 90, 100]
    assert "100 (100 %)" in [t.get_text() for t in ax.texts]


def test_handling_time_in_minutes(results: dict[str, Any]) -> None:
    ax = _ax(dashboards.handling_time(results["totals"]))
    assert ax.get_ylabel() == "Minutes"
    heights = [p.get_height() for p in ax.containers[0]]
    assert heights == pytest.approx([78.75 / 60, 7.5, 1.5])


def test_priority_matrix_has_four_quadrants_with_counts(results: dict[str, Any]) -> None:
    ax = _ax(dashboards.priority_matrix(results["matrix"], "USD"))
    assert ax.get_title() == "Priority matrix: conformity vs billing"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Conformity (0-100)", "Monthly billing (USD)")
    assert len(ax.collections) == 4
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Retain: 3 customers" in labels and "Let go: 6 customers" in labels
    assert "RETAIN 3 · LET GO 6" in [t.get_text() for t in ax.texts]  # one low-conformity label


def test_conformity_trend(results: dict[str, Any]) -> None:
    ax = _ax(dashboards.conformity_trend(results["tables"]["conformity_trend"], 50.0))
    assert ax.get_title() == "Conformity trend"
    assert ax.get_ylim() == (0, 100)
    assert len(ax.lines) == 2  # the trend and the threshold


def test_empty_data_draws_a_message_not_an_error(results: dict[str, Any]) -> None:
    for name, table in [
        ("intent_mix", "intent_trend"),
        ("containment", "by_intent"),
        ("funnel", "funnel"),
        ("conformity", "conformity_trend"),
    ]:
        results["tables"][table] = []
        ax = _ax(build_figure(name, results))
        assert "No data for this period" in [t.get_text() for t in ax.texts]


def test_render_all_and_index(results: dict[str, Any], tmp_path: Path) -> None:
    images = dashboards.render_all(results, tmp_path)
    assert set(images) == set(dashboards.FIGURES)
    assert all(p.stat().st_size > 5000 for p in images.values())
    index = dashboards.write_index(results, images, tmp_path).read_text()
    assert index.count("<img ") == len(dashboards.FIGURES)
    assert "Indicator number 13" in index


@pytest.mark.parametrize(("language", "mark", "other"), [("es", ",", "."), ("en", ".", ",")])
def test_tick_labels_write_numbers_the_language_way(
    results: dict[str, Any], language: str, mark: str, other: str
) -> None:
    """Times under two minutes put fractions on the axis: "0,5" in Spanish, "0.5" in English."""
    results["totals"]["agent_seconds"] = 90.0
    figure = build_figure("handling_time", results, language)
    figure.canvas.draw()
    ticks = [t.get_text() for t in _ax(figure).get_yticklabels()]
    fractional = [t for t in ticks if mark in t]
    assert fractional, ticks
    assert not any(other in t for t in ticks), ticks


@pytest.mark.parametrize(
    ("language", "label"), [("es", "Umbral (52,6)"), ("en", "Threshold (52.6)")]
)
def test_conformity_trend_names_the_threshold_as_set(
    results: dict[str, Any], language: str, label: str
) -> None:
    """A threshold of 52.6 is drawn and named 52.6 ("52,6" in Spanish), never rounded to 53."""
    results["matrix"]["conformity_threshold"] = 52.6
    figure = build_figure("conformity", results, language)
    labels = [text.get_text() for text in _ax(figure).get_legend().get_texts()]
    assert label in labels
