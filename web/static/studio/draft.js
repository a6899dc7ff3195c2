// The draft being edited: the files and lane mapping as last saved, the edits made since, and who is told when
// something changes (the live check, the save button). Files are named as a version names them
// ("vanke.bpmn", "forms/intake.schema.json"); a deleted file is null.

export class Draft {
  constructor(answer) {
    this.listeners = [];
    this.exported = Promise.resolve();  // the diagram's latest export into files (bpmn-js exports asynchronously)
    this.load(answer);
  }

  load(answer) {
    this.key = answer.preplan;
    this.revision = answer.revision;
    this.basedOn = answer.based_on;
    this.newest = answer.newest;
    this.updatedBy = answer.updated_by;
    this.updatedAt = answer.updated_at;
    this.saved = { ...answer.files };
    this.files = { ...answer.files };
    this.roles = answer.roles.slice();
    this.lanes = { ...answer.lanes };
    this.routing = { ...answer.routing };
    this.unitKinds = answer.unit_kinds || [];
    this.fields = answer.fields || {};
    this.mayPublish = answer.may_publish;
    this.findings = answer.findings || [];
    this.newRoles = {};
    this.manifestChanged = false;
    // The preplan's own diagram first, then its periodic duties' ({file, duty, title}); one is edited at a time.
    this.diagrams = answer.diagrams || [];
    if (!this.diagrams.some(d => d.file === this.diagram)) {
      this.diagram = this.diagrams.length ? this.diagrams[0].file : Object.keys(this.files).filter(n => n.endsWith('.bpmn') && !n.includes('/')).sort()[0];
    }
  }

  onChange(listener) { this.listeners.push(listener); }

  changed() { for (const listener of this.listeners) listener(this); }

  setFile(name, text) {
    if (this.files[name] === text) return;
    this.files[name] = text;
    this.changed();
  }

  // Files that differ from the saved draft: {name: text | null}.
  changedFiles() {
    const out = {};
    for (const [name, text] of Object.entries(this.files)) if (this.saved[name] !== text) out[name] = text;
    for (const name of Object.keys(this.saved)) if (!(name in this.files)) out[name] = null;
    return out;
  }

  // The preplan.toml part of a save ({lanes, routing, roles}) when a lane's role or routing changed, else null.
  // `roles` is the whole [roles] table: the roles preplan.toml declares, those its lanes now use, the new ones.
  manifest() {
    if (!this.manifestChanged) return null;
    const declared = [...(this.files['preplan.toml'] || '').matchAll(/^\[roles\.([A-Za-z0-9_]+)\]/gm)].map(m => m[1]);
    const titles = Object.fromEntries(this.roles.map(r => [r.key, { zh: r.zh || r.key, en: r.en || r.key }]));
    const keys = new Set([...declared, ...Object.values(this.lanes), ...Object.keys(this.newRoles)]);
    const roles = Object.fromEntries([...keys].map(key => [key, titles[key] || { zh: key, en: key }]));
    return { lanes: this.lanes, routing: this.routing, roles };
  }

  // Started from an older version than the newest: publishing it would undo the newer version.
  isStale() { return Boolean(this.basedOn) && this.newest > this.basedOn; }

  isDirty() { return this.manifestChanged || Object.keys(this.changedFiles()).length > 0; }

  setLane(laneId, role, routing) {
    if (role !== undefined) { if (role) this.lanes[laneId] = role; else delete this.lanes[laneId]; }
    if (routing !== undefined) this.routing[laneId] = routing;
    this.manifestChanged = true;
    this.changed();
  }

  // The lanes of the diagrams not on the canvas (a periodic duty's): preplan.toml keeps their roles.
  lanesElsewhere() {
    return this.diagrams.filter(d => d.file !== this.diagram)
      .flatMap(d => [...(this.files[d.file] || '').matchAll(/<(?:[\w-]+:)?lane\b[^>]*?\bid="([^"]+)"/g)].map(m => m[1]));
  }

  // A lane deleted from the diagram leaves preplan.toml's [lanes] and [routing] with it.
  keepLanes(ids) {
    const gone = [...new Set([...Object.keys(this.lanes), ...Object.keys(this.routing)])].filter(id => !ids.includes(id));
    if (!gone.length) return;
    for (const id of gone) { delete this.lanes[id]; delete this.routing[id]; }
    this.manifestChanged = true;
    this.changed();
  }

  addRole(key, zh, en) {
    this.newRoles[key] = { zh, en };
    this.roles.push({ key, zh, en });
  }

  // `sent` = the files the save carried: edits made while it was on its way stay unsaved.
  markSaved(revision, sent) {
    this.revision = revision;
    for (const [name, text] of Object.entries(sent)) { if (text === null) delete this.saved[name]; else this.saved[name] = text; }
    this.newRoles = {};
    this.manifestChanged = false;
    this.changed();
  }

  // Form files: the reference a user task holds ("dispatch.schema.json", "_shared/x.schema.json") -> file name.
  formFile(ref) { return `forms/${ref}`; }
  formRefs() {
    return Object.keys(this.files).filter(n => n.startsWith('forms/') && n.endsWith('.schema.json') && this.files[n] !== null)
      .map(n => n.slice('forms/'.length)).sort();
  }

  decisionFiles() { return Object.keys(this.files).filter(n => n.endsWith('.dmn') && this.files[n] !== null).sort(); }
}
