"""The figures of a period and the appraisal ledgers as tables to export (:mod:`engine.tabular` writes them), from
what :mod:`engine.cases.figures` and :mod:`engine.cases.ledgers` answer: the same numbers as the pages, Chinese
headers, the codes the cases recorded named by the preplan's ``[fields]``, and beside each number of a ledger the
business keys of the cases it counts (one cell, as the page lists them under the number)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from engine.cases.ledgers import petrochina
from engine.preplans.manifest import Manifest
from engine.tabular import Column, Table

#: The ledger's own consequence, which no form records (第十四条4).
DOUBLED = {petrochina.DOUBLED: "加油站经理罚款加倍"}
FIGURE_COLUMNS = (
    Column("预案"),
    Column("严重程度"),
    Column("受理", "number"),
    Column("办结", "number"),
    Column("终止", "number"),
    Column("办结率", "percent"),
    Column("按时", "number"),
    Column("超时", "number"),
    Column("按时率", "percent"),
    Column("办理时长中位数（小时）", "decimal"),
    Column("办理时长90分位（小时）", "decimal"),
    Column("当前逾期", "number"),
    Column("升级", "number"),
)
FIGURE_KEYS = (
    "opened",
    "closed",
    "terminated",
    "closure_rate",
    "on_time",
    "late",
    "on_time_rate",
    "median_hours",
    "p90_hours",
    "overdue_now",
    "escalations",
)
ALL, NOT_JUDGED = "全部", "（未定级）"


def figure_table(entries: Sequence[Mapping[str, Any]], manifests: Mapping[str, Manifest]) -> Table:
    """Per preplan a line of all its cases, then one per severity (named by the preplan's severity field)."""
    rows: list[list[Any]] = []
    for entry in entries:
        manifest = manifests[entry["preplan"]]
        severities = values(manifest, manifest.severity_field or "")
        lines = [(ALL, entry)] + [
            (severities.get(str(value), str(value)) or NOT_JUDGED, f) for value, f in entry["by_severity"].items()
        ]
        rows += [[entry["title"]["zh"], name, *(f[k] for k in FIGURE_KEYS)] for name, f in lines]
    return Table("统计", FIGURE_COLUMNS, rows)


def ledger_tables(ledger: Mapping[str, Any], manifest: Manifest) -> list[Table]:
    """PetroChina's totals, stations, 片区 and people; Vanke's specialists by quarter."""
    if "quarters" in ledger:
        return [_specialists(ledger)]
    return _petrochina(ledger, {**values(manifest, "sanctions"), **DOUBLED}, values(manifest, "fines_yuan"))


def values(manifest: Manifest, field: str) -> dict[str, str]:
    """The Chinese names of a field's values, from the preplan's ``[fields]``."""
    found = manifest.fields.get(field, {}).get("values", {})
    return {str(v): str(t.get("zh", v)) if isinstance(t, Mapping) else str(t) for v, t in found.items()}


def _figure(header: str) -> tuple[Column, Column]:
    """A number and, beside it, the cases it counts."""
    return Column(header, "number"), Column(f"{header}·案件")


def _cells(figure: Mapping[str, Any]) -> tuple[Any, str]:
    return figure["value"], "、".join(c["business_key"] for c in figure["cases"])


def _named(items: Iterable[Mapping[str, Any]], names: Mapping[str, str]) -> str:
    """Consequences with the case that brought each."""
    return "；".join(f"{names.get(c['code'], c['code'])}（{c['business_key']}）" for c in items)


def _petrochina(ledger: Mapping[str, Any], consequences: Mapping[str, str], shares: Mapping[str, str]) -> list[Table]:
    period = f"{ledger['from']} 至 {ledger['to']}"
    totals = ledger["totals"]
    return [
        Table(
            "合计",
            (Column("统计期"), *_figure("有效投诉"), *_figure("扣分"), *_figure("罚款（元）")),
            [[period, *_cells(totals["valid_complaints"]), *_cells(totals["points"]), *_cells(totals["fines_yuan"])]],
        ),
        Table(
            "加油站",
            (
                Column("加油站"),
                Column("片区"),
                *_figure("有效投诉"),
                *_figure("扣分"),
                *_figure("本年累计有效投诉"),
                Column("处分及评先评优资格"),
                Column("可参加评先评优", "flag"),
            ),
            [
                [
                    s["name"],
                    s["area_name"],
                    *_cells(s["valid_complaints"]),
                    *_cells(s["points"]),
                    *_cells(s["running_count"]),
                    _named(s["consequences"], consequences),
                    s["honours_eligible"],
                ]
                for s in ledger["stations"]
            ],
        ),
        Table(
            "片区",
            (Column("片区"), *_figure("有效投诉"), *_figure("扣分")),
            [[a["name"], *_cells(a["valid_complaints"]), *_cells(a["points"])] for a in ledger["areas"]],
        ),
        Table(
            "人员",
            (
                Column("姓名"),
                Column("单位"),
                *_figure("罚款（元）"),
                Column("罚款构成"),
                *_figure("本年累计责任投诉"),
                Column("处分及评先评优资格"),
                Column("可参加评先评优", "flag"),
            ),
            [
                [
                    p["name"] or "（未具名）",
                    p["unit_name"],
                    *_cells(p["fines_yuan"]),
                    "；".join(f"{shares.get(k, k)} {v}" for k, v in p["fines_yuan"]["shares"].items()),
                    *_cells(p["responsible_complaints"]),
                    _named(p["consequences"], consequences),
                    p["honours_eligible"],
                ]
                for p in ledger["people"]
            ],
        ),
    ]


def _specialists(ledger: Mapping[str, Any]) -> Table:
    columns = (
        Column("季度", "number"),
        Column("统计期"),
        Column("客服专员"),
        *_figure("有效投诉"),
        *_figure("已关闭"),
        *_figure("未关闭"),
        Column("投诉关闭率", "percent"),
    )
    rows = [
        [
            q["quarter"],
            f"{q['from']} 至 {q['to']}",
            s["specialist"],
            *_cells(s["valid"]),
            *_cells(s["closed"]),
            *_cells(s["open"]),
            s["closure_rate"],
        ]
        for q in ledger["quarters"]
        for s in q["specialists"]
    ]
    return Table("客服专员", columns, rows)
