"""The ranking page on an imported IVR log: IVR codes in the page's words, unknown codes shown
as the source wrote them and marked so, the order and its stated reason alike."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from contactpro.improve import store
from contactpro.improve.ivr import read_ivr_csv
from tests.contactpro.improve.test_rank_ivr_attribution import ivr_log
from tests.webhooks.console.conftest import add_users, login

PAGE = "/console/manager/improve/ranking?dataset=ivr"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Hashing case vectors: no model to load."""
    return {**app_config, "improve_case_encoder": "hashing"}


def _rows(text: str) -> list[str]:
    return re.findall(r"<tr><td class=\"num\">\d+</td>(.*?)</tr>", text, re.S)


@pytest.mark.parametrize(
    ("language", "biometric", "source_code", "english"),
    [
        (
            "es",
            "la biometría de voz no reconoció a quien llama",
            "código de la fuente",
            ("biometric fail", "agent requested", "effort,", "Effort"),
        ),
        ("en", "voice biometrics did not recognise the caller", "the source&#39;s code", ()),
    ],
)
def test_ivr_codes_are_worded_and_unknown_ones_marked(
    app: Flask,
    session: Session,
    tmp_path: Path,
    language: str,
    biometric: str,
    source_code: str,
    english: tuple[str, ...],
) -> None:
    log = ivr_log(tmp_path / "ivr.csv", language)
    with log.open("a", encoding="utf-8") as handle:
        handle.write("X1,2026-11-02T10:00:00Z,auth,authentication,ERR_X42,premium,300,\n")
    conversations, problems = read_ivr_csv(log)
    assert not problems
    add_users(session)
    store.save(session, "ivr", conversations)
    session.commit()
    client = app.test_client()
    login(client, "max@example.com")
    page = client.get(f"{PAGE}&lang={language}")
    assert page.status_code == 200
    rows = _rows(page.text)
    assert any(biometric in row for row in rows)
    unknown = next(row for row in rows if "err_x42" in row)
    assert "<code>err_x42</code>" in unknown and source_code in unknown
    assert not any("agent" in row.lower() or "asesor" in row for row in rows)
    for word in english:
        assert word not in page.text
    # The stated reason names the difficulty the score divides by and the saving it follows.
    intro = re.search(r'<p class="hint">(.*?)</p>', page.text, re.S)
    assert intro and ("2,4" if language == "es" else "2.4") in intro[1]
    assert ("ahorro esperado" if language == "es" else "expected saving") in intro[1]
