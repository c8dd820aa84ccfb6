"""``contactpro improve replay`` as an operator reads it: a broken template of the proposal in
one line of their words (English in the terminal, the page's language in the console), the run
kept as failed and the proposal kept; progress lines, not a log line per replayed turn; the
folders and files named as the operator gave them, never as server paths."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.db import Database
from contactpro.improve import proposals, runs
from contactpro.models import ImproveRun, Proposal
from tests.cli.test_entry_point import run
from tests.webhooks.console.conftest import add_users, login

BASE = "/console/manager/improve"
# Jinja's own words, and other internals an operator must never read.
JINJA_WORDS = (
    "Traceback",
    "Jinja",
    "TemplateSyntaxError",
    "TemplateAssertionError",
    "unexpected end of template",
    "end of print statement",
    "No filter named",
    "innermost block",
)
CONVERSATIONS = [
    {
        "conversation_id": f"c{n}",
        "meta": {"channel": "sms", "language": "es", "resolved": False},
        "transcript": [
            {"role": "user", "content": text},
            {"role": "user", "content": "1234567"},
        ],
    }
    for n, text in enumerate(
        ["cuánto debo de mi factura", "¿tienen roaming en Europa?", "how much do I owe"] * 4
    )
]
BROKEN = [
    (
        "{{ nombre",
        "a mark is left open, close it: {{ … }}",
        "una marca quedó abierta, ciérrela: {{ … }}",
    ),
    (
        "Hola {{ channel | mayusculas }}",
        "this filter does not exist (use money, date or digits): mayusculas",
        "este filtro no existe (use money, date o digits): mayusculas",
    ),
    (
        "{% if channel %}Hola",
        "a block is left open, close it with {% endif %}",
        "un bloque quedó abierto, ciérrelo con {% endif %}",
    ),
]


def _data(tmp_path: Path, **env: str) -> Path:
    path = tmp_path / "month.jsonl"
    lines = [json.dumps(c, ensure_ascii=False) for c in CONVERSATIONS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(["init-db"], tmp_path, **env).returncode == 0
    return path


def _runs(url: str) -> list[tuple[str, dict[str, Any]]]:
    db = Database(url)
    with db.session() as session:
        rows = [(r.status, dict(r.results or {})) for r in session.scalars(select(ImproveRun))]
    db.dispose()
    return rows


@pytest.mark.parametrize(("text", "english", "_spanish"), BROKEN)
def test_a_broken_template_is_said_in_one_line_and_the_run_is_kept(
    tmp_path: Path, text: str, english: str, _spanish: str
) -> None:
    """Whatever Jinja says, the operator reads the file, the key, what is wrong in plain words,
    the line and the file to correct (as they named it); the run is failed, the folder kept."""
    data = _data(tmp_path)
    (tmp_path / "nueva" / "templates").mkdir(parents=True)
    template = tmp_path / "nueva" / "templates" / "es.toml"
    template.write_text(f"escalate_sms = {json.dumps(text)}\n", encoding="utf-8")
    args = ["improve", "replay", "--data", data.name, "--proposed", "nueva"]
    # development: logging is on, so a traceback logged on the way would show here too.
    result = run(args, tmp_path, CONTACTPRO_ENV="development")
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == (
        f"Error: templates/es.toml: escalate_sms does not compile: {english} (line 1); "
        "correct it in nueva/templates/es.toml and replay again"
    )
    for internal in (*JINJA_WORDS, str(tmp_path)):
        assert internal not in result.stderr + result.stdout
    assert template.read_text(encoding="utf-8") == f"escalate_sms = {json.dumps(text)}\n"
    [(status, results)] = _runs(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert status == "failed"
    assert results["error"]["key"] == "perr_template_syntax"
    assert results["error"]["values"]["name"] == "escalate_sms"


def test_a_replay_prints_progress_not_a_log_line_per_turn(tmp_path: Path) -> None:
    """12 conversations, two sides: a few progress lines and the summary; no "turn" or
    "interaction opened" line per replayed turn; the files named where the operator looks."""
    data = _data(tmp_path)
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "settings.toml").write_text("max_verification_attempts = 3\n")
    args = ["improve", "replay", "--data", data.name, "--proposed", "p"]
    result = run(args, tmp_path, CONTACTPRO_ENV="development", CONTACTPRO_LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines, "progress is shown"
    assert all(re.fullmatch(r"replaying: \d+/24 \(\d+%\)", line) for line in lines), lines
    assert lines[-1] == "replaying: 24/24 (100%)" and len(lines) <= 11
    for per_turn in ('"turn"', "interaction opened", '"escalated"', "INFO"):
        assert per_turn not in result.stderr
    assert result.stdout.startswith("replay run 1\n")
    assert result.stdout.rstrip().endswith("files in var/improve/replay-1")
    assert str(tmp_path) not in result.stdout + result.stderr
    assert (tmp_path / "var" / "improve" / "replay-1" / "baseline_meta.csv").is_file()

    out = run([*args, "--out", "salida"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.rstrip().endswith("files in salida")
    assert (tmp_path / "salida" / "proposed_meta.csv").is_file()


def test_a_template_that_fails_in_every_reply_warns_once(tmp_path: Path) -> None:
    """A proposed text that compiles but cannot render falls back to the shipped text: the
    operator is told once per template, not once per replayed reply."""
    data = _data(tmp_path)
    (tmp_path / "w" / "templates").mkdir(parents=True)
    (tmp_path / "w" / "templates" / "es.toml").write_text(
        'ask_identify = "{{ channel.upper(1, 2) }}"\n', encoding="utf-8"
    )
    args = ["improve", "replay", "--data", data.name, "--proposed", "w"]
    result = run(args, tmp_path, CONTACTPRO_ENV="development", CONTACTPRO_LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    warnings = [json.loads(x) for x in result.stderr.splitlines() if x.startswith("{")]
    assert [w["message"].split(" (")[0] for w in warnings] == ["template ask_identify"]
    assert all(w["level"] == "WARNING" for w in warnings)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: None, "Error: proposal folder propuesta does not exist"),
        (lambda p: (p / "kb").mkdir(parents=True), "Error: propuesta/kb holds no .md article"),
        (
            lambda p: (p / "intents").mkdir(parents=True),
            "Error: propuesta/intents holds no model.json (train one with contactpro intents "
            "train)",
        ),
    ],
)
def test_a_broken_proposal_folder_is_named_as_given(
    tmp_path: Path, make: Any, expected: str
) -> None:
    """The folder the operator typed, not the absolute path it resolves to on the server."""
    data = _data(tmp_path)
    make(tmp_path / "propuesta")
    result = run(["improve", "replay", "--data", data.name, "--proposed", "propuesta"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == expected
    assert str(tmp_path) not in result.stderr
    [(status, _)] = _runs(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert status == "failed"


def test_a_settings_file_that_is_not_toml_is_named_as_given(tmp_path: Path) -> None:
    """``propuesta/settings.toml``, with where it breaks: no server path."""
    data = _data(tmp_path)
    (tmp_path / "propuesta").mkdir()
    (tmp_path / "propuesta" / "settings.toml").write_text("knowledge_min_score = \n")
    args = ["improve", "replay", "--data", data.name, "--proposed", "propuesta"]
    result = run(args, tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: propuesta/settings.toml is not valid TOML")
    assert str(tmp_path) not in result.stderr


@pytest.fixture
def manager(app: Flask, session: Session) -> tuple[FlaskClient, str]:
    """A logged-in manager and the session's CSRF token."""
    add_users(session)
    session.commit()
    client = app.test_client()
    return client, login(client, "max@example.com")


@pytest.mark.parametrize(("text", "english", "spanish"), BROKEN)
def test_the_console_says_a_broken_template_in_the_page_language(
    manager: tuple[FlaskClient, str],
    session: Session,
    text: str,
    english: str,
    spanish: str,
) -> None:
    """Replaying a proposal whose body holds a broken template: the page says which template
    and what to do in Spanish (or English), not Jinja's English; the proposal stays a draft
    with its body, and the refused replay is kept as a failed run of the proposal."""
    client, token = manager
    body = {"templates": {"es": {"escalate_sms": text}}, "change": "nuevo texto"}
    [pid] = proposals.save(session, [proposals.Draft("template", "Nuevo texto", body)])
    session.commit()
    url = f"{BASE}/proposals/{pid}"
    client.get(url + "?lang=es")
    posted = client.post(url + "/replay", data={"dataset": "", "csrf_token": token})
    assert posted.status_code == 302 and posted.headers["location"].endswith(url)
    page = client.get(url + "?lang=es").text
    said = (
        f"#{pid}: templates/es.toml: escalate_sms no compila: {spanish} (línea 1); "
        "corríjala en la propuesta y vuelva a repetirla"
    )
    assert said in _unescaped(page)
    for internal in JINJA_WORDS:
        assert internal not in page
    assert "does not compile" not in page
    session.expire_all()
    stored = session.get(Proposal, pid)
    assert stored is not None and stored.status == "draft" and stored.body == body
    [failed] = session.scalars(select(ImproveRun)).all()
    assert failed.status == "failed" and failed.params["proposal_id"] == pid
    assert failed.results["error"]["key"] == "perr_template_syntax"
    run_es = _unescaped(client.get(f"{BASE}/runs/{failed.id}?lang=es").text)
    assert f"escalate_sms no compila: {spanish} (línea 1)" in run_es
    run_en = _unescaped(client.get(f"{BASE}/runs/{failed.id}?lang=en").text)
    assert f"escalate_sms does not compile: {english} (line 1)" in run_en
    assert "correct it in the proposal and replay it again" in run_en
    for internal in JINJA_WORDS:
        assert internal not in run_es + run_en


@pytest.mark.parametrize(("lang", "heading"), [("es", "Archivos"), ("en", "Files")])
def test_the_run_page_names_the_files_not_server_paths(
    app: Flask,
    manager: tuple[FlaskClient, str],
    tmp_path: Path,
    lang: str,
    heading: str,
) -> None:
    """A finished run lists its six files by name; the server's folders are not shown."""
    client, _ = manager
    data = tmp_path / "month.jsonl"
    data.write_text(json.dumps(CONVERSATIONS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "p").mkdir()
    rt = app.extensions["contactpro"]
    request = runs.ReplayRequest(str(tmp_path / "p"), str(tmp_path / "out"), str(data))
    run_id = runs.create_run(rt.db, request)
    files = runs.execute(rt.db, rt.settings, run_id)["files"]
    assert files and all(f.startswith(str(tmp_path)) for f in files)
    page = client.get(f"{BASE}/runs/{run_id}?lang={lang}").text
    assert heading in page
    for name in ("baseline_meta.csv", "proposed_conversations.jsonl", "llm_rewrite_response.json"):
        assert f"<li><code>{name}</code></li>" in page
    assert str(tmp_path) not in page


def _unescaped(page: str) -> str:
    """Return a page's text with the HTML escapes the templates add undone."""
    for escaped, plain in (("&#123;", "{"), ("&#125;", "}"), ("&#34;", '"'), ("&#39;", "'")):
        page = page.replace(escaped, plain)
    return page.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
