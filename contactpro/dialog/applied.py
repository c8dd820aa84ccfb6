"""The layer approved improvement proposals put over the reply templates and knowledge base.

The layer is kept in the database (table ``applied_parts``, one row per file) and mirrored
into each process's var dir, where the template and knowledge loaders read it::

    <var_dir>/improve/applied/
      templates/es.toml, en.toml   keys overriding the catalogue (and CONTACTPRO_TEMPLATES_DIR)
      kb/es/*.md, kb/en/*.md       articles added to the knowledge base (same name: replaced)
      version                      rewritten on every change

:mod:`contactpro.improve.approval` writes the rows in the approval's own transaction. A process
that opened its database through :func:`follow` compares the stored version with its mirror's
at most every :data:`CHECK_SECONDS` and rewrites the mirror when they differ, so every web and
worker machine serves an approval within seconds, without a restart or a shared folder. A
database that cannot be read leaves the mirror as it was.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
import weakref
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from contactpro.db import Database
from contactpro.models import AppliedPart

log = logging.getLogger(__name__)

VERSION = "version"
# How often a process asks the database whether an approval changed the layer.
CHECK_SECONDS = 2.0

# Held weakly: a process that drops its database (a test's app) stops following.
_followed: weakref.WeakValueDictionary[str, Database] = weakref.WeakValueDictionary()
_checked: dict[str, float] = {}
_lock = threading.Lock()


def root(var_dir: Path | str) -> Path:
    """Return the applied layer's mirror folder under ``var_dir``."""
    return Path(var_dir) / "improve" / "applied"


def follow(var_dir: Path | str, db: Database) -> None:
    """Mirror the layer stored in ``db`` into ``var_dir`` from now on (one database a folder)."""
    key = str(Path(var_dir))
    with _lock:
        _followed[key] = db
        _checked.pop(key, None)


def version(var_dir: Path | str) -> str:
    """Return the layer's current version ("" when nothing was ever applied), first bringing
    the mirror up to date when its database is due a check."""
    key = str(Path(var_dir))
    db = _followed.get(key)
    if db is not None and time.monotonic() - _checked.get(key, -CHECK_SECONDS) >= CHECK_SECONDS:
        _checked[key] = time.monotonic()
        try:
            with db.session() as session:
                refresh(session, var_dir)
        except SQLAlchemyError as exc:
            log.warning("applied layer: database not readable, serving the mirror (%s)", exc)
    return _mirror_version(var_dir)


def _mirror_version(var_dir: Path | str) -> str:
    try:
        return (root(var_dir) / VERSION).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return ""


def stored(session: Session) -> dict[str, str]:
    """Return the stored layer: path relative to the layer -> text (with "version")."""
    return {part.path: part.text for part in session.scalars(select(AppliedPart))}


def refresh(session: Session, var_dir: Path | str) -> None:
    """Rewrite the mirror in ``var_dir`` when the stored version differs from it.

    A database that holds no layer leaves the folder alone: a layer written before the layer
    moved into the database keeps serving until the next approval carries it over.
    """
    current = session.get(AppliedPart, VERSION)
    if current is None or current.text == _mirror_version(var_dir):
        return
    mirror(var_dir, stored(session))


def mirror(var_dir: Path | str, parts: dict[str, str]) -> None:
    """Make the mirror in ``var_dir`` hold exactly ``parts`` (with "version", written last)."""
    folder = root(var_dir)
    for path in [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")]:
        if path.relative_to(folder).as_posix() not in parts:
            path.unlink()
    for name, text in sorted(parts.items()):
        if name != VERSION:
            write_file(folder / name, text)
    write_file(folder / VERSION, parts[VERSION])


def mirrored(var_dir: Path | str) -> dict[str, str]:
    """Return the files of the mirror in ``var_dir`` (a layer written before the database kept
    it), path relative to the layer -> text, without "version"."""
    folder = root(var_dir)
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".") and path.name != VERSION
    }


def store(session: Session, parts: dict[str, str]) -> dict[str, str]:
    """Save ``parts`` (path -> text) into the stored layer under a new version and return the
    whole layer as it will stand; the caller's commit makes it take effect."""
    for name, text in {**parts, VERSION: uuid.uuid4().hex}.items():
        part = session.get(AppliedPart, name)
        if part is None:
            session.add(AppliedPart(path=name, text=text))
        else:
            part.text = text
    session.flush()
    return stored(session)


def write_file(path: Path, text: str) -> None:
    """Replace ``path`` at once (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
