"""Manager page of the improvement loop: proposals to decide, replay runs and their progress."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from contactpro.errors import NotFoundError
from contactpro.improve import proposals, runs
from webhooks.console.auth import setup, t
from webhooks.db import db_session

bp = Blueprint("console_improve", __name__, url_prefix="/console/manager/improve")
setup(bp, "manager")


@bp.get("/")
def overview() -> str:
    """Draft proposals with their decisions, and the latest replay runs with progress."""
    session = db_session()
    return render_template(
        "console/improve.html",
        proposals=proposals.listing(session),
        runs=runs.latest_runs_in(session),
    )


@bp.post("/proposals/<int:proposal_id>")
def decide(proposal_id: int) -> BaseResponse:
    """Approve or reject a proposal; the decision is audited under the manager's id."""
    decision = request.form.get("decision", "")
    if decision not in proposals.DECISIONS:
        abort(400)
    session = db_session()
    try:
        proposals.decide(session, proposal_id, decision, g.agent.email, agent_id=g.agent.id)
    except NotFoundError:
        abort(404)
    session.commit()
    flash(f"#{proposal_id}: {t('proposal_' + decision)}", "info")
    return redirect(url_for("console_improve.overview"))
