// The comparison's verdicts, in the findings' style: a sentence, its explanation, and evidence
// frames in both files, each a button that shows that frame of that file.

import { el } from './dom.js';
import * as fmt from './format.js';
import { SEVERITY_TITLES } from './findings-view.js';

/** Evidence buttons per file and verdict. */
const MAX_CHIPS = 60;

/** `onJump(side, no)`: show frame `no` of side "a" or "b". */
export function renderVerdicts(root, findings, { onJump, names }) {
  root.replaceChildren();
  if (!findings.length) {
    root.append(el('p', { class: 'compare-empty', text: 'No difference between the two points: every packet seen at one was seen at the other, unchanged.' }));
    return;
  }
  for (const f of findings) {
    const severity = SEVERITY_TITLES[f.severity] ? f.severity : 'note';
    const evidence = (side, frames) => {
      if (!frames?.length) return null;
      return el('div', { class: 'compare-evidence', dataset: { side } },
        el('span', { class: 'evidence-label', text: `${side.toUpperCase()} (${names[side]}):` }),
        frames.slice(0, MAX_CHIPS).map((no) => el('button', {
          type: 'button', class: 'chip', text: `#${fmt.count(no)}`, dataset: { side, no: String(no) },
          title: `Show frame ${no} of ${names[side]}`,
          on: { click: () => onJump(side, no) },
        })),
        frames.length > MAX_CHIPS ? el('span', { class: 'more', text: `and ${fmt.count(frames.length - MAX_CHIPS)} more` }) : null);
    };
    root.append(el('article', { class: `compare-verdict sev-${severity}`, dataset: { kind: f.kind, severity } },
      el('div', { class: 'verdict-head' },
        el('span', { class: `sev-badge sev-${severity}`, text: SEVERITY_TITLES[severity] }),
        el('span', { class: 'verdict-text', text: f.verdict })),
      f.explanation ? el('p', { class: 'verdict-explanation', text: f.explanation }) : null,
      evidence('a', f.frames_a),
      evidence('b', f.frames_b)));
  }
}
