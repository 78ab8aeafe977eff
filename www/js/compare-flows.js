// The flows of both captures side by side: per direction, the packets lost, injected and
// modified between the points and the median one-way delay. Selecting a flow draws its ladder.

import { DataTable } from './data-table.js';
import * as fmt from './format.js';

const num = (v) => (v ? fmt.count(v) : '');
const delay = (d) => (d.delay_ms === null || d.delay_ms === undefined ? '' : `${d.delay_ms.toFixed(3)} ms`);

function columns() {
  const dir = (n, arrow) => [
    { key: `lost${n}`, title: `${arrow} Lost`, num: true, width: '10ch', value: (r) => num(r.dirs[n].lost), sort: (r) => r.dirs[n].lost, tip: `Packets lost between the points, ${n ? 'back to the first sender' : 'from the first sender'}` },
    { key: `injected${n}`, title: `${arrow} Inj.`, num: true, width: '10ch', value: (r) => num(r.dirs[n].injected), sort: (r) => r.dirs[n].injected, tip: 'Packets seen downstream only' },
    { key: `modified${n}`, title: `${arrow} Mod.`, num: true, width: '10ch', value: (r) => num(r.dirs[n].modified), sort: (r) => r.dirs[n].modified, tip: 'Packets changed between the points' },
    { key: `delay${n}`, title: `${arrow} Delay`, num: true, width: '13ch', value: (r) => delay(r.dirs[n]), sort: (r) => r.dirs[n].delay_ms ?? -1, tip: 'Median one-way delay between the points (the clock model’s bound applies)' },
  ];
  return [
    { key: 'proto', title: 'Proto', width: '7ch', value: (r) => r.proto },
    { key: 'a', title: 'Flow at A', width: 'minmax(22ch, 1.5fr)', value: (r) => r.a || '(not seen)' },
    { key: 'b', title: 'Flow at B', width: 'minmax(22ch, 1.5fr)', value: (r) => r.b || '(not seen)' },
    { key: 'frames', title: 'Frames A/B', num: true, width: '12ch', value: (r) => `${fmt.count(r.dirs[0].frames_a + r.dirs[1].frames_a)}/${fmt.count(r.dirs[0].frames_b + r.dirs[1].frames_b)}`, sort: (r) => r.dirs[0].frames_a + r.dirs[1].frames_a },
    ...dir(0, '→'),
    ...dir(1, '←'),
  ];
}

/** Problems first: flows with loss, injection or changes, then by size. */
function weight(r) {
  const d = r.dirs;
  return (d[0].lost + d[1].lost + d[0].injected + d[1].injected + d[0].modified + d[1].modified) * 1e9
    + d[0].frames_a + d[1].frames_a + d[0].frames_b + d[1].frames_b;
}

export class CompareFlows {
  /** `onChoose(row)` when a flow is selected. */
  constructor(root, { onChoose }) {
    this.table = new DataTable(root, {
      columns: columns(),
      label: 'Flows compared',
      onSelect: (row) => onChoose(row),
      onActivate: (row) => onChoose(row),
      rowClass: (r) => (weight(r) >= 1e9 ? 'problem' : ''),
      empty: 'No TCP or UDP flow in either capture.',
    });
  }

  /** Shows the flows; returns them in display order. */
  show(flows) {
    const ordered = [...flows].sort((x, y) => weight(y) - weight(x));
    this.table.setRows(ordered);
    return ordered;
  }

  select(pos) {
    this.table.select(pos);
  }
}
