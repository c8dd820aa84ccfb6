"""Numbers shown in two places agree: KPIs (console, report, figure in both languages), the
agents page and its CSV, a search's count, pages and CSV, and the queue's pages, JSON and CSV."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy.orm import Session

from contactpro.analytics import runs
from contactpro.console import agent_queue
from contactpro.console.pages import PAGE_SIZE
from contactpro.console.wording import numbers_in
from contactpro.models import Callback, Customer, utcnow
from dashboards import draw_dashboards
from dashboards.figures import build_figure
from tests.webhooks.console.conftest import add_customer, login
from tests.webhooks.console.test_manager import add_scored
from tests.webhooks.console.test_numbers_agree import (
    END,
    START,
    add_contacts,
    person_asked,
    sms_from,
)
from tests.webhooks.test_sms import sms_params


def test_kpis_agree_in_console_report_and_figures(app: Flask, client, session, users, tmp_path):
    add_contacts(session)
    runtime = app.extensions["contactpro"]
    result = runs.run_full_analysis(
        runtime.db, runtime.settings, START, END, tmp_path / "out", render=draw_dashboards
    )
    kpis = result.results["kpis"]
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    login(client, "max@example.com")
    page = client.get("/console/manager/?lang=en").text
    for language in ("es", "en"):
        tiles = {t.get_text() for t in build_figure("kpis", result.results, language).axes[0].texts}
        for kpi in kpis:
            if kpi["value"] is not None:
                assert numbers_in(kpi["text"], language) in tiles, (language, kpi["key"])
    for kpi in kpis:
        row = re.search(rf'data-kpi="{kpi["key"]}".*?<strong>(.*?)</strong>', page, re.S)
        assert row, kpi["key"]
        shown = html.unescape(row.group(1))
        assert shown == (kpi["text"] if kpi["value"] is not None else "not measured")
    spanish = client.get("/console/manager/?lang=es").text
    for kpi in kpis:  # the same figure, written the Spanish way ("44,0 %")
        row = re.search(rf'data-kpi="{kpi["key"]}".*?<strong>(.*?)</strong>', spanish, re.S)
        assert row, kpi["key"]
        if kpi["value"] is not None:
            assert html.unescape(row.group(1)) == numbers_in(kpi["text"], "es"), kpi["key"]
        assert f"| {kpi['label']} | {kpi['text']} | {kpi['target']} |" in markdown, kpi["key"]


def test_agents_page_and_csv_agree(client, session: Session, twilio, users):
    for n in range(3):
        phone = f"+5730011600{n:02d}"
        add_customer(session, phone, f"Cliente {n}")
        twilio.post("/twilio/sms", sms_params(phone, "quiero hablar con un asesor"))
    session.expire_all()
    login(client, "max@example.com")
    ids = [e["id"] for e in client.get("/console/api/queue").json["entries"]]
    agent = users["agent"]
    for escalation_id in ids[:2]:
        agent_queue.claim(session, escalation_id, agent)
    agent_queue.resolve(session, ids[0], agent, "solved", "")
    session.add(
        Callback(
            escalation_id=ids[1],
            agent_id=agent.id,
            phone="+573001160001",
            scheduled_for=utcnow() - timedelta(hours=1),
            status="done",
        )
    )
    session.commit()
    page = client.get("/console/manager/agents?days=7&lang=en").text
    rows = list(csv.DictReader(io.StringIO(client.get("/console/manager/agents.csv?days=7").text)))
    assert [r["agent"] for r in rows] == ["Ana Agente"]
    row = rows[0]
    assert (row["escalations_taken"], row["resolved"], row["callbacks_kept"]) == ("2", "1", "1")
    cells = re.search(r"<th scope=\"row\">Ana Agente</th>(.*?)</tr>", page, re.S).group(1)
    numbers = re.findall(r'<td class="num">\s*([^<]*?)\s*</td>', cells)
    handling = f"{row['mean_handling_minutes']} min"
    assert numbers == [row["escalations_taken"], row["resolved"], handling, "1 / 1"]


def test_search_count_pages_and_csv_agree(client, session: Session, users):
    customer = Customer(name="Cliente Frecuente", phone="+573001170000", segment="standard")
    session.add(customer)
    now = utcnow()
    total = PAGE_SIZE + 7
    for n in range(total):
        when = now - timedelta(minutes=n)
        session.add(sms_from(customer, n, when, status="closed", outcome="auto_resolved"))
    session.commit()
    login(client, "max@example.com")
    first = client.get("/console/manager/conversations?customer=Frecuente&lang=en").text
    assert f"Results ({total})" in first and f"Page 1 of 2 ({total} rows)" in first
    second = client.get("/console/manager/conversations?customer=Frecuente&page=2&lang=en").text
    on_pages = first.count("/console/manager/conversations/") + second.count(
        "/console/manager/conversations/"
    )
    assert on_pages == total
    exported = client.get("/console/manager/conversations.csv?customer=Frecuente")
    assert (
        exported.mimetype == "text/csv" and "attachment" in exported.headers["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == total and {r["customer"] for r in rows} == {"Cliente Frecuente"}


def test_customers_pages_cover_every_scored_customer(client, session, users):
    for n in range(PAGE_SIZE + 3):
        add_scored(session, f"+5730018{n:05d}", f"Puntuado {n:02d}", "care", 40 + n / 10)
    login(client, "max@example.com")
    first = client.get("/console/manager/customers?lang=en").text
    second = client.get("/console/manager/customers?page=2&lang=en").text
    names = re.findall(r">(Puntuado \d\d)</a>", first + second)
    assert len(names) == len(set(names)) == PAGE_SIZE + 3
    assert f"All ({PAGE_SIZE + 3})" in first and 'rel="next"' in first and 'rel="prev"' in second
    rows = list(csv.DictReader(io.StringIO(client.get("/console/manager/customers.csv").text)))
    assert len(rows) == PAGE_SIZE + 3


def test_queue_pages_json_and_csv_agree(client, session: Session, users):
    """Every open escalation is on exactly one page of the queue, in the JSON of that page and
    once in the CSV, in the same order."""
    total = PAGE_SIZE + 4
    customer = Customer(name="Cliente En Cola", phone="+573001190000", segment="standard")
    session.add(customer)
    session.flush()
    now = utcnow()
    for n in range(total):
        interaction = sms_from(customer, n, now - timedelta(minutes=n), status="escalated")
        session.add(person_asked(interaction, customer.id, created_at=interaction.started_at))
    session.commit()
    login(client, "ana@example.com")
    first = client.get("/console/queue?lang=en").text
    second = client.get("/console/queue?page=2&lang=en").text
    ids = [int(i) for i in re.findall(r'<tr data-id="(\d+)"', first + second)]
    assert len(ids) == len(set(ids)) == total
    assert f"Page 1 of 2 ({total} rows)" in first and 'rel="next"' in first
    assert 'rel="prev"' in second and "/console/api/queue?page=2" in second
    pages = [client.get(f"/console/api/queue?page={n}").get_json() for n in (1, 2)]
    assert [e["id"] for p in pages for e in p["entries"]] == ids
    assert {(p["page"], p["pages"], p["total"]) for p in pages} == {(1, 2, total), (2, 2, total)}
    exported = client.get("/console/queue.csv")
    assert exported.mimetype == "text/csv" and "queue-" in exported.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [int(r["escalation_id"]) for r in rows] == ids
    assert [int(r["rank"]) for r in rows] == [e["rank"] for p in pages for e in p["entries"]] and {
        r["customer"] for r in rows
    } == {"Cliente En Cola"}


def test_search_dates_are_days_in_the_company_time_zone(client, session: Session, users):
    """Bogotá is UTC-5: 03:00 UTC on 3 March is still 2 March there, 06:00 UTC is 3 March.
    The search's from/to days, its count and its CSV follow the company's calendar."""
    customer = Customer(name="Cliente Nocturno", phone="+573001180000", segment="standard")
    session.add(customer)
    late = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)  # 22:00 on 2 March in Bogotá
    early = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 01:00 on 3 March in Bogotá
    for n, started in enumerate((late, early)):
        session.add(sms_from(customer, n, started, status="closed", outcome="auto_resolved"))
    session.commit()
    login(client, "max@example.com")
    found = {}
    for day in ("2026-03-02", "2026-03-03"):
        args = f"customer=Nocturno&from={day}&to={day}"
        page = client.get(f"/console/manager/conversations?{args}&lang=en").text
        rows = list(
            csv.DictReader(
                io.StringIO(client.get(f"/console/manager/conversations.csv?{args}").text)
            )
        )
        assert "Results (1)" in page and len(rows) == 1, (day, rows)
        found[day] = rows[0]["started"]
    assert found == {
        "2026-03-02": "2026-03-02T22:00:00-05:00",
        "2026-03-03": "2026-03-03T01:00:00-05:00",
    }
    both = client.get(
        "/console/manager/conversations?customer=Nocturno&from=2026-03-02&to=2026-03-03"
    )
    assert "Results (2)" in both.text
