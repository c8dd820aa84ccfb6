""" "One" said alone is option 1 in English, as "uno" is in Spanish.

The bot asks "Say one, two or three for the option you prefer", and a caller who said "one" (or
"number one", "option one, please") was told the same again and, the second time, handed over;
"two" and "three" worked. "One" is the number 1 when it is the reply alone or after a word that
asks for a number; "one of them", "which one" or "the one ending in..." still name no position.
Over the signed webhooks, by voice and SMS, with the agreement row and the account chosen.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.contactpro.dialog.conftest import ENGLISH, agreements, escalations
from tests.contactpro.dialog.test_conversations_accounts import cancellations, second_account
from tests.contactpro.dialog.test_debt_affordability import negotiating, plain
from tests.contactpro.dialog.test_voice_debt_corrections import negotiating as calling

CONFIRM = "Let me confirm the agreement"
FIRST_SPOKEN, FIRST_WRITTEN = "single payment of 156 dollars", "single payment of 156.00 dollars"
PICK_AGAIN = "for the option you prefer"


def _booked_first(session, english_debtor) -> None:
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total) == ("settlement", Decimal("156"))
    assert agreement.account_id == english_debtor.accounts[0].id
    assert escalations(session) == []


@pytest.mark.parametrize(
    "said", ["one", "One.", "number one", "option one, please", "I'll take one"]
)
def test_a_caller_saying_one_is_read_option_one(call, request, session, said):
    line = calling(call, request, "en")
    answer = plain(line.say(said)[0])
    assert CONFIRM in answer and FIRST_SPOKEN in answer and PICK_AGAIN not in answer, answer
    assert agreements(session) == []
    line.say("yes")
    _booked_first(session, request.getfixturevalue("english_debtor"))


@pytest.mark.parametrize("said", ["one", "Option one"])
def test_a_texter_writing_one_is_read_option_one(sms, request, session, said):
    thread = negotiating(sms, request, "en")
    answer = plain(thread.send(said))
    assert CONFIRM in answer and FIRST_WRITTEN in answer, answer
    thread.send("yes")
    _booked_first(session, request.getfixturevalue("english_debtor"))


@pytest.mark.parametrize("said", ["one of them", "which one is cheaper?"])
def test_one_that_names_no_option_books_nothing(call, request, session, said):
    line = calling(call, request, "en")
    answer = plain(line.say(said)[0])
    assert CONFIRM not in answer, answer
    assert agreements(session) == []


def test_one_picks_the_first_of_two_accounts(sms, customer_factory, session):
    grace = customer_factory(phone=ENGLISH, language="en", currency="USD", name="Grace Miller")
    second_account(session, grace, currency="USD")
    thread = sms(ENGLISH)
    thread.send_all("I want to cancel my service", "4050")
    thread.send("one")
    thread.send_all("no thanks", "yes")
    [cancelled] = cancellations(session)
    assert cancelled.account_id == grace.accounts[0].id
