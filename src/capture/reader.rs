//! One capture file as a stream of byte chunks: sniffs the format from the magic bytes (never
//! the file name), inflates gzip on the fly, keeps the partial record between chunks, and hands
//! each frame to a sink. The first error ends the file; every frame before it has been delivered
//! and the error (with byte offset and frame number) is kept in [`FileInfo::error`].

use super::frame::{FileInfo, FormatParser, FrameSink, RawFrame};
use super::{netmon, pcap, pcapng};
use crate::error::CaptureError;
use flate2::write::MultiGzDecoder;
use std::io::Write;

/// The container formats recognised by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Pcap(pcap::Magic),
    PcapNg,
    NetMon,
    Gzip,
}

/// Recognises a capture format from its first four bytes.
pub fn sniff(first4: [u8; 4]) -> Option<Sniffed> {
    if let Some(magic) = pcap::Magic::detect(first4) {
        return Some(Sniffed::Pcap(magic));
    }
    match first4 {
        [0x0A, 0x0D, 0x0D, 0x0A] => Some(Sniffed::PcapNg),
        [b'G', b'M', b'B', b'U'] | [b'R', b'T', b'S', b'S'] => Some(Sniffed::NetMon),
        [0x1F, 0x8B, _, _] => Some(Sniffed::Gzip),
        _ => None,
    }
}

/// Compressed bytes handed to the inflater at a time. Deflate inflates at most 1032 times, so one
/// piece makes at most about 4 MiB: a small gzip chunk that inflates a lot never balloons memory.
const INFLATE_PIECE: usize = 4 << 10;

/// Decompressed bytes are handed to the format parser once this many have gathered (and at the
/// end of every chunk).
const FEED_BATCH: usize = 1 << 20;

/// Inflating may always reach this many bytes...
pub const GZIP_FLOOR: u64 = 256 << 20;

/// ...and beyond that, at most this many times the compressed bytes read so far. Real captures
/// compress 2 to 20 times (the corpus' largest ratio is 203, in a 2 KB file); a gzip bomb (zeros
/// deflate 1032 times) is stopped after [`GZIP_FLOOR`] bytes instead of filling memory with frames.
pub const GZIP_MAX_RATIO: u64 = 256;

/// How many decompressed bytes `compressed` gzip bytes may make.
pub fn gzip_ceiling(compressed: u64) -> u64 {
    GZIP_FLOOR.max(compressed.saturating_mul(GZIP_MAX_RATIO))
}

/// Reads one capture file from chunks.
pub struct CaptureReader {
    info: FileInfo,
    parser: Option<Box<dyn FormatParser>>,
    inflater: Option<MultiGzDecoder<Vec<u8>>>,
    /// Bytes not yet consumed by the parser; `pending[0]` is at stream offset `base`.
    pending: Vec<u8>,
    base: u64,
    done: bool,
    /// Bytes handed to [`CaptureReader::push`] (compressed, for gzip).
    pushed: u64,
    /// Compressed bytes handed to the inflater.
    compressed: u64,
}

impl CaptureReader {
    pub fn new(name: impl Into<String>) -> Self {
        CaptureReader {
            info: FileInfo::new(name),
            parser: None,
            inflater: None,
            pending: Vec::new(),
            base: 0,
            done: false,
            pushed: 0,
            compressed: 0,
        }
    }

    pub fn info(&self) -> &FileInfo {
        &self.info
    }

    pub fn into_info(self) -> FileInfo {
        self.info
    }

    /// True once the file ended in an error (later chunks are ignored).
    pub fn failed(&self) -> bool {
        self.info.error.is_some()
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8], sink: &mut dyn FnMut(RawFrame<'_>)) {
        if self.done || chunk.is_empty() {
            return;
        }
        self.pushed += chunk.len() as u64;
        if self.inflater.is_none() && self.parser.is_none() && self.base == 0 {
            // The first four bytes say whether to inflate: until they are here, bytes wait
            // (uncounted: for gzip they are not part of the decompressed stream).
            if self.pending.len() + chunk.len() < 4 {
                return self.pending.extend_from_slice(chunk);
            }
            let buffered = std::mem::take(&mut self.pending);
            let mut first4 = [0u8; 4];
            for (i, byte) in buffered.iter().chain(chunk.iter()).take(4).enumerate() {
                first4[i] = *byte;
            }
            if sniff(first4) == Some(Sniffed::Gzip) {
                self.info.gzip = true;
                self.inflater = Some(MultiGzDecoder::new(Vec::new()));
                self.inflate(&buffered, sink);
            } else {
                self.feed(&buffered, sink);
            }
        }
        if self.inflater.is_some() {
            self.inflate(chunk, sink);
        } else {
            self.feed(chunk, sink);
        }
    }

    fn inflate(&mut self, chunk: &[u8], sink: &mut dyn FnMut(RawFrame<'_>)) {
        let pieces = chunk.len().div_ceil(INFLATE_PIECE);
        for (n, piece) in chunk.chunks(INFLATE_PIECE).enumerate() {
            let Some(inflater) = self.inflater.as_mut() else {
                return;
            };
            let written = inflater.write_all(piece);
            self.compressed += piece.len() as u64;
            let ready = inflater.get_ref().len();
            let inflated = self.info.bytes + ready as u64;
            let too_much = inflated > gzip_ceiling(self.compressed);
            // What inflated before any damage is handed on first, so a damaged stream keeps
            // every frame before the damage however the file was cut into chunks.
            if written.is_err() || too_much || ready >= FEED_BATCH || n + 1 == pieces {
                let out = take_inflated(inflater);
                self.feed(&out, sink);
            }
            if self.done {
                return;
            }
            if let Err(e) = written {
                return self.gzip_failed("gzip data is damaged", e);
            }
            if too_much {
                return self.gzip_too_large(inflated);
            }
        }
    }

    /// Ends the file when inflating went past [`gzip_ceiling`].
    fn gzip_too_large(&mut self, inflated: u64) {
        let message = format!(
            "the gzip stream inflates to more than {GZIP_MAX_RATIO} times its size ({inflated} bytes from its first {} compressed bytes; a real capture compresses far less, a gzip bomb this much), so reading stops here, after {} frames",
            self.compressed, self.info.frames
        );
        let offset = self.base + self.pending.len() as u64;
        self.fail(CaptureError::new(offset, self.info.frames + 1, message));
    }

    /// Hands decompressed bytes to the format parser, keeping what it does not consume.
    fn feed(&mut self, data: &[u8], sink: &mut dyn FnMut(RawFrame<'_>)) {
        if self.done || data.is_empty() {
            return;
        }
        self.info.bytes += data.len() as u64;
        if self.parser.is_none() {
            // The first four bytes choose the parser; the chunk itself is then parsed in place
            // below like any other (copying it first copied the whole file when it came as one
            // chunk, and made the kernel clear a fresh page for every 4 KiB of it).
            if self.pending.len() + data.len() < 4 {
                return self.pending.extend_from_slice(data);
            }
            let mut first4 = [0u8; 4];
            for (i, byte) in self.pending.iter().chain(data).take(4).enumerate() {
                first4[i] = *byte;
            }
            match self.parser_for(first4) {
                Ok(parser) => self.parser = Some(parser),
                Err(e) => return self.fail(e),
            }
        }
        // Complete a record left over from the previous chunk by appending only as much of the new
        // data as needed (growing geometrically for large records), then parse the rest in place.
        let mut data = data;
        while !self.pending.is_empty() && !data.is_empty() && !self.done {
            let take = data.len().min(self.pending.len().max(64 << 10));
            let held = self.pending.len();
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(&data[..take]);
            let used = self.parse(&joined, sink);
            if self.done {
                return;
            }
            if used >= held {
                // The record that was waiting is complete: what follows it is still in `data`,
                // parsed in place below (copying it on 64 KiB at a time copied the whole file).
                data = &data[used - held..];
            } else {
                joined.drain(..used);
                self.pending = joined;
                data = &data[take..];
            }
        }
        if !data.is_empty() && !self.done {
            let used = self.parse(data, sink);
            if !self.done {
                self.pending.extend_from_slice(&data[used..]);
            }
        }
    }

    /// Parses `bytes` (which start at `self.base`); returns how many it consumed (0 after an
    /// error, which ends the file).
    fn parse(&mut self, bytes: &[u8], sink: &mut dyn FnMut(RawFrame<'_>)) -> usize {
        let Some(parser) = self.parser.as_mut() else {
            return 0;
        };
        let out = FrameSink {
            info: &mut self.info,
            sink,
        };
        match parser.parse(bytes, self.base, out) {
            Ok(used) => {
                let used = used.min(bytes.len());
                self.base += used as u64;
                used
            }
            Err(e) => {
                self.fail(e);
                0
            }
        }
    }

    fn parser_for(&mut self, first4: [u8; 4]) -> Result<Box<dyn FormatParser>, CaptureError> {
        match sniff(first4) {
            Some(Sniffed::Pcap(magic)) => Ok(Box::new(pcap::PcapParser::new(magic))),
            Some(Sniffed::PcapNg) => Ok(Box::new(pcapng::PcapNgParser::new())),
            Some(Sniffed::NetMon) => Ok(Box::new(netmon::NetMonParser::new())),
            Some(Sniffed::Gzip) => Err(CaptureError::new(0, 1, "gzip inside gzip is not supported")),
            None => Err(CaptureError::new(
                0,
                1,
                format!(
                    "not a capture file: it starts with bytes {:02x} {:02x} {:02x} {:02x}; expected a pcap (a1b2c3d4, d4c3b2a1, a1b23c4d, 4d3cb2a1), pcapng (0a0d0d0a), Network Monitor (GMBU, RTSS) or gzip (1f8b) magic",
                    first4[0], first4[1], first4[2], first4[3]
                ),
            )),
        }
    }

    /// Ends the file early on a problem found outside the reader (the caller could not read the
    /// file, or cannot index its frames). `error.frame` is the first frame not kept: frames the
    /// reader delivered from there on are taken out of the counts again (`dropped` says how many
    /// per interface). An error the reader found first is kept.
    pub fn stop(&mut self, error: CaptureError, dropped: impl IntoIterator<Item = (u32, u64)>) {
        if self.info.error.is_some() {
            return;
        }
        let kept = error.frame.saturating_sub(1);
        self.info.frames = self.info.frames.min(kept);
        self.uncount_interfaces(dropped);
        self.fail(error);
    }

    /// Takes frames the reader delivered but the caller did not keep (`(interface, count)`) out
    /// of the file's and its interfaces' frame counts.
    pub fn uncount(&mut self, dropped: impl IntoIterator<Item = (u32, u64)>) {
        let total = self.uncount_interfaces(dropped);
        self.info.frames = self.info.frames.saturating_sub(total);
    }

    /// [`CaptureReader::uncount`] for the interfaces only; returns how many frames it took out.
    fn uncount_interfaces(&mut self, dropped: impl IntoIterator<Item = (u32, u64)>) -> u64 {
        let mut total = 0;
        for (interface, count) in dropped {
            total += count;
            if let Some(info) = self.info.interfaces.get_mut(interface as usize) {
                info.frames = info.frames.saturating_sub(count);
            }
        }
        total
    }

    /// Bytes of the file handed in so far (compressed bytes for gzip).
    pub fn bytes_pushed(&self) -> u64 {
        self.pushed
    }

    fn fail(&mut self, error: CaptureError) {
        self.info.warn_cuts();
        // Reading stopped where the error is: the bytes read are those before it. Counting what
        // had arrived instead made the count depend on where the chunk holding the damage ended.
        self.info.bytes = self.info.bytes.min(error.offset);
        self.info.error = Some(error);
        self.done = true;
        self.pending = Vec::new();
        self.inflater = None;
    }

    /// Ends the file on a gzip error: `what` went wrong, at the end of what was decompressed.
    fn gzip_failed(&mut self, what: &str, error: impl std::fmt::Display) {
        let offset = self.base + self.pending.len() as u64;
        self.fail(CaptureError::new(
            offset,
            self.info.frames + 1,
            format!("{what} ({error}); offset is in the decompressed stream"),
        ));
    }

    /// Ends the file: flushes the inflater and reports a record cut short by the end of input.
    pub fn finish(&mut self, sink: &mut dyn FnMut(RawFrame<'_>)) {
        if self.done {
            return;
        }
        if let Some(mut inflater) = self.inflater.take() {
            let finished = inflater.try_finish();
            let out = take_inflated(&mut inflater);
            self.feed(&out, sink);
            if let (Err(e), false) = (finished, self.done) {
                return self.gzip_failed("gzip stream ends early or is damaged", e);
            }
        }
        if self.done {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let result = match self.parser.as_mut() {
            Some(parser) => parser.finish(&pending, self.base, &mut self.info),
            None if pending.is_empty() => Err(CaptureError::new(0, 1, "the file is empty")),
            None => Err(CaptureError::new(
                0,
                1,
                format!(
                    "the file has only {} bytes: too short for any capture format",
                    pending.len()
                ),
            )),
        };
        match result {
            Err(e) => self.fail(e),
            Ok(()) => self.info.warn_cuts(),
        }
        self.done = true;
    }
}

/// Takes every byte `inflater` has inflated so far. The decoder keeps up to 32 KiB of output
/// inside until its next write; `flush` hands that on too. Without it, the bytes inflated in the
/// same call that met damage stayed inside and were lost with the error, so how much of a damaged
/// stream was kept depended on how the file was cut into chunks (read whole, a fuzzed file kept 28
/// of the 34 frames before its damage). A flush error only repeats the damage already reported.
fn take_inflated(inflater: &mut MultiGzDecoder<Vec<u8>>) -> Vec<u8> {
    let _ = inflater.flush();
    std::mem::take(inflater.get_mut())
}

/// Reads a whole in-memory file (the CLI and tests use this; the page streams).
pub fn read_all(
    name: &str,
    bytes: &[u8],
    chunk: usize,
    sink: &mut dyn FnMut(RawFrame<'_>),
) -> FileInfo {
    let mut reader = CaptureReader::new(name);
    for piece in bytes.chunks(chunk.max(1)) {
        reader.push(piece, sink);
    }
    reader.finish(sink);
    reader.into_info()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(data).expect("in memory");
        encoder.finish().expect("in memory")
    }

    /// A gzip bomb: a pcap header, then `members` gzip members of 16 MiB of zeros each (about
    /// 16 KB compressed apiece). Zeros read as empty 16-byte pcap records: a frame every 16 bytes.
    fn bomb(members: usize) -> Vec<u8> {
        let mut header = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
        header.extend_from_slice(&[0; 8]);
        header.extend_from_slice(&65535u32.to_le_bytes());
        header.extend_from_slice(&1u32.to_le_bytes());
        let zeros = gzip(&vec![0u8; 16 << 20]);
        let mut file = gzip(&header);
        for _ in 0..members {
            file.extend_from_slice(&zeros);
        }
        file
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_ceiling_with_its_frames_kept() {
        // 64 members: 1 MiB of gzip that would inflate to 1 GiB (67 million empty frames).
        let file = bomb(64);
        assert!(file.len() < 2 << 20, "{} bytes", file.len());
        let mut frames = 0u64;
        let info = read_all("bomb.pcap.gz", &file, 8 << 20, &mut |_| frames += 1);
        let error = info.error.expect("the bomb is stopped");
        assert!(
            error
                .message
                .contains("inflates to more than 256 times its size"),
            "{error}"
        );
        // Stopped within one inflated piece (at most ~4 MiB) past the ceiling.
        assert!(
            info.bytes > GZIP_FLOOR && info.bytes < GZIP_FLOOR + (5 << 20),
            "{}",
            info.bytes
        );
        assert_eq!(frames, info.frames);
        assert_eq!(error.frame, frames + 1);
        assert!(
            error.message.contains(&format!("after {frames} frames")),
            "{error}"
        );
        assert_eq!(
            frames,
            (error.offset - 24) / 16,
            "every whole record before the stop"
        );
    }

    #[test]
    fn the_ceiling_grows_with_the_compressed_size() {
        assert_eq!(gzip_ceiling(0), GZIP_FLOOR);
        assert_eq!(gzip_ceiling(1 << 20), GZIP_FLOOR);
        assert_eq!(gzip_ceiling(4 << 20), (4 * GZIP_MAX_RATIO) << 20);
        assert_eq!(gzip_ceiling(u64::MAX), u64::MAX);
    }

    #[test]
    fn gzip_within_the_ceiling_reads_whole_in_any_chunks() {
        // 2 MiB of zeros: over 256 times its compressed size, but under the floor.
        let file = bomb(0);
        let mut small = file.clone();
        small.extend_from_slice(&gzip(&vec![0u8; 2 << 20]));
        for chunk in [1, 4095, 1 << 20] {
            let mut frames = 0u64;
            let info = read_all("small.pcap.gz", &small, chunk, &mut |_| frames += 1);
            assert!(info.error.is_none(), "{:?}", info.error);
            assert_eq!((frames, info.bytes), ((2 << 20) / 16, 24 + (2 << 20)));
        }
    }

    /// A classic pcap (little-endian, microseconds, Ethernet) of three 20-byte frames: 24 + 3 × 36
    /// = 132 bytes.
    fn three_frame_pcap() -> Vec<u8> {
        let mut file = vec![
            0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0,
            0,
        ];
        for second in 1u8..=3 {
            file.extend([second, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 20, 0, 0, 0]);
            file.extend([second; 20]);
        }
        file
    }

    /// A gzip member whose deflate stream is one stored block holding `data`, followed by a block
    /// header of the reserved type 3 (`0x06`: not final, type 11), which every inflater rejects.
    /// Read whole, a single decoder call inflates `data` and meets the damage.
    fn gzip_damaged_after(data: &[u8]) -> Vec<u8> {
        let len = u16::try_from(data.len()).expect("one stored block");
        let mut file = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        file.push(0x00); // stored block, not final
        file.extend(len.to_le_bytes());
        file.extend((!len).to_le_bytes());
        file.extend(data);
        file.push(0x06);
        file
    }

    /// (offset, length, time) of one frame.
    type Seen = (u64, usize, Option<i64>);

    /// Every frame and the error, reading `file` in chunks of `chunk`.
    fn read(file: &[u8], chunk: usize) -> (Vec<Seen>, Option<CaptureError>) {
        let mut frames = Vec::new();
        let info = read_all("test", file, chunk, &mut |f| {
            frames.push((f.offset, f.data.len(), f.ts_ns))
        });
        (frames, info.error)
    }

    #[test]
    fn a_damaged_gzip_stream_keeps_what_inflated_in_the_call_that_met_the_damage() {
        // The inflater held the 132 bytes of the call that met the damage inside, and they were
        // lost with the error: read whole, this file gave 0 frames; in 1-byte chunks, 3.
        let pcap = three_frame_pcap();
        let file = gzip_damaged_after(&pcap);
        let (frames, error) = read(&file, file.len());
        assert_eq!(
            frames,
            [
                (40, 20, Some(1_000_000_000)),
                (76, 20, Some(2_000_000_000)),
                (112, 20, Some(3_000_000_000))
            ]
        );
        let error = error.expect("the damage is reported");
        assert_eq!((error.offset, error.frame), (132, 4), "{error}");
        assert!(error.message.starts_with("gzip data is damaged"), "{error}");
        for chunk in 1..file.len() {
            assert_eq!(
                read(&file, chunk),
                (frames.clone(), Some(error.clone())),
                "chunks of {chunk}"
            );
        }
    }

    #[test]
    fn the_bytes_read_end_at_the_error_however_the_file_is_chunked() {
        // The second record claims 0x00ffffff captured bytes, past the 262144 allowed: reading
        // stops at byte 60, where it starts. The count once ran to the end of the chunk holding it.
        let mut file = three_frame_pcap();
        file[60 + 8..60 + 12].copy_from_slice(&0x00ff_ffffu32.to_le_bytes());
        for chunk in [1, 7, 61, 100, file.len()] {
            let info = read_all("test", &file, chunk, &mut |_| {});
            let error = info.error.expect("the damage is reported");
            assert_eq!((error.offset, error.frame), (60, 2), "chunks of {chunk}");
            assert_eq!((info.bytes, info.frames), (60, 1), "chunks of {chunk}");
        }
    }

    #[test]
    fn a_gzip_file_counts_only_its_decompressed_bytes_however_it_starts() {
        // Fed 1 to 3 bytes at a time, the gzip magic is only recognised once 4 bytes are there;
        // the compressed bytes held until then were counted in the stream's length.
        let pcap = three_frame_pcap();
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&pcap).expect("in memory");
        let file = encoder.finish().expect("in memory");
        for chunk in [1, 2, 3, 4, file.len()] {
            let info = read_all("test", &file, chunk, &mut |_| {});
            assert_eq!(info.error, None, "chunks of {chunk}");
            assert_eq!((info.bytes, info.frames), (132, 3), "chunks of {chunk}");
        }
    }

    #[test]
    fn a_large_record_fed_a_byte_at_a_time_grows_one_buffer() {
        // One record of the largest size allowed (262144 bytes), fed 1 byte at a time. The partial
        // record was copied into a new buffer of its exact size for every byte that arrived
        // (quadratic: a fuzzed pcapng block claiming 22 MB, fed 7 bytes at a time, took 24 s for
        // 325 KB); now one buffer grows geometrically, so its capacity changes a few times only.
        let mut file = three_frame_pcap();
        file.truncate(24);
        file.extend([0; 8]);
        file.extend([0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x00]); // 262144 twice
        file.extend(std::iter::repeat_n(0xab, 262_144));
        let mut reader = CaptureReader::new("test");
        let (mut frames, mut capacity_changes, mut capacity) = (0, 0, 0);
        for byte in file.chunks(1) {
            reader.push(byte, &mut |_| frames += 1);
            if reader.pending.capacity() != capacity {
                capacity = reader.pending.capacity();
                capacity_changes += 1;
            }
        }
        reader.finish(&mut |_| frames += 1);
        assert_eq!((frames, reader.info().error.clone()), (1, None));
        assert!(
            capacity_changes < 64,
            "{capacity_changes} buffer capacities"
        );
    }

    #[test]
    fn a_gzip_file_of_two_members_is_one_stream_in_any_chunks() {
        // The decoder is flushed after every write: the member boundary, which here falls inside
        // the second record, must not change what the parser sees.
        let pcap = three_frame_pcap();
        let mut file = Vec::new();
        for part in [&pcap[..70], &pcap[70..]] {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(part).expect("in memory");
            file.extend(encoder.finish().expect("in memory"));
        }
        let whole = read(&file, file.len());
        assert_eq!((whole.0.len(), &whole.1), (3, &None));
        for chunk in 1..file.len() {
            assert_eq!(read(&file, chunk), whole, "chunks of {chunk}");
        }
    }

    #[test]
    fn a_gzip_stream_cut_short_keeps_every_frame_it_holds() {
        // The same stored block without the damaged block after it: the stream just ends.
        let pcap = three_frame_pcap();
        let mut file = gzip_damaged_after(&pcap);
        file.pop();
        let (frames, error) = read(&file, file.len());
        assert_eq!(frames.len(), 3);
        let error = error.expect("the early end is reported");
        assert_eq!((error.offset, error.frame), (132, 4), "{error}");
        for chunk in 1..file.len() {
            assert_eq!(
                read(&file, chunk),
                (frames.clone(), Some(error.clone())),
                "chunks of {chunk}"
            );
        }
    }
}
