"""What a held caller hears while a worker understands their turn is stored as the bot's turn,
in their language, before the answer: the filler, then "still checking" once however often the
hold loop repeats it (the number of times kept on the turn). Retried requests add nothing, and
the worker storing the held turn meanwhile is never in the way."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from contactpro.conversations import interactions
from contactpro.models import Escalation, Turn, VoiceJob, utcnow
from tasks.voice import run_voice_job
from tests.contactpro.voice.conftest import VoiceCall, is_hold
from tests.contactpro.voice.test_calls import widen_deadlines
from tests.webhooks.test_voice import spoken

PHONES = {"es": "+573001112233", "en": "+13055550123"}
BALANCE = {"es": "cuál es mi saldo", "en": "what is my balance"}
FILLERS = {
    "es": ("Un momento, por favor.", "Déjame revisar.", "Dame un segundo."),
    "en": ("One moment, please.", "Let me check.", "Give me a second."),
}
STILL = {"es": "Sigo revisando, gracias por esperar.", "en": "Still checking, thanks for waiting."}
TECHNICAL = {"es": "problema técnico", "en": "technical"}


class HeldJobs:
    """Keep the held jobs a webhook sends, to run them when the test says."""

    def __init__(self) -> None:
        self.sent: list[list[Any]] = []

    def __call__(self, args: list[Any]) -> None:
        self.sent.append(args)

    def run(self) -> list[object]:
        return [run_voice_job.apply(args=args).get() for args in self.sent]


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> HeldJobs:
    held = HeldJobs()
    monkeypatch.setattr(run_voice_job, "apply_async", held)
    return held


def _held_call(twilio, customer_factory, session, language: str) -> tuple[VoiceCall, ET.Element]:
    customer_factory(phone=PHONES[language], language=language)
    call = VoiceCall(twilio, PHONES[language])
    call.start()
    path = call.next_path
    held = call.say(BALANCE[language])
    assert is_hold(held) and spoken(held) in FILLERS[language]
    call.next_path = path
    assert ET.tostring(call.say(BALANCE[language])) == ET.tostring(held)  # Twilio's retry
    widen_deadlines(session)
    return call, held


def _polls(call: VoiceCall, held: ET.Element, times: int) -> list[str]:
    """Poll ``times`` while the job waits; return what each poll said ("" for a pause)."""
    said = []
    for _ in range(times):
        waiting = call.follow(held)
        assert is_hold(waiting)
        said.append(spoken(waiting))
        assert (waiting.find("Pause") is None) is bool(said[-1])  # words, or a pause
    return said


def _rows(session) -> list[tuple[str, str, str, str | None]]:
    session.expire_all()
    return [
        (t.speaker, t.text, t.reply or "", (t.entities or {}).get(interactions.PROMPT))
        for t in session.scalars(select(Turn).order_by(Turn.sequence))
    ]


def _hold_turn(session) -> Turn:
    return session.scalars(select(Turn).where(Turn.entities["prompt"].as_string() == "hold")).one()


@pytest.mark.voice_config(voice_hold="always")
@pytest.mark.parametrize("language", ["es", "en"])
def test_filler_and_still_checking_are_stored_once_before_the_answer(
    twilio, customer_factory, session, jobs, language
):
    call, held = _held_call(twilio, customer_factory, session, language)
    filler = spoken(held)
    # Eight polls: "still checking" is said at the fourth and the eighth, silence otherwise.
    assert _polls(call, held, 8) == ["", "", "", STILL[language]] * 2
    assert jobs.run() == ["done"]  # the worker stores the held turn after the hold's turn
    answer = call.follow(held)
    assert not is_hold(answer) and answer.find("Gather") is not None
    assert ET.tostring(call.follow(held)) == ET.tostring(answer)  # a retried poll

    rows = _rows(session)
    assert [row[0] for row in rows] == ["bot", "bot", "caller"]
    assert rows[1] == ("bot", "", f"{filler} {STILL[language]}", "hold")
    assert rows[2][1:] == (BALANCE[language], spoken(answer), None)
    turn = _hold_turn(session)
    assert (turn.entities["language"], turn.entities["still_working"]) == (language, 2)
    assert (turn.intent, turn.tier, turn.action, turn.source) == (None, None, None, "system")
    # The answer's question is what a reprompt asks again, never the filler.
    asked = interactions.last_question(session, turn.interaction)
    assert asked and asked in spoken(answer) and filler not in asked


@pytest.mark.voice_config(voice_hold="always")
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_quick_answer_stores_the_filler_alone(twilio, customer_factory, session, jobs, language):
    call, held = _held_call(twilio, customer_factory, session, language)
    assert _polls(call, held, 2) == ["", ""]
    jobs.run()
    answer = call.follow(held)
    rows = _rows(session)
    assert rows[1:] == [
        ("bot", "", spoken(held), "hold"),
        ("caller", BALANCE[language], spoken(answer), None),
    ]
    assert "still_working" not in _hold_turn(session).entities


@pytest.mark.voice_config(voice_hold="always")
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_hold_given_up_stores_what_was_heard_before_the_apology(
    twilio, customer_factory, session, jobs, language
):
    call, held = _held_call(twilio, customer_factory, session, language)
    assert _polls(call, held, 5)[3] == STILL[language]
    session.execute(update(VoiceJob).values(deadline_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    answer = call.follow(held)
    assert answer.find("Enqueue") is not None and TECHNICAL[language] in spoken(answer)
    assert jobs.run() == ["expired"]  # the late worker stores nothing

    rows = _rows(session)
    assert rows[1:] == [
        ("bot", "", f"{spoken(held)} {STILL[language]}", "hold"),
        ("bot", "", spoken(answer), None),
    ]
    # The agent's copy of the conversation, written as the hold is given up, has it too.
    escalation = session.scalars(select(Escalation)).one()
    assert [said["reply"] for said in escalation.context["transcript"]][1:] == [
        f"{spoken(held)} {STILL[language]}"
    ]


@pytest.mark.voice_config(voice_hold="always")
def test_each_held_turn_stores_its_own_filler(twilio, customer_factory, session, jobs):
    call, held = _held_call(twilio, customer_factory, session, "es")
    jobs.run()
    call.follow(held)
    second = call.say("quiero hablar con un asesor")
    assert is_hold(second)
    jobs.sent = jobs.sent[-1:]
    jobs.run()
    assert call.follow(second).find("Enqueue") is not None
    rows = _rows(session)
    assert [(row[0], row[3]) for row in rows] == [
        ("bot", None),
        ("bot", "hold"),
        ("caller", None),
        ("bot", "hold"),
        ("caller", None),
    ]
    assert [rows[1][2], rows[3][2]] == [spoken(held), spoken(second)]
