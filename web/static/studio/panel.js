// The properties panel beside the canvas, for our conventions: it shows what the selected element means to the
// engine and edits it through bpmn-js's modeling commands. It is drawn again whenever the element changes; the
// control that had the focus gets it back (controls carry a data-key).

import { h, row } from './dom.js';
import { t } from './i18n.js';
import { caseFields } from './fields.js';
import { laneSection } from './lane.js';
import { flowSection } from './flow.js';
import { userTaskSection, scriptTaskSection, ruleTaskSection, timerSection } from './task.js';
import { timerDefinition } from './timer-editor.js';

function sectionsFor(element, ctx) {
  const bo = element.businessObject;
  const is = type => bo.$instanceOf(type);
  if (is('bpmn:Lane')) return [laneSection(element, ctx)];
  if (is('bpmn:UserTask')) return [userTaskSection(element, ctx)];
  if (is('bpmn:ScriptTask')) return [scriptTaskSection(element, ctx)];
  if (is('bpmn:BusinessRuleTask')) return [ruleTaskSection(element, ctx)];
  if (is('bpmn:Event') && timerDefinition(bo)) return [timerSection(element, ctx)];
  if (is('bpmn:SequenceFlow') && element.source && element.source.businessObject.$instanceOf('bpmn:ExclusiveGateway')) {
    return [flowSection(element, ctx)];
  }
  return [];
}

// What the picker offers: every element the panel edits, by name, so a keyboard user reaches any of them.
const PICKABLE = ['bpmn:Lane', 'bpmn:Task', 'bpmn:Event', 'bpmn:SequenceFlow', 'bpmn:Gateway', 'bpmn:SubProcess'];

const READABLE = 0.9;  // below this zoom a step's label cannot be read

// Selects an element and brings it into view at a readable size.
export function focusOn(modeler, element) {
  const canvas = modeler.get('canvas');
  modeler.get('selection').select(element);
  if (canvas.zoom() < READABLE) canvas.zoom(READABLE);
  canvas.scrollToElement(element);
}

export class Panel {
  constructor(host, picker, modeler, context) {
    this.host = host;
    this.picker = picker;
    picker.addEventListener('change', () => {
      const element = modeler.get('elementRegistry').get(picker.value);
      if (element) this.ctx.select(element);
    });
    modeler.on('commandStack.changed', () => this.fillPicker());
    this.element = null;
    this.modeler = modeler;
    this.ctx = {
      ...context,
      modeler,
      modeling: modeler.get('modeling'),
      pending: new Map(),
      fields: () => caseFields(context.draft.files, context.draft.fields),
      refresh: () => this.render(),
      select: element => focusOn(modeler, element),
    };
    modeler.on('selection.changed', ({ newSelection }) => { this.element = newSelection.length === 1 ? newSelection[0] : null; this.render(); });
    // Drawn again when the element, its gateway (a flow's conditions) or a timer on it (a step's deadlines) changed.
    modeler.on('elements.changed', ({ elements }) => {
      const shown = this.element;
      if (shown && elements.some(e => e === shown || e === shown.source || (shown.attachers || []).includes(e))) this.render();
    });
    this.fillPicker();
  }

  fillPicker() {
    const elements = this.modeler.get('elementRegistry').filter(e => e.type !== 'label' && PICKABLE.some(type => e.businessObject.$instanceOf(type)));
    const label = e => (e.businessObject.name ? `${e.businessObject.name} (${e.id})` : e.id);
    const options = elements.map(e => [e.id, label(e)]).sort((a, b) => a[1].localeCompare(b[1]));
    this.picker.replaceChildren(h('option', { value: '' }, '—'), ...options.map(([id, text]) => h('option', { value: id }, text)));
    this.picker.value = this.element ? this.element.id : '';
  }

  render() {
    this.picker.value = this.element && this.modeler.get('elementRegistry').get(this.element.id) ? this.element.id : '';
    const focused = document.activeElement && this.host.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    const chosen = this.element && this.modeler.get('elementRegistry').get(this.element.id);
    const element = chosen && chosen.type === 'label' ? chosen.labelTarget : chosen;
    this.host.replaceChildren();
    if (!element) {
      this.host.append(h('p', { class: 'help' }, t('Select a step, a lane, a timer or a gateway flow to edit it.')));
      return;
    }
    const bo = element.businessObject;
    this.host.append(h('h2', {}, bo.name || element.id), h('p', { class: 'help' }, h('code', {}, element.id)));
    this.host.append(row(t('Name'), h('input', {
      type: 'text', class: 'element-name', value: bo.name || '', 'data-key': `${element.id}-name`,
      onchange: e => this.ctx.modeling.updateLabel(element, e.target.value),
    })));
    this.host.append(...sectionsFor(element, this.ctx));
    if (focused) {
      const again = this.host.querySelector(`[data-key="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
  }
}
