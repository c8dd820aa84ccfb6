"""Manager pages of the improvement loop: what to automate next, failure explanations,
proposals (view, edit, approve or reject, replay) and replay runs with baseline vs proposed.

Every page calls the same domain functions as ``contactpro improve``; nothing is computed here.
"""

from __future__ import annotations

import json
import math
from functools import partial
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from contactpro.config import LANGUAGES, company_timezone
from contactpro.console import wording
from contactpro.console.strings import translate
from contactpro.errors import ContactProError, NotFoundError
from contactpro.improve import approval, explain, index, proposals, rank, runs, store
from contactpro.improve.llm import writer_for
from contactpro.models import utcnow
from tasks import send
from tasks.improve import replay as replay_task
from webhooks.console.auth import settings, setup, t
from webhooks.db import db_session

bp = Blueprint("console_improve", __name__, url_prefix="/console/manager/improve")
setup(bp, "manager")
WEIGHT_NAMES = ("volume", "unresolved", "time", "effort")
# The weights the ranking form accepts (its inputs' min and max).
WEIGHT_RANGE = (0.0, 5.0)
LIVE_DAYS = 30


@bp.get("/")
def overview() -> str:
    """Draft proposals with their decisions, and the latest replay runs with progress."""
    session = db_session()
    latest = runs.latest_runs_in(session)
    session.commit()  # runs whose process is gone were just marked failed
    return render_template(
        "console/improve.html",
        proposals=proposals.listing(session),
        runs=latest,
        datasets=store.datasets(session),
    )


def _weights() -> tuple[rank.Weights, str | None, bool]:
    """Read the ranking weights from the query string: a weight that is not a number is named
    and the defaults kept; one outside the form's range refuses the ranking (True)."""
    given = {n: request.args[n].strip() for n in WEIGHT_NAMES if request.args.get(n, "").strip()}
    try:
        weights = rank.Weights.parse(
            ",".join(f"{k}={wording.parse_number(v, g.lang)}" for k, v in given.items())
        )
    except ValueError:
        return rank.Weights(), t("bad_weights"), False
    low, high = WEIGHT_RANGE
    for name in WEIGHT_NAMES:
        value = getattr(weights, name)
        if not (math.isfinite(value) and low <= value <= high):
            return weights, _weight_range_error(name, given.get(name, "")), True
    return weights, None, False


def _weight_range_error(name: str, given: str) -> str:
    """Say which weight is outside the range the page accepts, and the range."""
    low, high = WEIGHT_RANGE
    return t("rank_weight_range").format(
        weight=t("weight_" + name),
        value=given,
        low=wording.number(low, 0, g.lang),
        high=wording.number(high, 0, g.lang),
    )


@bp.get("/ranking")
def ranking() -> BaseResponse:
    """What to automate next, by the manager's weights; bad weights or dataset: the form, 400."""
    weights, error, refused = _weights()
    name = request.args.get("dataset") or None
    session = db_session()
    if name and not store.has_dataset(session, name):
        error, refused = t("rank_no_dataset").format(name=name), True
    rows = [] if refused else store.recent_or_dataset(session, name, LIVE_DAYS, utcnow())
    body = render_template(
        "console/improve_rank.html",
        ranking=[] if refused else rank.rank_conversations(rows, settings(), weights),
        weights=weights,
        weights_error=error,
        refused=refused,
        weight_range=WEIGHT_RANGE,
        conversations=len(rows),
        dataset=name,
        datasets=store.datasets(session),
    )
    return Response(body, status=400 if refused else 200, mimetype="text/html")


def _query() -> explain.Query:
    fields = {n: request.args.get(n, "").strip() or None for n in index.FILTERS}
    return explain.Query(**fields, text=request.args.get("text", "").strip())


@bp.get("/explain")
def explain_page() -> str:
    """Explain a failure pattern from similar indexed cases (LLM when configured, else rules)."""
    query = _query()
    session = db_session()
    result = None
    if any(query.filters().values()) or query.text:
        encoder = index.encoder_for(settings().improve_case_encoder)
        writer = writer_for(settings())
        zone = company_timezone(settings())
        result = explain.explain(session, encoder, query, writer, 10, None, g.lang, zone)
    return render_template(
        "console/improve_explain.html",
        query=query,
        result=result,
        choices=index.field_values(session),
    )


@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id: int) -> str:
    """One proposal: its body, its audited history, the edit form and the replay form."""
    session = db_session()
    try:
        item = proposals.get(session, proposal_id)
    except NotFoundError:
        abort(404)
    replays = runs.runs_of_proposal(session, item.id)
    session.commit()  # runs whose process is gone were just marked failed
    return render_template(
        "console/improve_proposal.html",
        proposal=item,
        body_json=json.dumps(proposals.shown_body(item.body, t), ensure_ascii=False, indent=2),
        history=proposals.history(session, proposal_id),
        datasets=store.datasets(session),
        runs=replays,
    )


@bp.post("/proposals/<int:proposal_id>/edit")
def edit(proposal_id: int) -> BaseResponse:
    """Save an edited title and body (JSON object); audited under the manager's id."""
    try:
        body: Any = json.loads(request.form.get("body", ""))
    except ValueError:
        body = None
    if not isinstance(body, dict):
        flash(t("bad_proposal_body"), "error")
        return redirect(url_for("console_improve.proposal", proposal_id=proposal_id))
    title = request.form.get("title", "")
    languages: list[wording.Translate] = [partial(translate, language=lang) for lang in LANGUAGES]

    def save(session: Any) -> None:
        stored = proposals.get(session, proposal_id)
        kept = wording.edited_title(stored.title, stored.body, title, languages)
        edited = proposals.edited_body(stored.body, body, languages)
        proposals.edit(session, proposal_id, kept, edited, g.agent.email, g.agent.id)

    return _change(proposal_id, "proposal_saved", save)


@bp.post("/proposals/<int:proposal_id>")
def decide(proposal_id: int) -> BaseResponse:
    """Approve (applying its body) or reject a proposal; audited under the manager's id."""
    decision = request.form.get("decision", "")
    if decision not in proposals.DECISIONS:
        abort(400)

    def act(session: Any) -> str | None:
        done = approval.decide(
            session, settings(), proposal_id, decision, g.agent.email, agent_id=g.agent.id
        )
        return done.describe(t, g.lang) if decision == "approved" else None

    return _change(proposal_id, "proposal_" + decision, act)


def _error(exc: ContactProError) -> str:
    """Return an error in the page's language when it names a catalogue key."""
    return wording.coded_text({"key": exc.key, "values": exc.values}, exc.message, t)


def _change(proposal_id: int, done: str, action: Any) -> BaseResponse:
    """Run one change on a proposal, commit, and come back to it with a message."""
    session = db_session()
    try:
        said = action(session)
    except NotFoundError:
        abort(404)
    except ContactProError as exc:
        session.rollback()
        flash(f"#{proposal_id}: {_error(exc)}", "error")
    else:
        session.commit()
        # An approval says what it applied.
        flash(f"#{proposal_id}: {t(done)}" + (f"; {said}" if isinstance(said, str) else ""), "info")
    return redirect(url_for("console_improve.proposal", proposal_id=proposal_id))


@bp.post("/proposals/<int:proposal_id>/replay")
def replay(proposal_id: int) -> BaseResponse:
    """Queue a replay of the proposal on a dataset (or the last 30 days of live traffic)."""
    db = current_app.extensions["contactpro"].db
    try:
        run_id = runs.queue_proposal_replay(
            db, settings(), proposal_id, request.form.get("dataset") or None, LIVE_DAYS
        )
    except NotFoundError:
        abort(404)
    except ContactProError as exc:
        flash(f"#{proposal_id}: {_error(exc)}", "error")
        return redirect(url_for("console_improve.proposal", proposal_id=proposal_id))
    send(replay_task, run_id)
    return redirect(url_for("console_improve.run", run_id=run_id))


@bp.get("/runs/<int:run_id>")
def run(run_id: int) -> str:
    """A replay run: progress, then baseline vs proposed and the conversations that changed."""
    session = db_session()
    try:
        item = runs.get_run(session, run_id)
    except NotFoundError:
        abort(404)
    session.commit()  # marked failed just now if its process is gone
    return render_template("console/improve_run.html", run=item, results=item.results or {})
