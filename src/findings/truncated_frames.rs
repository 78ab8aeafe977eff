//! `truncated_frames`: frames cut by the snapshot length (captured length < length on the wire),
//! reported once per capture with how many, the snaplen, and what analysis that limits.
//!
//! A snaplen that keeps the headers is good practice on a busy server (the seed captures the
//! first 256 bytes to save ~80 %): then it is a note — connection analysis stays sound, only
//! payload is lost. When the cut falls inside the IP/TCP/UDP headers it is a warning: sequence
//! analysis, ports or options are missing for those frames.

use super::text::{self, frame_no};
use super::{Details, Finding, Kind, Severity};
use crate::capture::FileInfo;
use crate::flows::Flows;
use crate::index::{flag, PacketIndex};
use std::collections::BTreeSet;

pub fn detect(index: &PacketIndex, _flows: &Flows, files: &[FileInfo]) -> Vec<Finding> {
    let mut truncated: Vec<u32> = Vec::new();
    let mut count = 0u64;
    let mut headers_cut = 0u64;
    let mut headers_cut_frames: Vec<u32> = Vec::new();
    let mut snaplens: BTreeSet<u32> = BTreeSet::new();
    let mut largest_cut = 0u32;
    for (i, r) in index.records.iter().enumerate() {
        if r.caplen >= r.orig_len {
            continue;
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
    }
    if count == 0 {
        return Vec::new();
    }
    let total = index.len() as u64;
    let snaplen_list: Vec<String> = snaplens.iter().map(u32::to_string).collect();
    let cut_by = match snaplen_list.as_slice() {
        [] => format!("the capture (at most {largest_cut} bytes kept)"),
        [one] if one == "1" => "the capture (snapshot length 1 byte)".to_string(),
        [one] => format!("the capture (snapshot length {one} bytes)"),
        many => format!(
            "the capture (snapshot lengths {} bytes)",
            text::join_and(many)
        ),
    };
    let verdict = format!(
        "{count} of {total} frames were cut short by {cut_by}{}.",
        if headers_cut > 0 {
            format!(", {headers_cut} of them inside the protocol headers")
        } else {
            String::new()
        }
    );
    let mut explanation = format!(
        "These frames were longer on the wire than what the capture kept (first: frame {}). ",
        frame_no(truncated[0])
    );
    let severity = if headers_cut > 0 {
        explanation += &format!(
            "In {} the cut falls inside the IP/TCP/UDP headers ({}), so ports, sequence numbers or \
             TCP options are missing there and the connection analysis (handshakes, \
             retransmissions, resets) cannot be trusted for those frames. ",
            text::count(headers_cut, "frame", "frames"),
            text::frames_text(&headers_cut_frames, 5)
        );
        Severity::Warning
    } else {
        explanation += "The headers are complete, so connection analysis (handshakes, \
                        retransmissions, resets, timings) is sound. ";
        Severity::Note
    };
    explanation += "What is lost is the payload: application content (TLS handshakes, HTTP \
                    headers and bodies) cannot be decoded past the cut, checksums cannot be \
                    validated, and payload-based reassembly is incomplete. A snaplen is sensible \
                    on a busy server (the first 256 bytes keep every header); if the problem is \
                    in the application data, capture again without one.";
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
    let snaplen = file.interfaces.get(global.local as usize)?.snaplen;
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
            records: vec![full, cut, cut],
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
            records: vec![header_cut],
            ..PacketIndex::default()
        };
        assert_eq!(
            detect(&index, &Flows::default(), &[])[0].severity,
            Severity::Warning
        );
        let clean = PacketIndex {
            records: vec![full],
            ..PacketIndex::default()
        };
        assert!(detect(&clean, &Flows::default(), &[]).is_empty());
    }
}
