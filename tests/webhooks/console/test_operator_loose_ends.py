"""What an operator found on the managers' and agents' console, in both languages: the change
log words an approval made from the command line (what it applied, a rule draft's old title,
who approved), a resolved escalation says so when resolved again, the ranking refuses a weight
out of range and a dataset that does not exist, the queue's CSV gives the reason in the
console's words, and a customer's conformity reads the same on every page."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpro.improve import index, proposals, store
from contactpro.models import AuditLog
from devtools.conversations import SmsThread
from tests.conftest import TwilioClient
from tests.contactpro.improve.test_approved_proposals_apply import _cli
from tests.webhooks.console.conftest import add_customer, add_score, login
from tests.webhooks.console.test_agent_fixes import ASK_AGENT, claim, escalation_of
from tests.webhooks.console.test_improve_pages import conversations

CONFIG = "/console/manager/config"
RANKING = "/console/manager/improve/ranking"
# English words and codes that must not reach a Spanish change log.
_ENGLISH = re.compile(r"\b(?:articles|settings|templates|Review the|unresolved)\b|[{}\[\]\"]")


def _audit_rows(page: str) -> list[list[str]]:
    """Return the change log's rows as a person reads them, cell by cell."""
    table = page.split('<table id="audit">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in cells]
        for cells in (re.findall(r"<td>(.*?)</td>", row, re.S) for row in body.split("</tr>"))
        if cells
    ]


# 1. The change log of an approval from the command line


CHANGE_LOG = {
    "es": {
        "applied": "propuesta aplicada: propuesta #",
        "what": "aplicado: Umbral de conformidad (0-100) = 55; la plantilla en español para el "
        "paso a un agente",
        "setting": "ajuste cambiado: Umbral de conformidad (0-100)",
        "approved": "propuesta aprobada: propuesta #",
        "edited": "propuesta editada: propuesta #",
        "old_title": "título: Revisar el flujo de consulta de factura: 3 de 5 sin resolver",
    },
    "en": {
        "applied": "proposal applied: proposal #",
        "what": "applied: Conformity threshold (0-100) = 55; the Spanish template for handing "
        "over to an agent",
        "setting": "setting changed: Conformity threshold (0-100)",
        "approved": "proposal approved: proposal #",
        "edited": "proposal edited: proposal #",
        "old_title": "title: Review the billing inquiry flow: 3 of 5 unresolved",
    },
}


def _rule_draft(session: Session) -> int:
    """A rule-drafted proposal (its title stored in English beside its words) that changes a
    setting and a template."""
    [pid] = proposals.save(
        session,
        [
            proposals.Draft(
                "template",
                "Review the billing_inquiry flow: 3 of 5 unresolved",
                {
                    "title_words": {
                        "key": "ptitle_review_flow",
                        "values": {"intent": "billing_inquiry", "unresolved": 3, "volume": 5},
                    },
                    "settings": {"conformity_threshold": 55},
                    "templates": {"es": {"escalate_sms": "Un asesor le escribirá pronto."}},
                },
            )
        ],
    )
    session.commit()
    return pid


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_change_log_words_an_approval_from_the_command_line(
    app_config: dict[str, Any],
    client: FlaskClient,
    session: Session,
    users: Any,
    tmp_path: Any,
    lang: str,
) -> None:
    pid = _rule_draft(session)
    token = login(client, "max@example.com")
    edited = client.post(
        f"/console/manager/improve/proposals/{pid}/edit",
        data={
            "csrf_token": token,
            "title": "Mi título",
            "body": '{"settings": {"conformity_threshold": 55}, '
            '"templates": {"es": {"escalate_sms": "Un asesor le escribirá pronto."}}}',
        },
    )
    assert edited.status_code == 302
    approved = _cli(app_config, tmp_path, "approve", str(pid))
    assert approved.returncode == 0, approved.stderr

    rows = _audit_rows(client.get(f"{CONFIG}?lang={lang}").text)

    words = CHANGE_LOG[lang]
    by_what = {row[2].split("#")[0] + "#": row for row in rows}
    applied = by_what[words["applied"]]
    assert applied[1] == "ana" and applied[4] == words["what"], applied
    setting = next(row for row in rows if row[2] == words["setting"])
    assert setting[1] == "ana" and (setting[3], setting[4]) == ("50", "55"), setting
    assert by_what[words["approved"]][1] == "ana"
    edit = by_what[words["edited"]]
    assert edit[1] == "Max Supervisor"
    assert words["old_title"] in edit[3] and "Mi título" in edit[4], edit
    shown = " ".join(cell for row in rows for cell in row)
    assert "—" not in [row[1] for row in rows], rows
    if lang == "es":
        assert not _ENGLISH.findall(shown), (_ENGLISH.findall(shown), shown)
    else:
        assert not re.search(r"[{}\[\]\"]", shown), shown


# 2. Resolving an escalation already resolved


ALREADY_RESOLVED = {
    "es": "Este escalamiento ya está resuelto: no se cambió nada.",
    "en": "This escalation is already resolved: nothing was changed.",
}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_resolving_a_resolved_escalation_says_it_is_resolved_and_changes_nothing(
    client: FlaskClient, session: Session, twilio: TwilioClient, users: Any, lang: str
) -> None:
    number = {"es": "+573001120701", "en": "+13055550701"}[lang]
    add_customer(session, number, "Camila Rojas", language=lang)
    SmsThread(twilio, number).send(ASK_AGENT[lang])
    esc = escalation_of(session, number)
    token = login(client, "ana@example.com")
    claim(client, token, esc.id)
    first = {"csrf_token": token, "resolution": "solved", "notes": "Le devolví el cobro"}
    assert client.post(f"/console/escalations/{esc.id}/resolve", data=first).status_code == 302
    session.expire_all()
    resolved_at = escalation_of(session, number).resolved_at
    audited = session.scalar(select(func.count(AuditLog.id)))

    again = client.post(
        f"/console/escalations/{esc.id}/resolve?lang={lang}",
        data={"csrf_token": token, "resolution": "payment_arranged", "notes": "otra nota"},
        follow_redirects=True,
    )

    page = html.unescape(again.text)
    assert ALREADY_RESOLVED[lang] in page
    assert "Primero tome el escalamiento" not in page and "Claim the escalation first" not in page
    after = escalation_of(session, number)
    assert (after.status, after.resolution, after.notes) == (
        "resolved",
        "solved",
        "Le devolví el cobro",
    )
    assert after.resolved_at == resolved_at
    assert session.scalar(select(func.count(AuditLog.id))) == audited


# 3. The ranking's weights and dataset


@pytest.fixture
def month(session: Session) -> None:
    """An imported dataset named "month", indexed."""
    store.save(session, "month", conversations())
    index.index_pending(session, index.HashingEncoder())
    session.commit()


REFUSED = {
    "es": (
        "Peso de lo no resuelto: 99 no es válido; cada peso debe estar entre 0 y 5. "
        "No se calculó el orden.",
        "El conjunto de datos «no-existe» no existe: elija uno de la lista o el tráfico real.",
    ),
    "en": (
        "Unresolved weight: 99 is not valid; each weight must be between 0 and 5. "
        "No ranking was computed.",
        "The dataset “no-existe” does not exist: pick one from the list or live traffic.",
    ),
}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_ranking_refuses_a_weight_out_of_range_and_an_unknown_dataset(
    client: FlaskClient, session: Session, users: Any, month: None, lang: str
) -> None:
    login(client, "max@example.com")
    out_of_range, unknown = REFUSED[lang]

    weighted = client.get(f"{RANKING}?dataset=month&unresolved=99&lang={lang}")
    missing = client.get(f"{RANKING}?dataset=no-existe&lang={lang}")

    for answer, said in ((weighted, out_of_range), (missing, unknown)):
        page = html.unescape(answer.text)
        assert answer.status_code == 400
        assert said in page, page
        assert 'id="ranking"' not in page and 'id="counted"' not in page
        assert '<form method="get" class="search card"' in page  # the form, to correct it
    fine = client.get(f"{RANKING}?dataset=month&unresolved=5&lang={lang}")
    assert fine.status_code == 200 and 'id="ranking"' in fine.text


# 4. The queue's CSV


@pytest.mark.parametrize(("lang", "reason"), [("es", "pidió un asesor"), ("en", "asked for")])
def test_the_queue_csv_gives_the_reason_in_the_console_words(
    client: FlaskClient, session: Session, twilio: TwilioClient, users: Any, lang: str, reason: str
) -> None:
    number = {"es": "+573001120702", "en": "+13055550702"}[lang]
    add_customer(session, number, "Camila Rojas", language=lang)
    SmsThread(twilio, number).send(ASK_AGENT[lang])
    esc = escalation_of(session, number)
    login(client, "ana@example.com")
    page = html.unescape(client.get(f"/console/queue?lang={lang}").text)

    exported = client.get(f"/console/queue.csv?lang={lang}")

    (row,) = list(csv.DictReader(io.StringIO(exported.text)))
    assert row["reason_code"] == esc.reason
    assert row["reason"] != esc.reason and reason in row["reason"].lower(), row
    assert row["reason"] in page  # as the queue page shows it


# 6. Conformity on the escalation and customers pages


@pytest.mark.parametrize(("lang", "shown"), [("es", "44,3"), ("en", "44.3")])
def test_a_customer_conformity_reads_the_same_on_every_page(
    app: Flask,
    client: FlaskClient,
    session: Session,
    twilio: TwilioClient,
    users: Any,
    lang: str,
    shown: str,
) -> None:
    number = {"es": "+573001120703", "en": "+13055550703"}[lang]
    customer = add_customer(session, number, "Camila Conforme", language=lang)
    add_score(session, customer.id, "retain", 44.26, "250000", interactions=3)
    SmsThread(twilio, number).send(ASK_AGENT[lang])
    esc = escalation_of(session, number)
    login(client, "max@example.com")

    escalation = client.get(f"/console/escalations/{esc.id}?lang={lang}").text
    customers = client.get(f"/console/manager/customers?quadrant=retain&lang={lang}").text
    queue = client.get(f"/console/queue?lang={lang}").text

    on_escalation = re.search(r'<span class="big">([^<]*)</span> / 100', escalation)
    row = next(r for r in customers.split("<tr>") if "Camila Conforme" in r)
    on_customers = re.findall(r'<td class="num">([^<]*)</td>', row)[0]
    queued = next(r for r in queue.split("<tr") if f'data-id="{esc.id}"' in r)
    on_queue = re.search(r'<td class="num opt">([^<]*)</td>', queued)
    assert on_escalation and on_queue
    assert on_escalation[1] == on_customers == on_queue[1] == shown
