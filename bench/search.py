"""Search on the lists at 100,000 cases (``python -m bench.search [--postgres URL]``): the organisation and cases of
bench/tasklist.py, each case with a complainant (two characters, 1 in 200 the same), a project and a description
of common phrases, and a first page of the cases list and the work list searched for a name, a common phrase and a
rare one, by a branch supervisor and a station manager. Prints median and p95 per list and backend, in ms."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from bench.__main__ import open_engine, postgres_schema
from bench.tasklist import CHUNK, FIRST_ID, populate
from engine.cases.search import fields_text
from engine.cases.sight import Sight
from engine.cases.worklist import case_list, work_list
from engine.people.users import get_user
from engine.preplans.package import load_package
from engine.service import Engine
from engine.store.models import CaseSearch

SURNAMES, GIVEN = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗", "伟芳娜敏静丽强磊军洋"
PHRASES = ("加油员服务态度差", "油品质量有问题", "计量不足", "发票开具错误", "排队时间过长", "卫生间不清洁")
#: a name of 50 of the supervisor's cases; one of none of theirs (the slowest: every visible case is read); a phrase
#: of every case; one of 100 cases (the supervisor's), none of the manager's
QUERIES = {"name": "刘伟", "no_name": "王伟", "common": "服务态度", "rare": "项目3号楼"}


def describe(i: int) -> str:
    return fields_text(
        f"BL-{i:08d}",
        f"投诉 {i}",
        {
            "customer_name": SURNAMES[i % 20] + GIVEN[i // 20 % 10] + ("" if i % 2 else GIVEN[i // 200 % 10]),
            "project": f"项目{i % 1000}号楼",
            "description": "，".join(PHRASES[(i + k) % len(PHRASES)] for k in range(i % 3 + 1)),
        },
        (),
    )


def fill(engine: Engine, count: int) -> None:
    with engine.db.write() as session:
        for first in range(0, count, CHUNK):
            rows = range(first, min(first + CHUNK, count))
            session.execute(
                insert(CaseSearch), [{"case_id": FIRST_ID + i, "fields": describe(i), "comments": ""} for i in rows]
            )


def request(engine: Engine, which: str, user: str, query: str) -> Any:
    with engine.db.read() as session:
        sight = Sight(session, engine.versions, get_user(session, user))
        if which == "cases":
            return case_list(session, engine.tz, sight, search=query).total_label
        share = engine.settings.reminder_share
        return work_list(session, engine.tz, sight.user, sight.org, search=query, reminder_share=share).total_label


def measure(engine: Engine, repeats: int) -> list[tuple[str, str, str, str, float, float]]:
    results = []
    for which, user in (("cases", "bench_supervisor"), ("cases", "bench_manager"), ("work", "bench_regional")):
        for name, query in QUERIES.items():
            total = request(engine, which, user, query)
            samples = []
            for _ in range(repeats):
                began = time.perf_counter()
                request(engine, which, user, query)
                samples.append(time.perf_counter() - began)
            p95 = statistics.quantiles(samples, n=20)[-1]
            results.append((which, user, name, total, statistics.median(samples) * 1000, p95 * 1000))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    package = load_package(Path(__file__).resolve().parent.parent / "processes" / "vanke_complaint")
    with tempfile.TemporaryDirectory() as folder:
        pg_url, drop = postgres_schema(args.postgres)
        try:
            for backend, url in (("sqlite", f"sqlite:///{folder}/search.db"), ("postgres", pg_url)):
                engine = open_engine(url, [package])
                populate(engine, package.key, list(package.manifest["roles"]), 1000, args.cases)
                fill(engine, args.cases)
                if backend == "postgres":  # what autovacuum does after a load of this size
                    with engine.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                        connection.execute(text("VACUUM ANALYZE task, preplan_case, case_search"))
                for which, user, name, total, median, p95 in measure(engine, args.repeats):
                    print(
                        f"{backend:8} {which:5} {user:17} {name:6} {total:>6} median {median:6.1f} ms  p95 {p95:6.1f} ms"
                    )
                engine.db.dispose()
        finally:
            drop()


if __name__ == "__main__":
    main()
