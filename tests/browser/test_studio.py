"""Browser: a process owner edits a seed preplan in the studio (a timer's deadline and a form field through the
panel, an error that appears on its element and goes away when fixed, a decision table in dmn-js), saves and tries
the draft; an admin publishes it as a new version. Every seed diagram opened and saved by the modeller with our
extension descriptor keeps every spiffworkflow element and attribute, every condition and every timer."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
import xml.etree.ElementTree as ET

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.browser.studio_page import open_studio, pick, save
from tests.conftest import ROOT
from tests.flow import Flow

pytestmark = pytest.mark.browser
KEY = "vanke_complaint"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def draft_files(flow: Flow) -> dict[str, str]:
    return flow.engine.draft(KEY, user="owner")["files"]


def test_owner_edits_checks_saves_and_tries_a_draft_and_an_admin_publishes_it(vanke_studio, new_page):
    flow, base = vanke_studio
    page = new_page()
    log_in(page, base, "owner")
    page.goto(f"{base}/preplans/{KEY}")
    page.click("#edit-in-studio")
    page.wait_for_selector("#studio[data-ready]")
    assert "基于 v1" in page.inner_text("#based-on")

    # A reminder's deadline: 4 clock hours become 1.5, written as the ISO duration the engine reads.
    pick(page, "Timer_WrittenReport_4h", ".timer-amount")
    assert page.input_value("#panel .timer-kind") == "hours" and page.input_value("#panel .timer-amount") == "4"
    assert page.input_value("#panel .timer-interrupting") == "false"
    page.fill("#panel .timer-amount", "1.5")
    page.press("#panel .timer-amount", "Enter")
    page.wait_for_selector("#panel .expression:has-text('\"PT1H30M\"')")
    # Working days counted from the receipt, then back to clock hours.
    page.select_option("#panel .timer-kind", "working_days")
    page.select_option("#panel .timer-from", "received_at")
    assert page.inner_text("#panel .expression") == "working_days(2, received_at)"
    page.select_option("#panel .timer-kind", "hours")
    page.select_option("#panel .timer-from", "")
    page.fill("#panel .timer-amount", "1.5")
    page.press("#panel .timer-amount", "Enter")
    page.wait_for_selector("#panel .expression:has-text('\"PT1H30M\"')")

    # A new field on the step's form, through the form editor.
    pick(page, "Task_WrittenReport", ".edit-fields")
    page.click("#panel .edit-fields")
    page.wait_for_selector("#form-editor[open] .form-field")
    page.click("#form-editor .add-field")
    field = page.locator("#form-editor .form-field").last
    field.locator(".field-name").fill("reply_channel")
    field.locator(".field-title").fill("回传方式")
    field.locator(".field-type").select_option("choice")
    field = page.locator("#form-editor .form-field").last
    field.locator(".field-choices").fill("email=电子邮件\nfax=传真")
    field.locator(".field-required").check()
    page.click("#form-editor .save-form")
    page.wait_for_selector("#form-editor", state="hidden")
    save(page)
    files = draft_files(flow)
    assert '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT1H30M"</bpmn:timeDuration>' in files[f"{KEY}.bpmn"]
    schema = json.loads(files["forms/written_report.schema.json"])
    assert schema["properties"]["reply_channel"] == {
        "type": "string",
        "title": "回传方式",
        "oneOf": [{"const": "email", "title": "电子邮件"}, {"const": "fax", "title": "传真"}],
    }
    assert "reply_channel" in schema["required"] and "written_report" in schema["properties"]

    # An error: the forum gateway loses its default flow; the finding is drawn on the flow and listed.
    pick(page, "Flow_NotForum", ".flow-default")
    page.uncheck("#panel .flow-default")
    page.wait_for_selector(".finding-badge[data-finding='Flow_NotForum']")
    assert page.locator(".djs-element.finding-error[data-element-id='Flow_NotForum']").count() == 1
    assert page.locator("#findings-list li.error[data-element='Flow_NotForum']").count() >= 1
    assert page.get_attribute("#findings-list", "data-errors") != "0"
    screenshot(page, "studio-finding")
    page.check("#panel .flow-default")
    page.wait_for_selector("#findings-list[data-errors='0']")
    assert page.locator(".finding-badge").count() == 0
    assert page.locator(".djs-element.finding-error").count() == 0

    # A gateway condition built from the form's choices.
    pick(page, "Flow_Forum", ".cond-field")
    assert page.input_value("#panel .cond-field") == "channel" and page.input_value("#panel .cond-op") == "is"
    assert page.is_checked("#panel .cond-values input[value='forum']")

    # The decision table of the classifying step opens in dmn-js.
    pick(page, "Decide_Severity", ".open-decision")
    page.click("#panel .open-decision")
    page.wait_for_selector("#dmn-editor[data-open='severity'] .tjs-table")
    # 集体投诉人数 (the third rule: ten complainants or more is major) becomes a hundred.
    cell = page.locator("#dmn-editor .tjs-table tbody tr").nth(2).locator("td").nth(3)
    assert cell.inner_text().strip() == ">= 10"
    cell.click()
    page.keyboard.press("End")
    page.keyboard.type("0")
    page.click("#dmn-editor .apply-decision")
    page.wait_for_selector("#dmn-editor", state="hidden")
    save(page)
    table = ET.fromstring(draft_files(flow)["severity.dmn"].encode())
    assert ">= 100" in [t.text for t in table.iter("{https://www.omg.org/spec/DMN/20191111/MODEL/}text")]
    screenshot(page, "studio")

    # Trying the draft opens the trial's page.
    page.click("#try-draft")
    page.wait_for_url(re.compile(rf"/preplans/{KEY}/draft/trials/"))

    # An admin publishes the draft; the preplan page shows the new version.
    admin = new_page()
    log_in(admin, base, "root")
    open_studio(admin, base, KEY)
    pick(admin, "Flow_NotForum", ".flow-default")
    admin.uncheck("#panel .flow-default")
    admin.wait_for_selector("#publish-form button[type=submit]:disabled")
    assert admin.is_visible("#publish-blocked")
    admin.check("#panel .flow-default")
    admin.wait_for_selector("#publish-form button[type=submit]:enabled")
    admin.fill("#publish-form input[name=note]", "书面回传提醒改为 1.5 小时")
    admin.click("#publish-form button[type=submit]")
    admin.wait_for_url(f"{base}/preplans/{KEY}")
    assert "v2" in admin.inner_text(".flash.success")
    assert "书面回传提醒改为 1.5 小时" in admin.inner_text("#versions tr[data-version='2']")
    screenshot(admin, "studio-published")

    # The next draft starts from v2 and links to what changed since v1.
    open_studio(admin, base, KEY)
    assert "基于 v2" in admin.inner_text("#based-on")
    admin.click("#compare-link")
    admin.wait_for_url(f"{base}/preplans/{KEY}/compare?old=1&new=2")


def test_trying_a_draft_saves_it_first_and_opens_the_trial(vanke_studio, new_page):
    flow, base = vanke_studio
    page = new_page()
    log_in(page, base, "owner")
    open_studio(page, base, KEY)
    pick(page, "Task_Dispatch", ".instructions")
    page.fill("#panel .instructions", "试运行前先保存。")
    page.press("#panel .instructions", "Tab")
    page.wait_for_selector("#studio[data-dirty='1']")
    page.click("#try-draft")
    page.wait_for_url(re.compile(rf"/preplans/{KEY}/draft/trials/"))
    assert "试运行前先保存。" in draft_files(flow)[f"{KEY}.bpmn"]


def test_the_form_editor_keeps_what_it_does_not_change_and_orders_fields(vanke_studio, new_page):
    flow, base = vanke_studio
    page = new_page()
    log_in(page, base, "owner")
    open_studio(page, base, KEY)
    folder = ROOT / "forms" / KEY
    forms = [path.name.removesuffix(".schema.json") for path in sorted(folder.glob("*.schema.json"))]
    for form in forms:
        page.click(f"#studio-files button[data-form='{form}.schema.json']")
        page.wait_for_selector("#form-editor[open] .form-field")
        if form == "intake":  # the contact moves before the complainant's name
            page.click("#form-editor .form-field[data-field='contact'] .up")
        page.click("#form-editor .save-form")
        page.wait_for_selector("#form-editor", state="hidden")
    save(page)
    files = draft_files(flow)
    for form in forms:
        before = json.loads((folder / f"{form}.schema.json").read_text(encoding="utf-8"))
        assert json.loads(files[f"forms/{form}.schema.json"]) == before, form
    ui = json.loads(files["forms/intake.ui.json"])
    order = json.loads((folder / "intake.ui.json").read_text(encoding="utf-8"))["ui:order"]
    at = order.index("contact")
    assert ui["ui:order"] == [*order[: at - 1], "contact", order[at - 1], *order[at + 1 :]]
    assert ui["description"] == {"ui:widget": "textarea"}


def test_an_uploaded_diagram_replaces_the_drafts_and_the_page_shows_it(vanke_studio, new_page, tmp_path):
    flow, base = vanke_studio
    diagram = (ROOT / "processes" / KEY / f"{KEY}.bpmn").read_text(encoding="utf-8")
    upload = tmp_path / f"{KEY}.bpmn"
    upload.write_text(diagram.replace('name="4小时未书面回传"', 'name="5小时未书面回传"'), encoding="utf-8")
    page = new_page()
    log_in(page, base, "owner")
    open_studio(page, base, KEY)
    page.set_input_files("#upload-form input[type=file]", str(upload))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector(".flash.success")
    page.wait_for_selector("#studio[data-ready]")
    assert 'name="5小时未书面回传"' in draft_files(flow)[f"{KEY}.bpmn"]
    assert "第 1 稿" in page.inner_text("#based-on")
    assert "5小时未书面回传" in page.inner_text("#element-picker")


def test_the_studio_speaks_the_readers_language(vanke_studio, new_page):
    _flow, base = vanke_studio
    page = new_page(locale="en")
    log_in(page, base, "owner")
    open_studio(page, base, KEY)
    assert page.inner_text("#save-draft") == "Save draft" and "Based on v1" in page.inner_text("#based-on")
    pick(page, "Timer_WrittenReport_4h", ".timer-kind")
    assert "clock hours" in page.inner_text("#panel .timer-kind") and "Number of hours" in page.inner_text("#panel")
    titles = page.eval_on_selector_all(".djs-context-pad .entry", "entries => entries.map(e => e.title)")
    assert "Delete" in titles
    page.click("button[name=language]")
    page.wait_for_selector("#studio[data-ready]")
    assert page.inner_text("#save-draft") == "保存草稿"
    pick(page, "Timer_WrittenReport_4h", ".timer-kind")
    assert "自然小时" in page.inner_text("#panel .timer-kind")
    assert "删除" in page.eval_on_selector_all(".djs-context-pad .entry", "entries => entries.map(e => e.title)")


def test_a_lanes_new_role_and_routing_are_written_into_preplan_toml(vanke_studio, new_page):
    flow, base = vanke_studio
    page = new_page()
    log_in(page, base, "owner")
    open_studio(page, base, KEY)
    pick(page, "Lane_Leader", ".lane-role")
    page.click("#panel .add-role summary")
    page.fill("#panel .role-key", "Vanke Board")
    page.fill("#panel .role-zh", "董事会")
    page.fill("#panel .role-en", "Board")
    page.click("#panel .role-add")
    assert "小写字母" in page.inner_text("#panel .new-role .error")
    page.fill("#panel .role-key", "vanke_board")
    page.click("#panel .role-add")
    page.wait_for_selector("#panel .lane-role")
    assert page.input_value("#panel .lane-role") == "vanke_board"
    page.select_option("#panel .lane-routing", "field")
    assert page.input_value("#panel .lane-field") == "dispatch_to"
    page.wait_for_selector("#findings-list[data-errors='0']")
    save(page)
    text = draft_files(flow)["preplan.toml"]
    manifest = tomllib.loads(text)
    assert manifest["lanes"]["Lane_Leader"] == "vanke_board"
    assert manifest["routing"]["Lane_Leader"] == {"field": "dispatch_to"}
    assert manifest["roles"]["vanke_board"] == {"zh": "董事会", "en": "Board"} and "vanke_leader" in manifest["roles"]
    assert "# 5.2.2: the project or department the CSC dispatches to" in text


def test_a_draft_older_than_the_newest_version_says_so_and_is_not_published(vanke_studio, new_page, tmp_path):
    flow, base = vanke_studio
    admin = new_page()
    log_in(admin, base, "root")
    open_studio(admin, base, KEY)
    pick(admin, "Task_Dispatch", ".instructions")
    admin.fill("#panel .instructions", "旧草稿。")
    admin.press("#panel .instructions", "Tab")
    save(admin)
    for folder in ("processes", "forms"):  # v2 deployed beside the draft, as `preplan deploy` would
        shutil.copytree(ROOT / folder / KEY, tmp_path / folder / KEY)
    readme = tmp_path / "processes" / KEY / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nv2\n", encoding="utf-8")
    flow.deploy(tmp_path / "processes" / KEY)
    open_studio(admin, base, KEY)
    assert "本草稿从 v1 开始编辑，但之后已发布了 v2" in admin.inner_text("#stale-draft")
    assert admin.get_attribute("#stale-draft a", "href").endswith(f"/preplans/{KEY}/versions/2.zip")
    assert admin.is_disabled("#publish-form button[type=submit]")


def test_discarding_asks_first_and_drops_the_draft(vanke_studio, new_page):
    flow, base = vanke_studio
    page = new_page()
    log_in(page, base, "owner")
    open_studio(page, base, KEY)
    pick(page, "Task_Dispatch", ".instructions")
    page.fill("#panel .instructions", "要放弃的修改。")
    page.press("#panel .instructions", "Tab")
    save(page)
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#discard-form button[type=submit]")
    assert draft_files(flow)[f"{KEY}.bpmn"].count("要放弃的修改。") == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#discard-form button[type=submit]")
    page.wait_for_url(f"{base}/preplans/{KEY}")
    page.wait_for_selector(".flash.success")
    assert "要放弃的修改。" not in draft_files(flow)[f"{KEY}.bpmn"]


def test_a_second_editor_is_told_who_saved_and_is_never_overwritten(vanke_studio, new_page):
    flow, base = vanke_studio
    first, second = new_page(), new_page()
    for page in (first, second):
        log_in(page, base, "owner")
        open_studio(page, base, KEY)
        pick(page, "Task_WrittenReport", ".instructions")
    first.fill("#panel .instructions", "先到先存。")
    first.press("#panel .instructions", "Tab")
    save(first)
    second.fill("#panel .instructions", "后存的不覆盖。")
    second.press("#panel .instructions", "Tab")
    second.click("#save-draft")
    second.wait_for_selector("#conflict[open]")
    assert "owner" in second.inner_text("#conflict .detail")
    assert "先到先存。" in draft_files(flow)[f"{KEY}.bpmn"]


def _extensions(xml: str) -> list[str]:
    """What the engine reads from a diagram beyond its shapes: every spiffworkflow element and attribute, every
    condition and timer, each with the id of the element it belongs to."""
    found = []

    def walk(node: ET.Element, owner: str) -> None:
        owner = node.get("id", owner)
        for name, value in node.attrib.items():
            if name.startswith(SPIFF):
                found.append(f"{owner} @{name}={value}")
        if node.tag.startswith(SPIFF) or node.tag in (
            f"{BPMN}conditionExpression",
            f"{BPMN}timeDuration",
            f"{BPMN}timeDate",
            f"{BPMN}timeCycle",
            f"{BPMN}script",
        ):
            attrs = sorted((k, v) for k, v in node.attrib.items() if not k.endswith("}type"))
            found.append(f"{owner} {node.tag} {attrs} {node.text or ''}")
        for child in node:
            walk(child, owner)

    walk(ET.fromstring(xml.encode()), "")
    return sorted(found)


def test_every_seed_diagram_keeps_its_extensions_through_the_modeller(vanke_studio, browser):
    _flow, base = vanke_studio
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    log_in(page, base, "root")
    open_studio(page, base, KEY)
    diagrams = {path.name: path.read_text(encoding="utf-8") for path in sorted(ROOT.glob("processes/*/*.bpmn"))}
    saved = page.evaluate(
        """async diagrams => {
            const descriptor = await (await fetch(JSON.parse(document.getElementById('studio').dataset.urls).moddle)).json();
            const out = {};
            for (const [name, xml] of Object.entries(diagrams)) {
                const host = document.createElement('div');
                document.body.append(host);
                const modeler = new BpmnJS({ container: host, moddleExtensions: { spiffworkflow: descriptor } });
                const { warnings } = await modeler.importXML(xml);
                out[name] = { warnings: warnings.map(w => w.message), xml: (await modeler.saveXML({ format: true })).xml };
                modeler.destroy();
                host.remove();
            }
            return out;
        }""",
        diagrams,
    )
    context.close()
    assert len(saved) == len(diagrams) > 20
    for name, original in diagrams.items():
        assert saved[name]["warnings"] == [], name
        assert _extensions(saved[name]["xml"]) == _extensions(original), name


def _expressions(kind: str) -> list[list[str]]:
    """Every timer ([type, text]) or condition ([text]) of the seed diagrams, once each."""
    found = set()
    for path in ROOT.glob("processes/*/*.bpmn"):
        for node in ET.parse(path).iter():
            if kind == "timer" and node.tag in (f"{BPMN}timeDuration", f"{BPMN}timeDate", f"{BPMN}timeCycle"):
                found.add((node.tag.removeprefix(BPMN), node.text or ""))
            elif kind == "condition" and node.tag == f"{BPMN}conditionExpression":
                found.add((node.text or "",))
    return [list(item) for item in sorted(found)]


def test_the_panel_reads_the_seeds_timers_and_conditions_back_and_writes_them_unchanged(vanke_studio, new_page):
    """A deadline or condition the panel offers as a choice is written back exactly as the seed has it; one it
    cannot offer is shown as written (raw), never rewritten."""
    _flow, base = vanke_studio
    page = new_page()
    log_in(page, base, "root")
    open_studio(page, base, KEY)
    timers, conditions = _expressions("timer"), _expressions("condition")
    read = page.evaluate(
        """async ([timers, conditions]) => {
            const { readTimer, writeTimer } = await import('/static/studio/timers.js');
            const { readCondition, writeCondition } = await import('/static/studio/conditions.js');
            return {
                timers: timers.map(([type, body]) => {
                    const choice = readTimer({ type, body });
                    return [choice.kind, choice.kind === 'raw' ? null : writeTimer(choice)];
                }),
                conditions: conditions.map(([text]) => {
                    const choice = readCondition(text);
                    return [choice.op, choice.op === 'raw' ? null : writeCondition(choice)];
                }),
            };
        }""",
        [timers, conditions],
    )
    kinds = {body: kind for (_type, body), (kind, _written) in zip(timers, read["timers"], strict=True)}
    for (type_, body), (kind, written) in zip(timers, read["timers"], strict=True):
        assert kind == "raw" or written == {"type": type_, "body": body.strip()}, body
    assert kinds['"PT4H"'] == "hours" and kinds["working_days(1)"] == "working_days"
    assert kinds['after("PT4H", received_at)'] == "hours" and kinds['after("P7D", received_at)'] == "hours"
    assert kinds["working_days(3, received_at)"] == "working_days" and kinds["at(dispatch_due)"] == "field"
    assert kinds['"R/P7D"'] == "raw" and kinds["working_days(follow_up_interval_days)"] == "raw"
    ops = {text: op for (text,), (op, _written) in zip(conditions, read["conditions"], strict=True)}
    for (text,), (op, written) in zip(conditions, read["conditions"], strict=True):
        assert op == "raw" or written == text.strip(), text
    assert ops['severity in ("important", "general")'] == "one_of" and ops['channel == "forum"'] == "is"
    assert ops["complainant_count >= 3"] == "ge" and ops["not compensation"] == "false" and ops["our_fault"] == "true"
    assert ops['received_by == "specialist" and (severity == "major" or urgent)'] == "raw"
    assert sum(op != "raw" for op in ops.values()) > 0.8 * len(ops)


def test_a_preplan_with_periodic_duties_opens_on_its_own_diagram_and_switches_to_a_dutys(
    sqlite_engine, live_server, new_page
):
    flow = Flow(sqlite_engine)
    flow.deploy(ROOT / "processes" / "petrochina_station")
    flow.user("root", "admin")
    page = new_page()
    log_in(page, live_server, "root")
    open_studio(page, live_server, "petrochina_station")
    assert page.is_visible("#diagram-choice") and page.input_value("#diagram-picker") == "petrochina_station.bpmn"
    assert "片区及加油站月度投诉考核" in page.inner_text("#diagram-picker")
    assert "月度投诉考核" not in page.inner_text("#element-picker")
    page.select_option("#diagram-picker", "petrochina_monthly_appraisal.bpmn")
    page.wait_for_function("document.querySelector('#element-picker').textContent.includes('Task_MonthlyAppraisal')")
    pick(page, "Timer_MonthlyAppraisal_Due", ".timer-kind")
