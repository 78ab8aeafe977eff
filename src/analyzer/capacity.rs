//! How many frames one analysis may hold, and what happens to the rest: the page runs in wasm32,
//! whose memory ends at 4 GiB, so a capture larger than that can hold is opened up to a frame
//! limit (set by the page, see [`WASM32_FRAME_LIMIT`]) or up to the point where the records
//! cannot grow any more (an allocation refused: checked with `try_reserve`, never a panic). The
//! frames before the cut are analysed as usual; the cut is recorded ([`FramesCut`]) and said in
//! plain words in the summary's warnings, and nothing after it is read. A capture is never lost to
//! its size.

use crate::index::Records;
use crate::summary::thousands;
use serde::Serialize;

/// The most wasm32 memory a frame needs while the whole analysis is built — the high-water mark
/// of the wasm's memory, which never shrinks, after the capture is open, its findings made and a
/// filter applied: `node scripts/bench-wasm-memory.mjs` measured 60.6 on the 13M-frame synthetic
/// capture and 64.8 (2.41 GB) on the 37.2M-frame one, whose 6.2 million connections make it the
/// most demanding shape we know of (70.4 and 74.5 with 32-byte records, 24-byte tuples, 36-byte
/// streams, 8 bytes a frame with TCP options and the addresses' look-up tables kept; 80.8 and 79.9 with 36-byte
/// records and 96-byte connection attempts; 83.5 and 82.5 with 4 bytes a frame for its stream id;
/// 102.4 before the records interned each conversation's tuple, the connection attempts shrank
/// and IPv4 addresses were kept in 4 bytes; 139.2 before the large lists of the streams, attempts
/// and addresses were kept in exact chunks and the attempts and streams' facts made in turn; 170
/// before the records were stored compactly). The rest is margin for captures shaped otherwise:
/// 17% over the worst figure (76 was set with the 14% of before at 66.1, measured before the
/// streams shrank).
pub const PEAK_BYTES_PER_FRAME: u64 = 76;

/// What the page lets the analysis take of wasm32's 4 GiB: the rest is the wasm's own data, the
/// frame being dissected, exports and reassembly buffers.
const WASM32_BUDGET: u64 = 3400 << 20;

/// The frame limit the page sets: as many frames as [`WASM32_BUDGET`] holds at
/// [`PEAK_BYTES_PER_FRAME`] (about 46.9 million).
pub const WASM32_FRAME_LIMIT: u64 = WASM32_BUDGET / PEAK_BYTES_PER_FRAME;
const _: () = assert!(WASM32_FRAME_LIMIT * PEAK_BYTES_PER_FRAME < 4 << 30);

/// Why frames were left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CutReason {
    /// The frame limit was reached.
    FrameLimit,
    /// Memory for more records was refused.
    Memory,
}

/// Where the analysis stopped taking frames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FramesCut {
    pub reason: CutReason,
    /// Frames analysed (all before the cut).
    pub frames: u64,
    /// The file (0-based) and the byte offset in it of the first frame left out.
    pub file: usize,
    pub offset: u64,
}

impl FramesCut {
    /// The cut in plain words, naming the file it happened in.
    pub fn message(&self, file_name: &str) -> String {
        let why = match self.reason {
            CutReason::FrameLimit => {
                "analysing more would need more memory than a browser tab has (4 GB); the \
                 command line (tracelens) opens the whole capture"
            }
            CutReason::Memory => "the memory for more frames was refused",
        };
        format!(
            "only the first {} frames are open: {why}. {file_name} was read up to byte {} and \
             nothing after that point (nor any later file) is included",
            thousands(self.frames),
            thousands(self.offset)
        )
    }
}

/// Frames of a file read before the rest of its records are planned from its size.
pub const PLAN_AFTER_FRAMES: usize = 1 << 16;

/// Plans the records of a file of `file_bytes` bytes, of which the first `read_bytes` held the
/// records already in `records`: room for as many frames as the same average size gives, 5% more
/// (at most `room` more frames: the frame limit). The records then grow once, not by doubling.
pub fn plan(records: &mut Records, file_bytes: u64, read_bytes: u64, room: u64) {
    let frames = records.len() as u64;
    if frames == 0 || read_bytes == 0 {
        return;
    }
    let expected = (file_bytes as f64 / read_bytes as f64 * frames as f64 * 1.05) as u64;
    let total = expected.max(frames).min(frames.saturating_add(room));
    records.plan(usize::try_from(total).unwrap_or(usize::MAX));
}

/// Whether `records` can take one more record: true when it has room or could grow (by doubling,
/// else by an eighth); false when the memory was refused or the vector is at its size limit.
pub fn room_for_one(records: &mut Records) -> bool {
    records.try_reserve_one()
}

/// Whether blocks of the sizes `blocks` can be had now, all at once: asked for together and
/// given straight back (a refused allocation is an error here, where a vector that cannot grow
/// would abort the wasm and lose the capture). What was asked for stays with the allocator,
/// ready for the work that follows, which then holds blocks of those sizes.
pub fn room_for(blocks: &[usize]) -> bool {
    let mut held: Vec<Vec<u8>> = Vec::with_capacity(blocks.len());
    for &bytes in blocks {
        let mut probe: Vec<u8> = Vec::new();
        if probe.try_reserve_exact(bytes).is_err() {
            return false;
        }
        held.push(probe);
    }
    true
}

/// Whether `bytes` more can be had in pieces of a few megabytes (what a list kept in chunks
/// needs: it fits in the holes earlier work left, where one block that size might not).
pub fn room_in_pieces(bytes: usize) -> bool {
    const PIECE: usize = 4 << 20;
    let mut pieces = vec![PIECE; bytes / PIECE];
    pieces.push(bytes % PIECE);
    room_for(&pieces)
}

/// Why a table of a capture cannot be made: the blocks `needed` more than the browser tab has left.
pub fn table_refused(table: &str, needed: &[usize], command: &str) -> String {
    format!(
        "The {table} table of this capture needs about {} MB more memory than the browser tab \
         has left (a tab has 4 GB in all, and the capture's analysis holds most of it). \
         `{command}` on the command line gives it in full.",
        thousands(needed.iter().sum::<usize>() as u64 >> 20)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_is_refused_beyond_what_can_be_had_and_given_when_it_can() {
        assert!(room_for(&[1 << 20, 1 << 10]));
        assert!(!room_for(&[1 << 20, usize::MAX]));
        assert!(room_in_pieces(9 << 20));
        assert_eq!(
            table_refused(
                "TCP conversations",
                &[500 << 20, 200 << 20],
                "tracelens conv --type tcp FILE"
            ),
            "The TCP conversations table of this capture needs about 700 MB more memory than the \
             browser tab has left (a tab has 4 GB in all, and the capture's analysis holds most \
             of it). `tracelens conv --type tcp FILE` on the command line gives it in full."
        );
    }

    #[test]
    fn the_cut_in_plain_words() {
        let cut = FramesCut {
            reason: CutReason::FrameLimit,
            frames: 20_971_520,
            file: 0,
            offset: 3_523_215_384,
        };
        assert_eq!(
            cut.message("big.pcap"),
            "only the first 20,971,520 frames are open: analysing more would need more memory \
             than a browser tab has (4 GB); the command line (tracelens) opens the whole capture. \
             big.pcap was read up to byte 3,523,215,384 and nothing after that point (nor any \
             later file) is included"
        );
    }

    use crate::analyzer::Analyzer;

    fn corpus(path: &str) -> Vec<u8> {
        let full = format!("{}/../shared/captures/{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
    }

    /// Two real captures read in 100-byte chunks, with at most `limit` frames taken.
    fn read_two(limit: Option<u64>) -> Analyzer {
        let mut analyzer = Analyzer::new();
        analyzer.set_frame_limit(limit);
        for name in [
            "arkime/wireshark-retrans.pcap",
            "chrissanders/http_google.pcapng",
        ] {
            let file = analyzer.begin_file(name);
            for chunk in corpus(name).chunks(100) {
                analyzer.push(file, chunk);
            }
            analyzer.end_file(file);
        }
        analyzer.finish();
        analyzer
    }

    #[test]
    fn a_frame_limit_keeps_the_frames_before_it_and_says_where_it_cut() {
        let whole = read_two(None);
        assert!(whole.frames_cut().is_none());
        let first_file = whole.file_infos()[0].clone();
        let place = |r: crate::index::PacketRecord| (r.offset, r.caplen, r.ts_ns);
        let in_first: Vec<_> = whole
            .index()
            .records
            .iter()
            .filter(|r| whole.index().file_of(r) == 0)
            .map(place)
            .collect();
        assert!(in_first.len() > 20);

        // The cut falls inside the first file: the second is never read.
        let cut = read_two(Some(10));
        assert_eq!(cut.len(), 10);
        let taken: Vec<_> = cut.index().records.iter().map(place).collect();
        assert_eq!(taken, in_first[..10]);
        assert_eq!(
            cut.frames_cut(),
            Some(&FramesCut {
                reason: CutReason::FrameLimit,
                frames: 10,
                file: 0,
                offset: in_first[10].0,
            })
        );
        let summary = cut.summary();
        assert!(summary.warnings[0].starts_with("only the first 10 frames are open"));
        assert!(summary.warnings[0].contains(&first_file.name));
        assert_eq!(summary.frames_cut, cut.frames_cut().cloned());
        assert!(
            summary.files[1].error.is_none(),
            "the file left unread is not damaged"
        );
        // The frames taken are analysed as usual.
        assert!(!cut.flows().streams.is_empty());
        let _ = cut.findings();

        // The cut falls inside the second file: every frame of the first is kept.
        let limit = in_first.len() as u64 + 3;
        let cut = read_two(Some(limit));
        assert_eq!(cut.len() as u64, limit);
        let taken = cut.frames_cut().expect("cut");
        assert_eq!((taken.file, taken.frames), (1, limit));
    }

    #[test]
    fn planned_records_grow_once_from_the_file_size() {
        let mut records = Records::new();
        for _ in 0..1000 {
            records.push(crate::index::PacketRecord::default());
        }
        // 1,000 frames in the first 100 kB of a 10 MB file: room for 105,000.
        plan(&mut records, 10_000_000, 100_000, u64::MAX);
        assert_eq!(records.capacity(), 105_000);
        // The frame limit bounds the plan.
        let mut limited = records.clone();
        plan(&mut limited, 10_000_000, 100_000, 500);
        assert!(limited.capacity() >= 1_500 && limited.capacity() < 105_000);
        // Past the plan, growth is by an eighth, not a doubling.
        while records.len() < records.capacity() {
            records.push(crate::index::PacketRecord::default());
        }
        assert!(room_for_one(&mut records));
        assert_eq!(records.capacity(), 105_000 + 105_000 / 8 + 1);
    }

    #[test]
    fn full_records_grow_when_they_can() {
        let mut records = Records::new();
        for _ in 0..1000 {
            assert!(room_for_one(&mut records));
            records.push(crate::index::PacketRecord::default());
        }
        assert_eq!(records.len(), 1000);
    }
}
