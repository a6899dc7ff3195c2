// The steps of a diagram in the panel: a user task's form, instructions, scripts, deadlines and reminders; a
// script task's script; a business rule task's decision (opened in dmn-js).

import { h, choice, row } from './dom.js';
import { t } from './i18n.js';
import { FORM_PROPERTY, bodyOf } from './extensions.js';
import { timerDefinition, timerEditor, interruptingToggle } from './timer-editor.js';

const FORM_NAME = /^[a-z][a-z0-9_]*$/;

function textArea(element, label, value, key, commit, note) {
  return row(label, h('textarea', { rows: '4', class: key, 'data-key': `${element.id}-${key}`, value, onchange: e => commit(e.target.value) }), note);
}

function newForm(task, ctx, name) {
  const file = ctx.draft.formFile(`${name}.schema.json`);
  if (ctx.draft.files[file]) return t('A form of this name exists: pick it from the list.');
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object',
    title: task.businessObject.name || name, required: [], properties: {}, additionalProperties: false,
  };
  ctx.draft.setFile(file, `${JSON.stringify(schema, null, 2)}\n`);
  ctx.extensions.setProperty(task, task.businessObject, FORM_PROPERTY, `${name}.schema.json`);
  return '';
}

// A form's own title (the schema's "title"), or its file name when it has none or cannot be read.
function formTitle(draft, ref) {
  try { return JSON.parse(draft.files[draft.formFile(ref)]).title || ref; } catch { return ref; }
}

function formRow(task, ctx) {
  const bo = task.businessObject;
  const property = ctx.extensions.propertyOf(bo, FORM_PROPERTY);
  const current = property ? property.value : '';
  const refs = ctx.draft.formRefs();
  if (current && !refs.includes(current)) refs.push(current);
  const select = choice([['', '—'], ...refs.map(r => [r, `${formTitle(ctx.draft, r)} (${r})`])], current, {
    class: 'task-form', 'data-key': `${task.id}-form`,
    onchange: e => ctx.extensions.setProperty(task, bo, FORM_PROPERTY, e.target.value),
  });
  const edit = h('button', { type: 'button', class: 'secondary edit-fields', disabled: !current || !ctx.draft.files[ctx.draft.formFile(current)],
    onclick: () => ctx.formEditor.open(current) }, t('Edit fields'));
  const name = h('input', { type: 'text', class: 'new-form-name', placeholder: 'follow_up', pattern: '[a-z][a-z0-9_]*' });
  const problem = h('p', { class: 'error', role: 'alert' });
  const create = h('button', { type: 'button', class: 'secondary new-form', onclick: () => {
    problem.textContent = FORM_NAME.test(name.value) ? newForm(task, ctx, name.value) : t('A form name is lower-case letters, digits and _ (e.g. follow_up).');
  } }, t('Create the form'));
  return h('div', {}, row(t('Form'), select), edit,
    h('details', { class: 'add-form' }, h('summary', {}, t('Create a new form')), row(t('Form name'), name), create, problem));
}

// Meaningful ids, as the conventions ask: Timer_WrittenReport_Reminder beside Task_WrittenReport.
const stem = task => task.id.replace(/^Task_/, '');
function freeId(modeler, wanted) {
  const registry = modeler.get('elementRegistry');
  let id = wanted;
  for (let n = 2; registry.get(id); n += 1) id = `${wanted}_${n}`;
  return id;
}

function addReminder(task, ctx) {
  const { modeler, modeling, extensions } = ctx;
  const shape = modeler.get('elementFactory').createShape({ type: 'bpmn:BoundaryEvent', eventDefinitionType: 'bpmn:TimerEventDefinition' });
  shape.businessObject.cancelActivity = false;
  // On the bottom edge, from the right, at the first place no other boundary event takes.
  const centres = task.attachers.map(a => a.x + a.width / 2);
  let x = task.x + task.width - 18;
  while (x > task.x && centres.some(c => Math.abs(c - x) < 36)) x -= 36;
  const position = { x, y: task.y + task.height };
  const reminder = modeling.createShape(shape, position, task, { attach: true });
  modeling.updateModdleProperties(reminder, timerDefinition(reminder.businessObject), { timeDuration: extensions.expression('"PT4H"') });
  modeling.updateProperties(reminder, { id: freeId(modeler, `Timer_${stem(task)}_Reminder`) });
  modeling.updateLabel(reminder, t('Reminder'));
  // A reminder leads to an end event of its own: the step stays open, the reminder's branch ends (as in the seeds).
  const end = modeling.appendShape(reminder, { type: 'bpmn:EndEvent' }, { x: position.x + 60, y: position.y + 80 });
  modeling.updateProperties(end, { id: freeId(modeler, `End_${stem(task)}_Reminded`) });
  modeling.updateLabel(end, t('Reminded'));
  ctx.select(reminder);
}

function timersRow(task, ctx) {
  const timers = task.attachers.filter(a => timerDefinition(a.businessObject));
  const box = h('section', { class: 'timers' }, h('h3', {}, t('Deadlines and reminders')));
  for (const timer of timers) {
    box.append(h('fieldset', { class: 'attached-timer', 'data-timer-of': timer.id },
      h('legend', {}, h('button', { type: 'button', class: 'link', onclick: () => ctx.select(timer) }, timer.businessObject.name || timer.id)),
      interruptingToggle(timer, ctx), timerEditor(timer, ctx)));
  }
  if (!timers.length) box.append(h('p', { class: 'help' }, t('No deadline yet.')));
  box.append(h('button', { type: 'button', class: 'secondary add-reminder', onclick: () => addReminder(task, ctx) }, t('Add a reminder')));
  return box;
}

export function userTaskSection(task, ctx) {
  const bo = task.businessObject;
  const set = type => text => ctx.extensions.setBody(task, bo, type, text);
  return h('section', { class: 'user-task' },
    formRow(task, ctx),
    textArea(task, t('Instructions'), bodyOf(bo, 'spiffworkflow:InstructionsForEndUser'), 'instructions', set('spiffworkflow:InstructionsForEndUser'),
      t('Shown on the step; {{ field }} inserts a value of the case.')),
    textArea(task, t('Script when the step opens'), bodyOf(bo, 'spiffworkflow:PreScript'), 'pre-script', set('spiffworkflow:PreScript')),
    textArea(task, t('Script when the step is done'), bodyOf(bo, 'spiffworkflow:PostScript'), 'post-script', set('spiffworkflow:PostScript'),
      t('e.g. done_at = now()')),
    timersRow(task, ctx));
}

export function scriptTaskSection(task, ctx) {
  return textArea(task, t('Script'), task.businessObject.script || '', 'script', text => ctx.modeling.updateProperties(task, { script: text }));
}

// Every decision of the draft's decision tables: [{id, name, file}].
export function decisions(draft) {
  const found = [];
  for (const file of draft.decisionFiles()) {
    const doc = new DOMParser().parseFromString(draft.files[file], 'application/xml');
    for (const decision of doc.getElementsByTagNameNS('*', 'decision')) {
      found.push({ id: decision.getAttribute('id'), name: decision.getAttribute('name') || decision.getAttribute('id'), file });
    }
  }
  return found;
}

export function ruleTaskSection(task, ctx) {
  const bo = task.businessObject;
  const current = bodyOf(bo, 'spiffworkflow:CalledDecisionId');
  const known = decisions(ctx.draft);
  const options = known.map(d => [d.id, `${d.name} (${d.file})`]);
  if (current && !known.some(d => d.id === current)) options.push([current, current]);
  const found = known.find(d => d.id === current);
  return h('section', { class: 'rule-task' },
    row(t('Decision'), choice([['', '—'], ...options], current, {
      class: 'task-decision', 'data-key': `${task.id}-decision`,
      onchange: e => ctx.extensions.setBody(task, bo, 'spiffworkflow:CalledDecisionId', e.target.value),
    })),
    h('button', { type: 'button', class: 'secondary open-decision', disabled: !found, onclick: () => ctx.decisionEditor.open(found.file, found.id) },
      t('Open the decision table')));
}

export function timerSection(event, ctx) {
  const box = h('section', { class: 'timer-event' }, h('h3', {}, t('Timer')));
  if (event.type === 'bpmn:BoundaryEvent') box.append(interruptingToggle(event, ctx));
  box.append(timerEditor(event, ctx));
  return box;
}
