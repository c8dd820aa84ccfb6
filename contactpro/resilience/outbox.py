"""The task outbox: tasks that could not reach the broker wait here and are sent later.

``tasks.send`` appends ``(task name, args)`` as one fsync'ed JSON line to
``<var>/outbox/pending.jsonl`` when the broker is unreachable; :meth:`Outbox.drain` sends them
in order once it answers. A drain first moves the tasks it sends to a ``claimed-<pid>-*`` file;
one left by a process killed mid-drain (or claimed over five minutes ago) is sent again by the
next drain. Every task is
idempotent, so a task that reached the broker although ``send`` saw an error, or that a killed
drain had already sent, does no harm when it is sent again from here.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from contactpro.config import Settings
from contactpro.resilience.filelock import folder_lock

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = 300.0
"""Seconds after which a claim is taken over even if its process id is alive (another
container's process, or a reused id): a drain sends for seconds, not minutes."""


@dataclass(frozen=True)
class OutboxTask:
    """A task to send: its registered name and JSON-serialisable arguments."""

    name: str
    args: list[object]


class Outbox:
    """Tasks waiting for the broker, in one folder shared by the machine's processes."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.pending = self.folder / "pending.jsonl"
        self._lock_name = "outbox.lock"

    @classmethod
    def for_settings(cls, settings: Settings) -> Outbox:
        """Return the outbox under the settings' var folder."""
        return cls(Path(settings.var_dir) / "outbox")

    def _locked(self) -> AbstractContextManager[None]:
        return folder_lock(self.folder, self._lock_name)

    @staticmethod
    def _write(path: Path, tasks: list[OutboxTask]) -> None:
        lines = "".join(json.dumps({"name": t.name, "args": t.args}) + "\n" for t in tasks)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, lines.encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def put(self, name: str, args: list[object]) -> None:
        """Keep one task durably until the broker answers."""
        with self._locked():
            self._write(self.pending, [OutboxTask(name, list(args))])

    def has_pending(self) -> bool:
        """Return True when tasks wait (a cheap check, done after each successful send)."""
        try:
            return (
                self.pending.stat().st_size > 0
                or any(self.folder.glob("retry-*.jsonl"))
                or any(self._orphans())
            )
        except FileNotFoundError:
            return False

    def count(self) -> int:
        """Return how many tasks wait, those a drain is sending at this moment included."""
        if not self.folder.is_dir():
            return 0
        total = 0
        waiting = [self.pending, *self.folder.glob("retry-*.jsonl")]
        for path in [*waiting, *self.folder.glob("claimed-*.jsonl")]:
            try:
                total += sum(1 for line in path.read_bytes().splitlines() if line.strip())
            except FileNotFoundError:
                continue
        return total

    def _orphans(self) -> list[Path]:
        """Claimed files whose drain's process is gone (killed before it finished)."""
        orphans = []
        for path in self.folder.glob("claimed-*.jsonl"):
            pid = path.name.split("-")[1]
            if not pid.isdigit() or not _process_alive(int(pid)) or _age(path) > CLAIM_TIMEOUT:
                orphans.append(path)
        return orphans

    def _claim(self) -> list[Path]:
        with self._locked():
            for orphan in self._orphans():  # older than anything still pending: first in line
                retry = self.folder / f"retry-{orphan.stat().st_mtime_ns:020d}.jsonl"
                os.replace(orphan, retry)
                log.warning(
                    "outbox drain cut off, sending its tasks again", extra={"file": retry.name}
                )
            claimed = []
            for path in [*sorted(self.folder.glob("retry-*.jsonl")), self.pending]:
                if path.exists() and path.stat().st_size > 0:
                    target = self.folder / f"claimed-{os.getpid()}-{uuid.uuid4().hex}.jsonl"
                    os.replace(path, target)
                    os.utime(target)  # the claim's time, for CLAIM_TIMEOUT
                    claimed.append(target)
            return claimed

    def drain(self, send: Callable[[OutboxTask], bool]) -> tuple[int, int]:
        """Send waiting tasks in order; stop at the first the broker refuses.

        Returns (sent, still waiting).
        """
        if not self.folder.is_dir():
            return 0, 0
        sent = waiting = 0
        for path in self._claim():
            tasks = []
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    data = json.loads(line)
                    tasks.append(OutboxTask(str(data["name"]), list(data["args"])))
                except (ValueError, KeyError, TypeError):
                    if line.strip():
                        log.error("unreadable outbox line", extra={"file": path.name})
            done = 0
            if not waiting:
                for task in tasks:
                    if not send(task):
                        break
                    done += 1
            sent += done
            rest = tasks[done:]
            with self._locked():
                if rest:
                    retry = self.folder / f"retry-{time.time_ns():020d}.jsonl"
                    self._write(retry.with_suffix(".part"), rest)
                    os.replace(retry.with_suffix(".part"), retry)
                path.unlink(missing_ok=True)
            waiting += len(rest)
        if sent or waiting:
            log.info("outbox drained", extra={"sent": sent, "waiting": waiting})
        return sent, waiting


def _age(path: Path) -> float:
    """Return the seconds since ``path`` was last modified (0 when it is gone)."""
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _process_alive(pid: int) -> bool:
    """Return True when a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
