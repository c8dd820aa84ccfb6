"""Stored values in the reader's words: the bot's summary of an escalation and audit lines.

The packet keeps facts (customer, channel, language, intents, steps, reason); the sentence is
built when a page shows it, so a Spanish page never shows the English summary stored with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

Translate = Callable[[str], str]


def word(translate: Translate, prefix: str, value: str) -> str:
    """Return the catalogue's word for ``prefix + value``; the value with spaces if it has none."""
    text = translate(prefix + value)
    return value.replace("_", " ") if text == prefix + value else text


def summary(context: Mapping[str, Any], translate: Translate) -> str:
    """Return the escalation summary for ``context`` (an escalation packet) via ``translate``."""
    customer = context.get("customer") or {}
    intents = [
        str(turn["intent"])
        for turn in context.get("transcript") or []
        if turn.get("speaker") == "caller" and turn.get("intent")
    ]
    asked = ", ".join(word(translate, "intent_", i) for i in dict.fromkeys(intents))
    steps = ", ".join(word(translate, "step_", s) for s in context.get("steps_tried") or [])
    language = context.get("language")
    return translate("summary_text").format(
        who=customer.get("name") or translate("summary_unknown"),
        channel=word(translate, "channel_", str(context.get("channel") or "sms")),
        language=translate(f"language_{language}") if language else "—",
        asked=asked or translate("summary_nothing"),
        steps=steps or translate("none"),
        reason=word(translate, "reason_", str(context.get("reason") or "")),
    )


def audit_line(action: str, target: str, translate: Translate) -> str:
    """Return an audit row's action and target as words: "setting changed: Opens (HH:MM)"."""
    kind, _, ident = target.partition(":")
    if kind == "config":
        what = word(translate, "cfg_", ident)
    elif kind in ("escalation", "proposal"):
        what = f"{word(translate, 'target_' if kind == 'proposal' else '', kind)} #{ident}"
    else:
        what = target
    return f"{word(translate, 'audit_', action.replace('.', '_'))}: {what}"


def similar_summary(count: int, outcomes: Mapping[str, int], translate: Translate) -> str:
    """Return how the ``count`` most similar past cases ended: "Of the 5 ...: 3 escalated"."""
    parts = ", ".join(
        f"{n} {translate('status_open') if o == 'open' else word(translate, 'outcome_', o)}"
        for o, n in outcomes.items()
    )
    return translate("similar_summary").format(n=count, parts=parts)


def audit_value(target: str, value: object, translate: Translate) -> str:
    """Return an audit row's before/after value; stored day keys become day names."""
    if value is None:
        return ""
    if target == "config:business_days" and isinstance(value, str):
        return ", ".join(word(translate, "day_", day) for day in value.split(",") if day)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
