// The TCP analysis of a frame (computed by the analyzer: relative numbers, analysis flags,
// ack_rtt, bytes in flight) as details-tree nodes in the TCP layer, where Wireshark shows them:
// relative sequence/ack numbers beside the raw ones, the stream index, the calculated window,
// and a "[SEQ/ACK analysis]" subtree. Generated nodes cover no bytes.

/** Wireshark's expert texts for the analysis flags (tcp.analysis.<name>). */
const FLAG_TEXT = {
  retransmission: 'This frame is a (suspected) retransmission',
  fast_retransmission: 'This frame is a (suspected) fast retransmission',
  spurious_retransmission: 'This frame is a (suspected) spurious retransmission',
  out_of_order: 'This frame is a (suspected) out-of-order segment',
  lost_segment: 'Previous segment(s) not captured (common at capture start)',
  ack_lost_segment: 'ACKed segment that wasn\'t captured (common at capture start)',
  duplicate_ack: 'This is a TCP duplicate ack',
  zero_window: 'TCP Zero Window segment',
  zero_window_probe: 'TCP Zero Window Probe',
  zero_window_probe_ack: 'ACK to a TCP Zero Window Probe',
  window_full: 'TCP window specified by the receiver is now completely full',
  window_update: 'TCP window update',
  keep_alive: 'TCP keep-alive segment',
  keep_alive_ack: 'ACK to a TCP keep-alive segment',
  reused_ports: 'A new tcp session is started with the same ports as an earlier session in this trace',
};
const NOT_PROBLEMS = new Set(['window_update', 'keep_alive', 'keep_alive_ack']);
const COMPLETENESS = [[1, 'SYN'], [2, 'SYN-ACK'], [4, 'ACK'], [8, 'DATA'], [16, 'FIN'], [32, 'RST']];

const node = (label, field, extra = {}) => ({ label, start: 0, len: 0, field, problem: null, children: [], ...extra });
const secs = (ns) => `${(ns / 1e9).toFixed(9)} seconds`;

/** The "[SEQ/ACK analysis]" subtree of a TcpRow, or null when there is nothing to say. */
export function seqAckAnalysis(tcp) {
  const children = [];
  if (tcp.acks_frame) children.push(node(`[This is an ACK to the segment in frame: ${tcp.acks_frame}]`, 'tcp.analysis.acks_frame'));
  if (tcp.ack_rtt_ns !== null && tcp.ack_rtt_ns !== undefined) children.push(node(`[The RTT to ACK the segment was: ${secs(tcp.ack_rtt_ns)}]`, 'tcp.analysis.ack_rtt'));
  if (tcp.initial_rtt_ns !== null && tcp.initial_rtt_ns !== undefined) children.push(node(`[iRTT: ${secs(tcp.initial_rtt_ns)}]`, 'tcp.analysis.initial_rtt'));
  if (tcp.bytes_in_flight !== null && tcp.bytes_in_flight !== undefined) children.push(node(`[Bytes in flight: ${tcp.bytes_in_flight}]`, 'tcp.analysis.bytes_in_flight'));
  const names = tcp.flag_names ?? [];
  if (names.length) {
    const flags = node('[TCP Analysis Flags]', 'tcp.analysis.flags');
    for (const name of names) {
      const note = name === 'duplicate_ack' && tcp.dup_ack_num ? `duplicate ACK (#${tcp.dup_ack_num})` : name.replaceAll('_', ' ');
      flags.children.push(node(`[${FLAG_TEXT[name] ?? name}]`, `tcp.analysis.${name}`, { problem: NOT_PROBLEMS.has(name) ? null : note }));
    }
    children.push(flags);
  }
  if (tcp.dup_ack_num) {
    children.push(node(`[Duplicate ACK #: ${tcp.dup_ack_num}]`, 'tcp.analysis.duplicate_ack_num'));
    children.push(node(`[Duplicate to the ACK in frame: ${tcp.dup_ack_frame}]`, 'tcp.analysis.duplicate_ack_frame'));
  }
  if (!children.length) return null;
  return node('[SEQ/ACK analysis]', 'tcp.analysis', { children, problem: tcp.problem ? 'TCP analysis' : null });
}

/**
 * The details tree with the frame's TCP analysis merged into its (innermost top-level) TCP
 * layer. The tree given is not modified.
 */
export function withTcpAnalysis(tree, tcp) {
  if (!tcp || !Array.isArray(tree)) return tree;
  let at = -1;
  tree.forEach((n, i) => {
    if (String(n.label ?? '').startsWith('Transmission Control Protocol')) at = i;
  });
  if (at < 0) return tree;
  const layer = tree[at];
  const kids = [...(layer.children ?? [])];
  const insertAfter = (field, ...nodes) => {
    const i = kids.findIndex((k) => k.field === field);
    if (i >= 0) kids.splice(i + 1, 0, ...nodes);
    return i >= 0;
  };
  const insertBefore = (field, ...nodes) => {
    const i = kids.findIndex((k) => k.field === field);
    if (i >= 0) kids.splice(i, 0, ...nodes);
    return i >= 0;
  };
  if (!insertAfter('tcp.dstport', node(`[Stream index: ${tcp.stream}]`, 'tcp.stream'))) kids.unshift(node(`[Stream index: ${tcp.stream}]`, 'tcp.stream'));
  const analysed = tcp.nxtseq !== null && tcp.nxtseq !== undefined;
  if (tcp.completeness !== null && tcp.completeness !== undefined) {
    const bits = COMPLETENESS.filter(([b]) => tcp.completeness & b).map(([, n]) => n);
    insertAfter('tcp.stream', node(`[Conversation completeness: ${tcp.completeness}${bits.length ? ` (${bits.join(', ')})` : ''}]`, 'tcp.completeness'));
  }
  if (analysed) {
    insertBefore('tcp.seq_raw', node(`Sequence Number: ${tcp.seq}    (relative sequence number)`, 'tcp.seq'));
    insertAfter('tcp.seq_raw', node(`[Next Sequence Number: ${tcp.nxtseq}    (relative sequence number)]`, 'tcp.nxtseq'));
    insertBefore('tcp.ack_raw', node(`Acknowledgment Number: ${tcp.ack}    (relative ack number)`, 'tcp.ack'));
  }
  if (tcp.window !== null && tcp.window !== undefined) insertAfter('tcp.window_size_value', node(`[Calculated window size: ${tcp.window}]`, 'tcp.window_size'));
  const analysis = seqAckAnalysis(tcp);
  if (analysis) {
    const payload = kids.findIndex((k) => String(k.label ?? '').startsWith('TCP payload'));
    if (payload >= 0) kids.splice(payload, 0, analysis);
    else kids.push(analysis);
  }
  const copy = [...tree];
  copy[at] = { ...layer, children: kids };
  return copy;
}
