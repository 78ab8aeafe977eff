// Packet details: the dissection tree of one frame as a collapsible, keyboard-driven tree.
// Selecting a node reports its byte range (for the hex view); a byte offset can select the
// deepest node covering it. Which subtrees are open is remembered from frame to frame, like
// Wireshark does per protocol.

import { el } from './dom.js';

let nextItemId = 1;

export class DetailsTree {
  /** `onSelectNode(node, layer)` gets the selected node and its top-level ancestor (or nulls). */
  constructor(root, { onSelectNode = () => {} } = {}) {
    this.root = root;
    this.onSelectNode = onSelectNode;
    this.expanded = new Set(); // keys of open subtrees
    this.items = []; // every rendered tree item, in document order
    this.current = null;
    this.tree = el('div', {
      class: 'tree',
      tabIndex: 0,
      attrs: { role: 'tree', 'aria-label': 'Packet details' },
    });
    this.placeholder = el('div', { class: 'pane-empty' });
    this.root.replaceChildren(this.tree, this.placeholder);
    this.tree.addEventListener('keydown', (e) => this.onKey(e));
    this.tree.addEventListener('click', (e) => this.onClick(e));
    this.clear('Select a packet to see its details.');
  }

  focus() {
    this.tree.focus({ preventScroll: true });
    if (!this.current && this.items.length) this.choose(this.items[0]);
  }

  clear(message = '') {
    this.tree.replaceChildren();
    this.items = [];
    this.current = null;
    this.tree.hidden = true;
    this.placeholder.textContent = message;
    this.placeholder.hidden = !message;
  }

  /** Shows the tree of a frame. Keeps the selection on the "same" node when there is one. */
  show(nodes) {
    const previousKey = this.current?.key;
    this.tree.replaceChildren();
    this.items = [];
    this.current = null;
    this.placeholder.hidden = true;
    this.tree.hidden = false;
    this.tree.append(...this.renderLevel(nodes, 1, '', null));
    const keep = previousKey && this.items.find((item) => item.key === previousKey && this.isVisible(item));
    if (keep) this.choose(keep, { scroll: false });
    else this.onSelectNode(null, null);
  }

  renderLevel(nodes, level, parentKey, parent) {
    const seen = new Map();
    return nodes.map((node) => {
      let key = `${parentKey}/${nodeKey(node)}`;
      const n = (seen.get(key) ?? 0) + 1; // siblings with the same key stay apart
      seen.set(key, n);
      if (n > 1) key += `#${n}`;
      return this.renderItem(node, level, key, parent);
    });
  }

  renderItem(node, level, key, parent) {
    const hasChildren = Array.isArray(node.children) && node.children.length > 0;
    const open = hasChildren && this.expanded.has(key);
    const label = el('div', { class: 'tree-label' },
      el('span', { class: 'tree-twisty', attrs: { 'aria-hidden': 'true' } }),
      el('span', { class: 'tree-text', text: node.label ?? '' }));
    if (node.problem) {
      label.append(el('span', { class: 'tree-problem', text: node.problem }));
    }
    const li = el('div', {
      class: `tree-item${node.problem ? ' has-problem' : ''}`,
      id: `tree-item-${nextItemId++}`,
      attrs: { role: 'treeitem', 'aria-level': level, 'aria-selected': 'false' },
    }, label);
    label.style.setProperty('--level', String(level - 1));
    if (node.field) li.dataset.field = node.field;
    const item = { node, key, level, li, parent, children: [], open };
    li.item = item;
    this.items.push(item);
    if (hasChildren) {
      li.setAttribute('aria-expanded', String(open));
      const group = el('div', { class: 'tree-group', attrs: { role: 'group' } });
      group.hidden = !open;
      group.append(...this.renderLevel(node.children, level + 1, key, item));
      item.children = [...group.children].map((c) => c.item);
      item.group = group;
      li.append(group);
    }
    return li;
  }

  isVisible(item) {
    for (let p = item.parent; p; p = p.parent) if (!p.open) return false;
    return true;
  }

  visibleItems() {
    return this.items.filter((item) => this.isVisible(item));
  }

  setOpen(item, open) {
    if (!item.group || item.open === open) return;
    item.open = open;
    item.group.hidden = !open;
    item.li.setAttribute('aria-expanded', String(open));
    if (open) this.expanded.add(item.key);
    else this.expanded.delete(item.key);
  }

  choose(item, { scroll = true } = {}) {
    if (this.current) {
      this.current.li.setAttribute('aria-selected', 'false');
      this.current.li.classList.remove('selected');
    }
    this.current = item;
    item.li.setAttribute('aria-selected', 'true');
    item.li.classList.add('selected');
    this.tree.setAttribute('aria-activedescendant', item.li.id);
    if (scroll) item.li.firstChild.scrollIntoView({ block: 'nearest' });
    let layer = item;
    while (layer.parent) layer = layer.parent;
    this.onSelectNode(item.node, layer.node);
  }

  /**
   * Opens the subtrees that hold problem notes (so they are on screen) and selects the first
   * problem that covers bytes, which the hex view then highlights. Returns whether there was one.
   */
  revealProblems() {
    const problems = this.items.filter((item) => item.node.problem);
    for (const item of problems) for (let p = item.parent; p; p = p.parent) this.setOpen(p, true);
    const target = problems.find((item) => item.node.len > 0) ?? problems[0];
    if (target) this.choose(target);
    return Boolean(target);
  }

  /** Selects the deepest node whose byte range covers `offset`; returns whether one did. */
  selectByte(offset) {
    let best = null;
    for (const item of this.items) {
      const { start, len } = item.node;
      if (typeof start !== 'number' || !(len > 0)) continue;
      if (offset < start || offset >= start + len) continue;
      if (!best || item.level > best.level || (item.level === best.level && len < best.node.len)) best = item;
    }
    if (!best) return false;
    for (let p = best.parent; p; p = p.parent) this.setOpen(p, true);
    this.choose(best);
    return true;
  }

  onClick(event) {
    const li = event.target.closest('.tree-item');
    if (!li) return;
    const item = li.item;
    if (event.target.closest('.tree-label') !== item.li.firstChild) return;
    if (event.target.classList.contains('tree-twisty') || event.detail === 2) this.setOpen(item, !item.open);
    this.choose(item, { scroll: false });
  }

  onKey(event) {
    const visible = this.visibleItems();
    if (!visible.length) return;
    const at = this.current ? visible.indexOf(this.current) : -1;
    const item = this.current;
    let target = null;
    switch (event.key) {
      case 'ArrowDown': target = visible[Math.min(visible.length - 1, at + 1)]; break;
      case 'ArrowUp': target = visible[Math.max(0, at - 1)]; break;
      case 'Home': target = visible[0]; break;
      case 'End': target = visible[visible.length - 1]; break;
      case 'ArrowRight':
        if (item?.group && !item.open) this.setOpen(item, true);
        else if (item?.open) target = item.children[0];
        break;
      case 'ArrowLeft':
        if (item?.open) this.setOpen(item, false);
        else target = item?.parent ?? null;
        break;
      case 'Enter':
      case ' ':
        if (item) this.setOpen(item, !item.open);
        break;
      case '*': // expand everything below the current node, as in Wireshark
        if (item) this.expandAll(item);
        break;
      default:
        return;
    }
    event.preventDefault();
    if (target) this.choose(target);
  }

  expandAll(item) {
    this.setOpen(item, true);
    for (const child of item.children) this.expandAll(child);
  }
}

/** What identifies a node across frames: its field name, else its label up to the first colon. */
function nodeKey(node) {
  if (node.field) return node.field;
  const label = String(node.label ?? '');
  const cut = label.search(/[:,(]/);
  return (cut > 0 ? label.slice(0, cut) : label).trim();
}
