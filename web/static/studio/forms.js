// The form-field editor: a step's form (forms/<name>.schema.json, JSON Schema 2020-12 as docs/authoring.md
// "Forms" describes it) edited as a list of fields: name, title, type, required, limits, help text, default.
// Keys it does not edit (x-confidential, pattern, …) are kept; the order goes to ui:order when a .ui.json exists.

import { h, choice, row } from './dom.js';
import { t } from './i18n.js';

const NAME = /^[a-z][a-z0-9_]*$/;
// Names the scripts' helpers take: a field of that name would hide the helper (check refuses them too).
const HELPERS = ['now', 'after', 'working_hours', 'working_days', 'next_opening', 'end_of_day', 'at', 'is_workday',
  'in_working_hours', 'hours_between', 'is_drill'];
const TYPES = ['text', 'longtext', 'integer', 'number', 'yesno', 'date', 'datetime', 'choice', 'unit', 'attachments'];
// The keys a field's type decides: rewritten from the row; every other key of the property is kept as it was.
const TYPED_KEYS = ['type', 'format', 'oneOf', 'enum', 'items', 'minimum', 'maximum', 'minLength', 'maxLength', 'maxItems'];

// The editor's kind of a property, or 'other' for shapes it leaves alone (objects, plain arrays).
function kindOf(prop, hints) {
  if (prop.format === 'attachments') return 'attachments';
  if (prop.format === 'unit') return 'unit';
  if (prop.format === 'date-time') return 'datetime';
  if (prop.format === 'date') return 'date';
  if (Array.isArray(prop.oneOf) || Array.isArray(prop.enum)) return 'choice';
  if (prop.type === 'boolean') return 'yesno';
  if (prop.type === 'integer' || prop.type === 'number') return prop.type;
  if (prop.type === 'string') return hints && hints['ui:widget'] === 'textarea' ? 'longtext' : 'text';
  return 'other';
}

function limitsOf(kind) {
  if (kind === 'integer' || kind === 'number') return ['minimum', 'maximum'];
  if (kind === 'text' || kind === 'longtext') return ['minLength', 'maxLength'];
  if (kind === 'attachments') return ['maxItems'];
  return [];
}

// One row of the editor from a property.
function fieldOf(name, prop, required, hints) {
  const kind = kindOf(prop, hints);
  const choices = (prop.oneOf || []).filter(o => 'const' in o).map(o => `${o.const}=${o.title || o.const}`)
    .concat((prop.enum || []).map(v => String(v)));
  const limits = {};
  for (const key of limitsOf(kind)) if (key in prop) limits[key] = String(prop[key]);
  return { original: name, name, prop, kind, originalKind: kind, title: prop.title || '', description: prop.description || '',
    required, choices: choices.join('\n'), originalChoices: choices.join('\n'), limits,
    default: 'default' in prop ? String(prop.default) : '' };
}

function typedDefault(field) {
  const text = field.default.trim();
  if (text === '') return undefined;
  if (field.kind === 'yesno') return text === 'true';
  if (field.kind === 'integer' || field.kind === 'number') return Number(text);
  return text;
}

// The property of a row: the original's keys (those of its former type dropped when the type changed), then what
// the row says.
function propertyOf(field) {
  const retyped = field.kind !== field.originalKind;
  const prop = {};
  for (const [key, value] of Object.entries(field.prop)) if (!retyped || !TYPED_KEYS.includes(key)) prop[key] = value;
  if (retyped) {
    Object.assign(prop, {
      text: { type: 'string' }, longtext: { type: 'string' }, integer: { type: 'integer' }, number: { type: 'number' },
      yesno: { type: 'boolean' }, date: { type: 'string', format: 'date' }, datetime: { type: 'string', format: 'date-time' },
      choice: { type: 'string' }, unit: { type: 'string', format: 'unit' },
      attachments: { type: 'array', format: 'attachments', items: { type: 'integer' } },
    }[field.kind]);
  }
  prop.title = field.title;
  if (field.description) prop.description = field.description; else delete prop.description;
  if (field.kind === 'choice' && (retyped || field.choices !== field.originalChoices)) {
    delete prop.enum;
    // Numeric choices (an integer enum) stay numbers.
    const numeric = ['integer', 'number'].includes(field.prop.type);
    if (numeric) prop.type = field.prop.type;
    prop.oneOf = field.choices.split('\n').map(l => l.trim()).filter(Boolean).map(line => {
      const [value, ...title] = line.split('=');
      return { const: numeric ? Number(value.trim()) : value.trim(), title: (title.join('=') || value).trim() };
    });
  }
  for (const key of limitsOf(field.kind)) {
    if (field.limits[key] !== undefined && field.limits[key] !== '') prop[key] = Number(field.limits[key]); else delete prop[key];
  }
  const value = typedDefault(field);
  if (value === undefined) delete prop.default; else prop.default = value;
  return prop;
}

// What is wrong with the rows, in the reader's language, or ''.
function problemOf(fields) {
  const seen = new Set();
  for (const field of fields) {
    if (!NAME.test(field.name)) return t('Field name "%(name)s": lower-case letters, digits and _, starting with a letter (e.g. reply_at).', { name: field.name });
    if (HELPERS.includes(field.name)) return t('Field name "%(name)s" is the name of a helper; choose another.', { name: field.name });
    if (seen.has(field.name)) return t('Two fields are named "%(name)s".', { name: field.name });
    seen.add(field.name);
    if (!field.title.trim()) return t('Field "%(name)s" needs a title.', { name: field.name });
    if (field.kind === 'choice' && !field.choices.trim()) return t('Field "%(name)s" needs at least one choice.', { name: field.name });
    for (const value of Object.values(field.limits)) if (value !== '' && !Number.isFinite(Number(value))) return t('Field "%(name)s": limits are numbers.', { name: field.name });
    if (['integer', 'number'].includes(field.kind) && field.default.trim() && !Number.isFinite(Number(field.default))) {
      return t('Field "%(name)s": the default must be a number.', { name: field.name });
    }
  }
  return '';
}

export class FormEditor {
  constructor(dialog, draft) {
    this.dialog = dialog;
    this.draft = draft;
    this.list = dialog.querySelector('.fields');
    this.problem = dialog.querySelector('.problem');
    dialog.querySelector('.add-field').addEventListener('click', () => {
      this.fields.push(fieldOf(`field_${this.fields.length + 1}`, { type: 'string' }, false, {}));
      this.render();
      this.list.lastElementChild.querySelector('.field-name').focus();
    });
    dialog.querySelector('.save-form').addEventListener('click', () => this.save());
    dialog.querySelector('.cancel-form').addEventListener('click', () => dialog.close());
  }

  open(ref) {
    this.file = this.draft.formFile(ref);
    this.uiFile = this.file.replace(/\.schema\.json$/, '.ui.json');
    this.schema = JSON.parse(this.draft.files[this.file]);
    this.ui = this.draft.files[this.uiFile] ? JSON.parse(this.draft.files[this.uiFile]) : null;
    const required = new Set(this.schema.required || []);
    const order = (this.ui && this.ui['ui:order']) || [];
    const names = Object.keys(this.schema.properties || {});
    const position = n => (order.includes(n) ? order.indexOf(n) : order.length + names.indexOf(n));
    this.fields = names.sort((a, b) => position(a) - position(b))
      .map(n => fieldOf(n, this.schema.properties[n], required.has(n), (this.ui && this.ui[n]) || {}));
    this.dialog.querySelector('.form-title').textContent = t('Form fields: %(form)s', { form: `${this.schema.title || ref} (${ref})` });
    this.problem.textContent = '';
    this.render();
    this.dialog.showModal();
  }

  move(index, by) {
    const [field] = this.fields.splice(index, 1);
    this.fields.splice(index + by, 0, field);
    this.render();
  }

  render() {
    this.list.replaceChildren(...this.fields.map((field, index) => this.rowOf(field, index)));
  }

  rowOf(field, index) {
    const bind = (key, control, event = 'input') => {
      control.addEventListener(event, e => { field[key] = e.target.type === 'checkbox' ? e.target.checked : e.target.value; });
      return control;
    };
    const limit = key => row(t(`limit.${key}`), h('input', {
      type: 'number', class: `limit-${key}`, value: field.limits[key] || '',
      oninput: e => { field.limits[key] = e.target.value; },
    }));
    const kinds = field.kind === 'other' ? [['other', t('type.other')]] : TYPES.map(k => [k, t(`type.${k}`)]);
    return h('li', { class: 'form-field', 'data-field': field.name },
      h('div', { class: 'field-main' },
        row(t('Field name'), bind('name', h('input', { type: 'text', class: 'field-name', value: field.name, pattern: '[a-z][a-z0-9_]*', required: true }))),
        row(t('Title'), bind('title', h('input', { type: 'text', class: 'field-title', value: field.title, required: true }))),
        row(t('Type'), choice(kinds, field.kind, {
          class: 'field-type', disabled: field.kind === 'other',
          onchange: e => { field.kind = e.target.value; field.limits = {}; this.render(); },
        })),
        h('label', { class: 'check' }, bind('required', h('input', { type: 'checkbox', class: 'field-required', checked: field.required }), 'change'), ` ${t('Required')}`)),
      h('div', { class: 'field-more' },
        field.kind === 'choice' ? row(t('Choices'), bind('choices', h('textarea', { rows: '3', class: 'field-choices', value: field.choices })),
          t('One per line: value=title, e.g. phone=电话')) : null,
        ...limitsOf(field.kind).map(limit),
        row(t('Help text'), bind('description', h('input', { type: 'text', class: 'field-help', value: field.description }))),
        field.kind === 'yesno'
          ? row(t('Default'), bind('default', choice([['', '—'], ['true', t('yes')], ['false', t('no')]], field.default, { class: 'field-default' }), 'change'))
          : row(t('Default'), bind('default', h('input', { type: 'text', class: 'field-default', value: field.default })))),
      h('div', { class: 'field-tools' },
        h('button', { type: 'button', class: 'secondary up', disabled: index === 0, 'aria-label': t('Move up'), onclick: () => this.move(index, -1) }, '↑'),
        h('button', { type: 'button', class: 'secondary down', disabled: index === this.fields.length - 1, 'aria-label': t('Move down'), onclick: () => this.move(index, 1) }, '↓'),
        h('button', { type: 'button', class: 'danger remove', onclick: () => { this.fields.splice(index, 1); this.render(); } }, t('Remove'))));
  }

  save() {
    const problem = problemOf(this.fields);
    this.problem.textContent = problem;
    if (problem) return;
    const properties = {};
    for (const field of this.fields) properties[field.name] = propertyOf(field);
    // required keeps its order (renamed fields under their new name), newly required fields after it.
    const wanted = this.fields.filter(f => f.required).map(f => f.name);
    const renamed = Object.fromEntries(this.fields.map(f => [f.original, f.name]));
    const kept = (this.schema.required || []).map(n => renamed[n] ?? n).filter(n => wanted.includes(n));
    const required = [...kept, ...wanted.filter(n => !kept.includes(n))];
    const schema = { ...this.schema, properties, required };
    if (!required.length && !('required' in this.schema)) delete schema.required;  // nothing required: left out as it was
    this.draft.setFile(this.file, `${JSON.stringify(schema, null, 2)}\n`);
    const ui = this.uiOf();
    if (ui) this.draft.setFile(this.uiFile, `${JSON.stringify(ui, null, 2)}\n`);
    this.dialog.close();
  }

  // The .ui.json after the edit: its order and long-text widgets follow the rows; null when none is needed.
  uiOf() {
    const needsWidget = this.fields.some(f => f.kind === 'longtext');
    if (!this.ui && !needsWidget) return null;
    const ui = { ...(this.ui || {}) };
    for (const field of this.fields) {
      if (field.original !== field.name && ui[field.original]) { ui[field.name] = ui[field.original]; delete ui[field.original]; }
      const hints = { ...(ui[field.name] || {}) };
      if (field.kind === 'longtext') hints['ui:widget'] = 'textarea';
      else if (hints['ui:widget'] === 'textarea') delete hints['ui:widget'];
      if (Object.keys(hints).length) ui[field.name] = hints; else delete ui[field.name];
    }
    const names = this.fields.map(f => f.name);
    for (const key of Object.keys(ui)) if (!key.startsWith('ui:') && !names.includes(key)) delete ui[key];
    if (this.ui && this.ui['ui:order']) ui['ui:order'] = names;
    return ui;
  }
}
