"""Every key a console template asks for and every value the code shows has words in es and en.

The templates are read for their ``t('...')`` keys and their ``t('prefix_' ~ value)`` lookups;
each prefix is then walked over every value the code can produce (reasons, outcomes, statuses,
intents, steps, KPI keys, figure names, audit actions, refused-action reasons, days, ...).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from contactpro.analytics.matrix import STRATEGIES
from contactpro.analytics.patterns import FUNNEL_STAGES
from contactpro.console.agent_queue import QUEUE_STATUSES, RESOLUTIONS
from contactpro.console.callbacks import STATUSES as CALLBACK_STATUSES
from contactpro.console.durations import SLA_LEVELS, UNITS
from contactpro.console.settings import FIELDS, GROUPS, WEEKDAYS
from contactpro.console.strings import console_strings
from contactpro.conversations.escalation import REASONS
from contactpro.improve.index import FILTERS
from contactpro.improve.proposals import AUDIT_ACTIONS
from contactpro.improve.rank import KINDS
from contactpro.improve.replay import compare
from contactpro.models.customers import SEGMENTS
from contactpro.models.escalations import ROLES
from contactpro.models.interactions import CHANNELS, OUTCOMES
from contactpro.nlu.result import TIERS
from contactpro.nlu.taxonomy import INTENTS
from contactpro.observability.alerts import LABELS as ALERTS
from dashboards.figures import FIGURES
from webhooks.console.improve import WEIGHT_NAMES

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = sorted((ROOT / "webhooks" / "templates" / "console").glob("*.html"))
CODE = sorted([*(ROOT / "contactpro").rglob("*.py"), *(ROOT / "webhooks").rglob("*.py")])
_PLAIN_KEY = re.compile(r"""\bt\(\s*'([a-z0-9_]+)'\s*\)""")
_PREFIX = re.compile(r"""\b(?:t\(\s*|word\(\s*)'([a-z0-9]+_)'\s*(?:~|,)""")


def _literals(pattern: str) -> set[str]:
    """Return every string literal in the code that fully matches ``pattern``."""
    found: set[str] = set()
    regex = re.compile(pattern)
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if regex.fullmatch(node.value):
                    found.add(node.value)
    return found


def _steps() -> set[str]:
    """Return every dialog step the code records (``step="..."`` and ``steps.append("...")``)."""
    found: set[str] = set()
    for path in (ROOT / "contactpro").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg == "step" and isinstance(value, ast.Constant):
                    if isinstance(value.value, str) and value.value:
                        found.add(value.value)
            name = getattr(node.func, "attr", "")
            owner = getattr(getattr(node.func, "value", None), "attr", "")
            if name == "append" and owner == "steps" and node.args:
                if isinstance(node.args[0], ast.Constant):
                    found.add(str(node.args[0].value))
    return found


def _audit_actions() -> set[str]:
    """Return every audit action written (``record_audit(..., "x.y", ...)`` and proposals)."""
    actions = set(AUDIT_ACTIONS.values())
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "record_audit":
                if len(node.args) >= 3 and isinstance(node.args[2], ast.Constant):
                    actions.add(str(node.args[2].value))
    return actions


def _kpi_keys() -> set[str]:
    """Return the keys of the KPI table's rows (the first item of each row tuple)."""
    source = (ROOT / "contactpro" / "analytics" / "kpis.py").read_text(encoding="utf-8")
    body = source.split("def kpi_table", 1)[1].split("targets = ", 1)[0]
    return set(re.findall(r'\(\s*"([a-z_]+)",', body))


# Every prefix a template composes, with every value the code can give it.
VALUES: dict[str, set[str]] = {
    "reason_": {*REASONS, "abandoned"},
    "outcome_": {*OUTCOMES, *RESOLUTIONS},
    "status_": {*QUEUE_STATUSES, "resolved", "active", "closed", *CALLBACK_STATUSES},
    "channel_": set(CHANNELS),
    "quadrant_": {*STRATEGIES, "none"},
    "action_": set(STRATEGIES),
    "unit_": set(UNITS),
    "sla_": set(SLA_LEVELS),
    "intent_": {i.name for i in INTENTS},
    "tier_": set(TIERS),
    "step_": _steps(),
    "kpi_": _kpi_keys(),
    "fig_": set(FIGURES),
    "funnel_": {key for key, _label in FUNNEL_STAGES},
    "day_": set(WEEKDAYS),
    "cfg_": {f.key for f in FIELDS},
    "group_": set(GROUPS),
    "audit_": {a.replace(".", "_") for a in _audit_actions()},
    "error_": _literals(r"bad_sms|bad_time|no_agent_phone|no_call|not_claimed|not_holder|taken")
    | {"bad_outcome", "telephony_failed", "callback_closed", "callback_not_holder"},
    "cfg_error_": _literals(r"number|at_least|at_most|time|days|too_long|on_duty|hours_order"),
    "segment_": set(SEGMENTS),
    "role_": set(ROLES),
    "run_": {"manual", "hourly", "daily"},
    "alert_": set(ALERTS),
    "file_": {"audio", "image", "document", "video", "other"},
    "speaker_": {"caller", "bot", "agent"},
    "language_": {"es", "en"},
    "f_": set(FILTERS),
    "weight_": set(WEIGHT_NAMES),
    "kind_": set(KINDS),
    "metric_": set(compare([], []).summary["baseline"]),
    "direction_": {"improved", "broke", "changed"},
    "voicemail_": {"left", "empty"},
    "vmstatus_": {"done", "empty", "failed", "queued", "pending"},
    # Why a voicemail has no transcript: contactpro.speech's fetch, decode and model reasons.
    "vmfail_": {
        "recording_unreachable",
        "recording_timeout",
        "recording_too_large",
        "recording_unauthorized",
        "recording_fetch_failed",
        "recording_url_refused",
        "recording_no_url",
        "audio_empty",
        "audio_no_stream",
        "audio_undecodable",
        "model_unavailable",
        "model_corrupt",
        "language_not_configured",
        "model_language_mismatch",
    },
}


def template_keys() -> tuple[set[str], set[str]]:
    """Return (plain keys, composed prefixes) the console templates use."""
    keys: set[str] = set()
    prefixes: set[str] = set()
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        keys |= set(_PLAIN_KEY.findall(text))
        prefixes |= set(_PREFIX.findall(text))
    return keys, prefixes


def test_the_walk_finds_what_it_walks() -> None:
    keys, prefixes = template_keys()
    assert len(TEMPLATES) >= 14 and len(keys) > 150
    assert {"reason_", "outcome_", "status_", "intent_", "step_", "day_", "cfg_"} <= prefixes
    assert len(VALUES["step_"]) >= 30 and len(VALUES["kpi_"]) >= 14
    assert "config_set" in VALUES["audit_"] and "hours_order" in VALUES["cfg_error_"]
    assert VALUES["kind_"] == {"intent", "failure", "tool"} and len(VALUES["metric_"]) >= 6


def test_every_template_prefix_has_its_values() -> None:
    _keys, prefixes = template_keys()
    assert prefixes <= set(VALUES), sorted(prefixes - set(VALUES))


@pytest.mark.parametrize(
    "key",
    sorted(
        template_keys()[0]
        | {prefix + value for prefix, values in VALUES.items() for value in values}
    ),
)
def test_every_key_has_words_in_both_languages(key: str) -> None:
    strings = console_strings()
    assert key in strings, f"{key} has no console text"
    for language in ("es", "en"):
        text = strings[key][language].strip()
        assert text and ("_" not in key or text != key), (key, language)
