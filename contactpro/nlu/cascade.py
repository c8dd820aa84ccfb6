"""The cascade: the one entry point the dialog calls to understand a turn."""

from __future__ import annotations

import re
import time
import unicodedata
from functools import lru_cache

from contactpro.config import Settings
from contactpro.nlu.result import Understanding

# Walking-skeleton keyword rules; the understanding issue replaces them with the full cascade.
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "agent_request": ("agente", "asesor", "humano", "persona", "operador", "agent", "human",
                      "representative", "person", "operator"),
    "billing_inquiry": ("saldo", "factura", "debo", "cuanto", "cobro", "balance", "bill",
                        "owe", "invoice", "charge"),
    "goodbye": ("adios", "chao", "gracias", "eso es todo", "bye", "goodbye", "thanks",
                "that's all"),
    "greeting": ("hola", "buenos dias", "buenas", "hello", "hi", "good morning"),
}
_SPANISH_HINTS = frozenset(
    "hola quiero mi la el de que por favor saldo factura cuanto debo gracias necesito con un "
    "una asesor agente adios buenos dias buenas es".split()
)
_ENGLISH_HINTS = frozenset(
    "hello hi i my the what is please balance bill how much owe thanks need to a an agent "
    "want with goodbye bye good morning".split()
)


def normalise(text: str) -> str:
    """Lower-case, strip accents and punctuation, fold whitespace."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^\w' ]+", " ", text).strip()


def guess_language(text: str, hint: str | None, default: str) -> str:
    """Pick es or en from hint words; fall back to the hint, then the default."""
    words = set(normalise(text).split())
    es, en = len(words & _SPANISH_HINTS), len(words & _ENGLISH_HINTS)
    if es != en:
        return "es" if es > en else "en"
    return hint or default


class Cascade:
    """Understand one utterance and say which tier decided."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def understand(
        self,
        text: str,
        *,
        channel: str,
        source: str,
        language_hint: str | None = None,
    ) -> Understanding:
        """Return the intent, confidence, tier, language and entities of ``text``."""
        started = time.perf_counter()
        language = guess_language(text, language_hint, self.settings.default_language)
        norm = f" {normalise(text)} "
        intent, confidence, tier = "out_of_scope", 0.0, "none"
        if source == "dtmf" and text.strip() == "0":
            intent, confidence, tier = "agent_request", 1.0, "rules"
        else:
            for name, words in _KEYWORDS.items():
                if any(f" {w} " in norm for w in words):
                    intent, confidence, tier = name, 0.9, "rules"
                    break
        return Understanding(
            intent=intent,
            confidence=confidence,
            tier=tier,
            language=language,
            latency_ms=(time.perf_counter() - started) * 1000,
        )


@lru_cache(maxsize=4)
def get_cascade(settings: Settings) -> Cascade:
    """Return the process-wide cascade for these settings (models load once per process)."""
    return Cascade(settings)
