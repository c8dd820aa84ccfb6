"""The layer approved improvement proposals put over the reply templates and knowledge base.

::

    <var_dir>/improve/applied/
      templates/es.toml, en.toml   keys overriding the catalogue (and CONTACTPRO_TEMPLATES_DIR)
      kb/es/*.md, kb/en/*.md       articles added to the knowledge base (same name: replaced)
      version                      rewritten on every change

:mod:`contactpro.improve.approval` writes it; the template and knowledge loaders read
``version`` on every use, so every process serving the bot picks an approval up at once,
without a restart.
"""

from __future__ import annotations

from pathlib import Path

VERSION = "version"


def root(var_dir: Path | str) -> Path:
    """Return the applied layer's folder under ``var_dir``."""
    return Path(var_dir) / "improve" / "applied"


def version(var_dir: Path | str) -> str:
    """Return the layer's current version ("" when nothing was ever applied)."""
    try:
        return (root(var_dir) / VERSION).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return ""
