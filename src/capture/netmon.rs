//! Microsoft Network Monitor reader (`.cap`, NetMon 1.x `RTSS` and 2.x `GMBU`), little-endian
//! throughout, with the semantics of tshark 4.0 (`wiretap/netmon.c`, summarised in
//! `wireshark-semantics.md` §5.3). Hand-written because `pcap-file` has no NetMon support.
//!
//! The frame table at the end of the file says where each record is; tshark seeks to each one in
//! table order. A push parser sees the file front to back, so records are scanned in file order
//! from the end of the header (72 bytes for NetMon 2.x as NetMon 3 writes it, 128 for 1.x and for
//! 2.x files whose bytes 72..88 are zero padding) up to the first table after them, and each
//! record's offset is remembered. When the frame table's bytes arrive they are compared with
//! those offsets; any difference (order, holes, extra records) becomes a warning in
//! [`FileInfo::warnings`], because frame numbers then differ from tshark's.
//!
//! Per-frame media types (2.1+ trailers) become pseudo-interfaces, one per distinct type, with the
//! LINKTYPE they map to. NetMon-only encapsulations keep a value of their own: the NetMon number
//! for the metadata frames tshark numbers (0xFFE0 NetEvent, 0xFFFB Network Info Ex, 0xFFFF
//! filter) and for Message Analyzer WFP types (0xE083..0xE088), and 0xFF04 / 0xFF06 for ATM PDUs
//! and 802.11 with the NetMon metadata header. Types 0xFFFC, 0xFFFD and 0xFFFE are skipped and not
//! numbered, as in tshark.

use super::frame::{
    deliver, FileInfo, Format, FormatParser, FrameSink, InterfaceInfo, RawFrame, SectionInfo,
};
use crate::error::CaptureError;
use crate::wire::bytes::{array, le16, le32, le64};

/// Magic, version, media type, SYSTEMTIME and the five (offset, length) pairs tshark reads.
const HEADER_FIELDS_LEN: usize = 64;
/// NetMon 2.x header as NetMon 3 writes it; the first record follows it directly.
const V2_HEADER_LEN: u64 = 72;
/// NetMon 1.x header (`CAPTUREFILE_HEADER`), also used by Wireshark's 2.x writer.
const PADDED_HEADER_LEN: u64 = 128;
/// Wireshark's `WTAP_MAX_PACKET_SIZE_STANDARD`.
const MAX_RECORD_LEN: u32 = 262_144;
/// 1970-01-01 as a Windows FILETIME (100 ns units since 1601-01-01).
const FILETIME_UNIX_EPOCH: i128 = 116_444_736_000_000_000;
/// The NetMon ATM pseudo-header (two 6-byte addresses, VPI, VCI) in 1.x/2.0 ATM files.
const ATM_HEADER_LEN: usize = 16;

/// Link type of NetEvent (ETW event) frames.
pub const LINKTYPE_NETMON_NETEVENT: u32 = 0xFFE0;
/// Link type of Network Info Ex frames (the list of adapters).
pub const LINKTYPE_NETMON_NETWORK_INFO_EX: u32 = 0xFFFB;
/// Link type of NetMon filter-string frames.
pub const LINKTYPE_NETMON_FILTER: u32 = 0xFFFF;
/// Link type of ATM PDU frames (NetMon media type 4).
pub const LINKTYPE_NETMON_ATM_PDUS: u32 = 0xFF04;
/// Link type of 802.11 frames preceded by the NetMon 802.11 metadata header (media type 6).
pub const LINKTYPE_NETMON_802_11: u32 = 0xFF06;

/// What a NetMon media type means for a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    /// A frame of this link type.
    Frame(u32, &'static str),
    /// Metadata tshark reads past without numbering it.
    Skipped,
    /// tshark refuses the file at this record.
    Unsupported,
}

/// Maps a NetMon media type (file header or 2.1+ trailer) as `netmon.c` does.
fn classify(media: u16) -> Media {
    match media {
        // 0 appears in NetMon 3.4 VPN captures whose frames are Ethernet.
        0 | 1 => Media::Frame(1, "Ethernet"),
        2 => Media::Frame(6, "Token Ring"),
        3 => Media::Frame(10, "FDDI (bit-swapped)"),
        4 => Media::Frame(LINKTYPE_NETMON_ATM_PDUS, "ATM PDUs"),
        6 => Media::Frame(LINKTYPE_NETMON_802_11, "802.11 with NetMon metadata header"),
        7..=9 => Media::Frame(101, "raw IP"),
        0xE080 => Media::Frame(105, "802.11 (WiFi message)"),
        0xE083..=0xE088 => Media::Frame(u32::from(media), "Message Analyzer WFP capture"),
        0xE081 | 0xE082 | 0xE089 | 0xE08A => Media::Unsupported,
        _ if media & 0xF000 == 0xE000 => Media::Frame(u32::from(media & 0x0FFF), "converted pcap"),
        0xFFE0 => Media::Frame(LINKTYPE_NETMON_NETEVENT, "NetEvent (ETW event)"),
        0xFFFB => Media::Frame(LINKTYPE_NETMON_NETWORK_INFO_EX, "Network Info Ex"),
        0xFFFF => Media::Frame(LINKTYPE_NETMON_FILTER, "NetMon filter"),
        0xFFFC..=0xFFFE => Media::Skipped,
        _ => Media::Unsupported,
    }
}

/// A table the header points to: `[start, end)` in the file.
#[derive(Debug, Clone, Copy)]
struct Table {
    start: u64,
    end: u64,
}

/// What every record needs from the file header.
#[derive(Debug, Clone, Copy)]
struct RecordFormat {
    major: u8,
    minor: u8,
    /// File-level media type (the only one before 2.1).
    media: u16,
    /// Capture start (a SYSTEMTIME read as UTC), nanoseconds since 1970.
    start_ns: i128,
}

/// The file header, validated as tshark validates it when opening the file.
#[derive(Debug, Clone)]
struct Header {
    format: RecordFormat,
    frame_table: Table,
    /// Tables that end the region holding records (frame table, and for 2.2+ the others).
    tables: Vec<Table>,
    comment_table: Option<Table>,
    process_info_offset: Option<u64>,
}

impl Header {
    /// Parses the first 64 bytes. `Ok(None)` asks for more input.
    fn parse(bytes: &[u8]) -> Result<Option<Header>, String> {
        if bytes.len() < HEADER_FIELDS_LEN {
            return Ok(None);
        }
        let magic = array::<4>(bytes, 0).unwrap_or([0; 4]);
        if &magic != b"GMBU" && &magic != b"RTSS" {
            return Err(format!(
                "not a Network Monitor file: magic {:02x} {:02x} {:02x} {:02x}, expected GMBU (2.x) or RTSS (1.x)",
                magic[0], magic[1], magic[2], magic[3]
            ));
        }
        let [minor, major] = array::<2>(bytes, 4).unwrap_or([0; 2]);
        let media = le16(bytes, 6).unwrap_or(0);
        if major != 1 && major != 2 {
            return Err(format!(
                "NetMon version {major}.{minor} is not supported (expected major version 1 or 2)"
            ));
        }
        if media >= 12 || classify(media) == Media::Unsupported {
            return Err(format!(
                "NetMon file header has media type {media}, which tshark does not support (expected 0-4, 6-9)"
            ));
        }
        let mut fields = [0u16; 8];
        for (i, field) in fields.iter_mut().enumerate() {
            *field = le16(bytes, 8 + 2 * i).unwrap_or(0);
        }
        let pair = |i: usize| {
            (
                u64::from(le32(bytes, 24 + 8 * i).unwrap_or(0)),
                u64::from(le32(bytes, 28 + 8 * i).unwrap_or(0)),
            )
        };
        let (table_offset, table_len) = pair(0);
        check_frame_table_len(table_len)?;
        let frame_table = Table {
            start: table_offset,
            end: table_offset + table_len,
        };
        let mut header = Header {
            format: RecordFormat {
                major,
                minor,
                media,
                start_ns: systemtime_ns(fields),
            },
            frame_table,
            tables: vec![frame_table],
            comment_table: None,
            process_info_offset: None,
        };
        // Before 2.2 these fields are not initialised by the writers (tshark ignores them).
        if major == 2 && minor >= 2 {
            header.read_v22_tables(pair(1), pair(2), pair(3), pair(4))?;
        }
        Ok(Some(header))
    }

    /// User data, comments, process info and network info of a 2.2+ header.
    fn read_v22_tables(
        &mut self,
        user: (u64, u64),
        comments: (u64, u64),
        process_info: (u64, u64),
        network: (u64, u64),
    ) -> Result<(), String> {
        let (comment_offset, comment_len) = comments;
        if comment_len > 0 {
            if comment_len > 512 * 1024 * 1024 {
                return Err(format!("NetMon comment table is {comment_len} bytes, more than the 512 MiB tshark accepts"));
            }
            if comment_len < 17 {
                return Err(format!("NetMon comment table is {comment_len} bytes, too small to hold a comment (tshark needs 17)"));
            }
            let table = Table {
                start: comment_offset,
                end: comment_offset + comment_len,
            };
            self.comment_table = Some(table);
            self.tables.push(table);
        }
        let (process_offset, process_count) = process_info;
        if process_offset > 0 && process_count > 0 {
            if process_count > 512 * 1024 {
                return Err(format!("NetMon process info table has {process_count} entries, more than the 524288 tshark accepts"));
            }
            self.process_info_offset = Some(process_offset);
            // Its length is not stored; only its start bounds the records.
            self.tables.push(Table {
                start: process_offset,
                end: process_offset,
            });
        }
        for (offset, len) in [user, network] {
            if offset > 0 && len > 0 {
                self.tables.push(Table {
                    start: offset,
                    end: offset + len,
                });
            }
        }
        Ok(())
    }

    /// Where records start: after the header (72 or 128 bytes, see the module doc), or after a
    /// table sitting there. `None` asks for more input (bytes 72..88 decide for 2.x).
    fn records_start(&self, bytes: &[u8]) -> Option<u64> {
        let candidate = if self.format.major == 1 {
            PADDED_HEADER_LEN
        } else {
            let probe_end = V2_HEADER_LEN + 16;
            let probe = bytes.get(V2_HEADER_LEN as usize..probe_end as usize);
            match probe {
                // Wait for the bytes unless a table starts before a record header could end.
                None if self.records_end(V2_HEADER_LEN + 1) >= probe_end => return None,
                Some(header) if header.iter().all(|&b| b == 0) => PADDED_HEADER_LEN,
                _ => V2_HEADER_LEN,
            }
        };
        let covering = self
            .tables
            .iter()
            .find(|t| t.start <= candidate && candidate < t.end);
        Some(covering.map_or(candidate, |t| t.end))
    }

    /// The first table starting after the records: where scanning stops.
    fn records_end(&self, records_start: u64) -> u64 {
        self.tables
            .iter()
            .map(|t| t.start)
            .filter(|&start| start >= records_start)
            .min()
            .unwrap_or(u64::MAX)
    }
}

impl RecordFormat {
    fn record_header_len(&self) -> usize {
        if self.major == 1 {
            8
        } else {
            16
        }
    }

    fn trailer_len(&self) -> usize {
        match (self.major, self.minor) {
            (2, 0) | (1, _) => 0,
            (2, 1) => 2,
            (2, 2) => 6,
            _ => 15,
        }
    }

    fn version(&self) -> String {
        format!("{}.{}", self.major, self.minor)
    }

    fn ts_resolution(&self) -> &'static str {
        match (self.major, self.minor) {
            (1, _) => "milliseconds",
            (2, 0..=2) => "microseconds",
            _ => "10^-7 s",
        }
    }

    /// The record's time in nanoseconds since 1970, or `None` outside i64 (1677-2262).
    fn record_time_ns(&self, record: &[u8], data_len: usize) -> Option<i64> {
        let ns = if self.major == 1 {
            self.start_ns + i128::from(le32(record, 0).unwrap_or(0)) * 1_000_000
        } else if self.minor >= 3 {
            // 2.3+: the trailer's UTC FILETIME replaces start + delta.
            let filetime = le64(record, 16 + data_len + 6).unwrap_or(0);
            (i128::from(filetime) - FILETIME_UNIX_EPOCH) * 100
        } else {
            // "Multiply the unsigned microseconds by 10, read the result as signed 100 ns
            // units", then x100, in 64 bits as netmon.c does (so huge deltas wrap the same way).
            let delta = (le64(record, 0).unwrap_or(0).wrapping_mul(10) as i64).wrapping_mul(100);
            self.start_ns + i128::from(delta)
        };
        i64::try_from(ns).ok()
    }
}

fn check_frame_table_len(len: u64) -> Result<(), String> {
    if len == 0 {
        return Err("NetMon frame table length is 0; tshark needs at least one entry".into());
    }
    if len % 4 != 0 {
        return Err(format!(
            "NetMon frame table length {len} is not a multiple of 4 (the size of an entry)"
        ));
    }
    if len / 4 > 512 * 1024 * 1024 {
        return Err(format!(
            "NetMon frame table length {len} is more than the 512 Mi entries tshark accepts"
        ));
    }
    Ok(())
}

/// A SYSTEMTIME (year, month, day-of-week, day, hour, minute, second, millisecond) as nanoseconds
/// since 1970, read as UTC. Out-of-range fields carry over the way `mktime` normalises them; the
/// milliseconds are scaled in 32 bits as netmon.c does.
fn systemtime_ns(fields: [u16; 8]) -> i128 {
    let [year, month, _dow, day, hour, minute, second, millis] = fields.map(i64::from);
    let months = year * 12 + month - 1;
    let days = days_from_civil(months.div_euclid(12), months.rem_euclid(12) + 1) + day - 1;
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    let fraction = (millis as u32).wrapping_mul(1_000_000);
    i128::from(seconds) * 1_000_000_000 + i128::from(fraction)
}

/// Days from 1970-01-01 to the first of the given month (proleptic Gregorian).
fn days_from_civil(year: i64, month: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Region bounds once the header is known.
#[derive(Debug, Clone, Copy)]
struct Layout {
    records_start: u64,
    records_end: u64,
}

/// Push parser for one NetMon file.
#[derive(Debug, Default)]
pub struct NetMonParser {
    header: Option<Header>,
    layout: Option<Layout>,
    /// Offsets of the records scanned, in file order (including skipped metadata records).
    scanned: Vec<u32>,
    /// Frame table entries read so far.
    table: Vec<u32>,
    /// Pseudo-interfaces: (media type, global index).
    interfaces: Vec<(u16, u32)>,
    compared: bool,
    warned_time_range: bool,
}

impl NetMonParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses the header once enough bytes are there; `Ok(false)` asks for more.
    fn start(&mut self, buf: &[u8], info: &mut FileInfo) -> Result<bool, String> {
        let Some(header) = Header::parse(buf)? else {
            return Ok(false);
        };
        let Some(records_start) = header.records_start(buf) else {
            return Ok(false);
        };
        let format = header.format;
        info.sections.push(SectionInfo {
            big_endian: false,
            version: format.version(),
            ..SectionInfo::default()
        });
        if format.major == 1 || format.minor < 3 {
            info.warn(format!(
                "NetMon {} stores the capture start in the capturing machine's local time without its zone; times are shown as if it were UTC (tshark uses the zone of the machine reading the file)",
                format.version()
            ));
        }
        self.layout = Some(Layout {
            records_start,
            records_end: header.records_end(records_start),
        });
        self.header = Some(header);
        Ok(true)
    }

    /// Consumes what sits at `at`: frame-table entries, a record, or bytes outside both.
    /// Returns the bytes used; 0 asks for more input.
    fn step(
        &mut self,
        rest: &[u8],
        at: u64,
        info: &mut FileInfo,
        sink: &mut dyn FnMut(RawFrame<'_>),
    ) -> Result<usize, String> {
        let (Some(header), Some(layout)) = (&self.header, self.layout) else {
            return Ok(0);
        };
        let table = header.frame_table;
        if table.start <= at && at < table.end {
            return Ok(self.read_frame_table(rest, at, table));
        }
        if layout.records_start <= at && at < layout.records_end {
            let format = header.format;
            return self.record(rest, at, layout.records_end, format, info, sink);
        }
        let boundary = [layout.records_start, table.start]
            .into_iter()
            .filter(|&b| b > at)
            .min()
            .unwrap_or(u64::MAX);
        Ok(clamp(rest.len(), boundary - at))
    }

    /// Takes whole 4-byte frame-table entries.
    fn read_frame_table(&mut self, rest: &[u8], at: u64, table: Table) -> usize {
        let len = clamp(rest.len(), table.end - at) / 4 * 4;
        let entries = rest.get(..len).unwrap_or(&[]);
        self.table
            .extend(entries.chunks_exact(4).map(|e| le32(e, 0).unwrap_or(0)));
        len
    }

    /// Reads the record at `at` (inside the records region, which ends at `records_end`) and
    /// hands its frame to `sink`. Returns the bytes used; 0 asks for more input.
    fn record(
        &mut self,
        rest: &[u8],
        at: u64,
        records_end: u64,
        header: RecordFormat,
        info: &mut FileInfo,
        sink: &mut dyn FnMut(RawFrame<'_>),
    ) -> Result<usize, String> {
        let room = records_end - at;
        let header_len = header.record_header_len();
        if room < header_len as u64 {
            return Ok(self.stop_scanning(rest, at, room, "too few for a record header", info));
        }
        if rest.len() < header_len {
            return Ok(0);
        }
        let (orig_len, data_len) = if header.major == 1 {
            (
                u32::from(le16(rest, 4).unwrap_or(0)),
                u32::from(le16(rest, 6).unwrap_or(0)),
            )
        } else {
            (le32(rest, 8).unwrap_or(0), le32(rest, 12).unwrap_or(0))
        };
        if data_len > MAX_RECORD_LEN {
            return Err(format!(
                "NetMon record claims {data_len} captured bytes, more than the maximum of {MAX_RECORD_LEN}"
            ));
        }
        let data_len = data_len as usize;
        let record_len = header_len + data_len + header.trailer_len();
        if record_len as u64 > room {
            let why = format!("but the record header claims {record_len}");
            return Ok(self.stop_scanning(rest, at, room, &why, info));
        }
        let Some(record) = rest.get(..record_len) else {
            return Ok(0);
        };
        let media = if header.trailer_len() > 0 {
            le16(record, header_len + data_len).unwrap_or(0)
        } else {
            header.media
        };
        let (link_type, name) = match classify(media) {
            Media::Frame(link_type, name) => (link_type, name),
            Media::Skipped => {
                self.scanned.push(offset_u32(at));
                return Ok(record_len);
            }
            Media::Unsupported => {
                return Err(format!(
                    "NetMon record has media type {media} (0x{media:04x}), which tshark does not support"
                ))
            }
        };
        let mut data = record.get(header_len..header_len + data_len).unwrap_or(&[]);
        let mut data_offset = at + header_len as u64;
        let mut orig_len = orig_len;
        // Only files with a file-level media type (before 2.1) carry the ATM pseudo-header.
        if header.trailer_len() == 0 && header.media == 4 {
            let Some(pdu) = data.get(ATM_HEADER_LEN..) else {
                return Err(format!(
                    "NetMon ATM record has {data_len} bytes, too few for its {ATM_HEADER_LEN}-byte pseudo-header"
                ));
            };
            data = pdu;
            data_offset += ATM_HEADER_LEN as u64;
            orig_len = orig_len.saturating_sub(ATM_HEADER_LEN as u32);
        }
        let ts_ns = header.record_time_ns(record, data_len);
        self.scanned.push(offset_u32(at));
        let interface = self.interface_for(media, link_type, name, info);
        if ts_ns.is_none() {
            self.warn_time_range(info);
        }
        deliver(
            info,
            sink,
            RawFrame {
                ts_ns,
                orig_len,
                interface,
                link_type,
                data,
                offset: data_offset,
                direction: 0,
            },
        );
        Ok(record_len)
    }

    /// Bytes before the next table that do not hold a whole record: tshark never looks at them
    /// (it follows the frame table), so they are skipped with a warning and the frame table
    /// comparison says whether a frame was missed.
    fn stop_scanning(
        &mut self,
        rest: &[u8],
        at: u64,
        room: u64,
        why: &str,
        info: &mut FileInfo,
    ) -> usize {
        info.warn(format!(
            "NetMon: the {room} bytes from offset {at} up to the table at offset {} do not hold a whole record ({why}); they were skipped",
            at + room
        ));
        if let Some(layout) = self.layout.as_mut() {
            layout.records_end = at;
        }
        clamp(rest.len(), room)
    }

    /// The global index of the pseudo-interface for `media`, created on first use.
    fn interface_for(
        &mut self,
        media: u16,
        link_type: u32,
        name: &str,
        info: &mut FileInfo,
    ) -> u32 {
        if let Some(&(_, global)) = self.interfaces.iter().find(|(m, _)| *m == media) {
            return global;
        }
        let mut interface = InterfaceInfo::new(link_type, 0);
        interface.name = Some(format!("NetMon media type 0x{media:04x}"));
        interface.description = Some(name.into());
        if let Some(header) = &self.header {
            interface.ts_resolution = header.format.ts_resolution().into();
        }
        let global = info.add_interface(interface);
        self.interfaces.push((media, global));
        global
    }

    fn warn_time_range(&mut self, info: &mut FileInfo) {
        if !self.warned_time_range {
            self.warned_time_range = true;
            info.warn(format!(
                "frame {} has a timestamp outside 1677-2262 that nanoseconds in 64 bits cannot hold; such frames have no time",
                info.frames + 1
            ));
        }
    }

    /// Once both the records and the frame table have been read, says how they differ, if they do.
    fn compare_frame_table(&mut self, info: &mut FileInfo, position: u64) {
        let (Some(header), Some(layout)) = (&self.header, self.layout) else {
            return;
        };
        let table = header.frame_table;
        let table_done = self.table.len() as u64 * 4 == table.end - table.start;
        if self.compared || !table_done || position < layout.records_end {
            return;
        }
        self.compared = true;
        if self.table == self.scanned {
            return;
        }
        let first = self
            .table
            .iter()
            .zip(&self.scanned)
            .position(|(t, s)| t != s)
            .unwrap_or(self.table.len().min(self.scanned.len()));
        let describe = |list: &[u32]| {
            list.get(first)
                .map_or("nothing".to_string(), |o| format!("offset {o}"))
        };
        info.warn(format!(
            "NetMon frame table lists {} records but reading the file front to back found {}; first difference at entry {} (frame {}): the table says {}, the file gives {}. Frames are numbered in file order, so from there on numbers and timestamps may differ from tshark's, which follows the table",
            self.table.len(),
            self.scanned.len(),
            first,
            first + 1,
            describe(&self.table),
            describe(&self.scanned),
        ));
    }
}

impl FormatParser for NetMonParser {
    fn parse(&mut self, buf: &[u8], base: u64, out: FrameSink<'_>) -> Result<usize, CaptureError> {
        let FrameSink { info, sink } = out;
        info.format = Some(Format::NetMon);
        if self.header.is_none()
            && !self
                .start(buf, info)
                .map_err(|m| CaptureError::new(0, 1, m))?
        {
            return Ok(0);
        }
        let mut used = 0usize;
        while let Some(rest) = buf.get(used..).filter(|r| !r.is_empty()) {
            let at = base + used as u64;
            let step = self
                .step(rest, at, info, sink)
                .map_err(|m| CaptureError::new(at, info.frames + 1, m))?;
            if step == 0 {
                break;
            }
            used += step;
        }
        self.compare_frame_table(info, base + used as u64);
        Ok(used)
    }

    fn finish(&mut self, rest: &[u8], base: u64, info: &mut FileInfo) -> Result<(), CaptureError> {
        let end = base + rest.len() as u64;
        let fail = |message: String| CaptureError::new(base, info.frames + 1, message);
        let Some(header) = &self.header else {
            let message = match Header::parse(rest) {
                Err(message) => message,
                Ok(_) => format!(
                    "the NetMon file header is incomplete: the file has {} bytes, the header needs {HEADER_FIELDS_LEN} (and for 2.x the first record header after byte 72)",
                    rest.len()
                ),
            };
            return Err(CaptureError::new(0, 1, message));
        };
        let table = header.frame_table;
        let inside_table = table.start <= base && base < table.end;
        if !rest.is_empty() && !inside_table {
            return Err(fail(cut_record_message(header.format, rest)));
        }
        if end < table.end {
            return Err(fail(format!(
                "the file ends at byte {end}, before the end of its frame table (offset {}, {} bytes); tshark cannot open it",
                table.start,
                table.end - table.start
            )));
        }
        if let Some(comments) = header.comment_table.filter(|t| t.start > end) {
            return Err(fail(format!(
                "the NetMon comment table starts at {}, past the end of the file ({end} bytes)",
                comments.start
            )));
        }
        if let Some(offset) = header.process_info_offset.filter(|&o| o > end) {
            return Err(fail(format!(
                "the NetMon process info table starts at {offset}, past the end of the file ({end} bytes)"
            )));
        }
        self.compare_frame_table(info, u64::MAX);
        Ok(())
    }
}

/// What to say about a record cut short by the end of the file.
fn cut_record_message(format: RecordFormat, rest: &[u8]) -> String {
    let header_len = format.record_header_len();
    if rest.len() < header_len {
        return format!(
            "the file ends inside a NetMon record header: {} of its {header_len} bytes are present (the capture was cut short)",
            rest.len()
        );
    }
    let data_len = if format.major == 1 {
        usize::from(le16(rest, 6).unwrap_or(0))
    } else {
        le32(rest, 12).unwrap_or(0) as usize
    };
    format!(
        "the file ends inside a NetMon record: it needs {} bytes, only {} are present (the capture was cut short)",
        header_len + data_len + format.trailer_len(),
        rest.len()
    )
}

/// `len` limited to `limit` bytes.
fn clamp(len: usize, limit: u64) -> usize {
    usize::try_from(limit).map_or(len, |limit| len.min(limit))
}

/// NetMon offsets are 32-bit; a record past 4 GiB can never match a table entry.
fn offset_u32(at: u64) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Seen {
        ts_ns: Option<i64>,
        orig_len: u32,
        data: Vec<u8>,
        interface: u32,
        link_type: u32,
        offset: u64,
    }

    struct Outcome {
        frames: Vec<Seen>,
        info: FileInfo,
        error: Option<CaptureError>,
    }

    /// Feeds `bytes` in chunks the way the capture reader does (the unconsumed tail goes back in
    /// front of the next chunk; `finish` gets what is left).
    fn run(bytes: &[u8], chunk: usize) -> Outcome {
        let mut parser = NetMonParser::new();
        let mut info = FileInfo::new("test");
        let mut frames = Vec::new();
        let mut sink = |f: RawFrame<'_>| {
            frames.push(Seen {
                ts_ns: f.ts_ns,
                orig_len: f.orig_len,
                data: f.data.to_vec(),
                interface: f.interface,
                link_type: f.link_type,
                offset: f.offset,
            })
        };
        let mut pending: Vec<u8> = Vec::new();
        let mut base = 0u64;
        let mut error = None;
        for piece in bytes.chunks(chunk.max(1)) {
            pending.extend_from_slice(piece);
            let out = FrameSink {
                info: &mut info,
                sink: &mut sink,
            };
            match parser.parse(&pending, base, out) {
                Ok(used) => {
                    assert!(used <= pending.len());
                    base += used as u64;
                    pending.drain(..used);
                }
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        if error.is_none() {
            error = parser.finish(&pending, base, &mut info).err();
        }
        Outcome {
            frames,
            info,
            error,
        }
    }

    fn corpus(name: &str) -> Vec<u8> {
        let full = format!(
            "{}/../shared/captures/ms-netcaps/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&full).unwrap_or_else(|e| panic!("cannot read {full}: {e}"))
    }

    const AUTHSOD: &str = "MS-AUTHSOD_Example2-1_Win2016_X64_Win2016_X64_Domain.cap";
    const WMOD2: &str = "MS-WMOD_Example2_WS2016_X64_Win10_X64_Domain_Hagala.cap";

    /// The 72-byte header of `MS-AUTHSOD_Example2-1…cap`: GMBU 2.3, media 1, start
    /// 2016-08-08 01:43:59.059, frame table at 9996 (60 bytes), comments at 10056 (4456 bytes),
    /// network info at 14512 (11 bytes).
    const AUTHSOD_HEADER: [u8; 72] = [
        0x47, 0x4d, 0x42, 0x55, 0x03, 0x02, 0x01, 0x00, 0xe0, 0x07, 0x08, 0x00, 0x01, 0x00, 0x08,
        0x00, 0x01, 0x00, 0x2b, 0x00, 0x3b, 0x00, 0x3b, 0x00, 0x0c, 0x27, 0x00, 0x00, 0x3c, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x48, 0x27, 0x00, 0x00, 0x68,
        0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb0, 0x38, 0x00, 0x00,
        0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    /// Its last record (frame 15, at 9911): 16-byte header (delta, orig 54, incl 54), a TCP ACK,
    /// and the 15-byte 2.3 trailer (media 1, process -1, FILETIME, time zone).
    const AUTHSOD_FRAME_15: [u8; 85] = [
        0x19, 0x43, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x36, 0x00, 0x00, 0x00, 0x36, 0x00, 0x00,
        0x00, 0x00, 0x15, 0x5d, 0x8e, 0x39, 0x84, 0x00, 0x15, 0x5d, 0x8e, 0x39, 0x88, 0x08, 0x00,
        0x45, 0x00, 0x00, 0x28, 0x64, 0xa3, 0x40, 0x00, 0x80, 0x06, 0x14, 0xd8, 0xc0, 0xa8, 0x00,
        0x03, 0xc0, 0xa8, 0x00, 0x01, 0x0b, 0x69, 0x00, 0x58, 0x97, 0xe9, 0x4d, 0x5e, 0x09, 0x47,
        0x78, 0x7f, 0x50, 0x10, 0x04, 0x02, 0xb7, 0xae, 0x00, 0x00, 0x01, 0x00, 0xff, 0xff, 0xff,
        0xff, 0xe6, 0x13, 0x92, 0x63, 0x59, 0xf1, 0xd1, 0x01, 0xff,
    ];

    fn put_u32(bytes: &mut [u8], at: usize, value: u32) {
        bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }

    #[test]
    fn reads_a_real_header_and_record_from_literal_bytes() {
        // The real header, re-pointed at a one-entry frame table after the one real record,
        // without the comment and network-info tables.
        let mut file = AUTHSOD_HEADER.to_vec();
        put_u32(&mut file, 24, 72 + 85);
        put_u32(&mut file, 28, 4);
        for field in [40, 44, 56, 60] {
            put_u32(&mut file, field, 0);
        }
        file.extend_from_slice(&AUTHSOD_FRAME_15);
        file.extend_from_slice(&72u32.to_le_bytes());
        let out = run(&file, usize::MAX);
        assert_eq!(out.error, None);
        // tshark -r MS-AUTHSOD…cap -T fields -e frame.number -e frame.time_epoch -e frame.len:
        //   15  1470649439.535613400  54
        assert_eq!(out.frames.len(), 1);
        let f = &out.frames[0];
        assert_eq!(f.ts_ns, Some(1_470_649_439_535_613_400));
        assert_eq!(
            (f.orig_len, f.data.len(), f.link_type, f.offset),
            (54, 54, 1, 88)
        );
        assert_eq!(&f.data[..6], &[0x00, 0x15, 0x5d, 0x8e, 0x39, 0x84]);
        assert_eq!(out.info.format, Some(Format::NetMon));
        assert_eq!(out.info.sections[0].version, "2.3");
        assert_eq!(out.info.interfaces[0].ts_resolution, "10^-7 s");
        assert!(out.info.warnings.is_empty(), "{:?}", out.info.warnings);
    }

    /// `tshark -r F -T fields -e frame.number -e frame.time_epoch` (TShark 4.0.17), first and
    /// last frames.
    #[test]
    fn frame_counts_and_times_match_tshark_on_all_six_files() {
        let cases: [(&str, u64, i64, i64); 6] = [
            ("MS-ADOD_Example1_4_Win2016_X64_Win2016_X64_Domain_UnjoiningADomainMember.cap", 193, 1_472_133_971_724_643_100, 1_472_134_003_670_712_000),
            ("MS-ADOD_Example2_10_Win2016_X64_Win2016_X64_Domain_ObtainAListOfUserAccountsUsingTheLDAPProtocol.cap", 41, 1_473_058_986_592_676_300, 1_473_059_000_863_785_300),
            (AUTHSOD, 15, 1_470_649_439_059_683_900, 1_470_649_439_535_613_400),
            ("MS-CCROD_Example1_Win2016_X64_Win10_X64_Domain.cap", 184, 1_470_131_706_782_349_700, 1_470_131_804_502_322_800),
            (WMOD2, 212, 1_472_095_859_466_353_900, 1_472_095_873_451_643_400),
            ("MS-WMOD_Example4_WS2016_X64_Win10_X64_Domain_Hagala.cap", 77, 1_472_105_707_048_338_000, 1_472_105_720_360_862_700),
        ];
        for (name, count, first, last) in cases {
            let out = run(&corpus(name), 16 * 1024);
            assert_eq!(out.error, None, "{name}");
            assert_eq!(
                (out.frames.len() as u64, out.info.frames),
                (count, count),
                "{name}"
            );
            assert_eq!(
                out.frames.first().and_then(|f| f.ts_ns),
                Some(first),
                "{name}"
            );
            assert_eq!(
                out.frames.last().and_then(|f| f.ts_ns),
                Some(last),
                "{name}"
            );
            // The frame table sits after the records and lists them in file order.
            assert!(
                out.info.warnings.is_empty(),
                "{name}: {:?}",
                out.info.warnings
            );
        }
    }

    #[test]
    fn netevent_frames_are_numbered_on_their_own_pseudo_interface() {
        // tshark: frames 13, 210 and 211 have encapsulation NetEvent (187), lengths 425, 93, 425.
        let out = run(&corpus(WMOD2), 16 * 1024);
        let events: Vec<(usize, u32)> = out
            .frames
            .iter()
            .enumerate()
            .filter(|(_, f)| f.link_type == LINKTYPE_NETMON_NETEVENT)
            .map(|(i, f)| (i + 1, f.orig_len))
            .collect();
        assert_eq!(events, [(13, 425), (210, 93), (211, 425)]);
        let interfaces: Vec<(u32, u64)> = out
            .info
            .interfaces
            .iter()
            .map(|i| (i.link_type, i.frames))
            .collect();
        assert_eq!(interfaces, [(1, 209), (LINKTYPE_NETMON_NETEVENT, 3)]);
        assert_eq!(out.frames[12].ts_ns, Some(1_472_095_870_697_829_900));
    }

    #[test]
    fn feeding_one_byte_at_a_time_gives_the_same_result() {
        for name in [AUTHSOD, WMOD2] {
            let bytes = corpus(name);
            let whole = run(&bytes, usize::MAX);
            let trickled = run(&bytes, 1);
            assert_eq!(whole.frames, trickled.frames, "{name}");
            assert_eq!(whole.error, trickled.error, "{name}");
            assert_eq!(whole.info.warnings, trickled.info.warnings, "{name}");
        }
    }

    #[test]
    fn a_file_cut_inside_a_record_delivers_every_earlier_frame_then_fails_there() {
        // Records of MS-AUTHSOD start at 72, 410, 646, ...: cut inside the third.
        let bytes = corpus(AUTHSOD);
        let out = run(&bytes[..700], 64);
        assert_eq!(out.frames.len(), 2);
        let error = out.error.expect("a cut record is an error");
        assert_eq!((error.offset, error.frame), (646, 3));
        assert!(
            error.message.contains("ends inside a NetMon record"),
            "{}",
            error.message
        );
        // Cut inside the frame table (at 9996): every record was read, but tshark cannot open
        // the file without its table; the error says so.
        let out = run(&bytes[..10_000], 64);
        assert_eq!(out.frames.len(), 15);
        let error = out.error.expect("a cut frame table is an error");
        assert!(
            error.message.contains("before the end of its frame table"),
            "{}",
            error.message
        );
    }

    // ---- Synthetic files for versions and media types the corpus lacks; each was checked
    // against tshark 4.0.17 with a file built the same way. ----

    const PACKET: [u8; 42] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xff, 0xff, 0xff, 0xff, 0x00, 0x44, 0x00, 0x43, 0x00, 0x08, 0x00, 0x00,
    ];
    /// 2016-08-08 01:43:59.059 as a SYSTEMTIME: 1470620639.059 s.
    const START: [u16; 8] = [2016, 8, 1, 8, 1, 43, 59, 59];
    const START_NS: i64 = 1_470_620_639_059_000_000;

    struct Synthetic {
        major: u8,
        minor: u8,
        media: u16,
        start: [u16; 8],
        header_len: usize,
    }

    impl Synthetic {
        fn v2(minor: u8) -> Self {
            Synthetic {
                major: 2,
                minor,
                media: 1,
                start: START,
                header_len: 128,
            }
        }

        /// One record: header, data, and the trailer of this version.
        fn record(&self, delta: u64, data: &[u8], media: u16, filetime: u64) -> Vec<u8> {
            let mut out = Vec::new();
            if self.major == 1 {
                out.extend_from_slice(&(delta as u32).to_le_bytes());
                out.extend_from_slice(&(data.len() as u16).to_le_bytes());
                out.extend_from_slice(&(data.len() as u16).to_le_bytes());
            } else {
                out.extend_from_slice(&delta.to_le_bytes());
                out.extend_from_slice(&(data.len() as u32).to_le_bytes());
                out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            }
            out.extend_from_slice(data);
            if self.major == 2 && self.minor >= 1 {
                out.extend_from_slice(&media.to_le_bytes());
            }
            if self.major == 2 && self.minor >= 2 {
                out.extend_from_slice(&0u32.to_le_bytes());
            }
            if self.major == 2 && self.minor >= 3 {
                out.extend_from_slice(&filetime.to_le_bytes());
                out.push(0);
            }
            out
        }

        /// Header, records, `gap` filler bytes, then a frame table listing the records in
        /// `order` (file order when empty).
        fn file(&self, records: &[Vec<u8>], gap: usize, order: &[usize]) -> Vec<u8> {
            let mut offsets = Vec::new();
            let mut body = Vec::new();
            for record in records {
                offsets.push((self.header_len + body.len()) as u32);
                body.extend_from_slice(record);
            }
            if !order.is_empty() {
                offsets = order.iter().map(|&i| offsets[i]).collect();
            }
            let table_offset = (self.header_len + body.len() + gap) as u32;
            let mut out = if self.major == 1 {
                b"RTSS".to_vec()
            } else {
                b"GMBU".to_vec()
            };
            out.extend_from_slice(&[self.minor, self.major]);
            out.extend_from_slice(&self.media.to_le_bytes());
            for field in self.start {
                out.extend_from_slice(&field.to_le_bytes());
            }
            out.extend_from_slice(&table_offset.to_le_bytes());
            out.extend_from_slice(&(4 * offsets.len() as u32).to_le_bytes());
            out.resize(self.header_len, 0);
            out.extend_from_slice(&body);
            out.resize(out.len() + gap, 0);
            for offset in offsets {
                out.extend_from_slice(&offset.to_le_bytes());
            }
            out
        }
    }

    /// Like `file`, but with the frame table right after the header and the records after it.
    fn table_first(s: &Synthetic, records: &[Vec<u8>]) -> Vec<u8> {
        let table_len = 4 * records.len();
        let mut file = s.file(&[], 0, &[]);
        file.truncate(s.header_len);
        put_u32(&mut file, 24, s.header_len as u32);
        put_u32(&mut file, 28, table_len as u32);
        let mut offset = s.header_len + table_len;
        for record in records {
            file.extend_from_slice(&(offset as u32).to_le_bytes());
            offset += record.len();
        }
        records.iter().for_each(|r| file.extend_from_slice(r));
        file
    }

    fn times(out: &Outcome) -> Vec<Option<i64>> {
        out.frames.iter().map(|f| f.ts_ns).collect()
    }

    #[test]
    fn version_2_0_adds_signed_deltas_to_the_start_time() {
        // tshark: 1470620639.059000000, 1470620640.293567000, 1470620639.058990000 (the last
        // delta is 2^64-10 us, which netmon.c turns into -10 us).
        let s = Synthetic::v2(0);
        let records = [
            s.record(0, &PACKET, 0, 0),
            s.record(1_234_567, &PACKET, 0, 0),
            s.record(u64::MAX - 9, &PACKET, 0, 0),
        ];
        let out = run(&s.file(&records, 0, &[]), 5);
        assert_eq!(out.error, None);
        assert_eq!(
            times(&out),
            [
                Some(START_NS),
                Some(START_NS + 1_234_567_000),
                Some(START_NS - 10_000)
            ]
        );
        assert!(
            out.info.warnings[0].contains("local time"),
            "{:?}",
            out.info.warnings
        );
    }

    #[test]
    fn version_1_counts_milliseconds_and_strips_the_atm_pseudo_header() {
        // tshark: 1470620639.059 and 1470620640.559; with media 4 both frames are 42 bytes.
        let s = Synthetic {
            major: 1,
            minor: 1,
            ..Synthetic::v2(0)
        };
        let out = run(
            &s.file(
                &[s.record(0, &PACKET, 0, 0), s.record(1_500, &PACKET, 0, 0)],
                0,
                &[],
            ),
            3,
        );
        assert_eq!(
            times(&out),
            [Some(START_NS), Some(START_NS + 1_500_000_000)]
        );
        let atm = Synthetic { media: 4, ..s };
        let mut with_header = vec![0u8; ATM_HEADER_LEN];
        with_header.extend_from_slice(&PACKET);
        let out = run(&atm.file(&[atm.record(0, &with_header, 0, 0)], 0, &[]), 3);
        let f = &out.frames[0];
        assert_eq!(
            (f.orig_len, f.data.len(), f.link_type, f.offset),
            (42, 42, LINKTYPE_NETMON_ATM_PDUS, 128 + 8 + 16)
        );
    }

    #[test]
    fn trailer_media_types_map_to_link_types_and_three_are_not_numbered() {
        // tshark numbers 10 of these 13 records (0xFFFC, 0xFFFD, 0xFFFE are skipped); encaps
        // 1, 190, 189, 187, 7 (raw IP), 1, 2, 6, 126, 1.
        let s = Synthetic::v2(1);
        let media = [
            1u16, 0xFFFC, 0xFFFB, 0xFFFF, 0xFFFD, 0xFFFE, 0xFFE0, 7, 0xE001, 2, 3, 6, 0,
        ];
        let records: Vec<Vec<u8>> = media
            .iter()
            .enumerate()
            .map(|(i, &m)| s.record(i as u64, &PACKET, m, 0))
            .collect();
        let out = run(&s.file(&records, 0, &[]), 7);
        assert_eq!(out.error, None);
        let links: Vec<u32> = out.frames.iter().map(|f| f.link_type).collect();
        assert_eq!(
            links,
            [
                1,
                LINKTYPE_NETMON_NETWORK_INFO_EX,
                LINKTYPE_NETMON_FILTER,
                LINKTYPE_NETMON_NETEVENT,
                101,
                1,
                6,
                10,
                LINKTYPE_NETMON_802_11,
                1
            ]
        );
        let micros: Vec<i64> = times(&out)
            .iter()
            .map(|t| (t.unwrap_or(0) - START_NS) / 1000)
            .collect();
        assert_eq!(micros, [0, 2, 3, 6, 7, 8, 9, 10, 11, 12]);
        // One pseudo-interface per media type: 0, 1 and 0xE001 are all Ethernet but distinct.
        assert_eq!(out.info.interfaces.len(), 10);
    }

    #[test]
    fn version_2_3_takes_the_utc_filetime_from_the_trailer() {
        // tshark: 1470249600.000000000 and 1470249600.001234500, whatever the deltas say.
        let s = Synthetic::v2(3);
        let filetime = 131_147_232_000_000_000;
        let records = [
            s.record(0, &PACKET, 1, filetime),
            s.record(999, &PACKET, 1, filetime + 12_345),
        ];
        let out = run(&s.file(&records, 0, &[]), 9);
        assert_eq!(
            times(&out),
            [
                Some(1_470_249_600_000_000_000),
                Some(1_470_249_600_001_234_500)
            ]
        );
        // A FILETIME of 0 (1601) does not fit in i64 nanoseconds: no time, one warning.
        let out = run(&s.file(&[s.record(0, &PACKET, 1, 0)], 0, &[]), 9);
        assert_eq!(times(&out), [None]);
        assert!(out
            .info
            .warnings
            .iter()
            .any(|w| w.contains("outside 1677-2262")));
    }

    #[test]
    fn a_frame_table_in_another_order_or_a_gap_is_reported() {
        let s = Synthetic::v2(0);
        let records: Vec<Vec<u8>> = (0..3).map(|i| s.record(i * 1000, &PACKET, 0, 0)).collect();
        // tshark numbers the third record first (table order 2, 0, 1).
        let out = run(&s.file(&records, 0, &[2, 0, 1]), 11);
        assert_eq!(out.frames.len(), 3);
        assert_eq!(out.info.warnings.len(), 2, "{:?}", out.info.warnings);
        let warning = &out.info.warnings[1];
        assert!(warning.contains("first difference at entry 0 (frame 1): the table says offset 244, the file gives offset 128"), "{warning}");
        // Seven stray bytes before the table: skipped with a warning; the table still matches.
        let out = run(&s.file(&records, 7, &[]), 11);
        assert_eq!((out.frames.len(), out.error.as_ref()), (3, None));
        assert!(
            out.info
                .warnings
                .iter()
                .any(|w| w.contains("do not hold a whole record")),
            "{:?}",
            out.info.warnings
        );
        assert!(!out
            .info
            .warnings
            .iter()
            .any(|w| w.contains("first difference")));
    }

    #[test]
    fn a_frame_table_before_the_records_is_read_first_and_matches() {
        let s = Synthetic::v2(1);
        let records: Vec<Vec<u8>> = (0..3).map(|i| s.record(i, &PACKET, 1, 0)).collect();
        for chunk in [usize::MAX, 1] {
            let out = run(&table_first(&s, &records), chunk);
            assert_eq!(out.error, None);
            assert_eq!(out.frames.len(), 3);
            assert_eq!(out.frames[0].offset, 128 + 12 + 16);
            assert!(
                !out.info.warnings.iter().any(|w| w.contains("frame table")),
                "{:?}",
                out.info.warnings
            );
        }
    }

    #[test]
    fn records_start_at_72_or_128_bytes() {
        let s = Synthetic {
            header_len: 72,
            ..Synthetic::v2(3)
        };
        let out = run(
            &s.file(&[s.record(0, &PACKET, 1, 131_147_232_000_000_000)], 0, &[]),
            usize::MAX,
        );
        assert_eq!((out.frames.len(), out.frames[0].offset), (1, 72 + 16));
        assert!(out.info.warnings.is_empty(), "{:?}", out.info.warnings);
        let padded = Synthetic::v2(3);
        let out = run(
            &padded.file(
                &[padded.record(0, &PACKET, 1, 131_147_232_000_000_000)],
                0,
                &[],
            ),
            usize::MAX,
        );
        assert_eq!((out.frames.len(), out.frames[0].offset), (1, 128 + 16));
    }

    #[test]
    fn what_tshark_rejects_is_an_error() {
        let s = Synthetic::v2(1);
        // Mid-file: media 0xE081 at the second record; tshark shows frame 1, then the error.
        let records = [
            s.record(0, &PACKET, 1, 0),
            s.record(1, &PACKET, 0xE081, 0),
            s.record(2, &PACKET, 1, 0),
        ];
        let out = run(&s.file(&records, 0, &[]), usize::MAX);
        let error = out.error.expect("0xE081 is unsupported");
        assert_eq!(
            (out.frames.len(), error.offset, error.frame),
            (1, 128 + 60, 2)
        );
        // A record larger than 262144 bytes.
        let big = vec![0u8; 262_145];
        let out = run(
            &s.file(
                &[s.record(0, &PACKET, 1, 0), s.record(1, &big, 1, 0)],
                0,
                &[],
            ),
            usize::MAX,
        );
        assert!(out
            .error
            .expect("too big")
            .message
            .contains("more than the maximum of 262144"));
        // Header problems stop the file before any frame.
        let mut bad_media = s.file(&records[..1], 0, &[]);
        bad_media[6] = 5;
        let mut bad_version = s.file(&records[..1], 0, &[]);
        bad_version[5] = 3;
        let mut empty_table = s.file(&records[..1], 0, &[]);
        put_u32(&mut empty_table, 28, 0);
        let mut odd_table = s.file(&records[..1], 0, &[]);
        put_u32(&mut odd_table, 28, 6);
        for (bytes, expected) in [
            (bad_media, "media type 5"),
            (bad_version, "version 3.1 is not supported"),
            (empty_table, "frame table length is 0"),
            (odd_table, "not a multiple of 4"),
        ] {
            let out = run(&bytes, usize::MAX);
            let error = out.error.expect(expected);
            assert_eq!(
                (out.frames.len(), error.offset, error.frame),
                (0, 0, 1),
                "{expected}"
            );
            assert!(
                error.message.contains(expected),
                "{expected}: {}",
                error.message
            );
        }
    }

    #[test]
    fn systemtime_fields_carry_over_like_mktime() {
        // tshark reads (2016, month 13, day 40, 25:61:61.1500) as 1486692122.500000000.
        assert_eq!(
            systemtime_ns([2016, 13, 0, 40, 25, 61, 61, 1500]),
            1_486_692_122_500_000_000
        );
        assert_eq!(systemtime_ns([1970, 1, 4, 1, 0, 0, 0, 0]), 0);
        assert_eq!(
            systemtime_ns([2000, 3, 3, 1, 0, 0, 0, 0]),
            951_868_800_000_000_000
        );
    }

    #[test]
    fn hostile_bytes_never_panic_or_stall() {
        let seed = corpus(AUTHSOD);
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..300 {
            let mut bytes = seed.clone();
            for _ in 0..1 + next() % 6 {
                // Mostly the header and record headers, where lengths live.
                let span = if next() % 2 == 0 {
                    200
                } else {
                    bytes.len() as u64
                };
                let at = (next() % span) as usize;
                bytes[at] = next() as u8;
            }
            let cut = (next() % (bytes.len() as u64 + 1)) as usize;
            let out = run(&bytes[..cut], 1 + (next() % 512) as usize);
            assert!(out.frames.len() <= 40);
        }
    }
}
