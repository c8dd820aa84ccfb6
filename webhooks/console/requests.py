"""The team's work list of cancellation requests: offers to apply, cancellations to process."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from contactpro.console import cancellation_requests as work
from contactpro.console import wording
from contactpro.console.pages import page_number, paginate
from contactpro.errors import NotFoundError
from webhooks.console.auth import setup, t
from webhooks.db import db_session

bp = Blueprint("console_requests", __name__, url_prefix="/console/manager/requests")
setup(bp, "manager")


def _choice(name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.values.get(name) or None
    if value is not None and value not in allowed:
        abort(400, description=t("bad_filter"))
    return value


@bp.get("/")
def requests() -> str:
    """Cancellation requests newest first, by outcome and status."""
    outcome, status = _choice("outcome", work.OUTCOMES), _choice("status", work.STATUSES)
    rows = work.requests(db_session(), outcome, status)
    return render_template(
        "console/requests.html",
        rows=paginate(rows, page_number(request.args.get("page"))),
        outcome=outcome,
        status=status,
        outcomes=work.OUTCOMES,
        statuses=work.STATUSES,
        outcome_keys=work.OUTCOME_KEYS,
        status_key=work.status_key,
        offer_words=lambda offer: wording.offer_words(offer, t, g.lang),
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.post("/<int:request_id>/done")
def done(request_id: int) -> BaseResponse:
    """Mark a request's offer applied or its cancellation processed."""
    session = db_session()
    try:
        work.mark_done(session, request_id, g.agent)
        session.commit()
        flash(t("creq_marked").format(id=request_id), "info")
    except NotFoundError:
        abort(404)
    except work.RequestClosedError:
        session.rollback()
        flash(t("creq_already_done").format(id=request_id), "error")
    filters = {
        "outcome": _choice("outcome", work.OUTCOMES),
        "status": _choice("status", work.STATUSES),
    }
    return redirect(url_for("console_requests.requests", **{k: v for k, v in filters.items() if v}))
