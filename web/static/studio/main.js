// The studio: the draft's diagram in the bpmn-js Modeler (with our spiffworkflow extension types), the properties
// panel, the form and decision editors, live findings and saving. #studio[data-ready] marks the end of loading
// and #findings-list[data-count] each check's outcome (the browser tests wait for them).

import { t, pick, translateModeler } from './i18n.js';
import { loadDraft, urls } from './api.js';
import { Draft } from './draft.js';
import { Panel } from './panel.js';
import { Findings } from './findings.js';
import { FormEditor } from './forms.js';
import { DecisionEditor } from './decisions.js';
import { Saving } from './saving.js';
import { h } from './dom.js';
import { Extensions } from './extensions.js';

const root = document.getElementById('studio');

// The files beside the diagram: forms and decision tables, each opened in its editor.
function fileList(draft, formEditor, decisionEditor) {
  const list = document.getElementById('studio-files');
  const items = [
    ...draft.decisionFiles().map(file => h('li', {}, h('button', { type: 'button', class: 'link', 'data-dmn': file, onclick: () => decisionEditor.open(file) }, file))),
    ...draft.formRefs().map(ref => h('li', {}, h('button', { type: 'button', class: 'link', 'data-form': ref, onclick: () => formEditor.open(ref) }, ref))),
  ];
  list.replaceChildren(...items);
}

function versionLinks(draft) {
  const download = document.getElementById('download-zip');
  const compare = document.getElementById('compare-link');
  document.getElementById('based-on').textContent = draft.basedOn
    ? t('Based on v%(n)s; revision %(revision)s', { n: draft.basedOn, revision: draft.revision })
    : t('New preplan; revision %(revision)s', { revision: draft.revision });
  if (draft.basedOn) {
    download.href = urls.versionZip.replace('0.zip', `${draft.basedOn}.zip`);
    download.hidden = false;
  }
  // A draft older than the newest version would undo it when published: say so and offer the newest's zip.
  const stale = document.getElementById('stale-draft');
  stale.hidden = !draft.isStale();
  if (!stale.hidden) {
    stale.replaceChildren(t("This draft started from v%(based)s, but v%(newest)s was published since: publishing it would undo that version's changes. Discard the draft, or download v%(newest)s and upload it into the draft.", { based: draft.basedOn, newest: draft.newest }),
      ' ', h('a', { href: urls.versionZip.replace('0.zip', `${draft.newest}.zip`) }, `v${draft.newest}.zip`));
  }
  if (draft.basedOn > 1) {
    compare.href = `${urls.compare}?old=${draft.basedOn - 1}&new=${draft.basedOn}`;
    compare.hidden = false;
  }
}

// A preplan with periodic duties has a diagram for each: the picker switches the canvas between them, after the
// shown one's edits are in the draft's files.
function diagramChoice(draft, modeler, panel) {
  const choice = document.getElementById('diagram-choice');
  const picker = document.getElementById('diagram-picker');
  choice.hidden = draft.diagrams.length < 2;
  picker.replaceChildren(...draft.diagrams.map(d => h('option', { value: d.file },
    d.duty ? t('Periodic duty: %(title)s', { title: pick(d.title) || d.duty }) : t('The complaint process'))));
  picker.value = draft.diagram;
  picker.addEventListener('change', async () => {
    await draft.exported;
    draft.diagram = picker.value;
    await modeler.importXML(draft.files[draft.diagram]);
    modeler.get('canvas').zoom('fit-viewport');
    panel.fillPicker();
    panel.render();
  });
}

async function start() {
  const descriptor = await (await fetch(urls.moddle, { credentials: 'same-origin' })).json();
  const draft = new Draft(await loadDraft());
  const modeler = new BpmnJS({
    container: '#canvas',
    moddleExtensions: { spiffworkflow: descriptor },
    additionalModules: [{ translate: ['value', translateModeler] }],
  });
  const { warnings } = await modeler.importXML(draft.files[draft.diagram]);
  root.dataset.warnings = String(warnings.length);
  modeler.get('canvas').zoom('fit-viewport');

  const formEditor = new FormEditor(document.getElementById('form-editor'), draft);
  const decisionEditor = new DecisionEditor(document.getElementById('dmn-editor'), draft);
  let saving = null;
  // A finding's file opened in its editor (a form, a decision table), or null when it has none here.
  const openFile = file => {
    if (!file || draft.files[file] == null) return null;
    if (file.endsWith('.dmn')) return () => decisionEditor.open(file);
    if (file.startsWith('forms/') && file.endsWith('.schema.json')) return () => formEditor.open(file.slice('forms/'.length));
    return null;
  };
  const findings = new Findings(modeler, draft, document.getElementById('findings-list'), errors => saving && saving.setErrors(errors), openFile);
  saving = new Saving(root, draft, findings);
  const panel = new Panel(document.getElementById('panel'), document.getElementById('element-picker'), modeler, { draft, extensions: new Extensions(modeler), formEditor, decisionEditor });
  panel.render();
  diagramChoice(draft, modeler, panel);

  // Every command on the canvas updates the diagram file of the draft; every change of the draft is checked.
  modeler.on('commandStack.changed', () => {
    draft.keepLanes([...modeler.get('elementRegistry').filter(e => e.type === 'bpmn:Lane').map(e => e.id), ...draft.lanesElsewhere()]);
    draft.exported = modeler.saveXML({ format: true }).then(({ xml }) => draft.setFile(draft.diagram, xml));
  });
  draft.onChange(() => { findings.schedule(); saving.update(); fileList(draft, formEditor, decisionEditor); versionLinks(draft); });
  findings.show(draft.findings);
  fileList(draft, formEditor, decisionEditor);
  versionLinks(draft);
  window.addEventListener('keydown', e => {
    if ((e.ctrlKey || e.metaKey) && e.key === 's') { e.preventDefault(); if (draft.isDirty()) saving.save(); }
  });
  root.dataset.ready = '1';
}

start().catch(error => {
  document.getElementById('studio-status').textContent = t('The studio could not be opened: %(error)s', { error: error.message });
  root.dataset.error = error.message;
});
