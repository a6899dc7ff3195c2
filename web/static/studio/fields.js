// The case data a condition or a timer may name: the fields the draft's forms define, the labelled fields of
// preplan.toml ([fields]) and the literal outputs of its decision tables, each with the values it can take.

import { pick } from './i18n.js';

function choicesOf(prop) {
  if (Array.isArray(prop.oneOf)) return prop.oneOf.filter(o => 'const' in o).map(o => ({ value: o.const, title: o.title || String(o.const) }));
  if (Array.isArray(prop.enum)) return prop.enum.map(v => ({ value: v, title: String(v) }));
  return [];
}

function formFields(files) {
  const found = [];
  for (const [name, text] of Object.entries(files)) {
    if (!name.endsWith('.schema.json') || text === null) continue;
    let schema;
    try { schema = JSON.parse(text); } catch { continue; }
    for (const [field, prop] of Object.entries(schema.properties || {})) {
      found.push({ name: field, title: prop.title || field, type: prop.type, format: prop.format, values: choicesOf(prop) });
    }
  }
  return found;
}

// The quoted literal outputs of every decision table, per output name.
function decisionOutputs(files) {
  const found = [];
  for (const [name, text] of Object.entries(files)) {
    if (!name.endsWith('.dmn') || !text) continue;
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    for (const table of doc.getElementsByTagNameNS('*', 'decisionTable')) {
      const outputs = Array.from(table.children).filter(e => e.localName === 'output');
      outputs.forEach((output, column) => {
        const values = new Set();
        for (const rule of Array.from(table.children).filter(e => e.localName === 'rule')) {
          const entry = Array.from(rule.children).filter(e => e.localName === 'outputEntry')[column];
          const text = entry && entry.textContent.trim();
          if (text && /^"[^"]*"$/.test(text)) values.add(JSON.parse(text));
        }
        const field = output.getAttribute('name');
        if (field) found.push({ name: field, title: output.getAttribute('label') || field, type: 'string', values: [...values].map(v => ({ value: v, title: v })) });
      });
    }
  }
  return found;
}

// name -> {name, title, type, format, values}; a form's definition wins, then [fields] labels, then decisions.
export function caseFields(files, manifestFields) {
  const all = new Map();
  const merge = field => {
    const known = all.get(field.name);
    if (!known) { all.set(field.name, field); return; }
    if (!known.values.length && field.values.length) known.values = field.values;
  };
  formFields(files).forEach(merge);
  for (const [name, label] of Object.entries(manifestFields || {})) {
    const values = Object.entries(label.values || {}).map(([value, title]) => ({ value, title: pick(title) || value }));
    const known = all.get(name);
    if (known) { if (!known.values.length) known.values = values; } else all.set(name, { name, title: pick(label) || name, type: values.length ? 'string' : undefined, values });
  }
  decisionOutputs(files).forEach(merge);
  return [...all.values()].sort((a, b) => a.name.localeCompare(b.name));
}

// Fields a deadline may count from or be: dates and date-times of the forms, and computed [fields].
export function timeFields(fields) {
  return fields.filter(f => f.format === 'date-time' || f.format === 'date' || f.type === undefined);
}
