//! IO statistics over the index: how many frames and bytes fell into each time interval, per
//! display filter. Two consumers, two modules: [`iostat`] counts exactly as `tshark -q -z
//! io,stat,INTERVAL,FILTER…` (tshark 4.0) does, microsecond arithmetic and quirks included, and
//! [`iostat_text`] prints its table byte for byte (the `tracelens io` command); [`series`] bins a
//! time range for the page's IO graph — packets, bytes or bits per second, or a field's
//! SUM/MAX/AVG per interval — as flat arrays the wasm hands to JavaScript.
//!
//! Both take the frames a filter selected as sorted frame indexes (`None`: every frame), so the
//! filter engine stays the one place filters are evaluated; times are relative to the first
//! frame, the zero of `frame.time_relative`.

pub mod iostat;
pub mod iostat_text;
pub mod series;

use crate::index::PacketIndex;

/// Nanoseconds from the first frame to frame `i` (the raw timestamps: a frame without one counts
/// as 1970, as in Wireshark).
pub fn relative_ns(index: &PacketIndex, i: usize) -> i64 {
    let first = index.records.first().map_or(0, |r| r.ts_ns);
    index
        .records
        .get(i)
        .map_or(0, |r| r.ts_ns.saturating_sub(first))
}
