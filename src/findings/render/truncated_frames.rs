//! The sentences of the `truncated_frames` finding: how many frames the snapshot length cut,
//! whether inside the headers, and what analysis that limits.

use crate::findings::text::{self, frame_no};
use crate::findings::truncated_frames::TruncatedFacts;

/// The verdict and explanation of the finding.
pub(crate) fn text(f: &TruncatedFacts) -> (String, String) {
    let snaplen_list: Vec<String> = f.snaplens.iter().map(u32::to_string).collect();
    let cut_by = match snaplen_list.as_slice() {
        [] => format!("the capture (at most {} bytes kept)", f.largest_cut),
        [one] if one == "1" => "the capture (snapshot length 1 byte)".to_string(),
        [one] => format!("the capture (snapshot length {one} bytes)"),
        many => format!(
            "the capture (snapshot lengths {} bytes)",
            text::join_and(many)
        ),
    };
    let verdict = format!(
        "{} of {} frames were cut short by {cut_by}{}.",
        f.count,
        f.total,
        if f.headers_cut > 0 {
            format!(", {} of them inside the protocol headers", f.headers_cut)
        } else {
            String::new()
        }
    );
    let mut explanation = format!(
        "These frames were longer on the wire than what the capture kept (first: frame {}). ",
        frame_no(f.first)
    );
    if f.headers_cut > 0 {
        explanation += &format!(
            "In {} the cut falls inside the IP/TCP/UDP headers ({}), so ports, sequence numbers or \
             TCP options are missing there and the connection analysis (handshakes, \
             retransmissions, resets) cannot be trusted for those frames. ",
            text::count(f.headers_cut, "frame", "frames"),
            text::frames_text(&f.headers_cut_frames, 5)
        );
    } else {
        explanation += "The headers are complete, so connection analysis (handshakes, \
                        retransmissions, resets, timings) is sound. ";
    }
    explanation += "What is lost is the payload: application content (TLS handshakes, HTTP \
                    headers and bodies) cannot be decoded past the cut, checksums cannot be \
                    validated, and payload-based reassembly is incomplete. A snaplen is sensible \
                    on a busy server (the first 256 bytes keep every header); if the problem is \
                    in the application data, capture again without one.";
    (verdict, explanation)
}
