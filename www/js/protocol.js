// The messages the page and the analysis worker exchange. This file is the contract: both sides
// import the names from here, and nothing else crosses the boundary.
//
// Every request from the page carries an `id` (a positive integer, unique per page); the worker's
// answers to it carry the same `id`. The worker handles requests one at a time, in order, except
// `cancel`, which it notices between two slices of a file being read.
//
// Page → worker
//   open     {type, id, files: File[] | Blob[], names: string[], fed?: true}
//            Start a new analysis of these files (dropping the previous one). Blobs need `names`.
//            Answered by any number of `progress`, then one `opened`, `cancelled` or `error`.
//            `fed`: the page reads the plain (not gzip'd) files itself and sends their bytes as
//            `slice` messages, so reading and parsing run on two threads (a worker reading a
//            File itself copies the bytes in on its own thread, between two pushes).
//   slice    {type, id, file, bytes: ArrayBuffer (transferred) | null, length?, error?, gzip?}
//            The next `length` bytes (the whole buffer when absent) of file `file` (index among
//            the request's files) of the fed `open` (or `openPair`) request `id`, in slices of
//            FEED_SLICE_BYTES (the first of a file smaller, so parsing starts sooner); null bytes
//            with `error`: the read failed; null bytes with `gzip`: the file's first bytes are
//            gzip's, and the worker reads (and inflates) it itself. Every non-empty file's
//            first slice says which it is. At most READ_AHEAD_SLICES are with the worker at
//            once: it answers each one, once parsed, with `sliceTaken` {type, id, bytes}, handing
//            the buffer back (transferred) for the page to read the next slice into. Not queued
//            behind the request it feeds.
//   rows     {type, id, start, count}
//            Rows start .. start+count-1 (0-based) of the packet list. Answer: `rows`.
//   details  {type, id, no}
//            The dissection tree and the captured bytes of frame `no` (1-based). Answer: `details`.
//   plan     {type, id, query}
//            The capture plan for the answers' text form (`client=windows&server=linux&…`);
//            needs no capture. Answer: `plan` {plan: {title, answers, query, ring, sections},
//            text, markdown, problems: string[]} (src/plan).
//   cancel   {type, id}
//            Stop reading the files of the `open` request `id`. Answer: `cancelled` for that id
//            (or nothing if it had already finished).
//   watch    {type, lock}
//            Sent once, first, to a new worker: it takes the Web Lock named `lock` and holds it for
//            its whole life, then answers `watching` {type, lock}. The page then asks for the same
//            lock, which the browser grants only when the worker is gone: that is how the page
//            learns of a worker that died without a word (killed for memory, say). Where Web
//            Locks are missing (an opaque origin), there is no answer and no watch.
//
// Requests about the open capture (each answered by the message of the same name unless noted):
//   findings       {type, id}
//            The diagnosis. Answer: `findings` {findings: Finding[]}, a Finding being
//            {kind, severity: "error"|"warning"|"note", verdict, explanation, frames: number[]
//            (evidence frame numbers), stream: number|null, filter, details: {name: value}},
//            ranked: errors first, then by first evidence frame.
//   report         {type, id, format: "markdown"|"json"|"html", name}
//            The findings as a report to download (`name` titles the Markdown). Answer:
//            `report` {format, text}.
//   export         {type, id, start}
//            The displayed frames (the filter's view, or all) as pcapng, one chunk per request so
//            the page writes each before asking for the next: `start: true` begins the export
//            (findings' evidence frames get a comment), later requests continue it. Answer:
//            `exported` {chunk: Uint8Array|null (transferred; null once done), done, written,
//            total} — `written` frames of `total` handled so far.
//   markers        {type, id}
//            Marker pings. Answer: `markers` {markers: [{no, reply_no, ip_len, payload_len, time,
//            type}], ranges: [{from, to, filter}], notes: [{kind, text}]} — `notes`: what the
//            capture shows of the capture plan (markers, ring-buffer parts).
//   table          {type, id, table: "conversations"|"connections"|"stream", kind?, stream?}
//            Builds a table the worker keeps for paging (or finds it again): the conversations
//            of `kind` ("eth"|"ip"|"ipv6"|"tcp"|"udp"), every TCP connection attempt, or the
//            frames of TCP stream `stream` (tcp.stream; one stream at a time). Nothing but its
//            size crosses: answer `table` {name, total, summary, graph} — `name` for the requests
//            below; `summary` over every row: conversations {rows, frames}, attempts {rows,
//            outcomes: {word: count}}, a stream {rows, stream, a, b} ("address:port" of the
//            sides); `graph`, for a stream only, its frames as columns (transferred typed
//            arrays: Float64Array no, time, seq, len, ack, window — NaN where missing — and
//            Uint8Array bits: 1 B→A, 2 a problem, 4 a SYN). An `error` when there is no such
//            stream. Tables go with the capture.
//   follow         {type, id, protocol: "tcp"|"udp", stream, start: [piece, client bytes,
//            server bytes], maxBytes, mode: "ascii"|"hex"|"raw"}
//            A page of the followed stream (pieces in Wireshark's Follow Stream order, their bytes
//            read from the file slices, rendered as text in the worker). Answer: `follow` {page:
//            {nodes: [client, server], pieces, bytes: [client, server], next: [as start], items:
//            [{no, server, offset, len, missing, text}]}}. An `error` when there is no such stream.
//   tcpGraph       {type, id, stream, dir: 0|1}
//            The graph columns of TCP stream `stream` for the data direction `dir` (0: A→B).
//            Answer: `tcpGraph` {graph: {seg_frame, seg_time, seg_seq, seg_len, seg_flags,
//            seg_in_flight, seg_throughput, ack_frame, ack_time, ack_seq, ack_window, ack_flags,
//            ack_rtt, sack} (transferred typed arrays)}.
//   flowLadder     {type, id, stream: number|null, start, count}
//            A page of the ladder diagram of TCP stream `stream`, or (null) of the frames the packet
//            list shows. Answer: `flowLadder` {ladder: {columns, total, start, arrows: [{no, time,
//            from, to, protocol, label, class, problem}]}}.
//   tableView      {type, id, name, sort: {key, dir: 1|-1}|null, outcome: string|null, keep}
//            Sorts table `name` by column `key` (null: the given order), blanks last; narrows
//            connection attempts to one `outcome` (null: all). Answer: `tableView` {total (rows
//            shown), position (where the row of index `keep` now is, -1 if not shown or none)}.
//   tableRows      {type, id, name, start, count}
//            Rows start .. start+count-1 in the current order, each with `index` (its place in
//            the given order). Answer: `tableRows` {start, rows}. Conversation rows: {a, port_a, b,
//            port_b, stream, frames_ab, bytes_ab, frames_ba, bytes_ba, frames, bytes, rel_start,
//            duration, bps_ab, bps_ba, first_frame}; attempts: {stream, client, client_port,
//            server, server_port, outcome, first_syn_frame, first_syn_time_ns,
//            syn_retransmissions, syn_ack_frame, ack_frame, syn_to_syn_ack_ns, syn_ack_to_ack_ns,
//            connect_ns, reset_frame, reset_by, client_fin_frame, server_fin_frame}; stream
//            frames: {no, time, dir, syn, fin, rst, …TcpRow}.
//   tablePosition  {type, id, name, index}
//            Answer: `tablePosition` {position}: where the row of `index` is shown, -1 if not.
//   filter         {type, id, text}
//            Applies a display filter to the packet list (blank text clears it); the capture is
//            not read again. Answer: `filtered` {text, count, total, elapsedMs, error} — `error`
//            (a FilterError: {kind, message, start, end, text}) when the filter is invalid, and
//            then the previous view stays.
//   check          {type, id, text}
//            Validates filter text without applying it. Answer: `checked` {text, error|null}.
//   complete       {type, id, text}
//            Field names completing the word at the end of `text`. Answer: `completions`
//            {text, items: [{name, description, ty}]}.
//   locate         {type, id, no} or {type, id, nos: number[]}
//            Where frame `no` (or each of `nos`) is in the (filtered) packet list. Answer:
//            `located` {no, index} or {nos, indexes} (-1 where the filter hides the frame).
//
// Two captures of the same traffic taken at two points (compare mode):
//   openPair       {type, id, files, names, split}
//            Reads files[0 .. split) as side A (one timeline, chained) and the rest as side B,
//            each into its own analysis, then compares them. Answered by `progress` (across all
//            files; `frames` counts both sides), then `pairOpened` {a: {summary, count, timing},
//            b: {…}, bytes, matched, common, clock: {offset_s, drift_ppm, uncertainty_s},
//            elapsedMs, compareMs}, `cancelled` or `error`. Side A is then the side shown: every
//            request about "the open capture" above (rows, details, filter, findings, export,
//            table, locate…) acts on the side shown; each side keeps its own tables.
//   side           {type, id, side: "a"|"b"}
//            Shows the other side. Answer: `sideShown` {side, count, displayed, filterText}
//            (each side keeps its own display filter).
//   compare        {type, id}
//            Answer: `compared` {comparison}: as `tracelens compare --json` prints it (clock,
//            nat, matched, lost, injected, modified, delay, findings, directions, …; frame
//            numbers are per side, 1-based).
//   flows          {type, id}
//            Answer: `flows` {flows, total}: the TCP/UDP flows of
//            both sides paired through the NAT map: [{key, proto, a, b, a_stream, b_stream,
//            dirs: [{frames_a, frames_b, lost, injected, modified, delay_ms, upstream}, {…}]}]
//            (dirs[0] from the flow's first sender as A saw it, dirs[1] back), at most 2,000 of
//            the `total`: those with lost, injected or modified packets first, then the
//            biggest; `key` names the flow for `ladder`.
//   ladder         {type, id, key}
//            The side-by-side ladder of flow `key`. Answer: `ladder` {ladder: {flow, a: Rung[],
//            b: Rung[], truncated}}, a Rung being {no, t (s since A's first frame, on A's clock),
//            dir, kind: "matched"|"modified"|"lost"|"injected"|"unpaired", peer (frame no on the
//            other side)|null, label}.
//   compareExport  {type, id, side: "a"|"b", category: "lost"|"injected"|"modified", start}
//            That category's frames of that side as pcapng, chunk by chunk as for `export`.
//            Answer: `exported`.

// TcpRow (in `details` and stream tables): {no, stream, seq, ack, len, nxtseq, window, flags,
// flag_names: string[] (tcp.analysis.<name>), problem, ack_rtt_ns, initial_rtt_ns,
// bytes_in_flight, acks_frame, dup_ack_num, dup_ack_frame, completeness}.
//
// Worker → page
//   ready     {type}             The WebAssembly module is loaded; sent once, unrequested.
//   warmed    {type, frames, ms} The analyzer's code was warmed on a synthetic capture of
//             `frames` frames in `ms` (src/warm_up.rs); sent once, unrequested, after `ready`.
//             Requests sent meanwhile wait for it.
//
// The worker may be started before the first request (AnalyzerClient.warmUp) so the module is
// compiled by the time a file is dropped.
//   progress  {type, id, file, fileIndex, files, bytes, totalBytes, bytesPerSec, frames, elapsedMs}
//             While reading: `bytes` read so far across all files (compressed bytes for gzip
//             files), of `totalBytes`; `frames` indexed so far.
//   opened    {type, id, summary, count, elapsedMs, bytes, timing: {pushMs, finishMs}}
//             Reading finished; `summary` is the analyzer's Summary, `count` the number of frames,
//             `timing` the time spent inside the analyzer (the rest is reading and messaging).
//   rows      {type, id, start, rows: Row[]}  (rows of the filtered list; `no` is the frame number)
//   details   {type, id, no, tree: Node[], len, bytes: Uint8Array, tcp: TcpRow|null}
//             (bytes is transferred)
//   cancelled {type, id}
//   error     {type, id, message, fatal?}   `id` is 0 when no request caused it (e.g. loading
//             failed). `fatal`: the WebAssembly instance trapped and the worker must be replaced.

/** Message type names, shared by both sides. */
export const Msg = Object.freeze({
  OPEN: 'open',
  ROWS: 'rows',
  DETAILS: 'details',
  CANCEL: 'cancel',
  FINDINGS: 'findings',
  REPORT: 'report',
  EXPORT: 'export',
  EXPORTED: 'exported',
  MARKERS: 'markers',
  TABLE: 'table',
  TABLE_VIEW: 'tableView',
  TABLE_ROWS: 'tableRows',
  TABLE_POSITION: 'tablePosition',
  FILTER: 'filter',
  FILTERED: 'filtered',
  CHECK: 'check',
  CHECKED: 'checked',
  COMPLETE: 'complete',
  COMPLETIONS: 'completions',
  LOCATE: 'locate',
  LOCATED: 'located',
  OPEN_PAIR: 'openPair',
  PAIR_OPENED: 'pairOpened',
  SIDE: 'side',
  SIDE_SHOWN: 'sideShown',
  COMPARE: 'compare',
  COMPARED: 'compared',
  FLOWS: 'flows',
  LADDER: 'ladder',
  COMPARE_EXPORT: 'compareExport',
  FOLLOW: 'follow',
  TCP_GRAPH: 'tcpGraph',
  FLOW_LADDER: 'flowLadder',
  WATCH: 'watch',
  WATCHING: 'watching',
  READY: 'ready',
  WARMED: 'warmed',
  PROGRESS: 'progress',
  OPENED: 'opened',
  CANCELLED: 'cancelled',
  ERROR: 'error',
  IO_GRAPH: 'ioGraph',
  IO_NEAREST: 'ioNearest',
  PLAN: 'plan',
  SLICE: 'slice',
  SLICE_TAKEN: 'sliceTaken',
});

/** The focus filter for frames a..b (1-based, inclusive), as the markers bar writes it. */
export function rangeFilter(from, to) {
  return `frame.number >= ${from} and frame.number <= ${to}`;
}

/** Files are read and handed to the analyzer in slices of this size. */
export const SLICE_BYTES = 16 * 1024 * 1024;

/**
 * The page feeds a plain capture file to the worker in slices of this size (see `slice`): small
 * enough for the worker to start parsing soon after the drop, large enough to keep the messages
 * few (41 for the 168 MB benchmark capture, with its smaller first slice).
 */
export const FEED_SLICE_BYTES = 4 * 1024 * 1024;

/**
 * Slices of a plain capture file the page may have sent the worker and not had back (see
 * `slice`): the page reads while the worker parses, and reuses these buffers over and over.
 */
export const READ_AHEAD_SLICES = 3;

/**
 * At most this often (ms) the worker reports progress: each report is a style, layout and paint
 * of the progress card, on the cores the analysis needs. Opening the 1M-frame capture, ten runs
 * each in turn, Chromium's CPU from drop to findings (medians): 1.67 s at ten reports a second,
 * 1.62 s at four.
 */
export const PROGRESS_INTERVAL_MS = 250;

/** The gzip magic number (RFC 1952, section 2.3.1). */
export function isGzipMagic(bytes) {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
