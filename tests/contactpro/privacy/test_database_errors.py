"""A database error (which ends up in a log line) never carries what the caller said."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from contactpro.db import make_engine

WORDS = "mi cédula es 1020345678 y vivo en la Calle 45 # 12-34"


def test_statement_parameters_are_left_out_of_errors_and_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'e.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)"))
        conn.execute(text("INSERT INTO t (body) VALUES (:body)"), {"body": WORDS})
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        conn.execute(text("INSERT INTO t (body) VALUES (:body)"), {"body": WORDS})
    logging.getLogger("contactpro.test").exception("database error", exc_info=caught.value)
    assert "1020345678" not in str(caught.value)
    assert "parameters hidden" in str(caught.value)
    assert "1020345678" not in caplog.text and "UNIQUE constraint failed" in caplog.text
    engine.dispose()
