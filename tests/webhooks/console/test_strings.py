"""Every reason and outcome the code can produce has console text in both languages.

The reasons are found in the source itself (every ``reason="..."`` of a hand-off decision and
every reason passed to ``escalate``), so a new hand-off reason without strings fails here, not
on an agent's screen as ``reason_new_thing``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from contactpro.console.agent_queue import ERASED_RESOLUTION, QUEUE_STATUSES, RESOLUTIONS
from contactpro.console.durations import short_duration
from contactpro.console.strings import console_strings
from contactpro.conversations.escalation import REASONS
from contactpro.dialog.context import ESCALATE
from contactpro.models.interactions import OUTCOMES
from tests.webhooks.console.conftest import add_customer, login
from tests.webhooks.test_sms import sms_params

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [*sorted((ROOT / "contactpro").rglob("*.py")), ROOT / "demo.py"]


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "text" assignments."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    found[target.id] = node.value.value
    return found


def _text(node: ast.AST, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def produced() -> tuple[set[str], set[str]]:
    """Return (hand-off reasons, escalation resolutions) written anywhere in the code."""
    reasons: set[str] = set()
    resolutions: set[str] = set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {"ESCALATE": ESCALATE, **_constants(tree)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name == "Decision":
                    hands_off = any(_text(a, constants) == ESCALATE for a in node.args[1:2]) or any(
                        k.arg == "action" and _text(k.value, constants) == ESCALATE
                        for k in node.keywords
                    )
                    for keyword in node.keywords:
                        value = _text(keyword.value, constants)
                        if keyword.arg == "reason" and hands_off and value:
                            reasons.add(value)
                if name == "escalate" and len(node.args) >= 4:
                    value = _text(node.args[3], constants)
                    if value:  # a variable (decision.reason) comes from a Decision above
                        reasons.add(value)
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            for target in targets:
                elements = target.elts if isinstance(target, ast.Tuple) else [target]
                values = (
                    node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]  # type: ignore[attr-defined]
                )
                for element, value in zip(elements, values, strict=False):
                    if isinstance(element, ast.Attribute) and element.attr == "resolution":
                        text = _text(value, constants)
                        if text:
                            resolutions.add(text)
    return reasons, resolutions


def test_the_code_produces_only_known_reasons_and_resolutions() -> None:
    reasons, resolutions = produced()
    assert len(reasons) >= 14  # the walk really found the hand-offs
    assert reasons <= set(REASONS), sorted(reasons - set(REASONS))
    known = {*RESOLUTIONS, ERASED_RESOLUTION}  # the last closes an erased customer's work
    assert resolutions <= known, sorted(resolutions - known)


@pytest.mark.parametrize(
    "key",
    sorted(
        {f"reason_{r}" for r in [*REASONS, "abandoned"]}
        | {f"outcome_{o}" for o in [*OUTCOMES, *RESOLUTIONS, ERASED_RESOLUTION]}
        | {f"status_{s}" for s in [*QUEUE_STATUSES, "resolved", "active", "closed"]}
        | {"unit_min", "unit_h", "unit_d"}
    ),
)
def test_every_key_has_text_in_both_languages(key: str) -> None:
    strings = console_strings()
    assert key in strings, f"{key} missing"
    for language in ("es", "en"):
        assert strings[key][language].strip(), f"{key} empty in {language}"
        assert strings[key][language] != key


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, (0, "min")),
        (59, (0, "min")),
        (180, (3, "min")),
        (3599, (59, "min")),
        (2 * 3600 + 59, (2, "h")),
        (86399, (23, "h")),
        (35 * 86400 + 5000, (35, "d")),
        (50664 * 60, (35, "d")),
    ],
)
def test_waits_read_as_minutes_hours_or_days(seconds: int, expected: tuple[int, str]) -> None:
    assert short_duration(seconds) == expected


_RAW_KEY = re.compile(r"\b(?:reason|outcome|status|unit)_[a-z_]+\b")


@pytest.mark.parametrize("language", ["es", "en"])
def test_pages_show_words_not_keys(client, session, twilio, users, language: str) -> None:
    add_customer(session, "+573001140001", "Vera Verificada")
    twilio.post("/twilio/sms", sms_params("+573001140001", "quiero hablar con un asesor"))
    login(client, "max@example.com")
    queue = client.get(f"/console/queue?lang={language}").text
    assert not _RAW_KEY.findall(queue.split('id="i18n"')[0])
    escalation_id = client.get("/console/api/queue").json["entries"][0]["id"]
    page = client.get(f"/console/escalations/{escalation_id}").text
    assert not _RAW_KEY.findall(page.split("<script")[0]), _RAW_KEY.findall(page)
    search = client.get("/console/manager/conversations?number=%2B573001140001").text
    assert not _RAW_KEY.findall(search)
