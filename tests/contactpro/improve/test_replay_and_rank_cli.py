"""``contactpro improve rank`` and ``improve replay`` through the installed entry point."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from contactpro.db import Database
from contactpro.models import ImproveRun
from tests.cli.test_entry_point import run

QUESTIONS = [
    {
        "conversation_id": "pets",
        "meta": {"canal": "chat", "idioma": "es", "resolved": False, "duration_sec": 400},
        "transcript": [
            {"role": "user", "content": "¿tienen planes para mascotas o seguro veterinario?"},
            {"role": "assistant", "content": "No entendí."},
            {"role": "user", "content": "el seguro veterinario para mi perro"},
        ],
        "outcomes": {"tools_needed": ["catalogo_seguros"]},
    },
    {
        "conversation_id": "roaming",
        "meta": {"channel": "sms", "language": "es", "resolved": True, "duration_sec": 90},
        "transcript": [
            {"role": "user", "content": "¿tienen roaming en Europa?"},
            {"role": "user", "content": "sí gracias"},
        ],
        "outcomes": {"intent_detected": ["product_info"]},
    },
    {
        "conversation_id": "bill",
        "meta": {"channel": "sms", "language": "es", "resolved": False, "duration_sec": 600},
        "transcript": [{"role": "user", "content": "cuánto debo de la factura"}],
        "outcomes": {"intent_detected": ["billing_inquiry"]},
    },
]
PET_ARTICLE = (
    "# Seguro veterinario para mascotas\n\nSí: el plan Mascotas cubre consultas veterinarias "
    "para perros y gatos por 19.900 pesos al mes. Se contrata desde la app o en una tienda.\n"
)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "month.jsonl"
    lines = [json.dumps(q, ensure_ascii=False) for q in QUESTIONS]
    path.write_text("\n".join([*lines, "{not json"]) + "\n", encoding="utf-8")
    assert run(["init-db"], tmp_path).returncode == 0
    return path


def _proposal(tmp_path: Path, settings: str = "", article: bool = True) -> Path:
    folder = tmp_path / "proposal"
    (folder / "kb" / "es").mkdir(parents=True, exist_ok=True)
    if article:
        (folder / "kb" / "es" / "seguro-mascotas.md").write_text(PET_ARTICLE, encoding="utf-8")
    if settings:
        (folder / "settings.toml").write_text(settings, encoding="utf-8")
    return folder


def test_replay_shows_what_a_new_article_fixes(data: Path, tmp_path: Path) -> None:
    """Adding a knowledge-base article resolves the pet question only on the proposed side."""
    out = tmp_path / "out"
    result = run(
        [
            "improve",
            "replay",
            "--data",
            str(data),
            "--proposed",
            str(_proposal(tmp_path, "knowledge_min_score = 0.3\n")),
            "--out",
            str(out),
            "--json",
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    before, after = report["summary"]["baseline"], report["summary"]["proposed"]
    assert before["conversations"] == after["conversations"] == 3
    assert after["resolved"] == before["resolved"] + 1
    assert report["summary"]["delta"]["resolved"] == 1
    assert report["changed"] == [
        {
            "conversation_id": "pets",
            "baseline": "escalated",
            "proposed": "auto_resolved",
            "baseline_wrong": False,
            "proposed_wrong": False,
            "direction": "improved",
        }
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "llm_rewrite_response.json",
            "candidate_tools_ranked.csv",
            "baseline_conversations.jsonl",
            "proposed_conversations.jsonl",
            "baseline_meta.csv",
            "proposed_meta.csv",
        ]
    )
    lines = (out / "proposed_conversations.jsonl").read_text(encoding="utf-8").splitlines()
    proposed = [json.loads(line) for line in lines]
    pets = next(c for c in proposed if c["conversation_id"] == "pets")
    assert "19.900" in pets["transcript"][1]["content"] and pets["meta"]["resolved"] is True
    meta = list(csv.DictReader((out / "baseline_meta.csv").read_text("utf-8").splitlines()))
    assert [row["conversation_id"] for row in meta] == ["pets", "roaming", "bill"]
    document = json.loads((out / "llm_rewrite_response.json").read_text(encoding="utf-8"))
    assert document["proposal"]["knowledge_base"] == ["es/seguro-mascotas.md"]
    assert document["proposal"]["settings"] == {"knowledge_min_score": 0.3}


@pytest.mark.parametrize(
    ("settings", "article", "message"),
    [
        ("knowledge_min_score = [", True, "is not valid TOML"),
        ("no_such_setting = 1\n", True, "unknown setting 'no_such_setting'"),
        ("database_url = 'sqlite://'\n", True, "database_url cannot be changed by a proposal"),
        ("knowledge_min_score = 'high'\n", True, "knowledge_min_score must be a number"),
        ("", False, "holds no .md article"),
    ],
)
def test_a_bad_proposal_is_refused_before_replaying(
    data: Path, tmp_path: Path, settings: str, article: bool, message: str
) -> None:
    """A broken proposal folder stops with what is wrong, and no replay runs."""
    folder = _proposal(tmp_path, settings, article)
    result = run(["improve", "replay", "--data", str(data), "--proposed", str(folder)], tmp_path)
    assert result.returncode == 1
    assert message in result.stderr


def test_replay_needs_exactly_one_source(tmp_path: Path) -> None:
    """Neither --data nor --dataset is a usage error."""
    result = run(["improve", "replay", "--proposed", str(tmp_path)], tmp_path)
    assert (
        result.returncode == 2 and "exactly one of --data FILE or --dataset NAME" in result.stderr
    )


def test_rank_orders_by_cost_and_writes_csv(data: Path, tmp_path: Path) -> None:
    """Unresolved, long conversations rank first; weights change the order; CSV has every row."""
    out = tmp_path / "rank.csv"
    result = run(["improve", "rank", "--data", str(data), "--out", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "line 4: broken JSON" in result.stderr
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert rows[0]["name"] == "billing_inquiry" and rows[0]["effort"] == "1"
    assert float(rows[0]["cost"]) == pytest.approx(10.0)  # 1 conversation × 100 % × 10 min
    tool = next(r for r in rows if r["kind"] == "tool")
    assert tool["name"] == "catalogo_seguros" and tool["effort"] == "3"
    assert float(tool["expected_saving"]) == pytest.approx(0.25 * 400 / 60 * 0.55, abs=0.01)
    assert "roaming" not in {r["name"] for r in rows}  # resolved: nothing to gain
    bad = run(["improve", "rank", "--data", str(data), "--weights", "speed=2"], tmp_path)
    assert bad.returncode == 2 and "expected one of" in bad.stderr


def test_background_replay_is_queued_as_a_run(data: Path, tmp_path: Path) -> None:
    """--background stores the run and queues it for a worker instead of replaying here."""
    folder = _proposal(tmp_path)
    result = run(
        ["improve", "replay", "--data", str(data), "--proposed", str(folder), "--background"],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "replay run 1 queued"
    db = Database(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    with db.session() as session:
        stored = session.get(ImproveRun, 1)
        assert stored is not None and stored.status == "queued"
        assert stored.params["proposed"] == str(folder.resolve())
        assert stored.params["out_dir"].endswith("replay-1")
    db.dispose()


PERSON = {
    "conversation_id": "person",
    "meta": {"channel": "sms", "language": "es", "resolved": False, "duration_sec": 900},
    "transcript": [{"role": "user", "content": "quiero hablar con un asesor"}],
    "outcomes": {"intent_detected": ["agent_request"], "failure_reason": "agent_request"},
}


def test_rank_never_proposes_automating_a_request_for_a_person(tmp_path: Path) -> None:
    """docs/analytics.md: asking for a person is the bot doing its job, never a flow to fix,
    however many and however long those conversations are."""
    path = tmp_path / "month.jsonl"
    lines = [json.dumps(q, ensure_ascii=False) for q in [*QUESTIONS, *[PERSON] * 5]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(["init-db"], tmp_path).returncode == 0
    out = tmp_path / "rank.csv"
    result = run(["improve", "rank", "--data", str(path), "--out", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert rows and "agent_request" not in {r["name"] for r in rows}
    assert rows[0]["name"] == "billing_inquiry"
    assert "agent_request" not in result.stdout
