"""Tasks of the improvement loop: embed new conversations into the index, run long replays."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from contactpro.errors import ContactProError
from contactpro.improve import index, runs
from tasks import runtime

log = logging.getLogger(__name__)


@shared_task(name="contactpro.improve.index_pending", acks_late=True)
def index_pending(batch: int = 256) -> int:
    """Embed one batch of conversations the index does not hold yet (each one only once)."""
    rt = runtime()
    encoder = index.encoder_for(rt.settings.improve_case_encoder)
    with rt.db.session() as session:
        return index.index_pending(session, encoder, batch)


@shared_task(name="contactpro.improve.index_interaction", acks_late=True)
def index_interaction(interaction_id: int) -> bool:
    """Embed one conversation as it closes, so similar cases include it at once (idempotent)."""
    rt = runtime()
    encoder = index.encoder_for(rt.settings.improve_case_encoder)
    with rt.db.session() as session:
        return index.index_interaction(session, encoder, interaction_id)


@shared_task(name="contactpro.improve.replay", acks_late=True)
def replay(run_id: int) -> dict[str, Any] | None:
    """Run a stored replay (a finished one is not run again); progress is stored on the run."""
    rt = runtime()
    try:
        return runs.execute(rt.db, rt.settings, run_id)
    except ContactProError as exc:
        log.warning("replay gave up", extra={"run_id": run_id, "reason": exc.reason})
        return None
