"""``make bench``: one run prints raw SpiffWorkflow's per-step cost and the engine's on SQLite and PostgreSQL as
ratios to it, the idle timer sweep with 10,000 and 100,000 open cases, and the task and case lists with 100,000
open tasks over 1,000 units.

    python -m bench [--preplan vanke_complaint] [--cases 30] [--sizes 10000,100000] [--units 1000]
                    [--tasks 100000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from engine import clock
from engine.config import load_settings
from engine.people.users import add_user
from engine.preplans.check import check_package
from engine.preplans.deploy import deploy
from engine.preplans.package import load_package
from engine.service import Engine
from engine.store import schema
from engine.store.db import Database
from engine.time.calendar import WorkCalendar

from . import scenario, sweep, tasklist

ROOT = Path(__file__).resolve().parent.parent
MONDAY_MORNING = "2026-11-23T09:30:00+08:00"


def open_engine(url: str, package) -> Engine:
    db = Database(url)
    schema.upgrade(db)
    engine = Engine(db, load_settings(url))
    deploy(db, package)
    with db.write() as session:
        for role in package.manifest["roles"]:
            add_user(session, f"bench_{role}", [role])
    return engine


def postgres_schema(base: str) -> tuple[str, callable]:
    name = f"preplan_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()

    return f"{base}?options=-csearch_path%3D{name}", drop


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--preplan", default="vanke_complaint", help="a key under processes/ or a preplan folder")
    parser.add_argument("--cases", type=int, default=30)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()

    clock.fix(clock.parse_instant(MONDAY_MORNING))
    folder = Path(args.preplan) if Path(args.preplan).is_dir() else ROOT / "processes" / args.preplan
    package = load_package(folder)
    checked = check_package(package)
    assert checked.ok, checked.problems
    forms = {name: json.loads(data) for name, data in package.forms.items()}
    settings = load_settings()
    calendar = WorkCalendar(settings.timezone, settings.working_hours)

    raw: list[float] = []
    for i in range(args.cases):
        scenario.raw_walk(checked.parsed, forms, scenario.intake(package, forms, i), calendar, raw)

    results = {}
    lists: dict[str, dict[str, tuple[float, float, int]]] = {}
    pg_url, drop = postgres_schema(args.postgres)
    tmp = tempfile.mkdtemp()
    try:
        for label, url in (("SQLite", f"sqlite:///{tmp}/bench.db"), ("PostgreSQL", pg_url)):
            engine = open_engine(url, package)
            timings: list[float] = []
            counted = set(package.manifest.get("counts", {}))
            for i in range(args.cases):
                scenario.engine_walk(
                    engine,
                    package.key,
                    forms,
                    scenario.intake(package, forms, i, counted),
                    lambda role: f"bench_{role}",
                    timings,
                    counted,
                )
            sweeps = {}
            for size in [int(s) for s in args.sizes.split(",")]:
                sweep.populate(engine, size)
                sweeps[size] = sweep.idle_sweep_seconds(engine)
            sweep.clear(engine)
            tasklist.populate(engine, args.units, args.tasks)
            lists[label] = tasklist.measure(engine)
            tasklist.clear(engine)
            results[label] = (timings, sweeps)
            engine.db.dispose()
    finally:
        drop()

    raw_step = statistics.median(raw)
    print(f"preplan {package.key}: {args.cases} cases walked from their forms, {len(raw)} completed steps (raw)")
    print(f"{'':28}{'median/step':>14}{'p90/step':>14}{'vs raw':>10}")
    print(
        f"{'raw SpiffWorkflow, memory':28}{ms(raw_step):>14}{ms(statistics.quantiles(raw, n=10)[-1]):>14}{'1.0x':>10}"
    )
    for label, (timings, _) in results.items():
        median = statistics.median(timings)
        print(
            f"{'engine complete, ' + label:28}{ms(median):>14}{ms(statistics.quantiles(timings, n=10)[-1]):>14}"
            f"{median / raw_step:>9.1f}x"
        )
    print("\nidle timer sweep (worker's query pair, median of 300)")
    for label, (_, sweeps) in results.items():
        sizes = sorted(sweeps)
        cells = "  ".join(f"{size:>7,} open cases: {ms(sweeps[size])}" for size in sizes)
        growth = sweeps[sizes[-1]] / sweeps[sizes[0]]
        print(f"  {label:11} {cells}   ratio {growth:.2f}")
    print(
        f"\nlists, first page, with {args.tasks:,} open tasks over {args.units:,} units (200 runs; target p95 ≤ 50 ms)"
    )
    for label, measured in lists.items():
        for what, (median, p95, total) in measured.items():
            print(f"  {label:11} {what:36} {total:>7,} rows   median {ms(median)}   p95 {ms(p95)}")


if __name__ == "__main__":
    main()
