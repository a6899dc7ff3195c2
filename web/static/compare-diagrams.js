// The compare page: both versions' diagrams (bpmn-js navigated viewer), added elements marked green on the newer,
// removed ones red on the older, changed ones orange on both, each with a badge (✚ − ✎) so the colour is not the
// only cue. window.preplanCompare reports the outcome for tests: {old: {ready, error, markers}, new: {…}}; each
// host gets data-ready when done (the Content-Security-Policy forbids tests evaluating code in the page).
(function () {
  const BADGES = { added: '✚', removed: '−', changed: '✎' };
  const state = window.preplanCompare = {};
  async function show(host, side) {
    const report = state[side] = { ready: false, error: null, markers: {} };
    try {
      const xml = await (await fetch(host.dataset.src, { credentials: 'same-origin' })).text();
      const viewer = new BpmnJS({ container: host });
      await viewer.importXML(xml);
      const canvas = viewer.get('canvas');
      const registry = viewer.get('elementRegistry');
      const overlays = viewer.get('overlays');
      for (const kind of ['added', 'removed', 'changed']) {
        report.markers[kind] = [];
        for (const id of JSON.parse(host.dataset[kind] || '[]')) {
          const element = registry.get(id);
          if (!element) continue;
          canvas.addMarker(id, 'diff-' + kind);
          const badge = document.createElement('span');
          badge.className = 'diff-badge diff-' + kind;
          badge.textContent = BADGES[kind];
          overlays.add(id, 'diff', { position: element.waypoints ? { top: -8, left: -8 } : { top: -10, right: 10 }, html: badge });
          report.markers[kind].push(id);
        }
      }
      canvas.zoom('fit-viewport');
      focus(canvas, Object.values(report.markers).flat().map(id => registry.get(id)));
    } catch (err) {
      report.error = String(err);
      host.textContent = err.message || String(err);
    }
    report.ready = true;
    host.dataset.ready = '1';
  }
  // the marked elements fill the view (with room around them), so a change in a large diagram is readable
  function focus(canvas, elements) {
    const points = elements.flatMap(e => e.waypoints || [{ x: e.x, y: e.y }, { x: e.x + e.width, y: e.y + e.height }]);
    if (!points.length) return;
    const pad = 120;
    const x = Math.min(...points.map(p => p.x)) - pad, y = Math.min(...points.map(p => p.y)) - pad;
    const width = Math.max(...points.map(p => p.x)) + pad - x, height = Math.max(...points.map(p => p.y)) + pad - y;
    const whole = canvas.viewbox();
    if (width < whole.width || height < whole.height) canvas.viewbox({ x, y, width, height });
  }
  show(document.getElementById('diagram-old'), 'old');
  show(document.getElementById('diagram-new'), 'new');
})();
