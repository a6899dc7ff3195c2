"""``preplan serve``: the web app under gunicorn, contributed to the engine's CLI through the ``preplan.commands``
entry point (the engine never imports the web layer).

gunicorn runs ``--workers`` processes of ``--threads`` threads each and restarts a worker that stops answering
within ``--timeout`` seconds. Each worker builds its own app (and database pool) after the fork. Login counters
in per-process memory would be split between processes, so several processes need a shared
``PREPLAN_RATELIMIT_STORAGE`` (Redis). ``--worker`` also runs the timer worker, as a child process of its own.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from engine.cli.context import Context
from engine.config import Settings
from engine.errors import PreplanError

from . import create_app, limits


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="serve the web UI (gunicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("PREPLAN_WEB_WORKERS", "1")),
        help="web processes (default 1, or PREPLAN_WEB_WORKERS); more than one needs a shared "
        "PREPLAN_RATELIMIT_STORAGE",
    )
    serve.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("PREPLAN_WEB_THREADS", "8")),
        help="threads per web process (default 8)",
    )
    serve.add_argument("--timeout", type=int, default=60, help="seconds before a silent web process is restarted")
    serve.add_argument(
        "--worker",
        action="store_true",
        help="also fire timers and send notices, in a child process (one machine, e.g. SQLite)",
    )
    serve.set_defaults(handler=_serve)


def _serve(ctx: Context, args: argparse.Namespace) -> int:
    if args.workers > 1 and limits.storage_uri().startswith("memory://"):
        raise PreplanError(
            f"--workers {args.workers} would keep a separate login counter in each process; set "
            f"{limits.STORAGE}=redis://HOST:6379/0 (shared by every process), or serve one process "
            f"with more --threads"
        )
    worker = _start_timer_worker(ctx) if args.worker else None
    try:
        _Gunicorn(
            ctx.settings,
            {
                "bind": f"{args.host}:{args.port}",
                "workers": args.workers,
                "threads": args.threads,
                "worker_class": "gthread",
                "timeout": args.timeout,
                "graceful_timeout": 15,
                "accesslog": "-",
                "errorlog": "-",
                "limit_request_line": 8190,
                "limit_request_fields": 100,
            },
        ).run()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(20)
    return 0


def _start_timer_worker(ctx: Context) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "engine.cli", "--database-url", ctx.settings.database_url, "worker"])


class _Gunicorn(BaseApplication):
    """gunicorn embedded: our options instead of its command line; each worker process builds its own app."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings, self.options = settings, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return create_app(self.settings)
