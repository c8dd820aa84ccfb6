"""``contactpro improve propose`` drafts knowledge-base gaps from callers' real words only:
keyboard mashes, one letter held down, digits or emoji are no question to answer, however often
they come; a real question asked again still is (terminal, stored rows, console in es and en)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.improve.proposals import real_words
from contactpro.models import Proposal
from tests.cli.test_entry_point import run

BASE = "/console/manager/improve"
GIBBERISH = [
    "asdf qwer",
    "jjjjj",
    "12345678",
    "😀😀😀",
    "qwertyuiop",
    "zzzz xxxx",
    "?? !!",
    "hjkl ñlkj",
]
REAL = "¿tienen seguro para mascotas?"


def _conversation(n: int, text: str) -> dict[str, Any]:
    return {
        "conversation_id": f"c{n}",
        "meta": {"channel": "sms", "language": "es", "resolved": False},
        "transcript": [{"role": "user", "content": text}],
        "outcomes": {"intent_detected": ["out_of_scope"]},
    }


def _data(tmp_path: Path) -> Path:
    """Each nonsense text four times (32), the real question twice: nonsense is most asked."""
    texts = [*GIBBERISH * 4, REAL, REAL]
    path = tmp_path / "month.jsonl"
    lines = [json.dumps(_conversation(n, t), ensure_ascii=False) for n, t in enumerate(texts)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_nonsense_drafts_no_gap_and_a_real_question_does(
    app_config: dict[str, Any],
    manager: tuple[FlaskClient, str],
    session: Session,
    tmp_path: Path,
) -> None:
    """Through the installed command on the console's database: one gap, the real question;
    the console lists it in Spanish and English, and no nonsense anywhere."""
    data = _data(tmp_path)
    url = app_config["database_url"]
    result = run(["improve", "propose", "--data", str(data)], tmp_path, CONTACTPRO_DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    gaps = [line for line in result.stdout.splitlines() if "[kb_article," in line]
    assert len(gaps) == 1 and gaps[0].endswith(f"Knowledge-base gap: “{REAL}”"), result.stdout
    for text in GIBBERISH:
        assert f"“{text}”" not in result.stdout

    session.expire_all()
    stored = session.scalars(select(Proposal).where(Proposal.kind == "kb_article")).all()
    assert [(p.body["question"], p.body["asked"]) for p in stored] == [(REAL, 2)]
    client, _ = manager
    spanish = client.get(f"{BASE}/?lang=es").text
    english = client.get(f"{BASE}/?lang=en").text
    assert f"Vacío en la base de conocimiento: “{REAL}”" in spanish
    assert f"Knowledge-base gap: “{REAL}”" in english and "Vacío en" not in english
    for page in (spanish, english):
        for text in GIBBERISH:
            assert f"“{text}”" not in page


@pytest.mark.parametrize("text", GIBBERISH)
def test_nonsense_is_not_real_words(text: str) -> None:
    """Each of the nonsense texts above is refused on its own."""
    assert not real_words(text)


@pytest.mark.parametrize(
    "text",
    [
        REAL,
        "how much do I owe",
        "no tengo señal desde hace 3 días",
        "mi saldo",
        "strength",
        "quiero cancelar 😡😡",
    ],
)
def test_real_questions_are_real_words(text: str) -> None:
    """Real questions, short ones and ones with a number or an emoji, are kept."""
    assert real_words(text)
