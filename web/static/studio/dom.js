// Building the panel's and dialogs' markup from code: h('label', {class: 'x'}, 'text', child). Attributes starting
// with "on" become listeners; no HTML strings are parsed, so no value typed by a user can become markup.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'value') node.value = value;
    else if (name === 'checked' || name === 'selected' || name === 'disabled' || name === 'readOnly') node[name] = Boolean(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// A <select> of [value, label] pairs with one chosen.
export function choice(options, chosen, attrs = {}) {
  return h('select', attrs, options.map(([value, label]) => h('option', { value, selected: String(value) === String(chosen) }, label)));
}

// A labelled row of the panel.
export function row(label, control, note) {
  return h('label', { class: 'row' }, h('span', { class: 'label' }, label), control, note ? h('small', { class: 'help' }, note) : null);
}
