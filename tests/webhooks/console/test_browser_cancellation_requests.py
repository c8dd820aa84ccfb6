"""In a real browser: a manager works the cancellation requests list in Spanish and English, on
a laptop and on a tablet, and marks an accepted offer applied."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from contactpro.models import CancellationRequest
from tests.webhooks.console.conftest import LAPTOP, add_customer, browser_login, shoot

TABLET_PORTRAIT = {"width": 768, "height": 1024}
WORDS = {
    "es": {
        "nav": "Solicitudes de cancelación",
        "offer": "10 % de descuento por 3 meses",
        "visit": "visita técnica preventiva",
        "pending": "pendiente",
        "applied": "aplicado",
        "mark": "Marcar aplicado",
        "processed_button": "Marcar procesada",
        "outcome_label": "Resultado",
        "cancelled": "canceló el servicio",
        "filter": "Filtrar",
        "marked": "marcada como hecha",
    },
    "en": {
        "nav": "Cancellation requests",
        "offer": "10 % discount for 3 months",
        "visit": "preventive technical visit",
        "pending": "pending",
        "applied": "applied",
        "mark": "Mark applied",
        "processed_button": "Mark processed",
        "outcome_label": "Outcome",
        "cancelled": "cancelled",
        "filter": "Filter",
        "marked": "marked done",
    },
}
# Stored values and word keys that must never reach a person.
RAW = re.compile(r"creq_|discount_\d|preventive_visit|loyalty_double|let_go")
ENGLISH_ON_SPANISH = re.compile(
    r"\b(pending|applied|processed|retained|cancelled|Offer|Status|Mark|discount|months)\b"
)


def _seed(live_server, suffix: int) -> tuple[int, int, int]:
    """Three requests: a 10 % discount accepted, a visit accepted, a cancellation."""
    session = live_server.session()
    try:
        ids = []
        for n, (name, quadrant, offer, outcome) in enumerate(
            [
                ("Rosa Retenida", "retain", "discount_10_3m", "retained"),
                ("Mario Visita", "monitor", "preventive_visit", "retained"),
                ("Luis Cancela", "let_go", None, "cancelled"),
            ]
        ):
            customer = add_customer(session, f"+5730011{suffix:02d}{n:04d}", f"{name} {suffix}")
            row = CancellationRequest(
                account_id=customer.accounts[0].id, quadrant=quadrant, offer=offer, outcome=outcome
            )
            session.add(row)
            session.commit()
            ids.append(row.id)
        return ids[0], ids[1], ids[2]
    finally:
        session.close()


@pytest.mark.parametrize(
    ("lang", "viewport", "email", "suffix"),
    [
        ("es", LAPTOP, "ada@example.com", 1),
        ("es", TABLET_PORTRAIT, "ada@example.com", 2),
        ("en", LAPTOP, "max@example.com", 3),
        ("en", TABLET_PORTRAIT, "max@example.com", 4),
    ],
)
def test_manager_marks_an_accepted_offer_applied(
    live_server, page_factory, lang, viewport, email, suffix
):
    discount, visit, cancelled = _seed(live_server, suffix)
    words = WORDS[lang]
    page = page_factory(viewport, locale="es-CO" if lang == "es" else "en-US")
    browser_login(page, email)
    page.goto(f"/console/queue?lang={lang}")
    page.get_by_role("link", name=words["nav"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["nav"])
    row = page.locator(f"#request-{discount}")
    expect(row).to_contain_text(f"Rosa Retenida {suffix}")
    expect(row).to_contain_text(words["offer"])
    expect(row).to_contain_text(words["pending"])
    expect(row).to_contain_text(re.compile(r"\*{6}\d{4}"))
    expect(page.locator(f"#request-{visit}")).to_contain_text(words["visit"])
    expect(page.locator(f"#request-{cancelled}")).to_contain_text(words["cancelled"])
    expect(page.locator(f"#request-{cancelled}").get_by_role("button")).to_have_text(
        re.compile(words["processed_button"])
    )
    text = page.locator("main").inner_text()
    assert not RAW.findall(text), RAW.findall(text)
    if lang == "es":
        assert not ENGLISH_ON_SPANISH.findall(text), ENGLISH_ON_SPANISH.findall(text)
    # Nothing is cut off or forces the page sideways on this screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], width
    shoot(page, f"creq-{lang}-{viewport['width']}-pending")

    row.get_by_role("button", name=re.compile(words["mark"])).click()
    expect(page.get_by_role("status")).to_contain_text(words["marked"])
    row = page.locator(f"#request-{discount}")
    expect(row).to_contain_text(words["applied"])
    expect(row).to_contain_text("Ada Admin" if email.startswith("ada") else "Max Supervisor")
    expect(row.get_by_role("button")).to_have_count(0)
    shoot(page, f"creq-{lang}-{viewport['width']}-applied")

    page.get_by_label(words["outcome_label"]).select_option("cancelled")
    page.get_by_role("button", name=words["filter"], exact=True).click()
    expect(page.locator(f"#request-{cancelled}")).to_be_visible()
    expect(page.locator(f"#request-{discount}")).to_have_count(0)
    shoot(page, f"creq-{lang}-{viewport['width']}-filtered")
