"""The one-question satisfaction survey (1-5) texted after a resolved interaction."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
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
# A survey answer, read on accent-folded lower-case text: an optional lead-in ("le doy un",
# "I'd give it a"), the score as a digit or a word, an optional scale ("/5", "de 5", "stars"),
# then nothing, a comment after a separator ("3, el asesor tardó"), or words that judge the
# service ("5 excelente"). Anything else ("tengo 2 cuentas", "5 meses") is not an answer.
_LEAD = (
    r"(?:(?:yo\s+)?(?:le\s+|les\s+|te\s+)?(?:doy|daria|pongo|pondria|califico|calificaria)"
    r"(?:\s+(?:un|una|el|con))?"
    r"|(?:mi\s+)?(?:calificacion|nota|puntaje|puntuacion)(?:\s+(?:es|seria))?(?:\s+(?:de|un|una))?"
    r"|i\s*(?:'|’)?\s*d\s+(?:give|rate)(?:\s+(?:it|you|you\s+guys|them|this|that))?(?:\s+an?)?"
    r"|i\s+(?:would\s+)?(?:give|rate)(?:\s+(?:it|you|you\s+guys|them|this|that))?(?:\s+an?)?"
    r"|(?:my\s+)?(?:rating|score)(?:\s+(?:is|would\s+be))?(?:\s+an?)?"
    r"|(?:muchas\s+)?gracias[\s,.!]*(?:(?:le|les|te)\s+)?(?:doy\s+)?(?:un|una)?"
    r"|thanks?(?:\s+you)?[\s,.!]*"
    r"|un|una|an?|solid)\s*:?\s*"
)
_NUMBER = r"(?P<score>[1-5](?![\d]|[.,]\d)|uno|dos|tres|cuatro|cinco|one|two|three|four|five)\b"
_SCALE = (
    r"(?:\s*(?:/|de|sobre|out\s+of)\s*(?:5|cinco|five)\b)?"
    r"(?:\s*(?:estrellas?|stars?|puntos?|points?)\b)?"
)
_JUDGING = (
    r"excelentes?|muy|buen[oa]?s?|mal[oa]?s?|pesim[oa]s?|regular|normal|perfect[oa]?|genial"
    r"|gracias|satisfech[oa]|great|good|excellent|awesome|amazing|bad|poor|terrible|ok|okay"
    r"|fine|thanks|thank|very|super|satisfied|happy|slow|lent[oa]"
    r"|pero|aunque|porque|todo|muchas|but|although|because|everything"
)
_ANSWER = re.compile(
    rf"^\s*(?:{_LEAD})?{_NUMBER}{_SCALE}"
    rf"(?:\s*[.!¡]*\s*$"
    rf"|\s*[,;:.!\-–—]+\s*(?P<after>\S.*)$"
    rf"|\s+(?P<judging>(?:{_JUDGING})\b.*|[^\w\s].*)$)",
    re.DOTALL,
)
# What a request says first ("2, quiero pagar mi factura", "3, and I want to pay my bill"): after
# a score it is asked to the bot, not said about the service.
_REQUEST = re.compile(
    r"^(?:(?:y|e|and|also|tambien|ademas|ahora|now|pero|but)\s+)*(?:yo\s+|i\s*)?"
    r"(?:quiero|quisiera|necesito|deseo|me\s+gustaria|puedo|podria|podrian|como|donde|cuanto"
    r"|cuando|want|would\s+like|'d\s+like|need|how|where|when|can|could|please|por\s+favor)\b"
)
# WhatsApp answers a score with emoji too: a keycap ("5️⃣") is its digit, and a row of one to five
# stars ("⭐⭐⭐⭐", "🌟🌟🌟 muy bien") is that many.
_KEYCAP = re.compile("([0-9])\ufe0f?\u20e3")
_STAR_CHARS = "\u2b50\U0001f31f\u2605"
_STARS = re.compile(f"^\\s*((?:[{_STAR_CHARS}]\ufe0f?\\s*){{1,5}})(?![{_STAR_CHARS}])")
_WORDS = {"uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5}
_WORDS |= {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


@dataclass(frozen=True)
class SurveyAnswer:
    """A reply read as a survey answer: the 1-5 score and what the customer added, if anything."""

    score: int
    comment: str = ""


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


def _folded(text: str) -> str:
    """Return ``text`` lower-cased without accents, one character for each of ``text``'s."""
    return "".join(unicodedata.normalize("NFKD", ch.lower())[:1] or ch for ch in text)


def answer_in(text: str) -> SurveyAnswer | None:
    """Return the survey answer ``text`` gives ("5", "le doy un 4", "5 great", "cinco",
    "3, el asesor tardó mucho"), or None when it is not one ("tengo 2 cuentas")."""
    text = _digits_of_emoji(text)
    match = _ANSWER.match(_folded(text))
    if match is None:
        return None
    word = match["score"]
    score = int(word) if word.isdigit() else _WORDS[word]
    group = "after" if match["after"] is not None else "judging"
    start = match.start(group)
    comment = text[start:].strip() if start >= 0 else ""
    return SurveyAnswer(score, comment)


def _digits_of_emoji(text: str) -> str:
    """Return ``text`` with keycap digits as digits and a leading row of stars as its count."""
    text = _KEYCAP.sub(r"\1", text)
    stars = _STARS.match(text)
    if stars is None:
        return text
    count = sum(ch in _STAR_CHARS for ch in stars[1])
    rest = text[stars.end() :].strip()
    return f"{count} {rest}" if rest else str(count)


def asks(comment: str) -> bool:
    """Return True when the words after a score start a request to the bot ("quiero pagar mi
    factura", "and I want to pay my bill") rather than a comment on the service."""
    return bool(_REQUEST.match(_folded(comment).strip(" ¿?¡!.,")))
