"""Survey scores given with emoji on WhatsApp: a keycap digit or a row of stars is the score."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contactpro.models import Escalation, Interaction, Turn
from tests.contactpro.dialog.conftest import ENGLISH, SPANISH, all_rows
from tests.contactpro.dialog.test_survey_words_and_after_hours import survey_row, surveyed

THANKS = {"es": "¡Gracias por tu calificación!", "en": "Thanks for your rating!"}
QUESTION = {"es": "dónde puedo pagar", "en": "where can I pay my bill"}
PHONES = {"es": SPANISH, "en": ENGLISH}


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize(
    ("answer", "score", "comment"),
    [
        ("⭐⭐⭐⭐⭐", 5, None),
        ("⭐️⭐️⭐️⭐️", 4, None),
        ("5️⃣", 5, None),
        ("3⃣", 3, None),
        ("🌟🌟🌟, tardaron mucho", 3, "tardaron mucho"),
        ("⭐⭐ muy lento", 2, "muy lento"),
    ],
)
def test_emoji_scores_answer_the_survey_on_whatsapp(
    app, session, sms, billed, language, answer, score, comment
):
    billed(PHONES[language], language)
    thread = sms(f"whatsapp:{PHONES[language]}")
    interaction = surveyed(app, session, thread, QUESTION[language])
    assert thread.send(answer) == THANKS[language]
    row = survey_row(session)
    assert row.score == score and row.answered_at is not None
    assert session.get(Interaction, interaction.id).state["csat"] == score
    turn = session.scalars(select(Turn).where(Turn.intent == "survey_answer")).one()
    assert turn.text == answer and turn.entities.get("comment") == comment
    assert len(all_rows(session, Interaction)) == 1
    assert all_rows(session, Escalation) == []


def test_six_stars_are_no_score(app, session, sms, billed):
    billed(SPANISH, "es")
    thread = sms(f"whatsapp:{SPANISH}")
    surveyed(app, session, thread, QUESTION["es"])
    reply = thread.send("⭐⭐⭐⭐⭐⭐")
    assert reply != THANKS["es"]
    assert survey_row(session).score is None
