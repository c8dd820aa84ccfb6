"""Debt conversations written from the customer's side: what gets booked, and what they hear.

Each conversation runs over the signed webhooks and asserts the rows it leaves (agreements with
their amounts, counts and account, escalations) and the words the customer must and must not
receive. Refusals, questions and counter-requests never book. Long SMS replies go out in GSM-7
letters (no á, í), as the segment budget asks, so some assertions on SMS text carry no accents.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from contactpro.console.settings import ConfigChangeError, current_config, update_config
from tests.contactpro.dialog.conftest import (
    ENGLISH,
    SPANISH,
    add_account,
    add_us_account,
    agreements,
    bot_today,
    escalations,
    latest_state,
    sent_sms,
)

# --- a specific plan asked for --------------------------------------------------------------------


def test_six_instalments_asked_after_refusing_is_restated_then_booked(app, sms, debtor, session):
    thread = sms(SPANISH)
    thread.send("quiero negociar mi deuda")
    opening = thread.send("4050")
    assert "382.500 pesos" in opening and "3 cuotas" in opening
    others = thread.send("ninguna me sirve")
    # Other options, not the same ones again.
    assert "6 cuotas de 75.000 pesos" in others and "12 cuotas de 37.500 pesos" in others
    assert "382.500" not in others
    asked = thread.send("¿y no me lo puede dejar en 6 cuotas?")
    assert "6 cuotas de 75.000 pesos" in asked and "¿Lo acepto y lo registro?" in asked
    assert "12 cuotas" not in asked and "registré" not in asked
    assert agreements(session) == []
    done = thread.send("sí, acepto")
    assert "registré tu acuerdo" in done and "6 cuotas de 75.000 pesos" in done
    assert "Te envié la confirmación" in done
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.instalments, agreement.total) == ("instalments", 6, 450000)
    assert agreement.instalment_amount == Decimal("75000")
    assert agreement.account_id == debtor.accounts[0].id
    assert "6 cuotas de 75.000 pesos" in sent_sms(app)[-1]["body"]
    assert "confirmation_sms_sent" in latest_state(session)["steps"]


def test_english_six_monthly_payments_is_restated_not_twelve(sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    asked = thread.send("could you do 6 monthly payments instead?")
    assert "6 instalments of 40.00 dollars" in asked and "Shall I record it" in asked
    assert "12 instalments" not in asked and agreements(session) == []
    done = thread.send("yes")
    assert "recorded your agreement" in done
    [agreement] = agreements(session)
    assert (agreement.instalments, agreement.total) == (6, Decimal("240.00"))


def test_two_payments_gets_the_nearest_plan_and_the_reason(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("acuerdo de pago", "4050")
    asked = thread.send("dos pagos")
    assert "No puedo ofrecerte 2 pagos" in asked and "3, 6, 12 cuotas" in asked
    assert "3 cuotas de 150.000 pesos" in asked
    assert "416.250" not in asked  # "dos" asked for two payments; it did not pick option two
    refused = thread.send("no")
    assert "6 cuotas" in refused and "12 cuotas" in refused
    assert agreements(session) == []


def test_twenty_four_instalments_gets_twelve_with_the_reason(sms, english_debtor, session):
    thread = sms(ENGLISH)
    asked_who = thread.send("payment plan please")
    assert "last four digits" in asked_who and "or about" not in asked_who, "no topic question"
    thread.send("4050")
    asked = thread.send("can I pay it in 24 instalments?")
    assert "can't offer 24 payments" in asked and "12 instalments of 20.00 dollars" in asked
    assert agreements(session) == []
    thread.send("yes")
    assert agreements(session)[0].instalments == 12


def test_plan_below_the_minimum_instalment_says_why(sms, customer_factory, session):
    customer = customer_factory(balance="90000")
    account = customer.accounts[0]
    account.debt_amount, account.days_past_due = Decimal("90000"), 40
    session.commit()
    thread = sms(SPANISH)
    thread.send_all("necesito un acuerdo de pago", "4050")
    asked = thread.send("me lo deja en 6 cuotas?")
    # 90.000 in 6 would be 15.000 a month, under the 20.000 minimum: 3 is the nearest.
    assert "por debajo del minimo de 20.000 pesos" in asked and "3 cuotas de 30.000" in asked
    assert agreements(session) == []


def test_paying_in_a_far_month_is_not_booked_and_the_latest_date_is_said(app, sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    month = (bot_today(app).replace(day=1) + timedelta(days=100)).month
    name = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre".split()
    name += ["diciembre"]
    asked = thread.send(f"puedo pagar en {name[month - 1]}?")
    assert "No puedo aplazar el pago" in asked and "416.250 pesos" in asked
    assert agreements(session) == []


# --- questions and refusals never book ----------------------------------------------------------


def test_asking_for_the_options_repeats_them_and_books_nothing(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero un acuerdo de pago", "4050")
    options = thread.send("¿qué opciones tengo?")
    assert "Tus opciones son" in options and "382.500 pesos" in options and "3 cuotas" in options
    assert "Tu saldo" not in options
    assert agreements(session) == [] and escalations(session) == []


def test_english_options_question_is_answered_from_the_table(sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I can't pay everything I owe", "4050")
    options = thread.send("what are my options?")
    assert "Your options are" in options and "35 % off" in options
    assert agreements(session) == []


def test_a_pick_is_restated_and_a_no_books_nothing(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    restated = thread.send("la primera")
    assert "382.500 pesos" in restated and "¿Lo acepto y lo registro?" in restated
    other = thread.send("no, mejor no")
    assert "6 cuotas" in other and "12 cuotas" in other
    assert agreements(session) == []


def test_refusing_every_option_goes_to_a_person_without_booking(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    thread.send("no puedo con ninguna")
    last = thread.send("tampoco, ninguna me sirve")
    assert "no registré ningún acuerdo" in last and "asesor" in last
    assert [e.reason for e in escalations(session)] == ["offer_refused"]
    assert agreements(session) == []


def test_asking_for_a_person_mid_negotiation_hands_over(call, english_debtor, session):
    phone = call(ENGLISH)
    phone.start()
    phone.say("I want to set up a payment plan")
    phone.press("4050")
    _, verb = phone.say("I want to talk to a real person")
    assert verb == "Enqueue"
    assert [e.reason for e in escalations(session)] == ["agent_request"]
    assert agreements(session) == []


def test_keypad_caller_with_two_options_hears_one_or_two(call, english_debtor, session):
    phone = call(ENGLISH)
    phone.start()
    phone.say("I want to negotiate my debt")
    phone.press("4050")
    phone.say("none of those work for me")
    spoken, _ = phone.say("hmm well")
    assert "Say one or two" in spoken and "three" not in spoken
    assert agreements(session) == []


def test_voice_spanish_accepts_a_restated_settlement(call, debtor, session):
    phone = call(SPANISH)
    phone.start()
    phone.say("quiero negociar mi deuda")
    phone.press("4050")
    restated, _ = phone.say("la segunda")
    assert "416250 pesos" in restated and "descuento del 7 coma 5 por ciento" in restated
    assert agreements(session) == []
    done, verb = phone.say("sí")
    assert "registré tu acuerdo" in done and verb == "Gather"
    [agreement] = agreements(session)
    assert (agreement.kind, agreement.total, agreement.instalments) == (
        "settlement",
        Decimal("416250"),
        1,
    )


# --- confirmation only says "sent" when it was --------------------------------------------------


@pytest.fixture
def failing_sms(app_config):
    """Outbound texts through Twilio's REST client with no sender number: every send fails."""
    app_config.update(telephony="twilio", twilio_account_sid="AC" + "c" * 32)
    return app_config


def test_failed_confirmation_sms_is_not_called_sent(failing_sms, sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    thread.send("la opción 3")
    done = thread.send("sí")
    assert "registré tu acuerdo" in done
    assert "Te envi" not in done and "guarda este como confirmacion" in done
    steps = latest_state(session)["steps"]
    assert "confirmation_sms_failed" in steps and "confirmation_sms_sent" not in steps
    assert agreements(session)[0].instalments == 3


def test_failed_confirmation_on_a_call_says_how_it_will_arrive(
    failing_sms, call, english_debtor, session
):
    phone = call(ENGLISH)
    phone.start()
    phone.say("can I set up a payment plan")
    phone.press("4050")
    phone.say("option 3")
    done, _ = phone.say("yes")
    assert "recorded your agreement" in done and "texted you" not in done
    assert "could not text you the confirmation" in done
    assert agreements(session)[0].instalments == 3


# --- the managers' maximum discount -------------------------------------------------------------


def test_maximum_discount_set_on_the_console_caps_every_offer(app, sms, debtor, session):
    settings = app.extensions["contactpro"].settings
    assert current_config(session, settings)["offer_max_discount_percent"] == 35
    update_config(session, settings, {"offer_max_discount_percent": "10"}, None)
    session.commit()
    thread = sms(SPANISH)
    thread.send("quiero negociar mi deuda")
    offers = thread.send("4050")
    # 75 days past due allows 15 %; the managers allow 10 %: 405.000, and half of it 427.500.
    assert "405.000 pesos" in offers and "427.500 pesos" in offers
    assert "382.500" not in offers and "15 %" not in offers
    thread.send("ninguna")
    assert "10 %" in thread.send("¿qué opciones tengo?")


def test_maximum_discount_in_english_after_a_change(app, sms, english_debtor, session):
    settings = app.extensions["contactpro"].settings
    thread = sms(ENGLISH)
    thread.send("I want to negotiate my debt")
    before = thread.send("4050")
    assert "156.00 dollars" in before and "35 % off" in before
    update_config(session, settings, {"offer_max_discount_percent": "20"}, None)
    session.commit()
    after = thread.send("what are my options?")
    assert "192.00 dollars" in after and "20 % off" in after and "35 %" not in after


@pytest.mark.parametrize("raw", ["nan", "inf", "-1", "101", "diez"])
def test_out_of_range_or_non_finite_settings_are_refused(app, session, raw):
    settings = app.extensions["contactpro"].settings
    with pytest.raises(ConfigChangeError) as refused:
        update_config(session, settings, {"offer_max_discount_percent": raw}, None)
    assert refused.value.key == "offer_max_discount_percent" and str(refused.value)
    with pytest.raises(ConfigChangeError, match="must be"):
        update_config(session, settings, {"conformity_threshold": raw}, None)
    assert current_config(session, settings)["offer_max_discount_percent"] == 35


# --- several accounts ---------------------------------------------------------------------------


def test_second_account_overdue_is_negotiated_not_told_no_debt(sms, customer_factory, session):
    customer = customer_factory(balance="0")
    second = add_account(session, customer, "0000987654", "1227284", 134)
    thread = sms(SPANISH)
    thread.send("quiero hacer un acuerdo de pago")
    offers = thread.send("4050")
    assert "No tienes deudas vencidas" not in offers
    assert "0000987654" in offers and "1.227.284 pesos" in offers and "134 dias" in offers
    thread.send("la opción 3")
    thread.send("sí")
    [agreement] = agreements(session)
    assert agreement.account_id == second.id and agreement.debt_amount == Decimal("1227284")


def test_two_overdue_accounts_asks_which_and_books_on_the_one_chosen(sms, debtor, session):
    second = add_account(session, debtor, "0000987654", "1227284", 134)
    thread = sms(SPANISH)
    thread.send("quiero negociar mi deuda")
    asked = thread.send("4050")
    assert "Tienes deuda en 2 cuentas" in asked
    assert "1.227.284 pesos" in asked and "450.000 pesos" in asked
    offers = thread.send("la que termina en 7654")
    assert "0000987654" in offers and "1.227.284 pesos" in offers
    thread.send("quiero 12 cuotas")
    thread.send("sí")
    [agreement] = agreements(session)
    assert agreement.account_id == second.id and agreement.instalments == 12


def test_billing_with_two_accounts_summarises_both(sms, billed, session):
    customer = billed()
    add_account(session, customer, "0000987654", "1227284", 134)
    thread = sms(SPANISH)
    thread.send("cuánto debo")
    answer = thread.send("4050")
    assert "Tienes 2 cuentas" in answer
    assert "0000120451" in answer and "0000987654" in answer
    assert "107.000 pesos" in answer and "1.227.284 pesos" in answer


def test_english_billing_with_two_accounts_on_a_call(call, english_debtor, session):
    add_us_account(session, english_debtor, "0000555123")
    phone = call(ENGLISH)
    phone.start()
    phone.say("what is my balance")
    spoken, _ = phone.press("4050")
    assert "You have 2 accounts" in spoken
    assert "300 dollars" in spoken and "35 dollars" in spoken


def test_plan_asked_in_the_opening_request_is_answered_after_verification(sms, debtor, session):
    thread = sms(SPANISH)
    assert "cuatro dígitos" in thread.send("quiero pagar mi deuda en 6 cuotas")
    answer = thread.send("4050")
    assert "Si, puedo ofrecerte 6 cuotas" in answer and "6 cuotas de 75.000 pesos" in answer
    assert agreements(session) == []
    thread.send("sí")
    assert agreements(session)[0].instalments == 6


@pytest.fixture
def named_offers(app_config, tmp_path):
    """An operator override of the debt offers that greets the customer by name."""
    overrides = tmp_path / "templates"
    overrides.mkdir()
    (overrides / "es.toml").write_text(
        'debt_offers = "Hola {{ name }}, debes {{ debt | money(currency) }}. '
        '{% for o in offers %}{{ loop.index }}) {{ o }}. {% endfor %}"\n',
        encoding="utf-8",
    )
    app_config["templates_dir"] = str(overrides)


def test_customer_name_reaches_the_debt_templates(named_offers, sms, debtor):
    thread = sms(SPANISH)
    thread.send("quiero negociar mi deuda")
    offers = thread.send("4050")
    assert offers.startswith("Hola Camila, debes 450.000 pesos") and "Hola cliente" not in offers


def test_bigger_discount_request_gets_the_largest_allowed_and_books_nothing(
    sms, english_debtor, session
):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    asked = thread.send("can you give me a bigger discount, like 50%?")
    assert "largest discount I can offer is 35 %" in asked and "156.00 dollars" in asked
    assert "50 %" not in asked and agreements(session) == []
    refused = thread.send("no")
    assert "6 instalments" in refused and agreements(session) == []


def test_yes_but_in_six_instalments_restates_six_and_does_not_book_three(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    thread.send("la 3")
    changed = thread.send("sí, pero mejor en seis cuotas")
    assert "6 cuotas de 75.000 pesos" in changed and agreements(session) == []
    thread.send("de acuerdo")
    assert [a.instalments for a in agreements(session)] == [6]


def test_english_two_overdue_accounts_pick_the_second_one(sms, english_debtor, session):
    second = add_us_account(session, english_debtor, "0000555123", "150.00", 40, "180.00")
    thread = sms(ENGLISH)
    thread.send("I need a payment plan")
    asked = thread.send("4050")
    assert "You have debt on 2 accounts" in asked and "150.00 dollars" in asked
    offers = thread.send("the second one")
    assert "0000555123" in offers and "150.00 dollars" in offers
    restated = thread.send("option 3")
    assert "3 instalments of 50.00 dollars" in restated
    thread.send("yes")
    [agreement] = agreements(session)
    assert agreement.account_id == second.id and agreement.total == Decimal("150.00")


def test_keypad_pick_then_spoken_yes_books_on_a_call(call, debtor, session):
    phone = call(SPANISH)
    phone.start()
    phone.say("quiero un acuerdo de pago")
    phone.press("4050")
    restated, _ = phone.press("3")
    assert "3 cuotas de 150000 pesos" in restated and "Responde sí o no" in restated
    assert agreements(session) == []
    done, _ = phone.say("sí")
    assert "registré tu acuerdo" in done
    assert agreements(session)[0].instalments == 3


def test_yes_but_let_me_think_books_nothing_and_a_later_yes_does(sms, debtor, session):
    thread = sms(SPANISH)
    thread.send_all("quiero negociar mi deuda", "4050")
    thread.send("la 3")
    pause = thread.send("sí, lo voy a pensar")
    assert "no registré nada" in pause and "registré tu acuerdo" not in pause
    assert agreements(session) == []
    thread.send("listo, acepto")
    assert [a.instalments for a in agreements(session)] == [3]


def test_english_maybe_later_books_nothing(sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    thread.send("option 1")
    pause = thread.send("yes maybe later")
    assert "not recorded anything" in pause and agreements(session) == []


def test_no_deal_is_a_refusal_not_an_acceptance(sms, english_debtor, session):
    thread = sms(ENGLISH)
    thread.send_all("I want to negotiate my debt", "4050")
    thread.send("option 2")
    refused = thread.send("no deal")
    assert "Other options" in refused and agreements(session) == []
