"""A proposed configuration, as a folder a manager (or an LLM draft) fills in.

::

    proposed/
      settings.toml     thresholds and policies: knowledge_min_score = 0.25, intent_threshold...
      templates/        es.toml / en.toml: reply templates that override the current ones
      kb/               es/*.md, en/*.md: the knowledge base to answer from (replaces the current)
      intents/          a trained intent model (model.json + weights.npz)

Every part is optional; an empty folder proposes the current configuration.

A stored proposal's body can carry the same parts (``settings``: name -> value,
``templates``: language -> key -> text, ``kb``: "es/article.md" -> text);
:func:`write_proposed` writes them as such a folder so the proposal can be replayed.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError

from contactpro.config import Settings
from contactpro.console.settings import ConfigChangeError, check_names
from contactpro.console.strings import translate
from contactpro.dialog.templates import Templates, load_catalogue, used_names, variables
from contactpro.errors import ConfigError

# Settings a proposal may not change: where things run and who they talk to.
FIXED = frozenset(
    {
        "env",
        "var_dir",
        "database_url",
        "broker_url",
        "twilio_account_sid",
        "twilio_auth_token",
        "twilio_api_url",
        "twilio_phone_number",
        "public_url",
        "secret_key",
        "anthropic_api_key",
        "llm_base_url",
        "telephony",
        "templates_dir",
        "knowledge_dir",
        "intent_model_dir",
    }
)


@dataclass(frozen=True)
class Proposed:
    """What a proposal changes relative to the current configuration."""

    folder: Path
    overrides: dict[str, Any] = field(default_factory=dict)
    templates_dir: Path | None = None
    knowledge_dir: Path | None = None
    intent_model_dir: Path | None = None

    def apply(self, base: Settings) -> Settings:
        """Return ``base`` with the proposal applied."""
        settings = replace(base, **self.overrides)
        if self.templates_dir is not None:
            settings = replace(settings, templates_dir=str(self.templates_dir))
        if self.knowledge_dir is not None:
            settings = replace(settings, knowledge_dir=str(self.knowledge_dir))
        if self.intent_model_dir is not None:
            settings = replace(settings, intent_model_dir=str(self.intent_model_dir))
        return settings

    def describe(self) -> dict[str, Any]:
        """Return what the proposal changes, for people and for the exported files."""
        return {
            "folder": str(self.folder),
            "settings": dict(self.overrides),
            "templates": sorted(p.name for p in self.templates_dir.glob("*.toml"))
            if self.templates_dir
            else [],
            "knowledge_base": sorted(
                str(p.relative_to(self.knowledge_dir)) for p in self.knowledge_dir.rglob("*.md")
            )
            if self.knowledge_dir
            else [],
            "intent_model": str(self.intent_model_dir) if self.intent_model_dir else None,
        }


def _coerce(name: str, value: Any, current: Any) -> Any:
    kind = type(current)
    if kind is bool and not isinstance(value, bool):
        raise ConfigError(
            f"settings.toml: {name} must be true or false, got {value!r}",
            key="perr_setting_bool",
            values={"name": name, "value": repr(value)},
        )
    if kind in (int, float) and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise ConfigError(
            f"settings.toml: {name} must be a number, got {value!r}",
            key="perr_setting_number",
            values={"name": name, "value": repr(value)},
        )
    if kind is int and isinstance(value, float) and not value.is_integer():
        raise ConfigError(
            f"settings.toml: {name} must be a whole number, got {value!r}",
            key="perr_setting_whole",
            values={"name": name, "value": repr(value)},
        )
    if kind is str and not isinstance(value, str):
        raise ConfigError(
            f"settings.toml: {name} must be text, got {value!r}",
            key="perr_setting_text",
            values={"name": name, "value": repr(value)},
        )
    return kind(value)


def _overrides(path: Path, shown: str) -> dict[str, Any]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        raise ConfigError(
            f"{shown}/{path.name} is not valid TOML: {exc}",
            key="perr_bad_toml_at" if where else "perr_bad_toml",
            values={"file": path.name, **({"line": where[1], "column": where[2]} if where else {})},
        ) from None
    defaults = Settings()
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in known:
            raise ConfigError(
                f"settings.toml: unknown setting {name!r}",
                key="perr_unknown_setting",
                values={"name": name},
            )
        if name in FIXED:
            raise ConfigError(
                f"settings.toml: {name} cannot be changed by a proposal",
                key="perr_fixed_setting",
                values={"name": name},
            )
        values[name] = _coerce(name, value, getattr(defaults, name))
    return values


# What Jinja says is wrong, in words an operator reads: a catalogue code (``tplerr_*``) and the
# piece of template it is about.
_UNCLOSED = {
    "expected 'end of print statement'": "{{ … }}",
    "expected 'end of statement block'": "{% … %}",
    "end of comment": "{# … #}",
}


def _template_problem(said: str) -> tuple[str, str]:
    """Return a Jinja compile error's message as a problem code and the piece it names."""
    for expected, marks in _UNCLOSED.items():
        if expected in said:
            return "unclosed", marks
    block = re.search(r"innermost block that needs to be closed is '(\w+)'", said)
    if block:
        return "block", f"{{% end{block[1]} %}}"
    unknown = re.search(r"No (?:filter|test) named '([^']*)'", said)
    if unknown:
        return "filter", unknown[1]
    tag = re.search(r"unknown tag '([^']*)'", said)
    if tag:
        return "tag", f"{{% {tag[1]} %}}"
    return "marks", ""


def _compile_error(exc: TemplateSyntaxError, path: Path, key: str, shown: str) -> ConfigError:
    """Return a template that does not compile as one line: file, key, what, line, what to do
    (the operator's own words, never Jinja's)."""
    problem, near = _template_problem(exc.message or "")
    values: dict[str, object] = {
        "file": path.name,
        "name": key,
        "template_problem": problem,
        "near": f" {near}" if near else "",
        "line": str(exc.lineno),
    }
    english = {**values, "template_problem": translate(f"tplerr_{problem}", "en")}
    # The catalogue's "what to do" names the proposal; the CLI's names the file to correct.
    words = translate("perr_template_syntax", "en").split(";")[0].format(**english)
    where = f"{shown}/templates/{path.name}" if shown else f"the proposal's templates.{path.stem}"
    return ConfigError(
        f"{words}; correct it in {where} and replay again",
        key="perr_template_syntax",
        values=values,
    )


def _read_catalogues(folder: Path, shown: str) -> None:
    """Read every template file of a proposal; a file that is not TOML is named as given."""
    for path in sorted(folder.glob("*.toml")):
        try:
            load_catalogue(path)
        except ConfigError as exc:
            where = re.search(r"line (\d+), column (\d+)", exc.message)
            at = f" (line {where[1]}, column {where[2]})" if where else ""
            raise ConfigError(
                f"{shown + '/' if shown else ''}templates/{path.name} is not valid TOML{at}",
                key="perr_bad_toml_at" if where else "perr_bad_toml",
                values={
                    "file": f"templates/{path.name}",
                    **({"line": where[1], "column": where[2]} if where else {}),
                },
            ) from None


def check_templates(folder: Path, shown: str = "") -> None:
    """Read and compile every template a proposal's ``templates/`` overrides; raise ConfigError
    naming the file and key of the first that does not compile or uses a name the product does
    not fill for that key (a replay never starts on it). ``shown`` names the proposal folder
    as the operator gave it (messages never name a server path; empty: a stored body)."""
    _read_catalogues(folder, shown)
    try:
        templates = Templates(str(folder))
    except ConfigError as exc:
        raise ConfigError(exc.message, key="perr_bad_templates") from None
    for path in sorted(folder.glob("*.toml")):
        for key, source in load_catalogue(path).items():
            texts = source if isinstance(source, list) else [source]
            if not texts or not all(isinstance(text, str) for text in texts):
                raise ConfigError(
                    f"templates/{path.name}: {key} must be text or a list of texts",
                    key="perr_template_type",
                    values={"file": path.name, "name": key},
                )
            for text in texts:
                _check_text(templates, text, path, key, shown)


def _check_text(templates: Templates, text: str, path: Path, key: str, shown: str) -> None:
    """Compile one template text (unknown filters too) and check the names it uses."""
    try:
        templates.env.from_string(text)
    except TemplateSyntaxError as exc:  # TemplateAssertionError (a filter) included
        raise _compile_error(exc, path, key, shown) from None
    try:
        check_names(key, used_names(text), variables(key), "{{{{ {} }}}}".format)
    except ConfigChangeError as exc:
        raise ConfigError(
            f"templates.{path.stem}: {key} cannot fill {exc.value}; use {exc.allowed}",
            key="perr_apply_template_name",
            values={
                "language": path.stem,
                "name": key,
                "value": str(exc.value),
                "allowed": exc.allowed,
            },
        ) from None


def read_proposed(folder: Path, shown: str = "") -> Proposed:
    """Read and check a proposal folder; raise ConfigError naming the first problem.

    ``shown`` is the folder as the operator named it (default: its name): messages say it,
    never the server path the folder resolves to."""
    given, shown = shown, shown or folder.name
    if not folder.is_dir():
        raise ConfigError(
            f"proposal folder {shown} does not exist",
            key="perr_no_folder",
            values={"folder": shown},
        )
    settings = folder / "settings.toml"
    overrides = _overrides(settings, shown) if settings.is_file() else {}
    templates = folder / "templates"
    templates_dir = templates.resolve() if templates.is_dir() else None
    if templates_dir is not None:
        check_templates(templates_dir, given)
    kb = folder / "kb"
    knowledge_dir = kb.resolve() if kb.is_dir() else None
    if knowledge_dir is not None and not any(knowledge_dir.rglob("*.md")):
        raise ConfigError(
            f"{shown}/kb holds no .md article", key="perr_no_article", values={"folder": "kb"}
        )
    intents = folder / "intents"
    intent_dir = intents.resolve() if intents.is_dir() else None
    if intent_dir is not None and not (intent_dir / "model.json").is_file():
        raise ConfigError(
            f"{shown}/intents holds no model.json (train one with contactpro intents train)",
            key="perr_no_model",
            values={"folder": "intents"},
        )
    return Proposed(folder.resolve(), overrides, templates_dir, knowledge_dir, intent_dir)


REPLAYABLE = ("settings", "templates", "kb")


def toml_lines(values: dict[str, Any], what: str) -> str:
    lines = []
    for name, value in values.items():
        if not isinstance(value, (str, int, float, bool)):
            raise ConfigError(
                f"{what}: {name} must be text, a number or true/false",
                key="perr_scalar",
                values={"what": what, "name": name},
            )
        # A JSON scalar is a valid TOML value (strings use the same escapes).
        lines.append(f"{name} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(
            f"the proposal's {what} must be a JSON object",
            key="perr_not_object",
            values={"what": what},
        )
    return value


def write_proposed(body: dict[str, Any], folder: Path) -> Proposed:
    """Write a proposal body's settings, templates and articles as a folder; read it back."""
    folder.mkdir(parents=True, exist_ok=True)
    if "settings" in body:
        text = toml_lines(_dict(body["settings"], "settings"), "settings")
        (folder / "settings.toml").write_text(text, encoding="utf-8")
    for language, keys in _dict(body.get("templates", {}), "templates").items():
        if language not in ("es", "en"):
            raise ConfigError(
                f"templates: unknown language {language!r} (es or en)",
                key="perr_template_language",
                values={"language": language},
            )
        (folder / "templates").mkdir(exist_ok=True)
        text = toml_lines(_dict(keys, f"templates.{language}"), f"templates.{language}")
        (folder / "templates" / f"{language}.toml").write_text(text, encoding="utf-8")
    for name, text in _dict(body.get("kb", {}), "kb").items():
        parts = Path(name).parts
        if len(parts) != 2 or parts[0] not in ("es", "en") or not name.endswith(".md"):
            raise ConfigError(
                f"kb: {name!r} must look like es/article.md or en/article.md",
                key="perr_kb_name",
                values={"name": name},
            )
        if not isinstance(text, str):
            raise ConfigError(f"kb: {name} must be text", key="perr_kb_text", values={"name": name})
        (folder / "kb" / parts[0]).mkdir(parents=True, exist_ok=True)
        (folder / "kb" / parts[0] / parts[1]).write_text(text, encoding="utf-8")
    return read_proposed(folder)
