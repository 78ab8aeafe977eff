// Draggable (and keyboard-movable) separators between panes. The separator sets the size of the
// element before it; the element after it takes the rest (flex: 1).

const STEP = 24;

/** `axis` is "y" (a horizontal bar resizing heights) or "x" (a vertical bar resizing widths). */
export function makeSplitter(bar, before, { axis, min = 80 }) {
  const prop = axis === 'y' ? 'height' : 'width';
  const container = bar.parentElement;
  const size = () => before.getBoundingClientRect()[prop];
  const limit = () => container.getBoundingClientRect()[prop] - min - bar.getBoundingClientRect()[prop];
  const set = (px) => {
    const clamped = Math.round(Math.max(min, Math.min(limit(), px)));
    before.style.flexBasis = `${clamped}px`;
    bar.setAttribute('aria-valuenow', String(clamped));
  };

  bar.addEventListener('pointerdown', (down) => {
    down.preventDefault();
    bar.setPointerCapture(down.pointerId);
    bar.classList.add('dragging');
    const start = size();
    const origin = axis === 'y' ? down.clientY : down.clientX;
    const move = (e) => set(start + (axis === 'y' ? e.clientY : e.clientX) - origin);
    const up = () => {
      bar.classList.remove('dragging');
      bar.removeEventListener('pointermove', move);
      bar.removeEventListener('pointerup', up);
      bar.removeEventListener('pointercancel', up);
    };
    bar.addEventListener('pointermove', move);
    bar.addEventListener('pointerup', up);
    bar.addEventListener('pointercancel', up);
  });

  bar.addEventListener('keydown', (e) => {
    const keys = axis === 'y' ? { ArrowUp: -STEP, ArrowDown: STEP } : { ArrowLeft: -STEP, ArrowRight: STEP };
    if (!(e.key in keys)) return;
    e.preventDefault();
    set(size() + keys[e.key]);
  });
}
