"""A call that picks up a question a text left waiting says it as the phone does: amounts
without grouping, accents an SMS dropped to fit, account numbers two digits at a time."""

from __future__ import annotations

import pytest

from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    agreements,
    latest_interaction,
)


@pytest.mark.parametrize(
    ("language", "asked", "verify", "spoken", "written", "accented"),
    [
        ("es", "quiero negociar mi deuda", "4050", "450000 pesos", "450.000", "único"),
        ("en", "I want to settle my debt", "4050", "240 dollars", "240.00", "I can offer"),
    ],
)
def test_call_says_the_offers_a_text_left_waiting_in_spoken_form(
    call, sms, request, session, language, asked, verify, spoken, written, accented
):
    phone = SPANISH if language == "es" else ENGLISH
    request.getfixturevalue("debtor" if language == "es" else "english_debtor")
    thread = sms(phone)
    thread.send(asked)
    offers = thread.send(verify)
    assert written in offers
    greeting, verb = call(phone).start()
    assert verb == "Gather"
    assert ("retomemos donde quedamos" if language == "es" else "where we left") in greeting
    assert spoken in greeting and written not in greeting and accented in greeting
    assert "unico" not in greeting and "Cual opcion" not in greeting
    question = latest_interaction(session).turns[0].entities["question"]
    assert spoken in question and written not in question
    assert agreements(session) == []


def test_call_reads_the_accounts_a_text_listed_two_digits_at_a_time(call, sms, debtor, session):
    add_account(session, debtor, "0000777001", debt="120000", days=40)
    thread = sms(SPANISH)
    thread.send("quiero negociar mi deuda")
    listed = thread.send("4050")
    assert "0000777001" in listed and "120.000 pesos" in listed
    greeting, _ = call(SPANISH).start()
    assert "0 0, 0 0, 7 7, 7 0, 0 1" in greeting and "0000777001" not in greeting
    assert "120000 pesos" in greeting and "120.000" not in greeting
