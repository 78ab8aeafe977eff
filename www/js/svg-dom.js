// SVG built node by node for the ladders (Compare's two-point ladder, a stream's or the packet
// list's flow ladder): elements in the SVG namespace, text only through textContent, and marks
// that act as buttons (click, Enter or Space).

/**
 * The SVG namespace, read off an inline icon the HTML parser already put in it (the page's code
 * carries no URL text at all: the offline build refuses any).
 */
export const svgNamespace = () => document.querySelector('svg')?.namespaceURI;

/** An SVG element with attributes and, optionally, text content. */
export function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(svgNamespace(), tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Makes `node` (a focusable mark) run `action` on click, Enter or Space. */
export function actAsButton(node, action) {
  node.addEventListener('click', action);
  node.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      action();
    }
  });
}
