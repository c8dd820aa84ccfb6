"""Managers' pages and commands: the change log in the reader's words, the matrix in priority order.

The change log on the settings page words every row it lists, and the matrix export (the
command and the console's CSV) lists the customers to call first at the top.

For the change log: a customer cancels by SMS, a manager marks the offer applied, an agent
schedules a call-back and a customer's data is erased; the change log shows each in the page's
language (no codes such as ``cancellation:1``, ``retained``, ``discount_10_3m``, ``true``,
nor a UTC time).
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime

import pytest

from contactpro.console.settings import record_audit
from tests.contactpro.analytics.conftest import installed_contactpro
from tests.webhooks.console.conftest import login
from tests.webhooks.console.test_cancellation_requests import _retained_by_sms
from tests.webhooks.console.test_manager import add_scored

CONFIG = "/console/manager/config"
# Codes and English field names that must not reach a reader of either language.
_RAW = re.compile(
    r"cancellation:\d|customer:\d|discount_\d|\btrue\b|\bfalse\b|"
    r"\d{4}-\d\d-\d\dT\d\d:\d\d"
)


def _audit_text(page: str) -> str:
    """Return the change log as a person reads it (tags stripped)."""
    table = page.split('<table id="audit">', 1)[1].split("</table>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", table)).split())


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "es",
            [
                "solicitud de cancelación tramitada: solicitud #",
                "tramitada: no",
                "resultado: retenido; oferta: 10 % de descuento por 3 meses; tramitada: sí",
                "llamada de vuelta programada: Escalamiento #",
                "programada para: 7 de diciembre de 2030, 10:30",
                "datos personales del cliente borrados: cliente #",
                "conversaciones: 2",
            ],
        ),
        (
            "en",
            [
                "cancellation request handled: request #",
                "done: no",
                "outcome: retained; offer: 10 % discount for 3 months; done: yes",
                "call-back scheduled: Escalation #",
                "scheduled for: December 7, 2030, 10:30",
                "customer's personal data erased: customer #",
                "conversations: 2",
            ],
        ),
    ],
)
def test_change_log_words_requests_call_backs_and_erasures(
    app, client, session, twilio, users, customer_factory, lang, expected
):
    request_id = _retained_by_sms(app, session, twilio, customer_factory)
    token = login(client, "ada@example.com")
    done = client.post(f"/console/manager/requests/{request_id}/done", data={"csrf_token": token})
    assert done.status_code == 302
    # What the agent's call-back and an erasure write (the company is in America/Bogota).
    scheduled = datetime(2030, 12, 7, 15, 30, tzinfo=UTC).isoformat()
    record_audit(
        session,
        users["agent"].id,
        "escalation.callback",
        "escalation:7",
        None,
        {"callback_id": 1, "scheduled_for": scheduled},
    )
    record_audit(
        session,
        users["admin"].id,
        "customer.erase",
        "customer:9",
        None,
        {
            "customer_id": 9,
            "conversations": 2,
            "recordings": 0,
            "recordings_not_deleted": 0,
            "accounts": 1,
            "file_lines": 0,
        },
    )
    session.commit()

    shown = _audit_text(client.get(f"{CONFIG}?lang={lang}").text)

    for words in expected:
        assert words in shown, (words, shown)
    assert not _RAW.findall(shown), _RAW.findall(shown)
    if lang == "es":
        assert not re.search(r"retained|interaction|file lines|conversations", shown), shown


def test_matrix_export_lists_the_top_priority_first(app, client, session, users, tmp_path):
    # Alphabetically "care" would come first; a manager calls the retain customers first.
    for n, (quadrant, conformity) in enumerate(
        [("care", 70.0), ("let_go", 20.0), ("monitor", 80.0), ("retain", 30.0), ("retain", 10.0)]
    ):
        add_scored(session, f"+57300115000{n}", f"Cliente {quadrant} {n}", quadrant, conformity)
    out = tmp_path / "matrix.csv"

    done = installed_contactpro(
        app.extensions["contactpro"].settings, "matrix", "export", "--out", str(out)
    )

    assert done.returncode == 0, done.stderr
    assert "exported 5 customers" in done.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["quadrant"], r["priority"], r["conformity"]) for r in rows] == [
        ("retain", "1", "10.0"),
        ("retain", "1", "30.0"),
        ("monitor", "2", "80.0"),
        ("care", "3", "70.0"),
        ("let_go", "4", "20.0"),
    ]
    login(client, "max@example.com")
    console = client.get("/console/manager/customers.csv").text
    assert [r["quadrant"] for r in csv.DictReader(io.StringIO(console))] == [
        r["quadrant"] for r in rows
    ]
