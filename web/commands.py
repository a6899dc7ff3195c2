"""``preplan serve``: contributed to the engine's CLI through the ``preplan.commands`` entry point."""

from __future__ import annotations


def register(commands) -> None:
    serve = commands.add_parser("serve", help="serve the web UI")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.set_defaults(handler=_serve)


def _serve(ctx, args) -> int:
    from werkzeug.serving import run_simple

    from . import create_app

    run_simple(args.host, args.port, create_app(ctx.settings), threaded=True, use_reloader=False)
    return 0
