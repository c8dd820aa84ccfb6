"""Approving a proposal ships it: its settings, templates and articles take effect at once.

A body's ``settings`` (name: value) go through the managers' settings page path
(:func:`contactpro.console.settings.update_config`, audited as ``config.set``); only the
settings that page manages can be applied (the others are read from the environment at
start-up). ``templates`` (es/en: key: text) and ``kb`` ("es/article.md": text) are stored in
the applied layer (:mod:`contactpro.dialog.applied`) in the approval's transaction; every process
serving the bot mirrors it within seconds. An intent
model is deployed, never approved. Everything is checked before anything is applied; a body
that cannot be applied refuses the approval with the reason.
"""

from __future__ import annotations

import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from contactpro.analytics.matrix import apply_conformity_threshold
from contactpro.config import LANGUAGES, Settings
from contactpro.console import wording
from contactpro.console.settings import (
    BY_KEY,
    ConfigChangeError,
    check_names,
    record_audit,
    update_config,
)
from contactpro.dialog import applied
from contactpro.dialog.templates import templates_for, used_names, variables
from contactpro.errors import ContactProError
from contactpro.improve import proposals
from contactpro.improve.proposed import toml_lines, write_proposed
from contactpro.models import Proposal

APPLY_ACTION = "proposal.apply"
# Parts of a body that are deployed, never approved (a trained model is a folder).
DEPLOYED = ("intents", "intent_model", "intent_model_dir")


@dataclass(frozen=True)
class Applied:
    """What an approval changed: settings (name -> value), templates ("es/key"), articles."""

    settings: dict[str, Any] = field(default_factory=dict)
    templates: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.settings or self.templates or self.articles)

    def describe(self, translate: Callable[[str], str], language: str = "en") -> str:
        """Return one line saying what was applied, in the reader's language."""
        if not self:
            return translate("papplied_nothing")
        parts = (
            [
                f"{translate('cfg_' + name)} = {_shown(value, language)}"
                for name, value in self.settings.items()
            ]
            + list(dict.fromkeys(_template_for(translate, name) for name in self.templates))
            + [translate("papplied_article").format(name=name) for name in self.articles]
        )
        return translate("papplied").format(changes="; ".join(parts))


# What a template is for, by the first word of its key ("cancel_withdrawn": cancellations).
PURPOSES = {
    "kb": "kb",
    "debt": "debt",
    "payment": "debt",
    "offer": "debt",
    "voice": "voice",
    "cancel": "cancel",
    "retention": "cancel",
    "retained": "cancel",
    "escalate": "escalate",
    "escalated": "escalate",
    "complaint": "escalate",
    "greeting": "greeting",
    "goodbye": "greeting",
    "survey": "survey",
    "invoice": "invoice",
    "balance": "invoice",
    "bill": "invoice",
    "dispute": "invoice",
    "troubleshoot": "troubleshoot",
    "outage": "troubleshoot",
    "technical": "troubleshoot",
}


def _template_for(translate: Callable[[str], str], name: str) -> str:
    """Name an applied template ("es/kb_answer") by what it is for, not by its key."""
    language, _, key = name.partition("/")
    purpose = PURPOSES.get(key.split("_", 1)[0], "other")
    return translate("papplied_template").format(
        language=translate(f"ptpl_lang_{language}"), purpose=translate(f"ptpl_{purpose}")
    )


def _shown(value: Any, language: str) -> str:
    """A number as the reader writes it (0,25 in Spanish); text as it is."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return wording.number(value, None, language, grouped=False)
    return str(value)


def decide(
    session: Session,
    settings: Settings,
    proposal_id: int,
    decision: str,
    by: str,
    agent_id: int | None = None,
    body: dict[str, Any] | None = None,
) -> Applied:
    """Decide a proposal (:func:`proposals.decide`); an approval applies its body.

    A rejection applies nothing. When the body cannot be applied the whole decision is refused
    (the caller rolls the session back): nothing is half-approved.
    """
    proposal = proposals.decide(session, proposal_id, decision, by, agent_id, body)
    if decision != "approved":
        return Applied()
    return apply(session, settings, proposal, agent_id)


def _language_order(language: str) -> tuple[int, str]:
    return (LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES), language)


def _refuse(message: str, key: str, **values: object) -> ContactProError:
    return ContactProError(message, reason="not_applicable", key=key, values=values)


def _check_settings(body: dict[str, Any]) -> dict[str, str]:
    given = body.get("settings", {})
    if not isinstance(given, dict):
        raise _refuse(
            "the proposal's settings must be a JSON object", "perr_not_object", what="settings"
        )
    changes = {}
    for name, value in given.items():
        if name not in BY_KEY:
            raise _refuse(
                f"setting {name} cannot be applied by an approval: only the settings of the "
                "managers' settings page change at run time (set it in the environment and "
                "restart)",
                "perr_apply_setting",
                setting=name,
            )
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise _refuse(
                f"setting {name} must be text or a number", "perr_apply_value", setting=name
            )
        changes[name] = str(value)
    return changes


def _check_templates(settings: Settings, body: dict[str, Any]) -> None:
    """Refuse a template key the product does not have (a typo would change nothing)."""
    current = templates_for(settings).sources
    given = body.get("templates", {})
    for language, keys in (given if isinstance(given, dict) else {}).items():
        for key in keys if isinstance(keys, dict) else {}:  # other shapes: write_proposed says
            if key not in current.get(language, {}):
                raise _refuse(
                    f"templates.{language}: there is no template {key}",
                    "perr_apply_template",
                    language=language,
                    name=key,
                )


def _check_names(body: dict[str, Any]) -> None:
    """Refuse a template text using a name the product does not fill for its key (every reply
    with it would fail); the texts already compile."""
    for language, keys in body.get("templates", {}).items():
        for key, text in keys.items():
            try:
                check_names(key, used_names(text), variables(key), "{{{{ {} }}}}".format)
            except ConfigChangeError as exc:
                raise _refuse(
                    f"templates.{language}: {key} cannot fill {exc.value}; use {exc.allowed}",
                    "perr_apply_template_name",
                    language=language,
                    name=key,
                    value=exc.value,
                    allowed=exc.allowed,
                ) from None


def apply(
    session: Session, settings: Settings, proposal: Proposal, agent_id: int | None = None
) -> Applied:
    """Check then apply an approved proposal's body; audit what it applied.

    Settings, templates and articles are stored in the session (an approval that is not saved
    applies nothing); this process's mirror of the layer is rewritten once it commits.
    """
    body = proposal.body or {}
    for part in DEPLOYED:
        if part in body:
            raise _refuse(
                "an intent model is not applied by an approval: deploy it with "
                "CONTACTPRO_INTENT_MODEL_DIR and restart",
                "perr_apply_intents",
            )
    changes = _check_settings(body)
    parts: dict[str, Any] = {name: body[name] for name in ("templates", "kb") if name in body}
    with tempfile.TemporaryDirectory(prefix="contactpro-apply-") as tmp:
        # Checks the languages, the texts, that every template compiles and uses known names.
        write_proposed({**parts, "templates": {}}, Path(tmp))
        _check_templates(settings, parts)
        write_proposed(parts, Path(tmp))
        _check_names(parts)
    try:
        changed = update_config(session, settings, changes, agent_id)
    except ConfigChangeError as exc:
        raise _refuse(
            f"setting {exc.key} {exc.args[0]}",
            "perr_apply_setting_value",
            setting=exc.key,
            given=changes.get(str(exc.key), ""),
        ) from None
    if "conformity_threshold" in changed:
        apply_conformity_threshold(session, settings)
    # In the settings page's order and Spanish first: a JSON column may reorder a body's keys.
    given = parts.get("templates", {})
    done = Applied(
        {name: body["settings"][name] for name in BY_KEY if name in changes},
        [
            f"{lang}/{key}"
            for lang in sorted(given, key=_language_order)
            for key in sorted(given[lang])
        ],
        sorted(parts.get("kb", {})),
    )
    if done:
        record_audit(
            session,
            agent_id,
            APPLY_ACTION,
            f"proposal:{proposal.id}",
            None,
            {"settings": done.settings, "templates": done.templates, "articles": done.articles},
        )
        session.flush()
        if parts:
            layer = _store_layer(session, settings, parts)
            _after_commit(session, lambda: applied.mirror(settings.var_dir, layer))
    return done


_PENDING = "contactpro.approval.pending"


def _after_commit(session: Session, write: Callable[[], None]) -> None:
    """Run ``write`` once the session's transaction commits, never when it rolls back: an
    approval that fails to save leaves the applied layer as it was."""
    if _PENDING not in session.info:
        event.listen(session, "after_commit", _write_pending)
        event.listen(session, "after_rollback", _drop_pending)
        session.info[_PENDING] = []
    session.info[_PENDING].append(write)


def _write_pending(session: Session) -> None:
    writes, session.info[_PENDING] = session.info[_PENDING], []
    for write in writes:
        write()


def _drop_pending(session: Session) -> None:
    session.info[_PENDING] = []


def _store_layer(session: Session, settings: Settings, parts: dict[str, Any]) -> dict[str, str]:
    """Merge templates and articles into the stored layer under a new version; return it.

    The first approval after an upgrade carries over a layer that lived only in this
    machine's var dir."""
    layer = applied.stored(session) or applied.mirrored(settings.var_dir)
    files: dict[str, str] = {}
    for language, keys in parts.get("templates", {}).items():
        name = f"templates/{language}.toml"
        kept = tomllib.loads(layer[name]) if name in layer else {}
        files[name] = toml_lines({**kept, **keys}, f"templates.{language}")
    for name, text in parts.get("kb", {}).items():
        files[f"kb/{name}"] = text
    carried = {name: text for name, text in layer.items() if name != applied.VERSION}
    return applied.store(session, {**carried, **files})
