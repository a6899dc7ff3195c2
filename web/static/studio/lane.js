// A lane's role (one of the draft's roles, or a new one with Chinese and English titles) and where its tasks go
// (routing). Both live in preplan.toml, not in the diagram: they travel as the `manifest` part of a save.

import { h, choice, row } from './dom.js';
import { t, pick } from './i18n.js';

const ROLE_KEY = /^[a-z][a-z0-9_]*$/;

function routingKind(routing) {
  if (!routing || routing === 'case') return 'case';
  return Object.keys(routing)[0];
}

function newRoleForm(lane, ctx) {
  const key = h('input', { type: 'text', class: 'role-key', placeholder: 'vanke_x', pattern: '[a-z][a-z0-9_]*' });
  const zh = h('input', { type: 'text', class: 'role-zh', lang: 'zh-CN' });
  const en = h('input', { type: 'text', class: 'role-en', lang: 'en' });
  const add = h('button', {
    type: 'button', class: 'secondary role-add',
    onclick: () => {
      const problem = !ROLE_KEY.test(key.value) ? t('A role key is lower-case letters, digits and _ (e.g. vanke_csc).')
        : ctx.draft.roles.some(r => r.key === key.value) ? t('This role already exists.')
          : !zh.value.trim() || !en.value.trim() ? t('Give the role a Chinese and an English title.') : '';
      if (problem) { add.nextSibling.textContent = problem; return; }
      ctx.draft.addRole(key.value, zh.value.trim(), en.value.trim());
      ctx.draft.setLane(lane.id, key.value);
      ctx.refresh();
    },
  }, t('Create the role'));
  return h('fieldset', { class: 'new-role' }, h('legend', {}, t('New role')),
    row(t('Key'), key), row(t('Chinese title'), zh), row(t('English title'), en), add, h('p', { class: 'error', role: 'alert' }));
}

export function laneSection(lane, ctx) {
  const { draft } = ctx;
  const role = draft.lanes[lane.id] || '';
  const roles = [['', t('— no role —')], ...draft.roles.map(r => [r.key, `${pick(r)} (${r.key})`])];
  const box = h('section', { class: 'lane' }, h('h3', {}, t('Lane')));
  box.append(row(t('Role'), choice(roles, role, {
    class: 'lane-role', 'data-key': `${lane.id}-role`,
    onchange: e => { draft.setLane(lane.id, e.target.value); ctx.refresh(); },
  })));
  box.append(h('details', { class: 'add-role' }, h('summary', {}, t('Create a role')), newRoleForm(lane, ctx)));

  const routing = draft.routing[lane.id] || 'case';
  // A fixed unit or a form field not chosen yet waits here: an empty one is not a routing the engine takes.
  const kind = ctx.pending.get(lane.id) || routingKind(routing);
  const set = value => { ctx.pending.delete(lane.id); draft.setLane(lane.id, undefined, value); ctx.refresh(); };
  const wait = chosen => { ctx.pending.set(lane.id, chosen); ctx.refresh(); };
  box.append(row(t('Its tasks go to'), choice([
    ['case', t("the case's unit")], ['above', t('the nearest unit above of a kind')],
    ['unit', t('a fixed unit')], ['field', t('the unit chosen in a form field')],
  ], kind, {
    class: 'lane-routing', 'data-key': `${lane.id}-routing`,
    onchange: e => {
      const chosen = e.target.value;
      if (chosen === 'case') set('case');
      else if (chosen === 'above') set({ above: draft.unitKinds[0] || 'company' });
      else if (chosen === 'unit') wait('unit');
      else if (unitFields(ctx).length) set({ field: unitFields(ctx)[0].name });
      else wait('field');
    },
  })));
  if (kind === 'above') {
    box.append(row(t('Unit kind'), choice(draft.unitKinds.map(k => [k, k]), routing.above, {
      class: 'lane-kind', onchange: e => set({ above: e.target.value }),
    })));
  } else if (kind === 'unit') {
    box.append(row(t('Unit key'), h('input', {
      type: 'text', value: routing.unit || '', class: 'lane-unit', required: true, 'data-key': `${lane.id}-unit`,
      onchange: e => { if (e.target.value.trim()) set({ unit: e.target.value.trim() }); else e.target.reportValidity(); },
    })));
  } else if (kind === 'field') {
    const fields = unitFields(ctx).map(f => [f.name, `${f.title} (${f.name})`]);
    if (routing.field && !fields.some(([n]) => n === routing.field)) fields.push([routing.field, routing.field]);
    box.append(row(t('Form field'), choice(fields, routing.field || '', { class: 'lane-field', onchange: e => set({ field: e.target.value }) }),
      fields.length ? null : t('No form of this draft has a unit field ("format": "unit").')));
  }
  return box;
}

function unitFields(ctx) { return ctx.fields().filter(f => f.format === 'unit'); }
