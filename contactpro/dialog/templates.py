"""The catalogue of caller-facing text in Spanish and English, which operators edit without code.

Every word a caller hears or reads lives here: the dialog's replies, the phone prompts
(``voice_*``: language menu, queue, voicemail; read through :mod:`contactpro.voice.prompts`), the
rate-limit message and the SMS acknowledgement sent while the database is away. The defaults live
in ``contactpro/data/templates/{es,en}.toml``; a file of the same name in
``CONTACTPRO_TEMPLATES_DIR`` overrides any of its keys. Templates are Jinja2 run in a sandbox, so
an operator's template can format values but never reach into the server.

A text that depends on the customer's market (how to pay: PSE in Colombia, OXXO in Mexico) is a
table by market, ``key.co = "..."``, ``key.mx``, ``key.us`` and ``key.default`` for a customer
whose market is unknown or has no text of its own; an override of one market's text keeps the
others.

Code that has the settings asks :func:`templates_for`; code without them (a constant, a prompt)
gets the process's catalogue, the one :func:`use_templates` chose at start-up.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, Template, meta, nodes, pass_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from contactpro.config import LANGUAGES, Settings
from contactpro.dialog import applied
from contactpro.dialog.replies import digit_pairs, format_date, format_money
from contactpro.errors import ConfigError

log = logging.getLogger(__name__)
DEFAULTS_DIR = Path(__file__).resolve().parents[1] / "data" / "templates"
# The names every template may use whatever its key: render() and the dialog fill them.
GLOBALS = frozenset({"company", "language", "market", "channel"})
# The text of a market table for a customer whose market has none of its own.
DEFAULT_MARKET = "default"


@pass_context
def _money(ctx: Context, amount: Any, currency: str = "COP") -> str:
    # On the phone, amounts are written for text-to-speech (``106981 pesos``).
    return format_money(
        Decimal(str(amount)), currency, ctx.get("language", "es"), ctx.get("channel", "sms")
    )


@pass_context
def _date(ctx: Context, value: Any) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, ctx.get("language", "es"))


def _digits(value: Any, channel: str = "sms") -> str:
    """Spoken: one digit at a time, in pairs, so text-to-speech does not read a huge number."""
    text = str(value)
    if channel != "voice":
        return text
    return digit_pairs("".join(ch for ch in text if ch.isdigit()))


def load_catalogue(path: Path) -> dict[str, Any]:
    """Return one catalogue file's keys (ConfigError naming the file when it is not TOML)."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"template file {path} is not valid TOML: {exc}") from None


class Templates:
    """Every reply template, per language, compiled once."""

    def __init__(self, override_dir: str = "", applied_dir: str = "") -> None:
        self.env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
        self.env.filters.update(money=_money, date=_date, digits=_digits)
        self.sources: dict[str, dict[str, Any]] = {}
        self._compiled: dict[tuple[str, str, int, str], Template] = {}
        for language in LANGUAGES:
            source = load_catalogue(DEFAULTS_DIR / f"{language}.toml")
            if override_dir and (custom := Path(override_dir) / f"{language}.toml").is_file():
                source.update(_merged(source, load_catalogue(custom)))
            if applied_dir and (approved := Path(applied_dir) / f"{language}.toml").is_file():
                source.update(_merged(source, load_catalogue(approved)))
            self.sources[language] = source
        missing = set(self.sources["es"]) ^ set(self.sources["en"])
        if missing:
            raise ConfigError(f"templates missing in one language: {sorted(missing)}")
        for language, source in self.sources.items():
            for key, value in source.items():
                if isinstance(value, dict) and DEFAULT_MARKET not in value:
                    raise ConfigError(f"template {key}.{DEFAULT_MARKET} missing in {language}")

    def raw(self, key: str, language: str) -> Any:
        """Return the template source (a string, a list for step-by-step texts, or a table by
        market)."""
        return self.sources.get(language, self.sources["es"])[key]

    def render(
        self,
        key: str,
        language: str,
        *,
        index: int | None = None,
        market: str | None = None,
        **values: Any,
    ) -> str:
        """Render template ``key`` (item ``index`` of a list template, the text of ``market``
        of a table by market) in ``language``."""
        language = language if language in self.sources else "es"
        source = self.raw(key, language)
        variant = ""
        if isinstance(source, dict):
            variant = market if market is not None and market in source else DEFAULT_MARKET
            source = source[variant]
        position = 0
        if isinstance(source, list):
            position = min(index or 0, len(source) - 1)
            source = source[position]
        cache_key = (key, language, position, variant)
        template = self._compiled.get(cache_key)
        if template is None:
            template = self._compiled[cache_key] = self.env.from_string(source)
        values.setdefault("channel", "sms")
        try:
            text = template.render(language=language, market=market, **values)
        except SecurityError:  # a text reaching out of the sandbox is an attack, not a typo
            raise
        except Exception as exc:  # an edited text must never fail a reply
            fallback = shipped()
            if fallback.sources[language].get(key) in (None, self.raw(key, language)):
                raise
            log.warning(
                "template %s (%s) does not render (%s); using the shipped text",
                key,
                language,
                " ".join(str(exc).split()),
            )
            return fallback.render(key, language, index=index, market=market, **values)
        return " ".join(text.split())

    def count(self, key: str, language: str) -> int:
        """Return how many items a list template has."""
        source = self.raw(key, language)
        return len(source) if isinstance(source, list) else 1


@lru_cache(maxsize=1)
def shipped() -> Templates:
    """Return the shipped catalogue, with no override: what a text that fails falls back to."""
    return Templates()


def variables(key: str) -> frozenset[str]:
    """Return the names template ``key`` may use: those its shipped texts use (in any language,
    item or market) and the :data:`GLOBALS`."""
    catalogue = shipped()
    names = set(GLOBALS)
    for language in LANGUAGES:
        source = catalogue.sources[language].get(key, "")
        for text in _texts(source):
            names |= meta.find_undeclared_variables(catalogue.env.parse(text))
    return frozenset(names)


def used_names(text: str) -> list[str]:
    """Return the names a template text uses, in the order it first uses them."""
    tree = shipped().env.parse(text)
    found = meta.find_undeclared_variables(tree)
    order = [node.name for node in tree.find_all(nodes.Name)]
    return [name for name in dict.fromkeys(order) if name in found]


def _texts(source: Any) -> list[str]:
    values = source.values() if isinstance(source, dict) else [source]
    return [t for v in values for t in (v if isinstance(v, list) else [v]) if isinstance(t, str)]


def _merged(defaults: dict[str, Any], custom: dict[str, Any]) -> dict[str, Any]:
    """Return ``custom`` with each table by market completed from ``defaults``: overriding
    Mexico's text keeps the other markets'."""
    return {
        key: {**defaults[key], **value}
        if isinstance(value, dict) and isinstance(defaults.get(key), dict)
        else value
        for key, value in custom.items()
    }


@lru_cache(maxsize=4)
def _templates(override_dir: str, var_dir: str, version: str) -> Templates:
    layer = applied.root(var_dir) / "templates" if var_dir and version else ""
    return Templates(override_dir, str(layer))


# CONTACTPRO_TEMPLATES_DIR and var dir of this process, set once at start-up by use_templates().
_process_dir = ""
_process_var = ""


def use_templates(settings: Settings) -> Templates:
    """Load these settings' templates (a bad file fails now) and make them the process's."""
    global _process_dir, _process_var
    templates = templates_for(settings)
    _process_dir, _process_var = settings.templates_dir, str(settings.var_dir)
    return templates


def templates_for(settings: Settings | None = None) -> Templates:
    """Return the templates for these settings, or the process's, with the approved proposals'
    templates over them (reloaded when an approval changes them, in every process)."""
    templates_dir, var_dir = (
        (settings.templates_dir, str(settings.var_dir))
        if settings
        else (_process_dir, _process_var)
    )
    return _templates(templates_dir, var_dir, applied.version(var_dir) if var_dir else "")


def render(key: str, language: str, **values: Any) -> str:
    """Render ``key`` from the process's templates (Spanish when the language is unknown)."""
    return templates_for().render(key, language, **values)


class TextByLanguage(Mapping[str, str]):
    """One catalogue text as a language -> text mapping, read on use so overrides apply."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __getitem__(self, language: str) -> str:
        if language not in LANGUAGES:
            raise KeyError(language)
        return render(self.key, language)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


def texts(key: str) -> TextByLanguage:
    """Return catalogue text ``key`` by language, for code that indexes a text by language."""
    return TextByLanguage(key)
