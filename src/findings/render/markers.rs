//! The sentences of the `markers` finding: the marker sizes found and where, the ranges they
//! bracket, and how to focus on them.

use crate::findings::markers::{MarkerSize, Markers};
use crate::findings::text;

/// `22 bytes (ip.len 50) at frame 3, 2 pings`.
fn size_text(s: &MarkerSize) -> String {
    let field = if s.ipv6 {
        format!("ipv6.plen {}", s.ip_len.saturating_sub(40))
    } else {
        format!("ip.len {}", s.ip_len)
    };
    let times = if s.count > 1 {
        format!(", {} pings", s.count)
    } else {
        String::new()
    };
    format!(
        "{} bytes ({field}) at frame {}{times}",
        s.payload_len, s.first_no
    )
}

/// The verdict: the sizes found and the ranges between them.
pub(crate) fn verdict(found: &Markers, sizes: &[MarkerSize]) -> String {
    let size_texts: Vec<String> = sizes.iter().map(size_text).collect();
    match found.ranges.as_slice() {
        [] => format!("Marker pings found: {}.", text::join_and(&size_texts)),
        [r] => format!(
            "Marker pings found: {}; the repro lies between frames {} and {}.",
            text::join_and(&size_texts),
            r.from,
            r.to
        ),
        many => format!(
            "Marker pings found: {}; they bracket {} ranges of frames.",
            text::join_and(&size_texts),
            many.len()
        ),
    }
}

/// The explanation: what marker pings are, the unanswered ones, and how to focus.
pub(crate) fn explanation(found: &Markers, unpaired: usize) -> String {
    let mut explanation = "Echo requests of a distinctive size are the usual way to bracket a \
                           repro in a trace: ping -l 22 before reproducing the problem and ping \
                           -l 33 after it (IP total length = 20 + 8 + data, so 50 and 61). "
        .to_string();
    if unpaired > 0 {
        explanation += &format!(
            "{} got no reply in the trace. ",
            text::count(unpaired as u64, "marker request", "marker requests")
        );
    }
    match found.ranges.first() {
        Some(r) => {
            explanation += &format!(
                "Focus on the frames between the markers: put `{}` in front of any other filter \
                 (for example `{} and tcp.port == 443`).",
                r.filter, r.filter
            );
        }
        None => {
            explanation += "Only one marker size was found, so there is no range between markers; \
                            the frames after it (or before it) are where the repro happened.";
        }
    }
    explanation
}
