"""The insight report (Markdown and HTML): findings and recommendations from the figures.

The prose is written either by a deterministic writer or, when an Anthropic key is set, by
Claude. Either way the prose only *names* figures as ``{placeholders}``; their values are
inserted from the analysis, and Claude's text is rejected (falling back to the deterministic
writer) if it contains a digit of its own or names a figure that does not exist.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from contactpro.console.durations import figure_duration
from contactpro.console.wording import money
from contactpro.errors import LLMError

log = logging.getLogger(__name__)

CLAUDE_MODEL = "claude-sonnet-4-6"
# Intents and escalation reasons that mean "the caller wants a person": handing these over is
# the bot doing its job, so they are never a flow to fix.
PERSON_INTENTS = frozenset({"agent_request"})
DEFAULT_MIN_CONTACTS = 30
# The summary of a period with no closed conversation: no share or mean to speak of.
NOTHING_CLOSED = "No conversation of this period has closed yet: there is nothing to measure."
_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")


@dataclass(frozen=True)
class Prose:
    """The written part of a report: a summary and recommendations, with placeholders."""

    summary: str
    recommendations: list[str]
    writer: str


class Writer(Protocol):
    """Writes the report's prose from the named figures."""

    def write(self, facts: Mapping[str, str]) -> Prose:
        """Return the prose, naming figures as ``{name}``."""
        ...


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def facts(results: Mapping[str, Any]) -> dict[str, str]:
    """Return every figure the prose may cite, by name, formatted from the analysis.

    Figures that lead to a recommendation (the worst intent, the worst hour, the main
    escalation reason) are named only when they rest on ``min_contacts`` contacts, and never
    for intents or reasons that mean the caller asked for a person.
    """
    # A figure without data is not a figure to cite: "resolved not measured of them" is no prose.
    out = {f"kpi_{k['key']}": k["text"] for k in results["kpis"] if k.get("value") is not None}
    tables = results["tables"]
    least = int(results.get("min_contacts", DEFAULT_MIN_CONTACTS))
    out["timezone"] = str(results.get("timezone", "UTC"))
    by_intent = sorted(tables["by_intent"], key=lambda r: -r["contacts"])
    if by_intent:
        top = by_intent[0]
        out["top_intent"] = top["intent"].replace("_", " ")
        out["top_intent_share"] = _pct(top["contacts"] / max(1, results["totals"]["contacts"]))
        big = [
            r
            for r in by_intent
            if r["contacts"] >= least and r["intent"] not in PERSON_INTENTS | {"unrecognised"}
        ]
        if big:
            worst = min(big, key=lambda r: r["containment_rate"])
            out["worst_intent"] = worst["intent"].replace("_", " ")
            out["worst_intent_containment"] = _pct(worst["containment_rate"])
    failures = [r for r in tables["failures"] if r["reason"] not in PERSON_INTENTS]
    if sum(r["failures"] for r in failures) >= least:
        steps: dict[tuple[str, str], int] = {}
        for row in failures:
            key = (row["step"], row["reason"])
            steps[key] = steps.get(key, 0) + row["failures"]
        (step, reason), count = max(steps.items(), key=lambda kv: kv[1])
        total_failures = sum(steps.values())
        out["top_failure_step"] = step.replace("_", " ")
        out["top_failure_reason"] = reason.replace("_", " ")
        out["top_failure_share"] = _pct(count / total_failures)
    by_hour = [r for r in tables["failures_by_hour"] if r["contacts"] >= least]
    if by_hour:
        worst_hour = max(by_hour, key=lambda r: r["failure_rate"])
        out["worst_hour"] = f"{int(worst_hour['hour']):02d}:00"
        out["worst_hour_failure_rate"] = _pct(worst_hour["failure_rate"])
    reasons = [
        r
        for r in tables["escalation_reasons"]
        if r["escalations"] >= least and r["reason"] not in PERSON_INTENTS
    ]
    if reasons:
        out["top_escalation_reason"] = reasons[0]["reason"].replace("_", " ")
    tiers = tables["tiers"]
    if tiers:
        llm = sum(r["turns"] for r in tiers if r["tier"] == "llm")
        out["llm_share"] = _pct(llm / max(1, sum(r["turns"] for r in tiers)))
    matrix = results["matrix"]
    retain = next((q for q in matrix["quadrants"] if q["quadrant"] == "retain"), None)
    if retain is not None and retain["customers"]:  # no advice about nobody
        out["retain_customers"] = f"{retain['customers']:,}"
        out["retain_billing"] = _money(retain["billing"], results)
    return out


class DeterministicWriter:
    """Writes the same prose for the same figures, without any model."""

    def write(self, facts: Mapping[str, str]) -> Prose:
        """Return the summary and recommendations for the available figures."""
        if "kpi_auto_resolution" not in facts:
            return Prose(NOTHING_CLOSED, [], "deterministic")
        summary = [
            "In this period the bot handled {kpi_interactions} interactions and resolved "
            "{kpi_auto_resolution} of them on its own; net of repeat contacts, "
            "{kpi_net_containment} were contained.",
        ]
        recs: list[str] = []
        if "top_intent" in facts:
            summary.append("The most frequent request was {top_intent} ({top_intent_share}).")
        if "worst_intent" in facts:
            summary.append(
                "Among frequent requests, containment is lowest for {worst_intent} "
                "({worst_intent_containment})."
            )
            recs.append(
                "Review the {worst_intent} flow first: it has the lowest net containment "
                "({worst_intent_containment}) among frequent intents."
            )
        if "top_failure_step" in facts:
            summary.append(
                "Most failed conversations stop after the step {top_failure_step} with reason "
                "{top_failure_reason} ({top_failure_share} of failures)."
            )
            recs.append(
                "Fix what follows the step {top_failure_step}: it accounts for "
                "{top_failure_share} of failures ({top_failure_reason})."
            )
        if "worst_hour" in facts:
            recs.append(
                "Staff agents for {worst_hour} ({timezone}), the hour with the highest "
                "failure rate ({worst_hour_failure_rate})."
            )
        if "top_escalation_reason" in facts:
            recs.append(
                "The main escalation reason is {top_escalation_reason}; address it in the "
                "dialog or the knowledge the bot draws on."
            )
        if "retain_customers" in facts:
            recs.append(
                "Call the {retain_customers} customer in the retain quadrant "
                "({retain_billing} a month) with an economic offer before they cancel."
                if facts["retain_customers"] == "1"
                else "Call the {retain_customers} customers in the retain quadrant "
                "({retain_billing} a month) with an economic offer before they cancel."
            )
        durations = {"kpi_automated_minutes", "kpi_agent_minutes"} & set(facts)
        if len(durations) == 2:
            summary.append(
                "Mean duration is {kpi_automated_minutes} automated against {kpi_agent_minutes} "
                "with an agent."
            )
        elif durations:
            summary.append(
                "Mean duration is {kpi_automated_minutes} automated; no contact reached an agent."
                if "kpi_automated_minutes" in durations
                else "The bot resolved none of them; mean handling time with an agent is "
                "{kpi_agent_minutes}."
            )
        if "kpi_monthly_savings" in facts:
            summary.append("Estimated monthly savings are {kpi_monthly_savings}.")
        return Prose(" ".join(summary), recs, "deterministic")


class ClaudeWriter:
    """Asks Claude (Messages API) for the prose; the figures stay placeholders."""

    def __init__(
        self,
        api_key: str,
        *,
        model: str = CLAUDE_MODEL,
        base_url: str | None = None,
        timeout: float = 20.0,
    ) -> None:
        import anthropic  # noqa: PLC0415 - only a process that writes prose loads the SDK

        self._client = anthropic.Anthropic(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0
        )
        self._model = model

    def write(self, facts: Mapping[str, str]) -> Prose:
        """Return Claude's prose; raise LLMError when the call fails or the text is unusable."""
        prompt = (
            "You write the insight report for call-center managers. Figures, by name:\n"
            + "\n".join(f"- {name}: {value}" for name, value in facts.items())
            + '\n\nAnswer with JSON only: {"summary": "one paragraph", '
            '"recommendations": ["...", ...]} (3 to 6 recommendations). Cite a figure only '
            "as {name} in braces, never write a number or digit yourself."
        )
        import anthropic  # noqa: PLC0415 - see __init__

        try:
            message = self._client.messages.create(
                model=self._model,
                max_tokens=900,
                messages=[{"role": "user", "content": prompt}],
            )
        except anthropic.APIError as exc:
            raise LLMError(f"report writer call failed: {exc.__class__.__name__}") from exc
        text = "".join(getattr(block, "text", "") for block in message.content)
        return validate_prose(text, facts)


def validate_prose(text: str, facts: Mapping[str, str]) -> Prose:
    """Parse Claude's JSON answer and check it cites only known figures and writes no digits."""
    match = re.search(r"\{.*\}", text, re.S)
    try:
        data = json.loads(match.group(0) if match else text)
        summary = str(data["summary"])
        recs = [str(r) for r in data["recommendations"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise LLMError("report writer answered malformed JSON", reason="llm_malformed") from exc
    for part in [summary, *recs]:
        names = _PLACEHOLDER.findall(part)
        unknown = [n for n in names if n not in facts]
        if unknown:
            raise LLMError(f"report writer cited unknown figures {unknown}", reason="llm_figures")
        if re.search(r"\d", _PLACEHOLDER.sub("", part)):
            raise LLMError("report writer wrote its own numbers", reason="llm_figures")
    return Prose(summary, recs, "claude")


def write_prose(facts: Mapping[str, str], writer: Writer | None) -> Prose:
    """Return the prose from ``writer``, or the deterministic prose when it fails or is None
    (or when no conversation closed: there is nothing for a model to write about)."""
    if writer is not None and "kpi_auto_resolution" in facts:
        try:
            return writer.write(facts)
        except LLMError as exc:
            log.warning(
                "report writer failed; using the deterministic writer", extra={"reason": exc.reason}
            )
    return DeterministicWriter().write(facts)


def fill(text: str, facts: Mapping[str, str]) -> str:
    """Replace ``{name}`` placeholders with the figures."""
    return _PLACEHOLDER.sub(lambda m: facts.get(m.group(1), m.group(0)), text)


Block = tuple[str, Any]
TABLE_ROWS = 10  # rows a ranked table shows
NO_ROWS = "None in this period."
NO_RECOMMENDATIONS = "No recommendation for this period."
# Table columns that hold amounts of the analysis' currency.
AMOUNT_COLUMNS = frozenset({"billing"})


def _top(rows: Sequence[Mapping[str, Any]], count: str, what: str) -> list[Block]:
    """Return a line saying a ranked table shows only its first rows, with the share of
    ``count`` they hold ("Top 10 of 17 ...: 13 of the 21 failures"); nothing if it shows all."""
    if len(rows) <= TABLE_ROWS:
        return []
    shown = sum(int(r.get(count) or 0) for r in rows[:TABLE_ROWS])
    total = sum(int(r.get(count) or 0) for r in rows)
    return [("p", f"Top {TABLE_ROWS} of {len(rows):,} {what}: {shown:,} of the {total:,} {count}.")]


def _threshold(value: float) -> str:
    """Return the conformity threshold (0-100) as set, not rounded: "52.6", "50"."""
    return f"{float(value):g}"


def _money(amount: Any, results: Mapping[str, Any]) -> str:
    """Return an amount of the analysis' currency as the console writes it: "1,234.00 COP"."""
    currency = str(results.get("currency") or "")
    return money(amount or 0, currency, "en").strip()


def _table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[tuple[str, str]],
    limit: int = TABLE_ROWS,
    amounts: Mapping[str, Any] | None = None,
) -> Block:
    """Return rows as a table block; the columns named in ``amounts`` (the analysis' results)
    are amounts of its currency."""
    if not rows:
        return ("p", NO_ROWS)  # a table of headings alone reads as a broken report
    body = []
    for row in list(rows)[:limit]:
        cells = []
        for key, _title in columns:
            value = row.get(key)
            if amounts is not None and key in AMOUNT_COLUMNS and value is not None:
                value = _money(value, amounts)
            elif key.endswith("_seconds") and isinstance(value, int | float):
                amount, unit = figure_duration(value)  # "29 min", not "1,733.4"
                value = f"{amount:g} {unit}"
            elif isinstance(value, float):
                value = (
                    f"{value * 100:.1f} %"
                    if key.endswith("rate") or key == "share"
                    else (f"{value:,.1f}")
                )
            elif isinstance(value, int):
                value = f"{value:,}"
            cells.append(str(value if value is not None else "-").replace("_", " "))
        body.append(cells)
    return ("table", ([title for _key, title in columns], body))


def blocks(results: Mapping[str, Any], prose: Prose, facts_: Mapping[str, str]) -> list[Block]:
    """Return the report as a list of (kind, content) blocks shared by both renderers."""
    tables = results["tables"]
    matrix = results["matrix"]
    return [
        ("h1", f"ContactPro insight report - {results.get('period_label', '')}"),
        (
            "p",
            f"Run {results.get('run_id', '-')}, code {results.get('code_version', '-')}, "
            f"prose by the {prose.writer} writer; every figure comes from the analysis.",
        ),
        ("h2", "Summary"),
        ("p", fill(prose.summary, facts_)),
        ("h2", "Key performance indicators"),
        _table(
            results["kpis"],
            [("label", "Indicator"), ("text", "Value"), ("target", "Target")],
            limit=50,
        ),
        ("h2", "Recommendations"),
        ("ul", [fill(r, facts_) for r in prose.recommendations])
        if prose.recommendations
        else ("p", NO_RECOMMENDATIONS),
        ("h2", "Where conversations fail"),
        *_top(tables["failures"], "failures", "combinations of step, reason and segment"),
        _table(
            tables["failures"],
            [
                ("step", "Last step"),
                ("reason", "Reason"),
                ("segment", "Segment"),
                ("failures", "Failures"),
            ],
        ),
        ("h2", "Containment by intent"),
        *_top(tables["by_intent"], "contacts", "intents"),
        _table(
            tables["by_intent"],
            [
                ("intent", "Intent"),
                ("contacts", "Contacts"),
                ("resolution_rate", "Resolved by bot"),
                ("containment_rate", "Net containment"),
            ],
        ),
        ("h2", "Escalation reasons"),
        *_top(tables["escalation_reasons"], "escalations", "reasons"),
        _table(
            tables["escalation_reasons"],
            [
                ("reason", "Reason"),
                ("escalations", "Escalations"),
                ("mean_queue_seconds", "Mean wait"),
            ],
        ),
        ("h2", "Priority matrix"),
        (
            "p",
            f"Conformity threshold {_threshold(matrix['conformity_threshold'])}; billing threshold "
            f"{_money(matrix['billing_threshold'], results)}. "
            + _let_go_rule(matrix, results)
            + _past_matrix(matrix),
        ),
        _table(
            matrix["quadrants"],
            [
                ("label", "Quadrant"),
                ("customers", "Customers"),
                ("billing", "Monthly billing"),
                ("action", "Action"),
            ],
            amounts=results,
        ),
    ]


def _past_matrix(matrix: dict[str, Any]) -> str:
    """Say that a past period's matrix did not replace the customers' current quadrants."""
    if matrix.get("current", True):
        return ""
    return (
        " This is the matrix at the end of a past period: the customers' current quadrants"
        " (console, cancellation offers, queue) stay those of the most recent period analysed."
    )


def _let_go_rule(matrix: dict[str, Any], results: Mapping[str, Any]) -> str:
    """Return the let-go rule with this run's cost of recovery (empty for older runs)."""
    if "recovery_cost" not in matrix:
        return ""
    return (
        f"Customers of low conformity are let go only where the cost of recovery "
        f"({_money(matrix['recovery_cost'], results)}) exceeds their expected value (billing x "
        f"{matrix['customer_value_months']} months x share of invoices paid on time); "
        "the others are retained."
    )


def to_markdown(parts: Sequence[Block]) -> str:
    """Render blocks as Markdown."""
    out: list[str] = []
    for kind, content in parts:
        if kind == "h1":
            out.append(f"# {content}\n")
        elif kind == "h2":
            out.append(f"## {content}\n")
        elif kind == "p":
            out.append(f"{content}\n")
        elif kind == "ul":
            out.append("\n".join(f"- {item}" for item in content) + "\n")
        elif kind == "table":
            head, body = content
            lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            lines += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in body]
            out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def to_html(parts: Sequence[Block]) -> str:
    """Render blocks as a standalone HTML page."""
    esc = html.escape
    out: list[str] = []
    for kind, content in parts:
        if kind in ("h1", "h2", "p"):
            out.append(f"<{kind}>{esc(content)}</{kind}>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in content) + "</ul>")
        elif kind == "table":
            head, body = content
            rows = "".join(
                "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in body
            )
            out.append(
                "<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + f"</tr>{rows}</table>"
            )
    style = (
        "body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#1f2933}"
        "td,th{border-bottom:1px solid #d9e2ec;padding:.3rem .8rem;text-align:left}"
        "table{border-collapse:collapse}"
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ContactPro '
        f"insight report</title><style>{style}</style></head><body>"
        + "\n".join(out)
        + '<p><a href="index.html">Dashboards</a></p></body></html>\n'
    )


def build_report(results: Mapping[str, Any], writer: Writer | None = None) -> tuple[str, str]:
    """Return the report as (markdown, html)."""
    named = facts(results)
    prose = write_prose(named, writer)
    parts = blocks(results, prose, named)
    return to_markdown(parts), to_html(parts)
