"""API tokens, idempotent intake and revision checks, on SQLite and PostgreSQL: what an integration relies on."""

import json
from datetime import timedelta

import pytest

from engine import clock
from engine.errors import Conflict, Forbidden, Stale, Unauthenticated
from engine.store.models import ApiToken
from tests.engine.conftest import GENERAL, MAJOR


@pytest.fixture
def people(mini):
    mini.user("li", "leader")
    mini.user("wang", "clerk")
    mini.user("boss", "supervisor")
    mini.user("root", "admin")
    return mini


def test_a_token_is_shown_once_and_stored_only_as_its_hash(people):
    made = people.engine.create_token("wang", label="12345 平台", read_only=True)
    assert made["token"].startswith("pp_") and made["prefix"] == made["token"][:11]
    with people.engine.db.read() as session:
        stored = session.get_one(ApiToken, made["id"])
        assert made["token"] not in (stored.secret_sha256, stored.prefix, stored.label)
    assert people.engine.authenticate_token(made["token"]).user == "wang"
    assert people.engine.authenticate_token(made["token"]).read_only
    [listed] = people.engine.list_tokens("wang")
    assert "token" not in listed and listed["label"] == "12345 平台" and listed["active"]


def test_revoked_expired_and_deactivated_tokens_are_refused(people):
    revoked = people.engine.create_token("wang")
    people.engine.revoke_token(revoked["id"], user="wang")
    expiring = people.engine.create_token("wang", expires_at=clock.now() + timedelta(days=1))
    deactivated = people.engine.create_token("li")
    people.engine.deactivate_user("li")
    people.at((clock.now() + timedelta(days=1)).isoformat())
    for token in (revoked, expiring, deactivated):
        with pytest.raises(Unauthenticated):
            people.engine.authenticate_token(token["token"])
    with pytest.raises(Unauthenticated):
        people.engine.authenticate_token("pp_" + "x" * 43)
    assert [t["active"] for t in people.engine.list_tokens("wang")] == [False, False]


def test_only_the_owner_or_an_admin_manages_tokens(people):
    made = people.engine.create_token("wang", user="wang")
    with pytest.raises(Forbidden):
        people.engine.create_token("wang", user="li")
    with pytest.raises(Forbidden):
        people.engine.revoke_token(made["id"], user="li")
    assert people.engine.revoke_token(made["id"], user="root")["revoked_at"] is not None


def test_the_same_idempotency_key_starts_one_case_and_refuses_another_request(people):
    first = people.engine.start("mini_complaint", MAJOR, user="wang", idempotency_key="crm-0001")
    again = people.engine.start(
        "mini_complaint", dict(reversed(MAJOR.items())), user="wang", idempotency_key="crm-0001"
    )
    assert again["case"] == first["case"] and again["business_key"] == first["business_key"]
    with pytest.raises(Conflict):
        people.engine.start("mini_complaint", GENERAL, user="wang", idempotency_key="crm-0001")
    # keys are the sender's own: another user's same key is another request
    other = people.engine.start("mini_complaint", MAJOR, user="root", idempotency_key="crm-0001")
    assert other["case"] != first["case"]
    assert people.engine.cases_page(user="root").total == 2


def test_an_operation_on_a_changed_case_is_refused_and_changes_nothing(people):
    case = people.start("mini_complaint", MAJOR)
    task = people.task(case, "Task_Approve")["id"]
    read = people.engine.task_detail(task, user="li")["revision"]
    people.engine.claim(task, user="li", revision=read)
    people.engine.comment(case, "客户再次来电", user="li")
    people.engine.unclaim(task, user="li", revision=read)  # claims and comments leave the case's revision
    people.engine.complete(task, {"approved": True}, user="li", revision=read)
    with pytest.raises(Stale):
        people.engine.terminate(case, "重复投诉", user="boss", revision=read)
    assert people.engine.case_detail(case, user="boss")["status"] != "terminated"


def test_the_tokens_commands(run):
    assert run("users", "add", "wang", "--role", "supervisor", "--password", "pw")[0] == 0
    code, out, err = run("tokens", "create", "wang", "--read-only", "--expires", "2026-12-31T18:00:00+08:00", "--json")
    assert code == 0, out + err
    made = json.loads(out)
    assert made["token"].startswith("pp_") and set(made) >= {"id", "token"}
    [listed] = json.loads(run("tokens", "list", "wang", "--json")[1])
    assert listed["read_only"] and listed["expires_at"] == "2026-12-31T18:00:00+08:00" and "token" not in listed
    assert json.loads(run("tokens", "revoke", str(made["id"]))[1])["active"] is False
    code, out, _ = run("tokens", "create", "wang", "--expires", "2020-01-01T00:00:00+08:00", "--json")
    assert code == 1 and json.loads(out)["error"] == "validation"
