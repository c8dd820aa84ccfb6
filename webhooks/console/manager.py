"""Manager pages: dashboards and KPIs, customers per quadrant, conversation search, settings."""

from __future__ import annotations

import json
import tempfile
from datetime import date
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

from contactpro.analytics.matrix import export_quadrants
from contactpro.console import reports, search
from contactpro.console.agent_queue import RESOLUTIONS
from contactpro.console.settings import (
    FIELDS,
    GROUPS,
    ConfigChangeError,
    audit_entries,
    current_config,
    update_config,
)
from contactpro.errors import BadRequestError, NotFoundError
from contactpro.models import AnalysisRun
from contactpro.models.analytics import QUADRANTS
from contactpro.models.interactions import CHANNELS, OUTCOMES
from contactpro.observability.alerts import LABELS as ALERT_LABELS
from contactpro.observability.alerts import open_alerts
from contactpro.privacy.erasure import erase, recent_erasures
from contactpro.privacy.export import export_customer
from contactpro.privacy.subjects import find_customer
from webhooks.console.agent import telephony
from webhooks.console.auth import settings, setup, t
from webhooks.db import db_session

# Dates a search may ask for; beyond them the date arithmetic of the search overflows.
SEARCH_YEARS = (1900, 2999)
bp = Blueprint("console_manager", __name__, url_prefix="/console/manager")
setup(bp, "manager")


@bp.get("/")
def dashboards() -> str:
    """The latest analysis run: its figures and the KPI table with its history."""
    runs = reports.latest_runs(db_session())
    rows, history = reports.kpi_history(runs)
    figures = reports.images(runs[0]) if runs else []
    return render_template(
        "console/dashboards.html",
        runs=runs,
        rows=rows,
        history=history,
        figures=figures,
        alerts=open_alerts(db_session()),
        alert_labels=ALERT_LABELS,
    )


@bp.get("/runs/<int:run_id>/figures/<int:index>")
def figure(run_id: int, index: int) -> Response:
    """One figure file of a run (only files the run itself lists are served)."""
    run = db_session().get(AnalysisRun, run_id)
    figures = reports.images(run) if run else []
    if not 0 <= index < len(figures):
        abort(404)
    return send_file(figures[index][1], max_age=0)


def _quadrant() -> str | None:
    quadrant = request.args.get("quadrant") or None
    if quadrant is not None and quadrant not in QUADRANTS:
        abort(400, description="unknown quadrant")
    return quadrant


@bp.get("/customers")
def customers() -> str:
    """Scored customers, one quadrant at a time."""
    quadrant = _quadrant()
    session = db_session()
    return render_template(
        "console/customers.html",
        quadrant=quadrant,
        quadrants=QUADRANTS,
        counts=reports.quadrant_counts(session),
        rows=reports.customers_in_quadrant(session, quadrant),
    )


@bp.get("/customers.csv")
def customers_csv() -> Response:
    """The same list as CSV."""
    quadrant = _quadrant()
    name = f"customers-{quadrant or 'all'}-{date.today().isoformat()}.csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        export_quadrants(db_session(), path, quadrant)
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
        abort(400, description=f"{name} must be a date (YYYY-MM-DD) from year 1900 to 2999")
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
        results=results,
        intents=search.intents_seen(session),
        outcomes=OUTCOMES + RESOLUTIONS,
        channels=CHANNELS,
        searched=not query.empty,
    )


@bp.get("/conversations/<int:interaction_id>")
def conversation(interaction_id: int) -> str:
    """One conversation's transcript, escalation and recording link."""
    data = search.conversation(db_session(), interaction_id)
    if data is None:
        abort(404)
    return render_template("console/conversation.html", **data)


def _config_page(
    session: Session, values: dict[str, Any], error: ConfigChangeError | None
) -> Response:
    body = render_template(
        "console/config.html",
        fields=FIELDS,
        groups=GROUPS,
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


@bp.route("/config", methods=["GET", "POST"])
def config() -> BaseResponse | str:
    """Thresholds, hours, offers and templates; every change lands in the audit log."""
    session = db_session()
    values = current_config(session, settings())
    if request.method != "POST":
        return _config_page(session, values, None)
    submitted = {f.key: request.form.get(f.key, "") for f in FIELDS if f.key in request.form}
    try:
        changed = update_config(session, settings(), submitted, g.agent.id)
        session.commit()
    except ConfigChangeError as exc:
        session.rollback()
        return _config_page(session, {**values, **submitted}, exc)
    return _saved(changed)


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
    session.commit()
    flash(t("privacy_erased").format(id=customer.id), "info")
    return redirect(url_for("console_manager.privacy"))
