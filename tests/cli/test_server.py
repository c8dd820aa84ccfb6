"""The operator's commands: init-db, seed, simulate, and a clear start-up error."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from contactpro import migrate
from contactpro.models import Customer, Interaction, Turn
from tests.conftest import REPO


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """Serve the app on a free local port for the duration of a test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_init_db_and_seed(runner, app, session):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    head = migrate.head_revision(app.extensions["contactpro"].settings.database_url)
    assert f"database at revision {head}" in result.output
    result = runner.invoke(args=["seed", "--customers", "12"])
    assert result.exit_code == 0, result.output
    assert "added 12 customers" in result.output
    assert session.scalar(select(func.count(Customer.id))) == 12
    assert runner.invoke(args=["seed", "--customers", "0"]).exit_code == 2


def test_simulate_sms_posts_signed_requests(runner, live_url, customer_factory, session):
    customer_factory(phone="+573001112233", balance="5000")
    # The server checks signatures against its public URL, so sign for that one.
    result = runner.invoke(
        args=["simulate", "sms", "--url", live_url, "--from", "+573001112233", "mi saldo", "4050"]
    )
    assert result.exit_code == 0, result.output
    assert "you> mi saldo" in result.output
    assert "bot (sms)> Tu saldo en la cuenta 0000120451 es de 5.000 pesos" in result.output
    assert session.scalar(select(func.count(Turn.id))) == 2


def test_simulate_call_scripted(runner, live_url, customer_factory, session):
    customer_factory(phone="+573001112233")
    result = runner.invoke(
        args=[
            "simulate",
            "call",
            "--url",
            live_url,
            "--from",
            "+573001112233",
            "--say",
            "saldo",
            "--say",
            "",
            "--say",
            "asesor",
            "--show-twiml",
        ]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "bot (says)> Hola Camila" in out
    assert "No te escuché" in out
    assert "[enqueue" in out and "<Enqueue" in out
    assert "call ended" in out
    assert session.scalar(select(func.count(Interaction.id))) == 1


def test_simulate_reports_unreachable_server(runner, app):
    result = runner.invoke(
        args=["simulate", "sms", "--url", "http://127.0.0.1:9", "--from", "+573001112233", "x"]
    )
    assert result.exit_code == 1
    assert "cannot reach the server" in result.output


def test_bad_configuration_stops_the_command_with_a_clear_error(tmp_path):
    env = {
        **os.environ,
        "CONTACTPRO_BROKER_URL": "kafka://x",
        "TWILIO_AUTH_TOKEN": "t",
        "CONTACTPRO_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", "init-db"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "configuration error: CONTACTPRO_BROKER_URL must be" in result.stderr
    assert "Traceback" not in result.stderr
