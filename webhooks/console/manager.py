"""Manager pages: dashboards and KPIs, customers per quadrant, conversation search, settings."""

from __future__ import annotations

import json
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from contactpro.analytics.matrix import (
    STRATEGIES,
    apply_conformity_threshold,
    export_quadrants,
    placed_runs,
)
from contactpro.config import company_timezone
from contactpro.console import reports, search, wording
from contactpro.console.agent_queue import RESOLUTIONS, close_erased
from contactpro.console.pages import csv_text, page_number, paginate
from contactpro.console.settings import (
    FIELDS,
    GROUPS,
    WEEKDAYS,
    ConfigChangeError,
    audit_entries,
    current_config,
    update_config,
)
from contactpro.errors import BadRequestError, NotFoundError
from contactpro.models import AnalysisRun, utcnow
from contactpro.models.analytics import QUADRANTS
from contactpro.models.interactions import CHANNELS, OUTCOMES
from contactpro.observability.alerts import open_alerts
from contactpro.privacy.erasure import erase, recent_erasures
from contactpro.privacy.export import export_customer
from contactpro.privacy.subjects import find_customer
from tasks import send
from tasks.analytics import redraw
from webhooks.console.agent import telephony
from webhooks.console.auth import settings, setup, t
from webhooks.console.downloads import csv_download
from webhooks.db import db_session

# Dates a search may ask for; beyond them the date arithmetic of the search overflows.
SEARCH_YEARS = (1900, 2999)
bp = Blueprint("console_manager", __name__, url_prefix="/console/manager")
setup(bp, "manager")


@bp.get("/")
def dashboards() -> str:
    """The run of the latest period (or ``?run=``): its figures and KPIs with their history."""
    session = db_session()
    found = reports.dashboard_runs(session, request.args.get("run", type=int))
    if found is None:
        abort(404)
    runs, latest, choices = found
    rows, history = reports.kpi_history(runs)
    return render_template(
        "console/dashboards.html",
        runs=runs,
        latest=latest,
        choices=choices,
        rows=rows,
        history=history,
        previous=reports.previous_run(runs),
        figures=reports.images(runs[0], g.lang) if runs else [],
        alerts=open_alerts(session),
    )


@bp.get("/runs/<int:run_id>/figures/<int:index>")
def figure(run_id: int, index: int) -> Response:
    """One figure file of a run (only files the run itself lists are served)."""
    run = db_session().get(AnalysisRun, run_id)
    figures = reports.images(run, g.lang) if run else []
    if not 0 <= index < len(figures):
        abort(404)
    return send_file(figures[index][1], max_age=0)


def _page() -> int:
    return page_number(request.args.get("page"))


def _quadrant() -> str | None:
    quadrant = request.args.get("quadrant") or None
    if quadrant is not None and quadrant not in QUADRANTS:
        abort(400, description=t("bad_filter"))
    return quadrant


@bp.get("/customers")
def customers() -> str:
    """Scored customers, one quadrant at a time."""
    quadrant = _quadrant()
    session = db_session()
    return render_template(
        "console/customers.html",
        quadrant=quadrant,
        quadrants=tuple(STRATEGIES),  # top priority first, as the CSV and the figure
        counts=reports.quadrant_counts(session),
        rows=paginate(reports.customers_in_quadrant(session, quadrant), _page()),
        rule=settings(),
    )


@bp.get("/customers.csv")
def customers_csv() -> Response:
    """The same list as CSV."""
    quadrant = _quadrant()
    name = f"customers-{quadrant or 'all'}-{date.today().isoformat()}.csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        export_quadrants(db_session(), path, quadrant, lambda q: t(f"action_{q}"))
        body = path.read_bytes()
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _date(name: str) -> date | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or not SEARCH_YEARS[0] <= value.year <= SEARCH_YEARS[1]:
        abort(400, description=t("bad_date"))
    return value


def _search_query() -> search.SearchQuery:
    return search.SearchQuery(
        number=request.args.get("number", "").strip()[:32],
        customer=request.args.get("customer", "").strip()[:120],
        intent=request.args.get("intent", "").strip()[:40],
        outcome=request.args.get("outcome", "").strip()[:20],
        date_from=_date("from"),
        date_to=_date("to"),
        channel=request.args.get("channel", "").strip()[:8],
        zone=company_timezone(settings()),
    )


@bp.get("/conversations")
def conversations() -> str:
    """Search conversations by number, customer, channel, intent, outcome and date."""
    query = _search_query()
    session = db_session()
    results = [] if query.empty else search.search(session, query)
    return render_template(
        "console/conversations.html",
        query=query,
        results=paginate(results, _page()),
        args={k: v for k, v in request.args.items() if k != "page"},
        intents=search.intents_seen(session),
        outcomes=OUTCOMES + RESOLUTIONS,
        channels=CHANNELS,
        searched=not query.empty,
    )


@bp.get("/conversations.csv")
def conversations_csv() -> Response:
    """The search's results as CSV (every match, not one page)."""
    query = _search_query()
    results = [] if query.empty else search.search(db_session(), query)
    rows = search.csv_rows(results, company_timezone(settings()))
    return csv_download(csv_text(search.CSV_COLUMNS, rows), "conversations")


@bp.get("/conversations/<int:interaction_id>")
def conversation(interaction_id: int) -> str:
    """One conversation's transcript, escalation and recording link."""
    data = search.conversation(db_session(), interaction_id)
    if data is None:
        abort(404)
    return render_template("console/conversation.html", **data)


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """Return the settings as the form shows them: numbers the page's way ("45,375" in
    Spanish), so that submitting the form unchanged reads back the same values."""
    numeric = {f.key for f in FIELDS if f.kind in ("int", "float")}
    return {
        key: wording.number(value, None, g.lang, grouped=False) if key in numeric else value
        for key, value in values.items()
    }


def _config_page(
    session: Session, values: dict[str, Any], error: ConfigChangeError | None
) -> Response:
    body = render_template(
        "console/config.html",
        fields=FIELDS,
        groups=GROUPS,
        weekdays=WEEKDAYS,
        values=values,
        error=error,
        audit=audit_entries(session),
    )
    return Response(body, status=400 if error else 200, mimetype="text/html")


def _saved(changed: list[str]) -> BaseResponse:
    """Say what a saved change changed, back on the settings page."""
    if changed:
        flash(f"{t('saved')}: {', '.join(t('cfg_' + key) for key in changed)}", "info")
    else:
        flash(t("no_changes"), "info")
    return redirect(url_for("console_manager.config"))


def _submitted() -> dict[str, str]:
    """Return the submitted settings; days come as one checkbox each (after an empty marker)."""
    return {
        f.key: ",".join(filter(None, request.form.getlist(f.key)))
        if f.kind == "days"
        else request.form.get(f.key, "")
        for f in FIELDS
        if f.key in request.form
    }


def _store_config(session: Session, submitted: dict[str, str]) -> tuple[list[str], list[int]]:
    """Store the submitted settings; return what changed and the runs whose matrix moved."""
    changed = update_config(session, settings(), submitted, g.agent.id, g.lang)
    if "conformity_threshold" not in changed:
        return changed, []
    apply_conformity_threshold(session, settings())  # the customers and their run's summary
    return changed, placed_runs(session)


@bp.route("/config", methods=["GET", "POST"])
def config() -> BaseResponse | str:
    """Thresholds, hours, offers and templates; every change lands in the audit log.

    A new conformity threshold re-places customers at once; a task redraws their run's files."""
    session = db_session()
    values = _shown(current_config(session, settings()))
    if request.method != "POST":
        return _config_page(session, values, None)
    submitted = _submitted()
    try:
        changed, moved = _store_config(session, submitted)
        session.commit()
    except ConfigChangeError as exc:
        session.rollback()
        return _config_page(session, {**values, **submitted}, exc)
    for run_id in moved:
        send(redraw, run_id)  # after the commit: the task reads the new summary
    return _saved(changed)


AGENT_DAYS = (7, 30, 90)


def _agent_period() -> tuple[int, list[dict[str, Any]]]:
    """Return the days asked for (7, 30 or 90; default 30) and the agents' figures over them."""
    days = request.args.get("days", type=int) or 30
    if days not in AGENT_DAYS:
        abort(400, description=t("bad_filter"))
    now = utcnow()
    return days, reports.agent_figures(db_session(), now - timedelta(days=days), now)


@bp.get("/agents")
def agents() -> str:
    """Per-agent figures: escalations taken, resolved, handling time, call-backs kept."""
    days, rows = _agent_period()
    return render_template("console/agents.html", days=days, choices=AGENT_DAYS, rows=rows)


@bp.get("/agents.csv")
def agents_csv() -> Response:
    """The same figures as CSV."""
    days, rows = _agent_period()
    body = csv_text(reports.AGENT_CSV_COLUMNS, reports.agent_csv_rows(rows))
    return csv_download(body, f"agents-{days}d")


def _privacy_page(error: str | None = None) -> Response:
    body = render_template(
        "console/privacy.html", error=error, erasures=recent_erasures(db_session())
    )
    return Response(body, status=400 if error else 200, mimetype="text/html")


@bp.get("/privacy")
def privacy() -> Response:
    """Customers' data requests: export everything held about one, or erase it."""
    return _privacy_page()


@bp.post("/privacy")
def privacy_request() -> BaseResponse:
    """Export (a JSON download) or erase one customer's personal data, found by phone or id."""
    session = db_session()
    phone, national_id = request.form.get("phone", ""), request.form.get("national_id", "")
    try:
        customer = find_customer(session, phone=phone.strip(), national_id=national_id.strip())
    except (BadRequestError, NotFoundError):
        return _privacy_page(t("privacy_not_found"))
    if request.form.get("action") == "export":
        document = json.dumps(export_customer(session, settings(), customer), default=str)
        name = f"customer-{customer.id}.json"
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(document, mimetype="application/json", headers=disposition)
    if request.form.get("confirm") != "1":
        return _privacy_page(t("privacy_confirm_needed"))
    erase(session, settings(), telephony(), customer, agent_id=g.agent.id)
    close_erased(session, customer.id, g.agent.id)
    session.commit()
    flash(t("privacy_erased").format(id=customer.id), "info")
    return redirect(url_for("console_manager.privacy"))
