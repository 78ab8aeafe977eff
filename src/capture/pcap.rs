//! Classic libpcap reader: micro- and nanosecond magics in both byte orders, and Kuznetsov's
//! "modified" format (magic a1b2cd34, 24-byte record headers).
//!
//! Hand-written rather than built on `pcap-file`'s `PcapParser` because that parser rejects the
//! modified magic, folds the FCS bits of the link-type field into an unknown link type, and accepts
//! any record length (a hostile `incl_len` of 4 GB would make a streaming caller wait for data
//! forever). `pcap-file` is still what tracelens uses to *write* captures (tests, synthetic data).
//! Semantics follow Wireshark's `wiretap/libpcap.c` as summarised in
//! `wireshark-semantics.md` §5.1: records above 262144 bytes are an error, `incl_len > orig_len`
//! and `incl_len > snaplen` are tolerated, and an out-of-range fraction is kept as Wireshark keeps
//! it (a 32-bit nanosecond count, not normalised).

use super::frame::{
    deliver, FileInfo, Format, FormatParser, FrameSink, InterfaceInfo, RawFrame, SectionInfo,
};
use crate::error::CaptureError;
use crate::wire::bytes::Endian;

/// Wireshark's `WTAP_MAX_PACKET_SIZE_STANDARD`.
pub const MAX_RECORD_LEN: u32 = 262_144;
const FILE_HEADER_LEN: usize = 24;

/// Byte order and time unit from the magic number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Magic {
    pub big_endian: bool,
    pub nanoseconds: bool,
    pub modified: bool,
}

impl Magic {
    /// Recognises the four-byte magic at the start of a classic pcap file.
    pub fn detect(first4: [u8; 4]) -> Option<Magic> {
        let (big_endian, nanoseconds, modified) = match u32::from_be_bytes(first4) {
            0xA1B2_C3D4 => (true, false, false),
            0xD4C3_B2A1 => (false, false, false),
            0xA1B2_3C4D => (true, true, false),
            0x4D3C_B2A1 => (false, true, false),
            0xA1B2_CD34 => (true, false, true),
            0x34CD_B2A1 => (false, false, true),
            _ => return None,
        };
        Some(Magic {
            big_endian,
            nanoseconds,
            modified,
        })
    }

    /// The byte order the magic declares.
    fn order(self) -> Endian {
        if self.big_endian {
            Endian::Big
        } else {
            Endian::Little
        }
    }

    fn record_header_len(self) -> usize {
        if self.modified {
            24
        } else {
            16
        }
    }
}

/// Push parser for one classic pcap file.
#[derive(Debug)]
pub struct PcapParser {
    magic: Magic,
    header_done: bool,
    fcs_len: usize,
    link_type: u32,
    frames: u64,
}

impl PcapParser {
    pub fn new(magic: Magic) -> Self {
        PcapParser {
            magic,
            header_done: false,
            fcs_len: 0,
            link_type: 0,
            frames: 0,
        }
    }

    fn parse_file_header(
        &mut self,
        header: &[u8],
        info: &mut FileInfo,
    ) -> Result<(), CaptureError> {
        let m = self.magic;
        let version_major = m.order().u16(header, 4).unwrap_or(0);
        let version_minor = m.order().u16(header, 6).unwrap_or(0);
        if version_major < 2 {
            return Err(CaptureError::new(
                4,
                1,
                format!(
                    "pcap file header says version {version_major}.{version_minor}; only version 2.x is supported (major version {version_major} unsupported)"
                ),
            ));
        }
        let snaplen = m.order().u32(header, 16).unwrap_or(0);
        let linktype_field = m.order().u32(header, 20).unwrap_or(0);
        let reserved = linktype_field & 0x03FF_0000;
        if reserved != 0 {
            return Err(CaptureError::new(
                20,
                1,
                format!("pcap link-type field 0x{linktype_field:08x} has reserved bits set (0x{reserved:08x}); expected zero"),
            ));
        }
        if linktype_field & 0x0400_0000 != 0 {
            // Bits 28..31 give the FCS length in 16-bit words.
            self.fcs_len = ((linktype_field >> 28) as usize) * 2;
        }
        info.format = Some(if m.modified {
            Format::PcapModified
        } else if m.nanoseconds {
            Format::PcapNs
        } else {
            Format::Pcap
        });
        info.sections.push(SectionInfo {
            big_endian: m.big_endian,
            version: format!("{version_major}.{version_minor}"),
            ..SectionInfo::default()
        });
        self.link_type = linktype_field & 0xFFFF;
        let mut interface = InterfaceInfo::new(self.link_type, snaplen);
        interface.ts_resolution = if m.nanoseconds {
            "nanoseconds"
        } else {
            "microseconds"
        }
        .into();
        interface.fcs_len = self.fcs_len as u32;
        info.add_interface(interface);
        Ok(())
    }

    /// Nanoseconds since 1970 as Wireshark computes them: the fraction is scaled into a 32-bit
    /// nanosecond count that wraps, and is not carried into the seconds.
    fn timestamp_ns(&self, seconds: u32, fraction: u32) -> i64 {
        let nanos = if self.magic.nanoseconds {
            fraction as i32
        } else {
            fraction.wrapping_mul(1000) as i32
        };
        i64::from(seconds) * 1_000_000_000 + i64::from(nanos)
    }
}

impl FormatParser for PcapParser {
    fn parse(&mut self, buf: &[u8], base: u64, out: FrameSink<'_>) -> Result<usize, CaptureError> {
        let FrameSink { info, sink } = out;
        let mut at = 0usize;
        if !self.header_done {
            if buf.len() < FILE_HEADER_LEN {
                return Ok(0);
            }
            self.parse_file_header(&buf[..FILE_HEADER_LEN], info)?;
            self.header_done = true;
            at = FILE_HEADER_LEN;
        }
        let m = self.magic;
        let header_len = m.record_header_len();
        while buf.len() - at >= header_len {
            let record = &buf[at..];
            let incl_len = m.order().u32(record, 8).unwrap_or(0);
            let orig_len = m.order().u32(record, 12).unwrap_or(0);
            let frame_no = self.frames + 1;
            if incl_len > MAX_RECORD_LEN {
                return Err(CaptureError::new(
                    base + at as u64,
                    frame_no,
                    format!(
                        "pcap record claims {incl_len} captured bytes, more than the maximum of {MAX_RECORD_LEN}: the file is damaged or not a pcap file"
                    ),
                ));
            }
            let total = header_len + incl_len as usize;
            if record.len() < total {
                break;
            }
            let data_end = (incl_len as usize).saturating_sub(self.fcs_len);
            let data = &record[header_len..header_len + data_end];
            let ts_ns = self.timestamp_ns(
                m.order().u32(record, 0).unwrap_or(0),
                m.order().u32(record, 4).unwrap_or(0),
            );
            deliver(
                info,
                sink,
                RawFrame {
                    ts_ns: Some(ts_ns),
                    orig_len: orig_len.saturating_sub(self.fcs_len as u32),
                    interface: 0,
                    link_type: self.link_type,
                    data,
                    offset: base + (at + header_len) as u64,
                    direction: 0,
                },
            );
            self.frames += 1;
            at += total;
        }
        Ok(at)
    }

    fn finish(&mut self, rest: &[u8], base: u64, _info: &mut FileInfo) -> Result<(), CaptureError> {
        if !self.header_done {
            return Err(CaptureError::new(
                0,
                1,
                format!(
                    "pcap file header needs 24 bytes, the file has {}",
                    rest.len()
                ),
            ));
        }
        if rest.is_empty() {
            return Ok(());
        }
        let header_len = self.magic.record_header_len();
        let message = if rest.len() < header_len {
            format!(
                "the file ends inside a record header: {} of {header_len} bytes present",
                rest.len()
            )
        } else {
            let incl_len = self.magic.order().u32(rest, 8).unwrap_or(0);
            format!(
                "the file ends inside a record: it claims {incl_len} captured bytes, only {} are present (the capture was cut short)",
                rest.len() - header_len
            )
        };
        Err(CaptureError::new(base, self.frames + 1, message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `tcpdump/tcp-handshake-nano.pcap` from the corpus: nanosecond magic, little-endian, SLL.
    const HANDSHAKE_NANO_HEADER: [u8; 24] = [
        0x4d, 0x3c, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x04, 0x00, 0x71, 0x00, 0x00, 0x00,
    ];

    fn corpus(path: &str) -> Vec<u8> {
        let full = format!("{}/../shared/captures/{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&full).unwrap_or_else(|e| panic!("corpus file {full}: {e}"))
    }

    /// What a read produced: the file info, (time, length, offset) per frame, and the error.
    type ReadResult = (
        FileInfo,
        Vec<(Option<i64>, usize, u64)>,
        Option<CaptureError>,
    );

    fn read_all(bytes: &[u8], chunk: usize) -> ReadResult {
        let magic = Magic::detect([bytes[0], bytes[1], bytes[2], bytes[3]]).expect("pcap magic");
        let mut parser = PcapParser::new(magic);
        let mut info = FileInfo::new("test");
        let mut frames = Vec::new();
        let mut pending: Vec<u8> = Vec::new();
        let mut base = 0u64;
        for piece in bytes.chunks(chunk) {
            pending.extend_from_slice(piece);
            let mut sink = |f: RawFrame<'_>| frames.push((f.ts_ns, f.data.len(), f.offset));
            let out = FrameSink {
                info: &mut info,
                sink: &mut sink,
            };
            let used = match parser.parse(&pending, base, out) {
                Ok(used) => used,
                Err(e) => return (info, frames, Some(e)),
            };
            pending.drain(..used);
            base += used as u64;
        }
        let error = parser.finish(&pending, base, &mut info).err();
        (info, frames, error)
    }

    #[test]
    fn reads_nanosecond_header() {
        let magic = Magic::detect([0x4d, 0x3c, 0xb2, 0xa1]).unwrap();
        assert!(magic.nanoseconds && !magic.big_endian);
        let mut parser = PcapParser::new(magic);
        let mut info = FileInfo::new("x");
        let used = parser
            .parse(
                &HANDSHAKE_NANO_HEADER,
                0,
                FrameSink {
                    info: &mut info,
                    sink: &mut |_| {},
                },
            )
            .unwrap();
        assert_eq!(used, 24);
        assert_eq!(info.interfaces[0].link_type, 113);
        // Bytes 16..20 of the header above: 00 00 04 00 little-endian = 0x40000 = 262144;
        // bytes 20..24: 0x71 = 113 (LINKTYPE_LINUX_SLL).
        assert_eq!(info.interfaces[0].snaplen, 262_144);
        assert_eq!(info.format, Some(Format::PcapNs));
    }

    #[test]
    fn big_endian_pptp_matches_tshark() {
        // tshark -r tcpdump/pptp.pcap -T fields -e frame.time_epoch: 23 frames.
        let (info, frames, error) = read_all(&corpus("tcpdump/pptp.pcap"), 1 << 20);
        assert!(error.is_none());
        assert_eq!(frames.len(), 23);
        assert_eq!(info.interfaces[0].link_type, 1);
        assert!(info.sections[0].big_endian);
    }

    #[test]
    fn byte_at_a_time_equals_whole() {
        let bytes = corpus("zeek/get-to-ssh-server.pcap");
        let whole = read_all(&bytes, bytes.len());
        let tiny = read_all(&bytes, 1);
        assert_eq!(whole.1, tiny.1);
        // tests/goldens/zeek/get-to-ssh-server.pcap/info.json (tshark 4.0.17): "frames": 9.
        assert_eq!(whole.1.len(), 9);
    }

    #[test]
    fn modified_format_uses_24_byte_records() {
        // tshark: 1 frame, time 1712763541.734807000, 98 bytes.
        let (info, frames, error) = read_all(&corpus("pcap-parser/modified-format.pcap"), 7);
        assert!(error.is_none());
        assert_eq!(info.format, Some(Format::PcapModified));
        assert_eq!(frames, vec![(Some(1_712_763_541_734_807_000), 98, 24 + 24)]);
    }

    #[test]
    fn out_of_range_fractions_are_kept_like_wireshark() {
        // tshark prints 1418145370.1000000000 and 1418145370.000000000 (wrapped 2^31 * 1000).
        let (_, frames, _) = read_all(&corpus("tcpdump/timestamp_invalid_micro.pcap"), 4096);
        assert_eq!(
            frames[1].0,
            Some(1_418_145_370 * 1_000_000_000 + 1_000_000_000)
        );
        assert_eq!(frames[2].0, Some(1_418_145_370 * 1_000_000_000));
    }

    #[test]
    fn version_one_is_rejected_like_tshark() {
        let (_, frames, error) = read_all(&corpus("libpcap/pcap-invalid-version-1.pcap"), 4096);
        assert!(frames.is_empty());
        let error = error.expect("error");
        assert!(
            error.message.contains("major version 1 unsupported"),
            "{}",
            error.message
        );
    }

    #[test]
    fn reserved_linktype_bits_are_rejected() {
        let (_, _, error) = read_all(
            &corpus("libpcap/linktype-reserved-field-not-zero.pcap"),
            4096,
        );
        // The link-type field is bytes 20..24 of the 24-byte file header.
        assert_eq!(error.expect("error").offset, 20);
    }

    #[test]
    fn truncated_file_keeps_earlier_frames_and_names_offset() {
        let bytes = corpus("zeek/get-to-ssh-server.pcap");
        let (_, all, _) = read_all(&bytes, bytes.len());
        // Cut in the middle of the 5th record's data.
        let fifth_data = all[4].2 as usize;
        let (_, frames, error) = read_all(&bytes[..fifth_data + 3], 100);
        assert_eq!(frames.len(), 4);
        let error = error.expect("truncation error");
        assert_eq!(error.frame, 5);
        assert_eq!(error.offset, (fifth_data - 16) as u64);
        assert!(error.message.contains("cut short"));
    }

    #[test]
    fn fcs_bits_strip_bytes() {
        // tcpdump/cve2015-0261-crash.pcap: link-type field 0x30000008 would be "FCS present, 6 bytes"
        // only with bit 26 set; it is not, so nothing is stripped and tshark shows 161 bytes.
        let (info, frames, _) = read_all(&corpus("tcpdump/cve2015-0261-crash.pcap"), 4096);
        assert_eq!(info.interfaces[0].link_type, 8);
        assert_eq!(frames[0].1, 161);
    }
}
