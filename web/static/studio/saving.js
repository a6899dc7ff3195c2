// Saving the draft and the page's buttons: "save" sends the changed files with the revision they were based on;
// a 409 (someone saved in between) says who and when and offers to reload, never overwriting. Trying and
// publishing save first; publishing waits while the checks find errors.

import { t } from './i18n.js';
import { saveDraft, ApiError } from './api.js';

export class Saving {
  constructor(root, draft, findings) {
    this.root = root;
    this.draft = draft;
    this.findings = findings;
    this.status = root.querySelector('#studio-status');
    this.saveButton = root.querySelector('#save-draft');
    this.errors = 0;
    this.saveButton.addEventListener('click', () => this.save());
    for (const form of root.querySelectorAll('form[data-saves-first]')) {
      form.addEventListener('submit', async event => {
        if (!draft.isDirty()) return;
        event.preventDefault();
        if (await this.save()) form.submit();
      });
    }
    const discard = root.querySelector('#discard-form');
    if (discard) discard.addEventListener('submit', e => { if (!window.confirm(t('Throw the draft away? Its changes are lost.'))) e.preventDefault(); });
    const conflict = document.getElementById('conflict');
    conflict.querySelector('.reload').addEventListener('click', () => window.location.reload());
    conflict.querySelector('.keep').addEventListener('click', () => conflict.close());
    window.addEventListener('beforeunload', e => { if (draft.isDirty() && !this.leaving) e.preventDefault(); });
    for (const form of root.querySelectorAll('form')) form.addEventListener('submit', () => { this.leaving = true; });
    this.update();
  }

  say(text, kind = '') {
    this.status.textContent = text;
    this.status.className = `status ${kind}`;
  }

  // Buttons follow the draft: save when there are changes, publish when there are no errors and no newer version.
  update() {
    const dirty = this.draft.isDirty();
    this.saveButton.disabled = !dirty;
    this.root.dataset.dirty = dirty ? '1' : '';
    if (dirty && !this.status.classList.contains('bad')) this.say(t('Unsaved changes'));
    for (const input of this.root.querySelectorAll('input[name=revision]')) input.value = String(this.draft.revision);
    const publish = this.root.querySelector('#publish-form button[type=submit]');
    if (publish) {
      publish.disabled = this.errors > 0 || this.draft.isStale();
      this.root.querySelector('#publish-blocked').hidden = this.errors === 0;
    }
  }

  setErrors(count) { this.errors = count; this.update(); }

  async save() {
    this.saveButton.disabled = true;
    this.say(t('Saving…'));
    try {
      await this.draft.exported;
      const files = this.draft.changedFiles();
      const answer = await saveDraft(this.draft.revision, files, this.draft.manifest());
      this.draft.markSaved(answer.revision, files);
      this.findings.show(answer.findings || []);
      this.say(t('Draft saved (revision %(revision)s).', { revision: answer.revision }), 'ok');
      this.root.dataset.revision = String(answer.revision);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        const conflict = document.getElementById('conflict');
        conflict.querySelector('.detail').textContent = t('%(who)s saved this draft at %(when)s, after you opened it. Reload to see their version (your unsaved changes are lost), or keep editing and copy your changes.', {
          who: error.body.updated_by || '?', when: error.body.updated_at || '?',
        });
        conflict.showModal();
        this.say(error.body.title || error.message, 'bad');
      } else {
        this.say(error.message, 'bad');
      }
      this.update();
      return false;
    }
  }
}
