//! What every capture reader hands over: a borrowed [`RawFrame`] per packet-bearing record, and a
//! [`FileInfo`] describing the file (format, sections, interfaces, statistics, warnings).
//!
//! Readers are push parsers ([`FormatParser`]): they are given whatever contiguous bytes are
//! available, consume every complete record, and say how many bytes they used. The caller keeps the
//! rest and hands it back with the next chunk, so a capture larger than memory streams through.
//! Each frame goes to the sink through [`deliver`], which also counts it in the [`FileInfo`].

use super::kept::{KeptMetadata, MetadataCuts};
use crate::error::CaptureError;
use serde::Serialize;

/// One captured frame, borrowed from the reader's buffer.
#[derive(Debug, Clone, Copy)]
pub struct RawFrame<'a> {
    /// Nanoseconds since 1970-01-01 UTC; `None` where the format stores no time (pcapng SPB).
    pub ts_ns: Option<i64>,
    /// Length on the wire (may exceed `data.len()` when the snaplen cut the frame).
    pub orig_len: u32,
    /// The interface's number in the file: its basics are [`FileInfo::interface_basics`]`[n]`,
    /// its details [`FileInfo::interface`]`(n)` (listed in [`FileInfo::interfaces`] for the
    /// first [`super::kept::MAX_LISTED_INTERFACES`]).
    pub interface: u32,
    /// LINKTYPE of that interface (repeated here so a sink can decode without the `FileInfo`).
    pub link_type: u32,
    /// The captured bytes (FCS already stripped where the format says one is present).
    pub data: &'a [u8],
    /// Byte offset of `data[0]` in the file's (decompressed) stream: frames are fetched again by it.
    pub offset: u64,
    /// pcapng `epb_flags` direction bits (1 inbound, 2 outbound), 0 when unknown.
    pub direction: u8,
}

/// The container format of one capture file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Classic libpcap, microsecond timestamps.
    Pcap,
    /// Classic libpcap, nanosecond timestamps.
    PcapNs,
    /// Kuznetsov's "modified" libpcap (magic a1b2cd34, 24-byte record headers).
    PcapModified,
    PcapNg,
    /// Microsoft Network Monitor 1.x / 2.x `.cap`.
    NetMon,
}

impl Format {
    /// The name `info` prints, close to capinfos' "File type".
    pub fn describe(self) -> &'static str {
        match self {
            Format::Pcap => "Wireshark/tcpdump/... - pcap",
            Format::PcapNs => "Wireshark/tcpdump/... - nanosecond pcap",
            Format::PcapModified => "Modified tcpdump - pcap",
            Format::PcapNg => "Wireshark/... - pcapng",
            Format::NetMon => "Microsoft NetMon 2.x",
        }
    }
}

/// One pcapng section (classic pcap and NetMon files have exactly one).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SectionInfo {
    pub big_endian: bool,
    pub version: String,
    pub hardware: Option<String>,
    pub os: Option<String>,
    pub application: Option<String>,
    pub comments: Vec<String>,
}

/// Counters from a pcapng Interface Statistics Block (the last one seen for the interface).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InterfaceStats {
    pub received: Option<u64>,
    pub dropped_by_interface: Option<u64>,
    pub accepted_by_filter: Option<u64>,
    pub dropped_by_os: Option<u64>,
    pub delivered_to_user: Option<u64>,
}

/// One capture interface: a pcapng IDB, the classic pcap header, or a NetMon media type.
#[derive(Debug, Clone, Serialize)]
pub struct InterfaceInfo {
    /// LINKTYPE_* value (upper FCS bits already removed).
    pub link_type: u32,
    pub snaplen: u32,
    /// Timestamp unit in nanoseconds is `10^-resolution_exp` s for decimal, shown as a power.
    pub ts_resolution: String,
    /// Seconds added to every timestamp (pcapng `if_tsoffset`).
    pub ts_offset: i64,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Capture filter (pcapng `if_filter`), as text.
    pub filter: Option<String>,
    pub os: Option<String>,
    /// Bytes of FCS at the end of each frame (stripped before decoding).
    pub fcs_len: u32,
    /// The pcapng section this interface belongs to (0 for other formats).
    pub section: u32,
    pub stats: Option<InterfaceStats>,
    /// Frames read on this interface.
    pub frames: u64,
}

impl InterfaceInfo {
    pub fn new(link_type: u32, snaplen: u32) -> Self {
        InterfaceInfo {
            link_type,
            snaplen,
            ts_resolution: "microseconds".into(),
            ts_offset: 0,
            name: None,
            description: None,
            filter: None,
            os: None,
            fcs_len: 0,
            section: 0,
            stats: None,
            frames: 0,
        }
    }
}

/// Everything known about one capture file besides its frames.
#[derive(Debug, Clone, Serialize)]
pub struct FileInfo {
    pub name: String,
    pub format: Option<Format>,
    /// The file was gzip-compressed (offsets then refer to the decompressed stream).
    pub gzip: bool,
    /// The first [`super::kept::MAX_LISTED_SECTIONS`] sections.
    pub sections: Vec<SectionInfo>,
    /// The first [`super::kept::MAX_LISTED_INTERFACES`] interfaces, with their details; every
    /// interface's basics are in [`FileInfo::interface_basics`].
    pub interfaces: Vec<InterfaceInfo>,
    /// Blocks/records skipped because they are not packets and not understood (custom, unknown…).
    pub skipped_blocks: u64,
    /// Name-resolution records (pcapng NRB): address → name (the first
    /// [`super::kept::MAX_NAMES`]).
    pub names: Vec<(String, String)>,
    pub warnings: Vec<String>,
    /// Bytes of the (decompressed) stream; when an error ended the file, those before it.
    pub bytes: u64,
    pub frames: u64,
    pub error: Option<CaptureError>,
    /// What of the metadata above was not kept ([`super::kept`]): all 0 for a real capture.
    pub cuts: MetadataCuts,
    /// Every interface's basics and the text budget ([`super::kept`]).
    #[serde(skip)]
    pub(crate) kept: KeptMetadata,
}

impl FileInfo {
    pub fn new(name: impl Into<String>) -> Self {
        FileInfo {
            name: name.into(),
            format: None,
            gzip: false,
            sections: Vec::new(),
            interfaces: Vec::new(),
            skipped_blocks: 0,
            names: Vec::new(),
            warnings: Vec::new(),
            bytes: 0,
            frames: 0,
            error: None,
            cuts: MetadataCuts::default(),
            kept: KeptMetadata::default(),
        }
    }

    /// Adds a warning once (repeated conditions are reported once per file).
    pub fn warn(&mut self, message: impl Into<String>) {
        let message = message.into();
        if !self.warnings.contains(&message) && self.warnings.len() < 100 {
            self.warnings.push(message);
        }
    }
}

/// Where a parser's frames go: the file's [`FileInfo`] (which counts them, and takes what the
/// parser learns about the file) and the caller's sink.
pub struct FrameSink<'a> {
    pub info: &'a mut FileInfo,
    pub sink: &'a mut dyn FnMut(RawFrame<'_>),
}

/// A push parser for one container format.
pub trait FormatParser {
    /// Parses every complete record in `buf`, whose first byte sits at stream offset `base`,
    /// handing each frame to `out` (through [`deliver`]). Returns how many bytes were consumed; the caller keeps the rest and
    /// passes it again, followed by more input. A returned error ends the file: frames already
    /// handed to `sink` stay valid.
    fn parse(&mut self, buf: &[u8], base: u64, out: FrameSink<'_>) -> Result<usize, CaptureError>;

    /// Called at end of input with the bytes `parse` left unconsumed (a partial record, if any).
    fn finish(&mut self, rest: &[u8], base: u64, info: &mut FileInfo) -> Result<(), CaptureError>;
}

/// Hands `frame` to `sink` and counts it, in the file total and in its interface's `frames`:
/// every reader delivers its frames through here.
pub fn deliver(info: &mut FileInfo, sink: &mut dyn FnMut(RawFrame<'_>), frame: RawFrame<'_>) {
    info.frames += 1;
    if let Some(interface) = info.interfaces.get_mut(frame.interface as usize) {
        interface.frames += 1;
    }
    sink(frame);
}

/// Frames that carry no packet get a pseudo link type: Network Monitor metadata frames use their
/// media type (0xE000–0xFFFF: NetEvent 0xFFE0, filter 0xFFFF…) and pcapng custom, journal and
/// event blocks use `0x8000_0000 | block type`. Such frames are listed (Wireshark numbers them)
/// but never decoded as packets. True for a real LINKTYPE.
pub fn is_packet_link_type(link_type: u32) -> bool {
    link_type < 0xE000
}
