"""Two gunicorn instances on one machine each get their own control socket (or none)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

READ_CONFIG = """
import json, sys
from gunicorn.app.wsgiapp import WSGIApplication
sys.argv = ["gunicorn", "-c", sys.argv[1]]
cfg = WSGIApplication().cfg
print(json.dumps([cfg.control_socket, cfg.control_socket_disable]))
"""


def control_socket(tmp_path: Path, **env: str) -> tuple[str, bool]:
    """Return (path, disabled) as gunicorn reads them from deploy/gunicorn.conf.py."""
    done = subprocess.run(
        [sys.executable, "-c", READ_CONFIG, str(REPO / "deploy" / "gunicorn.conf.py")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("CONTACTPRO_")},
            "HOME": str(tmp_path),
            "CONTACTPRO_VAR_DIR": str(tmp_path / "var"),
            **env,
        },
    )
    assert done.returncode == 0, done.stderr[-2000:]
    path, disabled = json.loads(done.stdout.strip().splitlines()[-1])
    return path, disabled


def test_each_instance_has_its_own_control_socket(tmp_path: Path, backend) -> None:
    if backend is not None:
        pytest.skip("configuration only")
    first = control_socket(tmp_path, CONTACTPRO_BIND="127.0.0.1:8000")
    second = control_socket(tmp_path, CONTACTPRO_BIND="127.0.0.1:8001")
    assert first[0] != second[0] and not first[1] and not second[1]
    for path, _ in (first, second):
        assert path.startswith(str(tmp_path / "var")) and path.endswith(".ctl")
        assert ".gunicorn" not in path and len(path.encode()) < 108  # a Unix socket's limit
    named = control_socket(tmp_path, CONTACTPRO_WEB_CONTROL_SOCKET=str(tmp_path / "web.ctl"))
    assert named == (str(tmp_path / "web.ctl"), False)
    assert control_socket(tmp_path, CONTACTPRO_WEB_CONTROL_SOCKET="off")[1] is True
