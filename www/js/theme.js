// Light and dark themes: the system preference by default, a toggle that overrides it and is
// remembered where the page may store it (a sandboxed embed may not; then it just isn't kept).

const KEY = 'tracelens.theme';
const dark = matchMedia('(prefers-color-scheme: dark)');

function stored() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

function store(value) {
  try {
    localStorage.setItem(KEY, value);
  } catch {
    // storage unavailable (sandboxed iframe, privacy mode): the choice lasts for this page only
  }
}

/** The theme in force: "light" or "dark". */
export function currentTheme() {
  return document.documentElement.dataset.theme ?? (dark.matches ? 'dark' : 'light');
}

/** Applies a stored choice and wires the toggle button. */
export function initTheme(button) {
  const saved = stored();
  if (saved === 'light' || saved === 'dark') document.documentElement.dataset.theme = saved;
  const label = () => {
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    button.title = `Switch to the ${next} theme`;
    button.setAttribute('aria-label', button.title);
  };
  button.addEventListener('click', () => {
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    store(next);
    label();
  });
  dark.addEventListener('change', label);
  label();
}
