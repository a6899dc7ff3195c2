// A sequence flow out of an exclusive gateway: its condition built from the case's fields (field, operator,
// values offered from the field's choices) or the gateway's default flow. An expression of another shape is shown
// read-only, never rewritten.

import { h, choice, row } from './dom.js';
import { t } from './i18n.js';
import { OPERATORS, readCondition, writeCondition } from './conditions.js';

// A typed value as the field holds it: numbers for integer and number fields, text otherwise.
function typed(text, field) {
  if (field && (field.type === 'integer' || field.type === 'number')) return Number(text);
  return text;
}

export function flowSection(flow, ctx) {
  const { modeling, extensions } = ctx;
  const gateway = flow.source;
  const bo = flow.businessObject;
  const isDefault = gateway.businessObject.default === bo;
  const box = h('section', { class: 'condition' }, h('h3', {}, t('Condition')));
  box.append(row(t('Default flow'), h('input', {
    type: 'checkbox', class: 'flow-default', checked: isDefault, 'data-key': `${flow.id}-default`,
    onchange: e => {
      if (e.target.checked && bo.conditionExpression) modeling.updateProperties(flow, { conditionExpression: undefined });
      modeling.updateProperties(gateway, { default: e.target.checked ? bo : undefined });
    },
  }), t('Taken when no other condition holds.')));
  if (isDefault) return box;

  const current = readCondition(bo.conditionExpression && bo.conditionExpression.body);
  if (current.op === 'raw') {
    box.append(row(t('Expression'), h('code', { class: 'raw' }, current.raw), t('This condition is not one of the shapes offered; it is kept as written.')));
    box.append(h('button', {
      type: 'button', class: 'secondary', onclick: () => modeling.updateProperties(flow, { conditionExpression: undefined }),
    }, t('Replace it with a new condition')));
    return box;
  }
  const fields = ctx.fields();
  // A condition being built (a field chosen, no value yet) is not in the diagram: it waits here between renders.
  const written = (bo.conditionExpression && bo.conditionExpression.body) || '';
  const pending = ctx.pending.get(flow.id);
  const state = pending && pending.written === written ? pending
    : { op: current.op === 'none' ? 'is' : current.op, field: current.field || '', values: current.values || [], written };
  ctx.pending.set(flow.id, state);
  const field = () => fields.find(f => f.name === state.field);
  const apply = () => {
    const body = writeCondition(state);
    if (body) modeling.updateProperties(flow, { conditionExpression: extensions.expression(body) });
  };
  const names = fields.map(f => [f.name, `${f.title} (${f.name})`]);
  if (state.field && !field()) names.push([state.field, state.field]);
  box.append(row(t('Field'), choice([['', '—'], ...names], state.field, {
    class: 'cond-field', 'data-key': `${flow.id}-field`,
    onchange: e => { state.field = e.target.value; state.values = []; if (['true', 'false'].includes(state.op)) apply(); else ctx.refresh(); },
  })));
  box.append(row(t('Operator'), choice(OPERATORS.map(o => [o, t(`op.${o}`)]), state.op, {
    class: 'cond-op', 'data-key': `${flow.id}-op`,
    onchange: e => { state.op = e.target.value; state.values = state.values.slice(0, 1); if (writeCondition(state)) apply(); else ctx.refresh(); },
  })));
  const known = field();
  if (state.op === 'is' || state.op === 'one_of') {
    if (known && known.values.length) {
      const list = h('div', { class: 'cond-values', role: 'group' });
      for (const option of known.values) {
        const checked = state.values.some(v => String(v) === String(option.value));
        list.append(h('label', { class: 'check' }, h('input', {
          type: state.op === 'is' ? 'radio' : 'checkbox', name: `${flow.id}-values`, value: String(option.value), checked,
          onchange: () => {
            const picked = Array.from(list.querySelectorAll('input:checked')).map(i => i.value);
            state.values = known.values.map(o => o.value).filter(v => picked.includes(String(v)));
            apply();
          },
        }), ` ${option.title}`));
      }
      box.append(row(t('Value'), list));
    } else {
      box.append(row(t('Value'), h('input', {
        type: 'text', class: 'cond-value', value: state.values.join(', '), 'data-key': `${flow.id}-value`,
        onchange: e => { state.values = e.target.value.split(',').map(v => v.trim()).filter(Boolean).map(v => typed(v, known)); apply(); },
      }), state.op === 'one_of' ? t('Separate values with commas.') : null));
    }
  } else if (state.op === 'ge' || state.op === 'le') {
    box.append(row(t('Value'), h('input', {
      type: 'number', class: 'cond-value', value: state.values.length ? String(state.values[0]) : '', 'data-key': `${flow.id}-value`,
      onchange: e => { state.values = e.target.value === '' ? [] : [Number(e.target.value)]; apply(); },
    })));
  }
  const body = writeCondition(state);
  box.append(h('p', { class: 'expression' }, body ? h('code', {}, body) : t('Choose a field and a value to make the condition.')));
  return box;
}
