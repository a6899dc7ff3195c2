"""The demo installation ``make run`` sets up: an organisation for the seed organisations (a PetroChina branch with
two stations, Vanke with two projects, a rural commercial bank with a branch and two outlets), users in each of its
units, and at the root ``admin``, ``staff`` (every role, so every case), ``owner`` (the process owner of every
preplan) and one user per role the demo units do not cover (the single-site preplans). Existing units and users are left as they
are, so running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.people.units import add_unit
from engine.people.users import BUILTIN_ROLES, PROCESS_OWNER, add_user, ensure_builtins, grant_owner
from engine.store.models import ROOT_UNIT, Role, Unit, User

PASSWORD = "demo1234"
OWNER = "owner"

#: key, name, parent, kind
UNITS = (
    ("petrochina_hs", "中国石油黄山销售分公司", ROOT_UNIT, "branch"),
    ("station_tunxi", "屯溪路加油站", "petrochina_hs", "station"),
    ("station_huangshan", "黄山大道加油站", "petrochina_hs", "station"),
    ("vanke_sh", "万科上海区域", ROOT_UNIT, "company"),
    ("project_jinyu", "金域华府项目", "vanke_sh", "project"),
    ("project_lanshan", "蓝山小区项目", "vanke_sh", "project"),
    ("bank_hq", "某农村商业银行总行", ROOT_UNIT, "company"),
    ("bank_chengdong", "城东支行", "bank_hq", "branch"),
    ("outlet_yingye", "城东支行营业部", "bank_chengdong", "outlet"),
    ("outlet_xingfu", "幸福路网点", "bank_chengdong", "outlet"),
)

#: user, unit, roles
USERS = (
    ("hs_csc", "petrochina_hs", ("petrochina_csc",)),
    ("hs_leader", "petrochina_hs", ("petrochina_leader",)),
    ("hs_director", "petrochina_hs", ("petrochina_director",)),
    ("hs_ops", "petrochina_hs", ("petrochina_ops_safety",)),
    ("hs_station_dept", "petrochina_hs", ("petrochina_station_supervisor",)),
    ("hs_hr", "petrochina_hs", ("petrochina_hr",)),
    ("hs_supervisor", "petrochina_hs", ("supervisor",)),
    ("tunxi_manager", "station_tunxi", ("petrochina_gas_station",)),
    ("huangshan_manager", "station_huangshan", ("petrochina_gas_station",)),
    ("sh_csc", "vanke_sh", ("vanke_csc",)),
    ("sh_leader", "vanke_sh", ("vanke_leader",)),
    ("sh_supervisor", "vanke_sh", ("supervisor",)),
    ("jinyu_specialist", "project_jinyu", ("vanke_specialist",)),
    ("lanshan_specialist", "project_lanshan", ("vanke_specialist",)),
    ("bank_centre", "bank_hq", ("bank_branch_centre",)),
    ("bank_leadership", "bank_hq", ("bank_branch_leadership",)),
    ("bank_related", "bank_hq", ("bank_branch_related_dept",)),
    ("chengdong_dept", "bank_chengdong", ("bank_branch_resp_dept",)),
    ("chengdong_supervisor", "bank_chengdong", ("supervisor",)),
    ("yingye_group", "outlet_yingye", ("bank_branch_group",)),
    ("xingfu_group", "outlet_xingfu", ("bank_branch_group",)),
)


@dataclass(frozen=True)
class DemoUser:
    unit: str
    name: str
    password: str  # "(unchanged)" for a user that already existed
    roles: tuple[str, ...]


def demo_installation(session: Session) -> list[DemoUser]:
    """Create what is missing of the demo organisation and its users; returns every demo user, unit by unit."""
    ensure_builtins(session)
    session.flush()
    known_roles = set(session.scalars(select(Role.key)))
    for key, name, parent, kind in UNITS:
        if session.get(Unit, key) is None:
            add_unit(session, key, name, parent=parent, kind=kind, actor="demo")
            session.flush()
    work_roles = sorted(known_roles - set(BUILTIN_ROLES))
    in_units = {role for _, _, roles in USERS for role in roles}
    plan = [(ROOT_UNIT, "admin", ("admin", "supervisor")), (ROOT_UNIT, "staff", tuple(work_roles))]
    plan += [(ROOT_UNIT, role, (role,)) for role in work_roles if role not in in_units]
    plan += [(unit, name, roles) for name, unit, roles in USERS if set(roles) <= known_roles]
    rows = []
    for unit, name, roles in plan:
        exists = session.scalar(select(User.id).where(User.name == name)) is not None
        if not exists and roles:
            add_user(session, name, list(roles), unit=unit, password=PASSWORD, actor="demo")
        rows.append(DemoUser(unit, name, "(unchanged)" if exists else PASSWORD, roles))
    rows.append(_process_owner(session))
    return rows


def _process_owner(session: Session) -> DemoUser:
    """``owner``: the process owner of every preplan, who edits their drafts in the studio (admins publish them)."""
    exists = session.scalar(select(User.id).where(User.name == OWNER)) is not None
    if not exists:
        add_user(session, OWNER, [], unit=ROOT_UNIT, password=PASSWORD, actor="demo")
        session.flush()
        grant_owner(session, OWNER, None, "demo")
    return DemoUser(ROOT_UNIT, OWNER, "(unchanged)" if exists else PASSWORD, (PROCESS_OWNER,))
