"""In a real browser, Spanish and English, laptop and tablet: what QA found using the console.

Agents never see a customer's full account number, not even in what the bot said; Spanish pages
show no raw key nor English word and write numbers the Spanish way; the settings form takes a
decimal comma and refuses placeholders a template cannot fill; an erased customer's escalation
reads sensibly and leaves the queue; a silent call shows no "similar" case at 0 %.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from contactpro.console.agent_queue import TurnShown
from contactpro.console.settings import current_config
from contactpro.models import AuditLog, Escalation, Interaction, Turn
from tests.webhooks.console.conftest import LAPTOP, TABLET, add_customer, browser_login, shoot
from tests.webhooks.test_sms import sms_params
from tests.webhooks.test_voice import Call

PHONE = "+573001170001"
SILENT = "+573001170002"
ERASED = "+573001170003"
ACCOUNT = "0000170186"
SIZES = [(LAPTOP, "laptop"), (TABLET, "tablet")]
# Snake-case tokens (stored codes) and English words that must not reach a Spanish page.
RAW_KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")
ENGLISH = re.compile(
    r"\b(the|and|with|none|claimed|resolved|standard|request|reason|step|unknown|failed|"
    r"billing|retain|care|monitor|escalated|measured|minutes|hours|previous|error|save|"
    r"dataset|proposal|intent|score|live)\b",
    re.I,
)
ENGLISH_NUMBER = re.compile(r"(?<![\d.,])\d+\.\d{1,2}(?![\d.,])")  # "44.0", "539.40"


def _escalation_for(live: Any, phone: str) -> int:
    with live.session() as session:
        return int(
            session.scalars(
                select(Escalation.id).where(Escalation.context["from_number"].as_string() == phone)
            ).one()
        )


@pytest.fixture(scope="module")
def seeded(live_server: Any) -> dict[str, int]:
    """An escalation whose bot reply names the account, a silent one, and an erased one."""
    client = live_server.twilio()
    with live_server.session() as session:
        marta = add_customer(session, PHONE, "Marta Monto", balance="761124")
        marta.accounts[0].number = ACCOUNT
        session.commit()
        add_customer(session, ERASED, "Laura Borrada")
    for phone in (PHONE, ERASED):
        assert client.post("/twilio/sms", sms_params(phone, "quiero un asesor")).status_code == 200
    ids = {"account": _escalation_for(live_server, PHONE)}
    ids["erased"] = _escalation_for(live_server, ERASED)
    with live_server.session() as session:
        escalation = session.get(Escalation, ids["account"])
        assert escalation is not None
        said = f"Tienes deuda en la cuenta {ACCOUNT}, 761.124 pesos. ¿Hacemos un acuerdo?"
        last = session.scalar(
            select(func.max(Turn.sequence)).where(Turn.interaction_id == escalation.interaction_id)
        )
        session.add(
            Turn(
                interaction_id=escalation.interaction_id,
                sequence=(last or 0) + 1,
                speaker="caller",
                text=f"mi cuenta es {ACCOUNT}",
                source="sms",
                reply=said,
            )
        )
        context = dict(escalation.context)
        context["transcript"] = [*context["transcript"], {"speaker": "bot", "reply": said}]
        escalation.context = context
        session.commit()
    return ids


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_agents_see_account_numbers_masked_in_the_bot_text_and_its_api(
    live_server, page_factory, seeded, viewport, size
):
    page = page_factory(viewport, locale="es-CO")
    browser_login(page, "ana@example.com")
    page.goto(f"/console/escalations/{seeded['account']}?lang=es")
    main = page.locator("main")
    expect(main).to_contain_text(f"cuenta ******{ACCOUNT[-4:]}")
    expect(main).not_to_contain_text(ACCOUNT)
    shoot(page, f"fixes-masked-{size}-es")
    api = page.request.get(f"/console/api/escalations/{seeded['account']}")
    assert api.status == 200 and ACCOUNT not in api.text()
    assert f"******{ACCOUNT[-4:]}" in json.dumps(api.json()["context"]["transcript"])
    with live_server.session() as session:  # the stored conversation is not changed
        escalation = session.get(Escalation, seeded["account"])
        assert escalation is not None
        assert ACCOUNT in json.dumps(escalation.context)
    manager = page_factory(viewport, locale="es-CO")
    browser_login(manager, "max@example.com")
    manager.goto(f"/console/escalations/{seeded['account']}?lang=es")
    expect(manager.locator("main")).to_contain_text(f"cuenta {ACCOUNT}")


def test_masked_turns_carry_what_the_transcript_shows() -> None:
    """The masked view of a turn has every field the transcript macro reads."""
    fields = set(TurnShown.__dataclass_fields__)
    root = Path(__file__).resolve().parents[3]
    macro = (root / "webhooks/templates/console/_macros.html").read_text(encoding="utf-8")
    assert set(re.findall(r"turn\.([a-z_]+)", macro)) <= fields


SPANISH_PAGES = (
    "/console/queue",
    "/console/callbacks",
    "/console/manager/",
    "/console/manager/customers",
    "/console/manager/agents",
    "/console/manager/config",
    "/console/manager/privacy",
    "/console/manager/improve/",
    "/console/manager/improve/ranking",
    "/console/manager/improve/explain?call_type=sms",
    "/console/manager/conversations?outcome=escalated",
    "/console/account/password",
)


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_spanish_pages_show_no_raw_key_english_word_or_english_number(
    live_server, page_factory, seeded, viewport, size
):
    page = page_factory(viewport, locale="es-CO")
    browser_login(page, "max@example.com")
    escalations = [f"/console/escalations/{i}" for i in seeded.values()]
    with live_server.session() as session:
        conversations = session.scalars(select(Interaction.id)).all()
    paths = [
        *SPANISH_PAGES,
        *escalations,
        *[f"/console/manager/conversations/{i}" for i in conversations],
    ]
    found: dict[str, list[str]] = {}
    for path in paths:
        response = page.goto(path + ("&" if "?" in path else "?") + "lang=es")
        assert response is not None and response.status == 200, path
        text = page.locator("main").inner_text()
        hits = RAW_KEY.findall(text) + ENGLISH.findall(text) + ENGLISH_NUMBER.findall(text)
        if hits:
            found[path] = sorted(set(hits))
    shoot(page, f"fixes-scan-last-{size}-es")
    assert not found, found


@pytest.mark.parametrize(("viewport", "size", "lang"), [(*SIZES[0], "es"), (*SIZES[1], "en")])
def test_settings_take_a_decimal_comma_and_check_template_placeholders(
    live_server, page_factory, viewport, size, lang
):
    page = page_factory(viewport, locale="es-CO")
    browser_login(page, "max@example.com")
    decimal = "50,5" if lang == "es" else "50.5"

    def save(key: str, value: str) -> Any:
        page.goto(f"/console/manager/config?lang={lang}")
        page.fill(f"#cfg-{key}", value)
        with page.expect_navigation():
            page.click("#save-config")
        return page.locator("main")

    main = save("conformity_threshold", decimal)
    expect(page.locator("#config-error")).to_have_count(0)
    with live_server.session() as session:
        settings = live_server.app.extensions["contactpro"].settings
        assert float(current_config(session, settings)["conformity_threshold"]) == 50.5
    page.goto(f"/console/manager/config?lang={lang}")
    shoot(page, f"fixes-config-{size}-{lang}")

    main = save("sms_template_es", "Hola {nombre}")
    error = page.locator("#config-error")
    expect(error).to_contain_text("{nombre}")
    expect(error).to_contain_text("{name}")
    expect(error).to_contain_text("no se puede completar" if lang == "es" else "cannot fill")
    main = save("callback_template_en", "We will call you soon.")
    expect(page.locator("#config-error")).to_contain_text(
        "debe incluir {when}" if lang == "es" else "must include {when}"
    )
    expect(main).not_to_contain_text("Traceback")
    with live_server.session() as session:
        config = current_config(session, live_server.app.extensions["contactpro"].settings)
        assert "{nombre}" not in config["sms_template_es"]
        assert "{when}" in config["callback_template_en"]


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_erasing_a_customer_closes_their_escalation_with_a_readable_summary(
    live_server, page_factory, seeded, viewport, size
):
    page = page_factory(viewport, locale="es-CO")
    browser_login(page, "max@example.com")
    escalation_id = seeded["erased"]
    with live_server.session() as session:
        escalation = session.get(Escalation, escalation_id)
        assert escalation is not None
        already = escalation.status == "resolved"
    if not already:  # the first size erases; the second looks at the same page
        page.goto("/console/manager/privacy?lang=es")
        page.fill("input[name=phone]", ERASED)
        page.check("input[name=confirm]")
        with page.expect_navigation():
            page.get_by_role("button", name="Borrar datos personales").click()
    page.goto(f"/console/escalations/{escalation_id}?lang=es")
    summary = page.locator("#bot-summary")
    expect(summary).to_contain_text("Datos borrados a petición del cliente")
    expect(summary).not_to_contain_text("Escalado porque: .")
    expect(page.locator("main")).to_contain_text("datos borrados a petición del cliente")
    shoot(page, f"fixes-erased-{size}-es")
    page.goto("/console/queue?lang=es")
    expect(page.locator(f'#queue tr[data-id="{escalation_id}"]')).to_have_count(0)
    with live_server.session() as session:
        escalation = session.get(Escalation, escalation_id)
        assert escalation is not None and escalation.status == "resolved"
        assert escalation.resolution == "data_erased"
        audited = session.scalars(
            select(AuditLog).where(
                AuditLog.target == f"escalation:{escalation_id}",
                AuditLog.action == "escalation.close_erased",
            )
        ).all()
        assert len(audited) == 1


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_a_silent_call_shows_no_similar_case_below_the_minimum(
    live_server, page_factory, seeded, viewport, size
):
    with live_server.session() as session:
        silent = session.scalars(
            select(Escalation.id).where(Escalation.context["from_number"].as_string() == SILENT)
        ).first()
    if silent is None:  # a caller who says nothing (menu twice, then reprompts): escalated
        call = Call(live_server.twilio(), SILENT)
        call.start()
        for _ in range(6):
            if call.silence().find("Gather") is None:
                break
        silent = _escalation_for(live_server, SILENT)
    page = page_factory(viewport, locale="es-CO")
    browser_login(page, "max@example.com")
    page.goto(f"/console/escalations/{silent}?lang=es")
    section = page.locator("section[aria-labelledby=h-similar]")
    expect(section).not_to_contain_text("0 %")
    expect(section).not_to_contain_text("Causa probable")
    expect(page.locator("#similar-summary")).to_have_count(0)
    shoot(page, f"fixes-silent-similar-{size}-es")
