"""Every knowledge-base article is linked to its translation, and titles follow the link."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from contactpro.config import Settings
from contactpro.dialog.knowledge import DEFAULT_DIR, article_title, translations


def _names(language: str) -> dict[str, set[str]]:
    """Each article file name of ``language`` with the folders ("", "co", "mx") holding it."""
    found: dict[str, set[str]] = {}
    for path in (DEFAULT_DIR / language).rglob("*.md"):
        market = path.parent.name if path.parent != DEFAULT_DIR / language else ""
        found.setdefault(path.stem, set()).add(market)
    return found


def test_every_shipped_article_is_linked_to_its_translation_in_the_same_markets():
    es, en = _names("es"), _names("en")
    links = translations(str(DEFAULT_DIR))
    assert sorted(entry["es"] for entry in links) == sorted(es)
    assert sorted(entry["en"] for entry in links) == sorted(en)
    for entry in links:
        assert es[entry["es"]] == en[entry["en"]], entry


def test_a_title_is_the_readers_translation_else_the_one_sent(tmp_path: Path):
    settings = Settings()
    assert article_title(settings, "roaming", "en") == "International roaming: your phone abroad"
    assert article_title(settings, "international-roaming", "es") == (
        "Roaming internacional: tu celular en el exterior"
    )
    assert article_title(settings, "billing-cycle", "es") == "Ciclo de facturación y fecha de pago"
    assert article_title(settings, "cambio-de-plan", "es") == "Cambiar o mejorar el plan"
    # A base without links (or an article without a translation) names it by its own title.
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "portabilidad.md").write_text("# Portabilidad numérica\n\nTrae tu número.")
    own = replace(settings, knowledge_dir=str(tmp_path))
    assert article_title(own, "portabilidad", "en") == "Portabilidad numérica"
    assert article_title(own, "gone", "en") is None
