"""Files written whole or not at all, and folders checked before a long job writes into them.

:func:`replace_file` writes into a temporary file beside the target and renames it over the
target once complete, so a reader (or an operator after a crash) never finds half a file, and
an existing file's old permissions never apply to the new content: a ``private`` file (personal
data) is readable by its owner only (0600) whatever was there before.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

PRIVATE = 0o600


def _default_mode() -> int:
    """Return the mode ``open()`` gives a new file under this process's umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def replace_file(
    path: Path, *, private: bool = False, newline: str | None = None
) -> Iterator[TextIO]:
    """Yield a UTF-8 text handle whose content replaces ``path`` when the block ends.

    The folder is created if missing. On an error the target is left as it was and the
    temporary file removed. ``private``: mode 0600; otherwise what ``open()`` would give.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            os.fchmod(handle.fileno(), PRIVATE if private else _default_mode())
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def check_writable_folder(folder: Path) -> None:
    """Create ``folder`` if missing and make sure a file can be written in it; raise OSError."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=folder):
        pass
