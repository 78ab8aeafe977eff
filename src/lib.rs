//! tracelens: a network-trace analyzer whose core is plain Rust; `wasm` is the one module that
//! talks to JavaScript and the `tracelens` binary is the command-line front end.
//!
//! The crate is built in layers. Each layer owns one job and may use only the layers above it
//! in this list (a lower layer never imports a higher one: the index knows no detector, the
//! display-filter engine knows no analyzer). From the bottom up:
//!
//! # The capture layer
//!
//! [`capture`] reads classic pcap, pcapng and Network Monitor files (plain or gzip), fed as a
//! sequence of byte chunks, and hands out [`capture::RawFrame`]s (the frame's bytes, timestamp,
//! interface and where it sits in the file) plus per-file facts ([`capture::FileInfo`]). It
//! owns the file formats and nothing else; its only dependency is [`error`], whose
//! [`CaptureError`] says at which byte and frame reading stopped.
//!
//! # The wire layer
//!
//! [`wire`] is the one place header bytes are read. Each protocol header (Ethernet and VLAN
//! tags, MPLS, Linux cooked, BSD loopback, PPP/PPPoE, LLC/SNAP, 802.11, IPv4, IPv6 and its
//! extensions and options, TCP and its options, UDP, ICMP/ICMPv6 with the quoted packet and
//! Neighbor Discovery, GRE, ERSPAN, VXLAN, ARP, DNS) has a zero-copy view, checked once when it
//! is made, whose accessors cannot fail and whose `field` module names each field's byte range
//! (smoltcp's `wire` is the model; etherparse is the tests' oracle). [`wire::walk`] walks a
//! frame's layers once — link, tunnels (bounded nesting), network, transport or ICMP quote,
//! payload — and reports each to a [`wire::walk::Visitor`]; the one Internet checksum
//! ([`wire::checksum`]) and the one set of byte readers ([`wire::bytes`]) live here too. It
//! depends on no other module of the crate; its errors are [`wire::WireError`]s.
//!
//! # The decode layer
//!
//! [`decode`] turns one frame's bytes into the handful of fields everything else needs
//! (addresses, ports, the TCP header, ICMP quotes, tunnels followed to the innermost packet, a
//! light application label) and says where decoding stopped instead of failing. It parses no
//! header itself: it is a visitor of [`wire::walk`] that keeps what the index needs. [`dissect`]
//! sits beside it: the full layer tree of one frame for the details view, labels and structure
//! only — every value and byte range comes from the same [`wire`] views.
//!
//! # The index layer
//!
//! [`index`] owns the compact per-frame [`index::PacketRecord`] (the bytes are never copied),
//! the interning tables for addresses and link addresses, the sparse side tables for what only
//! some frames have, and [`index::FrameLocation`] (where a frame's bytes are, to read them
//! again). It uses `capture` and `decode`, and [`checksums`] for the data of its wrong-checksum
//! side table; every layer above reads the index, never the capture again.
//!
//! # The flow layer
//!
//! [`flows`] numbers TCP and UDP streams exactly as Wireshark does (`tcp.stream`,
//! `udp.stream`), keeps each TCP stream's base sequence numbers and finds reassembled IP
//! datagrams. It uses the index and `decode`'s constants.
//!
//! # The TCP layer
//!
//! [`tcp`] is the sequence analysis (`tcp.analysis.*`: retransmissions, duplicate ACKs, RTTs,
//! bytes in flight, per-stream facts), one pass over the index on top of the flows. Beside it,
//! on the same footing, the views computed from index, flows and TCP analysis: [`summary`] (the
//! packet-list rows and the whole-capture [`summary::Summary`]), [`conversations`] and
//! [`connections`]; [`tcp::graphs`] gives a stream's time-sequence, throughput, RTT and window
//! columns, and [`ladder`] the flow diagram of a set of frames.
//!
//! # The filter and findings layer
//!
//! [`filter`] is the display-filter engine: Wireshark's syntax compiled once and evaluated over
//! the index, flows and TCP analysis (frame bytes only for byte-level fields, through
//! [`filter::FrameBytes`], read with the `wire` views and walker). [`findings`] holds the detectors that explain a capture in plain
//! language, each a function of the index, flows and TCP analysis, plus their text, JSON and
//! HTML reports. Neither knows about the analyzer session, and neither uses the other.
//! [`follow`] gives a stream's payload as Wireshark's "Follow Stream" shows it: pieces from the
//! index, their bytes read a page at a time through [`filter::FrameBytes`].
//!
//! # The analyzer
//!
//! [`analyzer`] is the session both front ends drive: it feeds file chunks to the readers,
//! indexes frames as they stream (validating checksums with the `bad_checksum` detector when
//! asked), merges files into one timeline, builds flows and the TCP analysis on first use, and
//! answers every view: summary, rows, details (through `dissect`), findings, and the filtered
//! packet list (`analyzer::view`, on top of the filter engine). [`export`] writes chosen frames
//! of an analysis as pcapng and sits on top of it.
//!
//! # The comparison
//!
//! [`compare`] compares two analyses of the same traffic captured at two points (client side and
//! server side, through NAT, with unsynchronised clocks): lost, injected and modified packets per
//! direction, one-way delay, the NAT map and the clock model. It reads the two analyzers' indexes
//! and, through [`filter::FrameBytes`], their frames' bytes (payload hashes, and `dissect` for the
//! field-level diff of a modified packet); nothing below it knows about it.
//!
//! [`plan`] is the capture plan: the request for a usable capture a support engineer sends a
//! customer (commands per OS and tool, ring-buffer sizes, marker pings of the sizes
//! [`findings::markers`] recognises), and what an opened capture shows of it.
//!
//! [`compare_view`] shapes a comparison for the page (the per-flow table and the ladder of matched
//! pairs). [`sort`] is a small utility any layer may use: a stable sort for cold paths that does
//! not copy the standard library's sort into the wasm once per call site.
//!
//! # The front ends
//!
//! `wasm` (built for `wasm32` only) is the one module that talks to JavaScript: it converts
//! values for the page's worker and decides nothing. The `tracelens` binary (`src/main.rs` and
//! `src/cli/`, with the `cli` feature) is the command line; `synth`, the synthetic capture of
//! the benchmarks and scale tests, is written to files by it, and made in memory by `warm_up`,
//! which the page's worker runs once to get the browser to optimize the analyzer's code.

pub mod analyzer;
pub mod batched;
pub mod capture;
pub mod checksums;
pub mod chunked;
pub mod compare;
pub mod compare_view;
pub mod connections;
pub mod conversations;
pub mod decode;
pub mod dissect;
pub mod error;
pub mod export;
pub mod filter;
pub mod findings;
pub mod flows;
pub mod follow;
pub mod hash;
pub mod index;
pub mod io_graph;
pub mod ladder;
pub mod plan;
pub mod rank_bits;
pub mod sort;
pub mod summary;
pub mod synth;
pub mod tcp;
pub mod warm_up;
pub mod wire;

pub use error::CaptureError;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
