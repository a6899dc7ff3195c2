"""Every diagram in processes/ imports into bpmn-js with zero warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "web" / "static" / "vendor" / "bpmn-js"
DIAGRAMS = sorted(ROOT.glob("processes/*/*.bpmn"))

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def modeler_page(browser):
    """An empty page with the bpmn-js modeler bundle loaded (the same bundle process owners would edit with)."""
    page = browser.new_page()
    page.set_content('<div id="canvas" style="width:1600px;height:1000px"></div>')
    page.add_script_tag(path=str(VENDOR / "bpmn-modeler.production.min.js"))
    yield page
    page.close()


@pytest.mark.parametrize("path", DIAGRAMS, ids=[p.parent.name for p in DIAGRAMS])
def test_diagram_imports_into_bpmn_js_without_warnings(modeler_page, path):
    result = modeler_page.evaluate(
        """async (xml) => {
            const modeler = new BpmnJS({ container: '#canvas' });
            try {
                const { warnings } = await modeler.importXML(xml);
                const { xml: saved } = await modeler.saveXML({ format: true });
                const again = await new BpmnJS({ container: '#canvas' }).importXML(saved);
                return { warnings: warnings.map(w => w.message), again: again.warnings.length,
                         elements: modeler.get('elementRegistry').getAll().length };
            } finally { modeler.destroy(); }
        }""",
        path.read_text(encoding="utf-8"),
    )
    assert result["warnings"] == [], result["warnings"]
    assert result["again"] == 0 and result["elements"] > 3
