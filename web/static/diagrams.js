// Diagrams on catalogue pages: a bpmn-js viewer per .diagram[data-src]; lazy ones load when scrolled into view.
(function () {
  async function show(host) {
    if (host.dataset.loaded) return;
    host.dataset.loaded = '1';
    try {
      const xml = await (await fetch(host.dataset.src, { credentials: 'same-origin' })).text();
      const viewer = new BpmnJS({ container: host });
      const { warnings } = await viewer.importXML(xml);
      viewer.get('canvas').zoom('fit-viewport');
      host.dataset.warnings = String(warnings.length);
    } catch (err) {
      host.textContent = err.message || String(err);
      host.dataset.error = '1';
    }
  }
  const hosts = Array.from(document.querySelectorAll('.diagram[data-src]'));
  const watcher = 'IntersectionObserver' in window && new IntersectionObserver(entries => {
    for (const entry of entries) if (entry.isIntersecting) { watcher.unobserve(entry.target); show(entry.target); }
  }, { rootMargin: '200px' });
  for (const host of hosts) (host.dataset.lazy && watcher) ? watcher.observe(host) : show(host);
})();
