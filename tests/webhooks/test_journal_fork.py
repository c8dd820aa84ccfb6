"""A forked web worker replays its own journal even when its parent was replaying."""

from __future__ import annotations

import os

from webhooks import journal


def test_a_forked_worker_does_not_inherit_a_running_replay() -> None:
    assert journal._replaying.acquire(blocking=False)
    try:
        pid = os.fork()
        if pid == 0:  # the worker: free to start its own replay
            os._exit(0 if journal._replaying.acquire(blocking=False) else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert not journal._replaying.acquire(blocking=False)  # still held here
    finally:
        journal._replaying.release()
