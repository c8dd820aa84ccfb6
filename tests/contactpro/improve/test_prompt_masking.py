"""The improvement loop's LLM prompts mask names and addresses, as the
understanding tier's do (``mask_for_llm``), for Claude and for a local model."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from contactpro.config import Settings
from contactpro.improve import explain, index, store
from contactpro.improve.dataset import Conversation, Message
from contactpro.improve.llm import writer_for

from .conftest import ChatServer, Reply, anthropic_text, openai_text

SAID = {
    "es": "hola me llamo Daniela Gómez, vivo en la Calle 45 # 12-34 apto 301 y no me llega "
    "la señal, tarjeta 4111 1111 1111 1111",
    "en": "Hi this is Linda Davis, I live at 123 Main Street Apt 4 and my internet is down, "
    "card 4111 1111 1111 1111",
}
PERSONAL = ["Daniela", "Gómez", "Calle 45", "apto 301", "Linda", "Davis", "Main Street", "4111"]


@pytest.fixture
def cases(session: Session) -> Session:
    conversations = [
        Conversation(
            conversation_id=f"P{i}-{language}",
            transcript=[Message("user", text)],
            channel="voice",
            resolved=False,
            started_at=datetime(2026, 11, 2, 10, i, tzinfo=UTC),
            call_type="support",
            failure_step="troubleshooting",
            failure_reason="no_signal",
            segment="standard",
        )
        for i, (language, text) in enumerate(SAID.items())
    ]
    store.save(session, "ivr", conversations)
    session.commit()
    index.index_pending(session, index.HashingEncoder())
    session.commit()
    return session


def _settings(app: Flask, **overrides: object) -> Settings:
    settings: Settings = app.extensions["contactpro"].settings
    return replace(settings, improve_llm_timeout_seconds=2.0, **overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "body"), [("anthropic", anthropic_text), ("openai", openai_text)])
@pytest.mark.parametrize("language", ["es", "en"])
def test_an_explanation_prompt_carries_no_name_address_or_card(
    app: Flask, cases: Session, chat_server: ChatServer, kind: str, body: object, language: str
) -> None:
    chat_server.script(Reply(body=body("No citation.")))  # type: ignore[operator]
    settings = _settings(app, improve_llm=kind, improve_llm_base_url=chat_server.url)
    query = explain.Query(failure_reason="no_signal", text=SAID[language])
    explain.explain(cases, index.HashingEncoder(), query, writer_for(settings), language=language)
    [request] = chat_server.requests
    messages = request["json"]["messages"]
    prompt = "\n".join(m["content"] for m in messages if isinstance(m["content"], str))
    assert [word for word in PERSONAL if word in prompt] == []
    assert "[NAME]" in prompt and "[ADDRESS]" in prompt and "[CARD]" in prompt
