//! Per-connection state of the sequence analysis, one [`Direction`] per flow direction plus the
//! connection-wide timers, mirroring packet-tcp.c's `tcp_flow_t` / `tcp_analyze_seq_flow_info_t`
//! and `struct tcp_analysis` field for field (names kept so the rules read like the original).

/// Most unacknowledged segments remembered per direction (packet-tcp.h
/// `TCP_MAX_UNACKED_SEGMENTS`); later ones are not recorded.
pub const MAX_UNACKED_SEGMENTS: usize = 10_000;

/// SACK blocks kept per direction for bytes-in-flight (Wireshark stores at most 3 of a
/// segment's blocks: `MAX_TCP_SACK_RANGES` − 1).
pub const MAX_SACK_BLOCKS: usize = 3;

/// A segment sent but not yet acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unacked {
    /// 1-based frame number.
    pub frame: u32,
    pub seq: u32,
    /// seq + len (+1 for SYN/FIN).
    pub nextseq: u32,
    pub ts: i64,
}

/// The analysis record of one frame (Wireshark's `struct tcp_acked`), created lazily: a frame
/// "has analysis" only when some rule or the ACK matching created it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Record {
    pub flags: u16,
    pub dupack_num: u32,
    pub dupack_frame: u32,
    /// 1-based frame this segment acknowledges (0 = none).
    pub frame_acked: u32,
    pub bytes_in_flight: u32,
}

/// One direction of a connection.
#[derive(Debug, Clone)]
pub struct Direction {
    pub nextseq: u32,
    pub nextseqframe: u32,
    pub nextseqtime: i64,
    pub maxseqtobeacked: u32,
    pub lastack: u32,
    pub lastacktime: i64,
    pub lastnondupack: u32,
    /// −1 after an "ACKed unseen segment" so the next one is not reported again.
    pub dupacknum: i32,
    /// Last raw window (u32::MAX before the first segment).
    pub window: u32,
    /// −1 unknown, −2 no scaling, else the shift.
    pub win_scale: i8,
    pub is_first_ack: bool,
    pub lastsegmentflags: u16,
    pub valid_bif: bool,
    /// Unacknowledged segments, oldest first (Wireshark's list is newest first).
    pub unacked: Vec<Unacked>,
    /// Lowest seq and highest nextseq of `unacked`, relative to `base_seq` (cached; `None`
    /// when it must be recomputed).
    pub span: Option<(u32, u32)>,
    pub sack: [(u32, u32); MAX_SACK_BLOCKS],
    pub sack_count: u8,
    /// Base of relative numbering as it stands now (`None` until the first segment).
    pub base_seq: Option<u32>,
}

impl Default for Direction {
    fn default() -> Self {
        Direction {
            nextseq: 0,
            nextseqframe: 0,
            nextseqtime: 0,
            maxseqtobeacked: 0,
            lastack: 0,
            lastacktime: 0,
            lastnondupack: 0,
            dupacknum: 0,
            window: u32::MAX,
            win_scale: -1,
            is_first_ack: false,
            lastsegmentflags: 0,
            valid_bif: true,
            unacked: Vec::new(),
            span: None,
            sack: [(0, 0); MAX_SACK_BLOCKS],
            sack_count: 0,
            base_seq: None,
        }
    }
}

impl Direction {
    /// Records a segment as sent and not yet acknowledged.
    pub fn push_unacked(&mut self, entry: Unacked) {
        let base = self.base_seq.unwrap_or(0);
        if self.unacked.is_empty() {
            self.span = None;
        }
        if let Some((first, last)) = &mut self.span {
            *first = (*first).min(entry.seq.wrapping_sub(base));
            *last = (*last).max(entry.nextseq.wrapping_sub(base));
        } else if self.unacked.is_empty() {
            self.span = Some((
                entry.seq.wrapping_sub(base),
                entry.nextseq.wrapping_sub(base),
            ));
        }
        self.unacked.push(entry);
    }

    /// Lowest seq and highest nextseq of the unacknowledged segments, each taken relative to
    /// the base (as Wireshark compares them), or `None` when there are none.
    pub fn unacked_span(&mut self) -> Option<(u32, u32)> {
        if self.unacked.is_empty() {
            return None;
        }
        if self.span.is_none() {
            let base = self.base_seq.unwrap_or(0);
            let first = self
                .unacked
                .iter()
                .map(|e| e.seq.wrapping_sub(base))
                .min()?;
            let last = self
                .unacked
                .iter()
                .map(|e| e.nextseq.wrapping_sub(base))
                .max()?;
            self.span = Some((first, last));
        }
        self.span
    }

    /// Sets the base of relative numbering (invalidating cached relative values).
    pub fn set_base(&mut self, base: u32) {
        if self.base_seq != Some(base) {
            self.base_seq = Some(base);
            self.span = None;
        }
    }

    /// Bytes the peer's last SACK option reported as received out of order.
    pub fn sacked_bytes(&self) -> u32 {
        self.sack[..usize::from(self.sack_count)]
            .iter()
            .fold(0u32, |sum, (left, right)| {
                sum.wrapping_add(right.wrapping_sub(*left))
            })
    }
}

/// A whole connection (one `tcp.stream`).
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub dirs: [Direction; 2],
    /// Time of the most recent SYN without ACK (0 = none).
    pub ts_mru_syn: i64,
    /// Initial RTT (0 = not known yet).
    pub ts_first_rtt: i64,
}

impl Connection {
    /// Becomes a new connection's state in place, keeping the room the unacknowledged-segment
    /// lists grew into (for a stream that takes a finished one's place).
    pub fn restart(&mut self) {
        let Connection {
            dirs,
            ts_mru_syn,
            ts_first_rtt,
        } = self;
        for dir in dirs {
            let mut unacked = std::mem::take(&mut dir.unacked);
            unacked.clear();
            *dir = Direction {
                unacked,
                ..Direction::default()
            };
        }
        *ts_mru_syn = 0;
        *ts_first_rtt = 0;
    }

    /// (this direction, the other direction).
    pub fn split(&mut self, dir: usize) -> (&mut Direction, &mut Direction) {
        let [a, b] = &mut self.dirs;
        if dir == 0 {
            (a, b)
        } else {
            (b, a)
        }
    }
}

/// Sequence comparisons modulo 2^32 (packet-tcp.h `GT_SEQ` and friends).
pub fn gt(x: u32, y: u32) -> bool {
    (y.wrapping_sub(x) as i32) < 0
}

pub fn lt(x: u32, y: u32) -> bool {
    (x.wrapping_sub(y) as i32) < 0
}

pub fn le(x: u32, y: u32) -> bool {
    (x.wrapping_sub(y) as i32) <= 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_comparisons_wrap() {
        assert!(gt(5, u32::MAX - 5));
        assert!(lt(u32::MAX - 5, 5));
        assert!(le(7, 7));
        assert!(!gt(7, 7));
    }
}
