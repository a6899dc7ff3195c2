// The page's words: the template puts every label, translated with _(), into #studio[data-text]; the scripts never
// hold a sentence of their own. t('key', {n: 3}) fills %(n)s placeholders as the server's catalogues do.

const host = document.getElementById('studio');
const TEXT = JSON.parse(host.dataset.text);
export const LANGUAGE = host.dataset.language;

export function t(key, params = {}) {
  const text = TEXT[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ''));
}

// A {zh, en} label in the reader's language (the other one when it is missing).
export function pick(label) {
  if (!label || typeof label === 'string') return label || '';
  return (LANGUAGE === 'en' ? label.en || label.zh : label.zh || label.en) || '';
}

// bpmn-js's and dmn-js's translate service: their palettes, menus and headings in the reader's language ({name}
// placeholders).
const MODELER_TEXT = JSON.parse(host.dataset.modelerText);
export function translateModeler(template, replacements = {}) {
  return (MODELER_TEXT[template] ?? template).replace(/{([^}]+)}/g, (_, name) => replacements[name] ?? `{${name}}`);
}
