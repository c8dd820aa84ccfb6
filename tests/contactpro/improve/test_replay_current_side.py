"""A replay's current side is what the product does today: the settings managers set on the
settings page (not the environment's defaults), with a proposal's settings over them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpro.console.settings import update_config
from contactpro.models import ConfigEntry, Escalation
from devtools.conversations import SmsThread
from tests.cli.test_entry_point import run
from tests.conftest import TwilioClient
from tests.contactpro.improve.test_approved_proposals_apply import PLAN_CHANGE


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_current_side_uses_the_managers_threshold(
    app: Any,
    app_config: dict[str, Any],
    tmp_path: Path,
    twilio: TwilioClient,
    session: Session,
    language: str,
) -> None:
    """A manager raised knowledge_min_score on the settings page, so today the bot hands an
    article question over; the replay's current side hands it over too, and a proposal that
    lowers the threshold is shown to resolve it (both sides answered from the environment's
    0.3 before, showing no difference)."""
    update_config(
        session, app.extensions["contactpro"].settings, {"knowledge_min_score": "0.95"}, None
    )
    session.commit()
    today = SmsThread(twilio, "+573001120001").send(PLAN_CHANGE[language])
    assert ("Fuente" if language == "es" else "Source") not in today
    assert len(session.scalars(select(Escalation)).all()) == 1
    data = tmp_path / "recorded.jsonl"
    line = {
        "conversation_id": f"plan-{language}",
        "meta": {"channel": "sms", "language": language, "resolved": True},
        "transcript": [{"role": "user", "content": PLAN_CHANGE[language]}],
    }
    data.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    proposal = tmp_path / "proposal"
    proposal.mkdir()
    (proposal / "settings.toml").write_text("knowledge_min_score = 0.3\n", encoding="utf-8")

    replayed = run(
        ["improve", "replay", "--data", str(data), "--proposed", str(proposal), "--json"],
        tmp_path,
        CONTACTPRO_DATABASE_URL=app_config["database_url"],
        CONTACTPRO_VAR_DIR=app_config["var_dir"],
        CONTACTPRO_IMPROVE_CASE_ENCODER="hashing",
    )

    assert replayed.returncode == 0, replayed.stderr
    result = json.loads(replayed.stdout[replayed.stdout.index("{") :])
    assert result["summary"]["baseline"]["escalated"] == 1
    assert result["summary"]["proposed"]["resolved"] == 1
    assert result["changed"] == [
        {
            "conversation_id": f"plan-{language}",
            "baseline": "escalated",
            "proposed": "auto_resolved",
            "baseline_wrong": False,
            "proposed_wrong": False,
            "direction": "improved",
        }
    ]
    # The live setting is untouched by the replay.
    session.expire_all()
    assert session.get(ConfigEntry, "knowledge_min_score").value == 0.95  # type: ignore[union-attr]
