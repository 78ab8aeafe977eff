//! The sentences of the `zero_window` findings: per advertising side, how long the window stayed
//! closed and whether it reopened, why that points at the receiving application, and the summary
//! of connections past the listing limit.

use crate::findings::text::{self, duration, frame_no};
use crate::findings::zero_window::ZeroWindowFacts;

/// The verdict for one advertising side.
pub(crate) fn verdict(f: &ZeroWindowFacts<'_>) -> String {
    let side = f.side;
    let longest = side.zero_window.episodes.longest_ns;
    let times = if side.zero_window.episodes.count > 1 {
        format!(" {} times", side.zero_window.episodes.count)
    } else {
        String::new()
    };
    let outcome = if side.zero_window.closed_at_end {
        format!(
            "never reopened it: the transfer stood still for {} until the {} ended",
            duration(longest),
            if f.reset { "connection" } else { "capture" }
        )
    } else if side.zero_window.episodes.count > 1 {
        format!(
            "reopened it each time (longest closed {}, {} in all)",
            duration(longest),
            duration(side.zero_window.episodes.total_ns)
        )
    } else {
        format!("reopened it after {}", duration(longest))
    };
    format!(
        "{} advertised a zero window to {}{times} and {outcome}.",
        f.receiver, f.sender
    )
}

/// The explanation for one advertising side.
pub(crate) fn explanation(f: &ZeroWindowFacts<'_>) -> String {
    let side = f.side;
    let (receiver, sender, receiver_host) = (&f.receiver, &f.sender, &f.receiver.host);
    let mut explanation = format!(
        "A zero window means the receiver's buffer is full: {receiver_host}'s application was \
         not reading the data as fast as it arrived, so {sender} had to stop sending. \
         {receiver} advertised a window of 0 bytes in {}{}",
        text::count(side.zero_window.frames.len() as u64, "frame", "frames"),
        side.zero_window
            .frames
            .first()
            .map_or(String::new(), |&f| format!(
                " (the first is frame {})",
                frame_no(f)
            )),
    );
    if side.zero_window.probes_received > 0 {
        explanation += &format!(
            "; {sender} probed it {} meanwhile and every answer still said 0",
            text::count(u64::from(side.zero_window.probes_received), "time", "times")
        );
    }
    explanation += ". ";
    if let Some(reopen) = side
        .zero_window
        .reopened
        .filter(|_| !side.zero_window.closed_at_end)
    {
        explanation += &format!(
            "The window opened again in frame {} and the data flowed on. ",
            frame_no(reopen)
        );
    }
    if side.zero_window.closed_at_end {
        explanation += &format!(
            "It was still closed when the {} ended, {} after it first closed: the receiving \
             application stopped reading altogether. ",
            if f.reset {
                "connection was reset"
            } else {
                "capture"
            },
            duration(side.zero_window.episodes.longest_ns)
        );
    }
    if f.sender_bytes > 0 {
        explanation += &format!(
            "{sender} had sent {} on this connection. ",
            text::count(f.sender_bytes, "byte", "bytes")
        );
    }
    explanation += &format!(
        "This is not a network fault: look at the application on {receiver_host} — is it busy \
         (CPU), blocked (disk, a lock, a slow downstream service) or hung? A receiver that keeps \
         running out of buffer needs to read faster or to be given larger socket buffers."
    );
    explanation
}

/// The summary of the connections past the listing limit: verdict and explanation.
pub(crate) fn more(connections: usize, frames: u64) -> (String, String) {
    (
        format!(
            "{connections} more connections had a receiver advertise a zero window ({}).",
            text::count(frames, "zero-window frame", "zero-window frames")
        ),
        "Too many to list one by one; the filter shows every zero window. Many \
         receivers running out of buffer at once point at a host (or an application) \
         that cannot keep up with what it is sent."
            .into(),
    )
}
