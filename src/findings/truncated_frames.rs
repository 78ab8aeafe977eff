//! `truncated_frames`: frames cut by the snapshot length (captured length < length on the wire),
//! reported once per capture with how many, the snaplen, and what analysis that limits.
//!
//! A snaplen that keeps the headers is good practice on a busy server (the seed captures the
//! first 256 bytes to save ~80 %): then it is a note — connection analysis stays sound, only
//! payload is lost. When the cut falls inside the IP/TCP/UDP headers it is a warning: sequence
//! analysis, ports or options are missing for those frames.

use super::render;
use super::{Details, Finding, Kind, Severity};
use crate::batched::for_each_batched;
use crate::capture::FileInfo;
use crate::flows::Flows;
use crate::index::{flag, PacketIndex};
use std::collections::BTreeSet;

/// What the finding tells, before any wording.
pub(crate) struct TruncatedFacts {
    /// Frames cut, of all frames; of them, cut inside the headers (and the first ten of those).
    pub count: u64,
    pub total: u64,
    pub headers_cut: u64,
    pub headers_cut_frames: Vec<u32>,
    /// The snapshot lengths that cut them (ascending), and the most any cut frame kept.
    pub snaplens: Vec<u32>,
    pub largest_cut: u32,
    /// The first cut frame.
    pub first: u32,
}

pub fn detect(index: &PacketIndex, _flows: &Flows, files: &[FileInfo]) -> Vec<Finding> {
    if index.records.totals().cut_frames == 0 {
        return Vec::new();
    }
    let mut truncated: Vec<u32> = Vec::new();
    let mut count = 0u64;
    let mut headers_cut = 0u64;
    let mut headers_cut_frames: Vec<u32> = Vec::new();
    let mut snaplens: BTreeSet<u32> = BTreeSet::new();
    let mut largest_cut = 0u32;
    for_each_batched(index.records.indexed(), |(i, r)| {
        if r.caplen >= r.orig_len {
            return;
        }
        count += 1;
        if truncated.len() < super::MAX_EVIDENCE_FRAMES {
            truncated.push(i as u32);
        }
        largest_cut = largest_cut.max(r.caplen);
        if r.has(flag::DECODE_STOPPED) || r.has(flag::PORTS_ONLY) {
            headers_cut += 1;
            if headers_cut_frames.len() < 10 {
                headers_cut_frames.push(i as u32);
            }
        }
        // The snaplen that cut this frame (frames trimmed shorter by a tool do not name one).
        if let Some(snaplen) = snaplen_of(index, files, r.iface).filter(|&s| s == r.caplen) {
            if snaplens.len() < 8 {
                snaplens.insert(snaplen);
            }
        }
    });
    if count == 0 {
        return Vec::new();
    }
    let facts = TruncatedFacts {
        count,
        total: index.len() as u64,
        headers_cut,
        headers_cut_frames,
        snaplens: snaplens.iter().copied().collect(),
        largest_cut,
        first: truncated[0],
    };
    let (verdict, explanation) = render::truncated_frames::text(&facts);
    let severity = Severity::warning_if(headers_cut > 0);
    let total = facts.total;
    let details = Details::new()
        .with("truncated_frames", count)
        .with("total_frames", total)
        .with("headers_cut", headers_cut)
        .with("snaplens", snaplens.into_iter().collect::<Vec<u32>>())
        .with("largest_captured_len", largest_cut);
    vec![
        Finding::new(Kind::TruncatedFrames, severity, verdict, explanation)
            .evidence(truncated)
            .filter("frame.cap_len < frame.len")
            .details(details),
    ]
}

/// The snaplen of a frame's interface, when the file declares a useful one.
fn snaplen_of(index: &PacketIndex, files: &[FileInfo], iface: u16) -> Option<u32> {
    let global = index.interfaces.get(usize::from(iface))?;
    let file = files.get(usize::from(global.file))?;
    let snaplen = file.interface_basics().get(global.local as usize)?.snaplen;
    (snaplen > 0).then_some(snaplen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::PacketRecord;

    #[test]
    fn payload_cuts_are_a_note_header_cuts_a_warning() {
        let full = PacketRecord {
            caplen: 60,
            orig_len: 60,
            ..PacketRecord::default()
        };
        let cut = PacketRecord {
            caplen: 256,
            orig_len: 1514,
            ..PacketRecord::default()
        };
        let index = PacketIndex {
            records: vec![full, cut, cut].into(),
            ..PacketIndex::default()
        };
        let f = &detect(&index, &Flows::default(), &[])[0];
        // Built: frames 2 and 3 keep 256 of 1514 bytes, frame 1 is whole: 2 of 3 cut.
        assert_eq!(f.severity, Severity::Note);
        assert_eq!(
            f.verdict,
            "2 of 3 frames were cut short by the capture (at most 256 bytes kept)."
        );
        assert_eq!(f.frames, vec![2, 3]);

        let mut header_cut = cut;
        header_cut.flags = flag::DECODE_STOPPED;
        let index = PacketIndex {
            records: vec![header_cut].into(),
            ..PacketIndex::default()
        };
        assert_eq!(
            detect(&index, &Flows::default(), &[])[0].severity,
            Severity::Warning
        );
        let clean = PacketIndex {
            records: vec![full].into(),
            ..PacketIndex::default()
        };
        assert!(detect(&clean, &Flows::default(), &[]).is_empty());
    }
}
