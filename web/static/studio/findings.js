// Live checking: a moment after the last change (debounced), the unsaved edits are checked on the server
// (`preplan check` and bpmnlint); each finding is drawn at its element (a badge and a red or amber outline) and
// listed beside the canvas, where a click selects the element. Findings of a form or decision table are listed
// with their file, which a click opens in its editor. Whoever listens is told whether errors remain (publishing waits for none).

import { h } from './dom.js';
import { t } from './i18n.js';
import { checkDraft } from './api.js';
import { focusOn } from './panel.js';

const DELAY = 600;

export class Findings {
  constructor(modeler, draft, list, onResult, openFile) {
    this.openFile = openFile;
    this.modeler = modeler;
    this.draft = draft;
    this.list = list;
    this.onResult = onResult;
    this.timer = null;
    this.marked = [];
    this.round = 0;
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), DELAY);
  }

  async run() {
    const round = ++this.round;
    const files = this.draft.changedFiles();
    const manifest = this.draft.manifest();
    try {
      const answer = await checkDraft(files, manifest);
      if (round === this.round) this.show(answer.findings);
    } catch (error) {
      if (round === this.round) this.list.replaceChildren(h('li', { class: 'error' }, error.message));
    }
  }

  show(findings) {
    const canvas = this.modeler.get('canvas');
    const overlays = this.modeler.get('overlays');
    const registry = this.modeler.get('elementRegistry');
    overlays.remove({ type: 'finding' });
    for (const [id, marker] of this.marked) if (registry.get(id)) canvas.removeMarker(id, marker);
    this.marked = [];
    this.list.replaceChildren();
    const onDiagram = f => f.element && f.file === this.draft.diagram && registry.get(f.element);
    const badges = new Map();
    for (const finding of findings) {
      const marker = `finding-${finding.severity}`;
      const element = onDiagram(finding) ? registry.get(finding.element) : null;
      if (element && !badges.has(element.id)) {
        canvas.addMarker(element.id, marker);
        this.marked.push([element.id, marker]);
        const badge = h('span', { class: `finding-badge ${finding.severity}`, title: finding.message, 'data-finding': element.id }, '!');
        badges.set(element.id, badge);
        overlays.add(element.id, 'finding', { position: { top: -8, right: 8 }, html: badge });
      } else if (element) {
        badges.get(element.id).title += `\n${finding.message}`;
      }
      const where = element ? (element.businessObject.name || element.id) : [finding.file, finding.element].filter(Boolean).join(' · ');
      const text = [h('span', { class: `severity ${finding.severity}` }, t(`severity.${finding.severity}`)), ' ', where ? h('strong', {}, where) : null, ' ', finding.message];
      const open = element ? () => focusOn(this.modeler, element) : this.openFile(finding.file);
      this.list.append(h('li', { class: finding.severity, 'data-element': finding.element || '' },
        open ? h('button', { type: 'button', class: 'link', onclick: open }, ...text) : h('span', {}, ...text)));
    }
    if (!findings.length) this.list.append(h('li', { class: 'none' }, t('No findings: the draft passes the checks.')));
    const errors = findings.filter(f => f.severity === 'error').length;
    this.list.dataset.errors = String(errors);
    this.list.dataset.count = String(findings.length);
    this.onResult(errors);
  }

}
