"""The LLM tier against a local server speaking the Anthropic Messages API."""

from __future__ import annotations

import time

import pytest

from contactpro.errors import LLMError
from contactpro.nlu.llm import TOOL_NAME, CircuitBreaker, LLMClassifier
from contactpro.nlu.stats import TierStats

from .conftest import MessagesServer, Reply, error_body, make_settings, tool_answer


def _classifier(server: MessagesServer, stats: TierStats, **overrides: object) -> LLMClassifier:
    settings = make_settings(
        anthropic_api_key="sk-test",
        llm_base_url=server.url,
        llm_model="claude-test-model",
        llm_voice_budget_ms=600,
        llm_sms_budget_ms=1500,
        **overrides,
    )
    return LLMClassifier(settings, stats=stats)


def test_tool_use_answer_is_parsed_and_costed(
    messages_server: MessagesServer, stats: TierStats
) -> None:
    messages_server.script(
        Reply(
            body=tool_answer(
                "debt_negotiation", 0.82, reason="wants instalments", entities={"instalments": 3}
            )
        )
    )
    llm = _classifier(messages_server, stats)
    answer = llm.classify("¿me dejan pagar en tres cuotas?", channel="voice", language="es")
    assert (answer.intent, answer.confidence) == ("debt_negotiation", 0.82)
    assert answer.entities == {"instalments": 3} and answer.reason == "wants instalments"
    assert (answer.input_tokens, answer.output_tokens) == (400, 40)
    assert answer.cost_usd == pytest.approx((400 * 1.0 + 40 * 5.0) / 1e6)
    request = messages_server.requests[0]
    assert request["path"] == "/v1/messages"
    assert request["headers"]["authorization"] == "Bearer sk-test"
    body = request["json"]
    assert body["model"] == "claude-test-model"
    assert body["tool_choice"] == {"type": "tool", "name": TOOL_NAME}
    assert body["tools"][0]["input_schema"]["properties"]["intent"]["enum"][0] == (
        "billing_inquiry"
    )
    assert stats.snapshot()["llm"]["calls"] == 1


def test_personal_data_is_masked_in_the_prompt(
    messages_server: MessagesServer, stats: TierStats
) -> None:
    llm = _classifier(messages_server, stats)
    llm.classify(
        "mi cédula es 1.023.456.789 y mi correo ana@correo.co, uno dos tres cuatro",
        channel="sms",
        language="es",
        expected={"identification"},
    )
    prompt = messages_server.requests[0]["json"]["messages"][0]["content"]
    assert "1.023.456.789" not in prompt and "ana@correo.co" not in prompt
    assert "uno dos tres" not in prompt
    assert "[NUMBER]" in prompt and "[EMAIL]" in prompt and "identification" in prompt


@pytest.mark.parametrize(
    "body",
    [
        {**tool_answer("x", 0.5), "content": [{"type": "text", "text": "billing, I think"}]},
        tool_answer("pay_my_bill", 0.9),
        tool_answer("billing_inquiry", 1.7),
        b"{not json",
    ],
)
def test_malformed_answers_raise(
    messages_server: MessagesServer, stats: TierStats, body: object
) -> None:
    messages_server.script(Reply(body=body))
    with pytest.raises(LLMError) as err:
        _classifier(messages_server, stats).classify("hola", channel="voice", language="es")
    assert err.value.reason in ("malformed", "api_error")


def test_rate_limit_and_server_errors_are_not_retried_on_voice(
    messages_server: MessagesServer, stats: TierStats
) -> None:
    llm = _classifier(messages_server, stats)
    messages_server.script(Reply(429, error_body("rate_limit_error", "slow down")))
    with pytest.raises(LLMError) as err:
        llm.classify("hola", channel="voice", language="es")
    assert err.value.reason == "rate_limited"
    messages_server.script(Reply(500, error_body("api_error", "boom")))
    with pytest.raises(LLMError) as err:
        llm.classify("hola", channel="voice", language="es")
    assert err.value.reason == "api_error"
    assert len(messages_server.requests) == 2  # one request each: no retries
    assert stats.snapshot()["llm"]["failures"] == {"rate_limited": 1, "api_error": 1}


def test_sms_retries_once_after_a_server_error(
    messages_server: MessagesServer, stats: TierStats
) -> None:
    messages_server.script(Reply(500, error_body("api_error", "boom")))
    answer = _classifier(messages_server, stats).classify("hola", channel="sms", language="es")
    assert answer.intent == "billing_inquiry"
    assert len(messages_server.requests) == 2


def test_slow_answer_past_the_budget_times_out(
    messages_server: MessagesServer, stats: TierStats
) -> None:
    messages_server.script(Reply(body=tool_answer("greeting", 0.9), delay=2.0))
    llm = _classifier(messages_server, stats)
    started = time.perf_counter()
    with pytest.raises(LLMError) as err:
        llm.classify("hola", channel="voice", language="es")
    elapsed = time.perf_counter() - started
    assert err.value.reason == "timeout"
    assert elapsed < 1.2  # budget 0.6 s, far from the 2 s answer


def test_breaker_opens_after_repeated_failures_and_closes_after_a_good_probe(
    messages_server: MessagesServer, stats: TierStats
) -> None:
    now = [1000.0]
    settings = make_settings(
        anthropic_api_key="sk-test",
        llm_base_url=messages_server.url,
        llm_breaker_failures=3,
        llm_breaker_cooldown_seconds=30,
    )
    llm = LLMClassifier(settings, stats=stats, clock=lambda: now[0])
    messages_server.script(*[Reply(500, error_body("api_error", "down"))] * 3)
    for _ in range(3):
        with pytest.raises(LLMError):
            llm.classify("hola", channel="voice", language="es")
    assert llm.breaker.state == "open"
    with pytest.raises(LLMError) as err:
        llm.classify("hola", channel="voice", language="es")
    assert err.value.reason == "breaker_open"
    assert len(messages_server.requests) == 3  # the open breaker sent nothing

    now[0] += 31
    assert llm.breaker.state == "half_open"
    messages_server.script(Reply(500, error_body("api_error", "still down")))
    with pytest.raises(LLMError):
        llm.classify("hola", channel="voice", language="es")
    assert llm.breaker.state == "open"  # the failed probe re-opens it

    now[0] += 31
    assert llm.classify("hola", channel="voice", language="es").intent == "billing_inquiry"
    assert llm.breaker.state == "closed"


def test_breaker_counts_only_consecutive_failures() -> None:
    breaker = CircuitBreaker(failures=2, cooldown=10, clock=lambda: 0.0)
    breaker.failure()
    breaker.success()
    breaker.failure()
    assert breaker.state == "closed"
    breaker.failure()
    assert breaker.state == "open"


def test_no_key_means_no_llm_tier() -> None:
    with pytest.raises(LLMError) as err:
        LLMClassifier(make_settings())
    assert err.value.reason == "not_configured"
