// The case's diagram (bpmn-js navigated viewer) with done / active / overdue steps marked.
// window.preplanDiagram reports the outcome for tests: {ready, warnings, error, markers}.
(async function () {
  const host = document.getElementById('diagram');
  if (!host) return;
  const state = window.preplanDiagram = { ready: false, warnings: [], error: null, markers: {} };
  try {
    const xml = await (await fetch(host.dataset.src, { credentials: 'same-origin' })).text();
    const viewer = new BpmnJS({ container: host });
    const { warnings } = await viewer.importXML(xml);
    state.warnings = warnings.map(w => w.message);
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    canvas.zoom('fit-viewport');
    for (const kind of ['done', 'active', 'overdue']) {
      state.markers[kind] = [];
      for (const id of JSON.parse(host.dataset[kind] || '[]')) {
        if (registry.get(id)) { canvas.addMarker(id, kind); state.markers[kind].push(id); }
      }
    }
  } catch (err) {
    state.error = String(err);
    host.textContent = err.message || String(err);
  }
  state.ready = true;
})();
