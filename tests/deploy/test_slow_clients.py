"""The documented deployment (nginx in front of gunicorn) keeps answering /healthz while two
slow clients dribble their request headers a byte every 2 s."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.mark.skipif(NGINX is None, reason="Debian's nginx is not installed (.ci/run installs it)")
def test_healthz_answers_through_nginx_while_two_slow_clients_stall(backend) -> None:
    if backend is not None:
        pytest.skip("the deployment runs once, on a throwaway SQLite database")
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "slow_clients.py"), "--proxied-only", "--json"]
        + ["--seconds", "6"],
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])["nginx_then_gunicorn"]
    assert result["asked"] >= 5 and result["answered"] == result["asked"], result
