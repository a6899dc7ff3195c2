// The deadline of one timer event as a choice of kind (clock hours, working hours, working days, next opening, a
// date field of the case) and an amount, optionally counted from a date-time field; an expression that is none
// of these is shown read-only with a note, so nothing is lost by opening it.

import { h, choice, row } from './dom.js';
import { t } from './i18n.js';
import { KINDS, readTimer, writeTimer, timerOf } from './timers.js';
import { timeFields } from './fields.js';

const COUNTED = ['hours', 'working_hours', 'working_days'];

export function timerDefinition(bo) {
  return (bo.eventDefinitions || []).find(d => d.$instanceOf('bpmn:TimerEventDefinition'));
}

// Controls for the timer of `element`; `ctx` = {modeling, extensions, fields}.
export function timerEditor(element, ctx) {
  const definition = timerDefinition(element.businessObject);
  const current = readTimer(timerOf(definition));
  const box = h('div', { class: 'timer', 'data-timer': element.id });
  if (current.kind === 'raw') {
    box.append(row(t('Deadline'), h('code', { class: 'raw' }, current.raw || '—'), t('This deadline is not one of the kinds offered; it is kept as written.')));
    return box;
  }
  const choiceNow = { amount: 1, from: '', field: '', ...current };
  const dates = timeFields(ctx.fields());
  const apply = () => {
    const { type, body } = writeTimer(choiceNow);
    const update = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
    update[type] = ctx.extensions.expression(body);
    ctx.modeling.updateModdleProperties(element, definition, update);
  };
  const fieldOptions = (extra) => {
    const names = dates.map(f => [f.name, `${f.title} (${f.name})`]);
    if (extra && !names.some(([n]) => n === extra)) names.push([extra, extra]);
    return names;
  };
  const kind = choice(KINDS.map(k => [k, t(`timer.${k}`)]), choiceNow.kind, {
    'data-key': `${element.id}-kind`, class: 'timer-kind',
    onchange: e => {
      choiceNow.kind = e.target.value;
      if (choiceNow.kind === 'working_days') choiceNow.amount = Math.max(1, Math.round(choiceNow.amount || 1));
      if (COUNTED.includes(choiceNow.kind) && !(choiceNow.amount > 0)) choiceNow.amount = 1;
      if (choiceNow.kind === 'field') choiceNow.field = choiceNow.field || (dates[0] || {}).name || '';
      if (choiceNow.kind !== 'field' || choiceNow.field) apply();
    },
  });
  box.append(row(t('Deadline'), kind));
  if (COUNTED.includes(choiceNow.kind)) {
    const amount = h('input', {
      type: 'number', min: choiceNow.kind === 'working_days' ? '1' : '0.25', step: choiceNow.kind === 'working_days' ? '1' : '0.25',
      value: String(choiceNow.amount), class: 'timer-amount', 'data-key': `${element.id}-amount`,
      onchange: e => {
        const value = Number(e.target.value);
        if (!(value > 0) || (choiceNow.kind === 'working_days' && !Number.isInteger(value))) {
          e.target.setCustomValidity(t('Enter a positive amount (whole days for working days).'));
          e.target.reportValidity();
          return;
        }
        e.target.setCustomValidity('');
        choiceNow.amount = value;
        apply();
      },
    });
    box.append(row(t(`unit.${choiceNow.kind}`), amount));
    const from = choice([['', t('when the step starts')], ...fieldOptions(choiceNow.from)], choiceNow.from, {
      'data-key': `${element.id}-from`, class: 'timer-from',
      onchange: e => { choiceNow.from = e.target.value; apply(); },
    });
    box.append(row(t('Counted from'), from));
  }
  if (choiceNow.kind === 'field') {
    const field = choice(fieldOptions(choiceNow.field), choiceNow.field, {
      'data-key': `${element.id}-field`, class: 'timer-field',
      onchange: e => { choiceNow.field = e.target.value; apply(); },
    });
    box.append(row(t('Date field of the case'), field));
  }
  if (choiceNow.kind !== 'field' || choiceNow.field) box.append(h('p', { class: 'expression' }, h('code', {}, writeTimer(choiceNow).body)));
  return box;
}

// Interrupting (the step is taken away: an escalation) or not (a reminder in parallel), for a boundary timer.
export function interruptingToggle(element, ctx) {
  const bo = element.businessObject;
  const interrupting = bo.cancelActivity !== false;
  return row(t('When it fires'), choice([['true', t('the step is taken away (escalation)')], ['false', t('the step stays open (reminder)')]], String(interrupting), {
    'data-key': `${element.id}-interrupting`, class: 'timer-interrupting',
    onchange: e => ctx.modeling.updateProperties(element, { cancelActivity: e.target.value === 'true' }),
  }));
}
