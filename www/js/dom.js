// Tiny DOM helpers. Every string goes in as a text node: nothing here parses HTML, so bytes from a
// capture can never become markup. `el` sets only the properties on its allow-list below; any
// other (the HTML-parsing setters, srcdoc, an on… handler property…) is refused with an error.

/** Element properties `el` may set directly: none of them parses markup or holds code. */
const PLAIN_PROPERTIES = new Set([
  'id', 'type', 'value', 'min', 'max', 'step', 'name', 'placeholder', 'spellcheck', 'autocomplete',
  'disabled', 'hidden', 'checked', 'selected', 'tabIndex', 'htmlFor', 'colSpan', 'rowSpan', 'scope',
  'draggable', 'download', 'rel', 'target',
]);

/**
 * Creates an element. `props` may hold `class`, `text`, `title`, `dataset`, `attrs` and `on`
 * (event name → handler); children are nodes or strings (added as text nodes).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'title') node.title = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'attrs') for (const [a, v] of Object.entries(value)) node.setAttribute(plainAttribute(a), String(v));
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else if (PLAIN_PROPERTIES.has(key)) node[key] = value;
    else throw new Error(`el(): "${key}" is not a property el sets (text goes in as text nodes; markup-bearing properties are refused)`);
  }
  append(node, ...children);
  return node;
}

/** `name`, unless it is an event-handler or markup attribute (on…, srcdoc), which is refused. */
function plainAttribute(name) {
  if (/^on|^srcdoc$/i.test(name)) throw new Error(`el(): the attribute "${name}" is refused (it holds code or markup)`);
  return name;
}

/** Appends children; strings and numbers become text nodes, null/undefined/false are skipped. */
export function append(parent, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** document.getElementById that fails loudly: a missing element is a bug in index.html. */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} missing from the page`);
  return node;
}
