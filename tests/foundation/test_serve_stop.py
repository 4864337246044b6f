"""``kassa serve`` stopped by SIGTERM (``docker stop``, systemd) stops the embedded
PostgreSQL it started, as Ctrl-C does, even after an earlier user of it was killed."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Inside the project's var/: the embedded server runs as another user when the tests run
    # as root, and it must be able to reach its folder (pytest's tmp_path is private).
    path = ROOT / "var" / f"test-serve-{uuid.uuid4().hex[:8]}"
    yield path
    pid_file = path / "pg" / "postmaster.pid"
    if pid_file.exists():  # a failed test must not leave a server running: fast shutdown
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGINT)
        time.sleep(3)
    shutil.rmtree(path, ignore_errors=True)


def _serve_and_terminate(data_dir: Path) -> int:
    port = free_port()
    env = {
        **os.environ,
        "KASSA_DATA_DIR": str(data_dir),
        "KASSA_DATABASE_URL": "",  # the embedded server, in data_dir
        "KASSA_SECRET_KEY": "serve-stop-test-key-" + "x" * 24,
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "kassa"), "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stderr.read().decode()[-3000:]  # type: ignore[union-attr]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.3)
        server.send_signal(signal.SIGTERM)
        return server.wait(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _postgres_running(data_dir: Path) -> bool:
    return (data_dir / "pg" / "postmaster.pid").exists()


def test_sigterm_stops_the_embedded_postgres_too(data_dir: Path) -> None:
    assert _serve_and_terminate(data_dir) == 0
    assert not _postgres_running(data_dir), "the embedded PostgreSQL outlived the server"

    # A process that used the server and died without a word (SIGKILL): its pid stays in
    # the server's list of users, and without pruning no later process would be the last.
    dead = subprocess.Popen(["true"])
    dead.wait()
    handles = data_dir / "pg" / ".handle_pids.json"
    handles.write_text(json.dumps([dead.pid]))
    assert _serve_and_terminate(data_dir) == 0
    assert not _postgres_running(data_dir), "a dead user kept the embedded PostgreSQL running"
