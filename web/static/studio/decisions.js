// Decision tables in dmn-js: a .dmn file of the draft opened in a dialog at the chosen decision's table; "apply"
// writes the edited XML back into the draft (saved with the next save, checked at once).

import { t, translateModeler } from './i18n.js';

export class DecisionEditor {
  constructor(dialog, draft) {
    this.dialog = dialog;
    this.draft = draft;
    // Each view takes its own modules (dmn-js does not merge `common`'s additionalModules into a view's).
    const translated = { additionalModules: [{ translate: ['value', translateModeler] }] };
    this.modeler = new DmnJS({ container: dialog.querySelector('.dmn-canvas'), drd: translated, decisionTable: translated });
    this.problem = dialog.querySelector('.problem');
    dialog.querySelector('.apply-decision').addEventListener('click', () => this.apply());
    dialog.querySelector('.cancel-decision').addEventListener('click', () => dialog.close());
  }

  async open(file, decisionId) {
    this.file = file;
    this.problem.textContent = '';
    this.dialog.querySelector('.decision-file').textContent = t('Decision table: %(file)s', { file });
    this.dialog.showModal();
    try {
      await this.modeler.importXML(this.draft.files[file]);
      const views = this.modeler.getViews();
      const view = views.find(v => v.type === 'decisionTable' && (!decisionId || v.element.id === decisionId))
        || views.find(v => v.type === 'decisionTable') || views[0];
      if (view) await this.modeler.open(view);
      this.dialog.dataset.open = view ? view.element.id : '';
    } catch (error) {
      this.problem.textContent = t('The decision table could not be opened: %(error)s', { error: error.message });
    }
  }

  async apply() {
    const { xml } = await this.modeler.saveXML({ format: true });
    this.draft.setFile(this.file, xml);
    this.dialog.close();
  }
}
