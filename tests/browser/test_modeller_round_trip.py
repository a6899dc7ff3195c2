"""Every seed diagram opened in the bpmn-js Modeler the product ships and saved again is the same preplan: the
modeller's rewriting (its own indentation, prefixes, ids of event definitions, defaults) is layout only."""

from __future__ import annotations

import pytest

from engine.preplans.changes import compare_packages
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

MODELER = ROOT / "web" / "static" / "vendor" / "bpmn-js" / "bpmn-modeler.production.min.js"
SAVE = """async (xml) => {
    const modeler = new BpmnJS({ container: document.getElementById("canvas") });
    const { warnings } = await modeler.importXML(xml);
    const { xml: saved } = await modeler.saveXML({ format: true });
    modeler.destroy();
    return { saved, warnings: warnings.map((w) => w.message) };
}"""


def test_every_seed_diagram_saved_by_the_modeller_is_layout_only(new_page):
    page = new_page()
    page.set_content('<html><body><div id="canvas" style="width: 1200px; height: 800px"></div></body></html>')
    page.add_script_tag(path=str(MODELER))
    diagrams = sorted(ROOT.glob("processes/*/*.bpmn"))
    assert len(diagrams) >= 20
    differing = {}
    for path in diagrams:
        original = path.read_bytes()
        result = page.evaluate(SAVE, original.decode("utf-8"))
        assert result["warnings"] == [], f"{path.name}: {result['warnings']}"
        saved = result["saved"].encode("utf-8")
        assert saved != original, "the modeller writes its own way: the test must see a rewriting"
        compared = compare_packages({path.name: original}, {path.name: saved})
        if compared["changes"]:
            differing[path.name] = [(c["element"], c["what"], c["before"], c["after"]) for c in compared["changes"]]
        else:
            assert compared["layout_only"]
    assert differing == {}
