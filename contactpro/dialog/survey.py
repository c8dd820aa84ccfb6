"""The one-question satisfaction survey (1-5) texted after a resolved interaction."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.dialog.templates import templates_for
from contactpro.messaging import outbound
from contactpro.models import Interaction, SurveyResponse
from contactpro.phone import to_e164
from contactpro.providers.telephony import Telephony, TelephonyError

log = logging.getLogger(__name__)
_SCORE = re.compile(r"^\s*([1-5])\s*(?:/\s*5)?\s*[.!]?\s*$")


def send_survey(
    session: Session, settings: Settings, telephony: Telephony, interaction_id: int
) -> SurveyResponse | None:
    """Text the survey after a resolved interaction (once; None when it does not apply)."""
    interaction = session.get(Interaction, interaction_id)
    if not settings.survey_enabled or interaction is None:
        return None
    phone = to_e164(interaction.from_number)
    if interaction.outcome != "auto_resolved" or phone is None:
        return None
    existing = session.scalars(
        select(SurveyResponse).where(SurveyResponse.interaction_id == interaction_id)
    ).first()
    if existing is not None:
        return existing
    text = templates_for(settings).render(
        "survey_question",
        interaction.language or settings.default_language,
        company=settings.company_name,
    )
    if interaction.channel == "whatsapp":
        # Usually outside WhatsApp's 24-hour window: an approved template or nothing.
        sent = outbound.send(session, settings, telephony, interaction, text, purpose="survey")
        if sent.status != "sent":
            log.warning(
                "survey not sent", extra={"interaction_id": interaction_id, "reason": sent.reason}
            )
            return None
    else:
        try:
            telephony.send_sms(phone, text)
        except TelephonyError as exc:
            log.warning(
                "survey not sent", extra={"interaction_id": interaction_id, "reason": exc.reason}
            )
            return None
    survey = SurveyResponse(
        interaction_id=interaction_id, customer_id=interaction.customer_id, phone=phone
    )
    session.add(survey)
    session.flush()
    return survey


def pending_survey(
    session: Session, settings: Settings, phone: str, now: datetime
) -> SurveyResponse | None:
    """Return the unanswered survey sent to ``phone`` within the answer window."""
    since = now - timedelta(hours=settings.survey_window_hours)
    return session.scalars(
        select(SurveyResponse)
        .where(
            SurveyResponse.phone == phone,
            SurveyResponse.score.is_(None),
            SurveyResponse.sent_at >= since,
        )
        .order_by(SurveyResponse.sent_at.desc())
    ).first()


def score_in(text: str) -> int | None:
    """Return the 1-5 score when ``text`` is only a score."""
    match = _SCORE.match(text)
    return int(match.group(1)) if match else None
