"""``preplan serve``: contributed to the engine's CLI through the ``preplan.commands`` entry point."""

from __future__ import annotations

import threading


def register(commands) -> None:
    serve = commands.add_parser("serve", help="serve the web UI")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--worker", action="store_true",
                       help="also fire timers and send notices in this process (one machine, e.g. SQLite)")
    serve.set_defaults(handler=_serve)


def _serve(ctx, args) -> int:
    from werkzeug.serving import run_simple

    from engine import timers

    from . import create_app

    stop = threading.Event()
    if args.worker:
        threading.Thread(target=timers.work, args=(ctx.engine, stop), daemon=True, name="timers").start()
    try:
        run_simple(args.host, args.port, create_app(ctx.settings), threaded=True, use_reloader=False)
    finally:
        stop.set()
    return 0
