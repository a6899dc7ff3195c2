// The case's diagram (bpmn-js navigated viewer) with done / active / overdue steps marked, and its view tools:
// zoom in and out, fit, the current step at a readable size, full screen (on a phone, touching the diagram opens it
// full screen; the same button closes it).
// window.preplanDiagram reports the outcome for tests: {ready, warnings, error, markers, zoom}; #diagram[data-ready]
// marks the end (tests wait for it: the Content-Security-Policy forbids them evaluating code in the page).
(async function () {
  const host = document.getElementById('diagram');
  if (!host) return;
  const box = document.getElementById('diagram-box');
  const state = window.preplanDiagram = { ready: false, warnings: [], error: null, markers: {}, zoom: null };
  const READABLE = 0.8;  // below this labels are too small to read
  try {
    const xml = await (await fetch(host.dataset.src, { credentials: 'same-origin' })).text();
    const viewer = new BpmnJS({ container: host });
    const { warnings } = await viewer.importXML(xml);
    state.warnings = warnings.map(w => w.message);
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    for (const kind of ['done', 'active', 'overdue']) {
      state.markers[kind] = [];
      for (const id of JSON.parse(host.dataset[kind] || '[]')) {
        if (registry.get(id)) { canvas.addMarker(id, kind); state.markers[kind].push(id); }
      }
    }
    const current = () => {
      const shapes = state.markers.active.concat(state.markers.overdue).map(id => registry.get(id)).filter(Boolean);
      if (!shapes.length) { canvas.zoom('fit-viewport'); return; }
      const x = Math.min(...shapes.map(s => s.x)), y = Math.min(...shapes.map(s => s.y));
      const right = Math.max(...shapes.map(s => s.x + s.width)), bottom = Math.max(...shapes.map(s => s.y + s.height));
      canvas.zoom(READABLE, { x: (x + right) / 2, y: (y + bottom) / 2 });
      const box = canvas.viewbox();
      canvas.viewbox({ x: (x + right) / 2 - box.width / 2, y: (y + bottom) / 2 - box.height / 2,
                       width: box.width, height: box.height });
    };
    const show = () => { state.zoom = canvas.zoom(); };
    const actions = {
      in: () => canvas.zoom(canvas.zoom() * 1.25),
      out: () => canvas.zoom(canvas.zoom() / 1.25),
      fit: () => canvas.zoom('fit-viewport'),
      current,
      fullscreen: button => {
        const on = box.classList.toggle('fullscreen');
        button.setAttribute('aria-pressed', String(on));
        canvas.resized();
        current();
      },
    };
    for (const button of box.querySelectorAll('[data-zoom]')) {
      button.addEventListener('click', () => { actions[button.dataset.zoom](button); show(); });
    }
    canvas.zoom('fit-viewport');
    if (canvas.zoom() < READABLE) current();  // a large diagram opens on the current step, labels readable
    const toggle = box.querySelector('[data-zoom=fullscreen]');
    host.addEventListener('click', () => {
      if (window.matchMedia('(max-width: 700px)').matches && !box.classList.contains('fullscreen')) actions.fullscreen(toggle);
    });
    show();
  } catch (err) {
    state.error = String(err);
    host.textContent = err.message || String(err);
  }
  state.ready = true;
  host.dataset.ready = '1';
})();
