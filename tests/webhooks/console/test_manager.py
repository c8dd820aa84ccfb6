"""Manager pages: dashboards and KPI history, quadrant lists and CSV, search, configuration."""

from __future__ import annotations

import csv
import io
import struct
import zlib
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from contactpro.config import company_timezone
from contactpro.console.settings import current_config
from contactpro.models import AnalysisRun, AuditLog, ConfigEntry, CustomerScore, utcnow
from tests.webhooks.console.conftest import add_customer, login
from tests.webhooks.test_sms import sms_params


def tiny_png(path: Path, width: int = 120, height: int = 60) -> Path:
    """Write a solid-colour PNG (enough for a browser to decode and measure)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x1d\x4e\xd8" * width for _ in range(height))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def add_runs(session, folder: Path) -> list[AnalysisRun]:
    """Two analysis runs as analytics stores them: KPI rows and dashboard file paths."""
    folder.mkdir(parents=True, exist_ok=True)
    now = utcnow()
    runs = []
    for n, (rate, text) in enumerate([(0.5, "50.0 %"), (0.625, "62.5 %")]):
        runs.append(
            AnalysisRun(
                kind="daily",
                period_start=now - timedelta(days=2 - n),
                period_end=now - timedelta(days=1 - n),
                code_version="test",
                created_at=now - timedelta(hours=10 - n),
                seconds=1.5,  # finished: failed and running runs are not shown
                results={
                    "kpis": [
                        {
                            "key": "interactions",
                            "label": "Interactions analysed",
                            "value": 8.0 + n,
                            "unit": "count",
                            "text": str(8 + n),
                        },
                        {
                            "key": "auto_resolution",
                            "label": "Automatic resolution",
                            "value": rate,
                            "unit": "%",
                            "text": text,
                        },
                    ]
                },
                outputs={
                    "report_md": str(folder / "report.md"),
                    "png_volume": str(tiny_png(folder / f"volume-{n}.png")),
                    "png_missing": str(folder / "gone.png"),
                },
            )
        )
    session.add_all(runs)
    session.commit()
    return runs


def test_dashboards_without_a_run_say_so(client, users):
    login(client, "max@example.com")
    page = client.get("/console/manager/").text
    assert "No analysis run yet" in page


def test_dashboards_show_latest_kpis_with_history_and_figures(client, session, users, tmp_path):
    old, new = add_runs(session, tmp_path / "out")
    login(client, "max@example.com")
    page = client.get("/console/manager/").text
    assert f"#{new.id}" in page and "Automatic resolution" in page
    assert page.index("62.5 %") < page.index("50.0 %")  # latest first, then history
    figure = f"/console/manager/runs/{new.id}/figures/0"
    assert figure in page and "/figures/1" not in page  # the missing file is not offered
    with client.get(figure) as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
    assert client.get(f"/console/manager/runs/{new.id}/figures/1").status_code == 404
    assert client.get("/console/manager/runs/999/figures/0").status_code == 404


def add_scored(session, phone: str, name: str, quadrant: str, conformity: float) -> None:
    customer = add_customer(session, phone, name)
    session.add(
        CustomerScore(
            customer_id=customer.id,
            conformity=conformity,
            billing=Decimal("89900"),
            quadrant=quadrant,
            interactions=2,
        )
    )
    session.commit()


def test_customers_per_quadrant_and_csv_export(client, session, users):
    add_scored(session, "+573001120001", "Rosa Retener", "retain", 22.5)
    add_scored(session, "+573001120002", "Mario Monitor", "monitor", 81.0)
    login(client, "max@example.com")
    page = client.get("/console/manager/customers?quadrant=retain").text
    assert "Rosa Retener" in page and "Mario Monitor" not in page
    assert "Top priority: call back within 24 h" in page or "Prioridad máxima" in page
    response = client.get("/console/manager/customers.csv?quadrant=retain")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["name"], r["quadrant"], r["conformity"]) for r in rows] == [
        ("Rosa Retener", "retain", "22.5")
    ]
    everyone = list(csv.DictReader(io.StringIO(client.get("/console/manager/customers.csv").text)))
    assert {r["name"] for r in everyone} == {"Rosa Retener", "Mario Monitor"}
    assert client.get("/console/manager/customers?quadrant=nope").status_code == 400


def test_conversation_search_filters_and_shows_the_transcript(client, session, twilio, users, app):
    add_customer(session, "+573001130001", "Sofía Saldo")
    add_customer(session, "+573001130002", "Tomás Asesor")
    twilio.post("/twilio/sms", sms_params("+573001130001", "cuánto debo"))
    twilio.post("/twilio/sms", sms_params("+573001130002", "quiero un asesor"))
    login(client, "max@example.com")
    search = "/console/manager/conversations"
    assert "Sofía Saldo" in client.get(f"{search}?number=3001130001").text
    by_name = client.get(f"{search}?customer=tomás").text
    assert "Tomás Asesor" in by_name and "Sofía Saldo" not in by_name
    by_intent = client.get(f"{search}?intent=billing_inquiry").text
    assert "Sofía Saldo" in by_intent and "Tomás Asesor" not in by_intent
    by_outcome = client.get(f"{search}?outcome=escalated").text
    assert "Tomás Asesor" in by_outcome and "Sofía Saldo" not in by_outcome
    # Dates are the company's (Bogotá by default): before 05:00 UTC it is still yesterday there.
    zone = ZoneInfo(company_timezone(app.extensions["contactpro"].settings))
    today = datetime.now(zone).date()
    assert "Sofía Saldo" in client.get(f"{search}?from={today}&to={today}").text
    assert (
        "Ninguna" in client.get(f"{search}?to={today - timedelta(days=3)}").text
        or "No conversation" in client.get(f"{search}?to={today - timedelta(days=3)}").text
    )
    assert client.get(f"{search}?from=yesterday").status_code == 400
    # Wildcards are literal: "%" does not match everyone.
    assert "Sofía" not in client.get(f"{search}?customer=%25").text
    page = client.get(f"{search}?number=3001130001").text
    link = page.split('href="/console/manager/conversations/')[1].split('"')[0]
    detail = client.get(f"/console/manager/conversations/{link}").text
    assert "cuánto debo" in detail and "billing_inquiry" in detail
    assert client.get("/console/manager/conversations/9999").status_code == 404


def test_configuration_changes_are_validated_and_audited(client, session, app, users):
    token = login(client, "max@example.com")
    settings = app.extensions["contactpro"].settings
    response = client.post(
        "/console/manager/config",
        data={
            "csrf_token": token,
            "business_hours_start": "07:30",
            "notify_priority": "85",
            "sms_template_es": "Hola {name}, le escribe ACME. ",
            "sms_template_en": "Hello {name}, this is ContactPro.",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    config = current_config(session, settings)
    assert (config["business_hours_start"], config["notify_priority"]) == ("07:30", 85)
    audit = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert {(a.target, a.before, a.after) for a in audit} == {
        ("config:business_hours_start", "00:00", "07:30"),
        ("config:notify_priority", 90, 85),
        (
            "config:sms_template_es",
            "Hola {name}, te escribe ContactPro.",
            "Hola {name}, le escribe ACME.",
        ),
    }
    assert {a.agent_id for a in audit} == {users["manager"].id}
    page = client.get("/console/manager/config").text
    assert "Max Supervisor" in page
    assert "setting changed: Text the on-duty agent from this priority (101 = never)" in page
    assert "config:notify_priority" not in page  # words, not the stored key
    # Invalid: nothing is stored, the form says which field and why.
    bad = client.post(
        "/console/manager/config",
        data={"csrf_token": token, "business_hours_end": "06:00", "notify_priority": "70"},
    )
    assert bad.status_code == 400 and "must be later than the start" in bad.text
    for field, value, message in [
        ("notify_priority", "lots", "must be a number"),
        ("conformity_threshold", "140", "at most 100"),
        ("business_days", "mon,funday", "choose at least one day"),
        ("on_duty_agent", "nobody@example.com", "active user"),
    ]:
        response = client.post("/console/manager/config", data={"csrf_token": token, field: value})
        assert response.status_code == 400 and message in response.text, field
    session.expire_all()
    assert session.get(ConfigEntry, "notify_priority").value == 85
    assert len(session.scalars(select(AuditLog)).all()) == 3


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [
        ("conformity_threshold", "-0.5", "100.5"),
        ("notify_priority", "-1", "102"),
        ("offer_max_discount_percent", "-1", "101"),
        ("offer_min_tenure_months", "-1", "601"),
    ],
)
def test_every_numeric_setting_refuses_non_finite_and_out_of_range_numbers(
    client, session, app, users, field, low, high
):
    token = login(client, "max@example.com")
    before = current_config(session, app.extensions["contactpro"].settings)[field]
    for value, message in [
        ("nan", "must be"),
        ("inf", "must be"),
        ("-inf", "must be"),
        ("1e999", "must be"),
        (low, "must be at least"),
        (high, "must be at most"),
    ]:
        response = client.post("/console/manager/config", data={"csrf_token": token, field: value})
        assert response.status_code == 400 and message in response.text, (field, value)
    session.expire_all()
    assert session.get(ConfigEntry, field) is None
    assert current_config(session, app.extensions["contactpro"].settings)[field] == before
