//! A streaming pcapng writer: a Section Header Block, Interface Description Blocks added as the
//! frames need them, and one Enhanced Packet Block per frame, all little-endian, appended to an
//! internal buffer that the caller drains in chunks of about [`CHUNK_BYTES`] (so an export of a
//! million frames never holds a second copy of the capture).
//!
//! Written by hand rather than with `pcap-file`'s `PcapNgWriter`, because that writer does not fit:
//! its Enhanced Packet Block always stores the timestamp as nanoseconds whatever `if_tsresol` the
//! interface declares (a microsecond interface would need faked durations to stay exact), every
//! block goes through an owned `Block` copy, and it writes to a `Write` it owns, where the page
//! needs chunks it can hand to JavaScript between calls. The block layout follows
//! draft-tuexen-opsawg-pcapng: type, total length, body, options (each padded to 4 bytes,
//! closed by `opt_endofopt`), total length again.

/// Size of the chunks [`PcapngWriter::take_chunk`] hands out (a chunk may exceed it by one block).
pub const CHUNK_BYTES: usize = 1 << 20;

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 0x0000_0001;
const EPB: u32 = 0x0000_0006;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
const OPT_ENDOFOPT: u16 = 0;
const OPT_COMMENT: u16 = 1;
const SHB_HARDWARE: u16 = 2;
const SHB_OS: u16 = 3;
const SHB_USERAPPL: u16 = 4;
const IF_NAME: u16 = 2;
const IF_DESCRIPTION: u16 = 3;
const IF_TSRESOL: u16 = 9;

/// The Section Header Block's options.
#[derive(Debug, Clone, Default)]
pub struct SectionHeader {
    /// `shb_userappl`, e.g. "tracelens 0.1.0".
    pub application: String,
    pub hardware: Option<String>,
    pub os: Option<String>,
}

/// The resolution an interface's timestamps are written in (`if_tsresol` 6 or 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Micro,
    Nano,
}

impl Resolution {
    fn exponent(self) -> u8 {
        match self {
            Resolution::Micro => 6,
            Resolution::Nano => 9,
        }
    }

    /// A timestamp in this resolution's units. Microseconds are used only for interfaces whose
    /// timestamps are whole microseconds, so the division is exact; times before 1970 (which
    /// pcapng cannot store) become 0.
    fn units(self, ts_ns: i64) -> u64 {
        let ns = u64::try_from(ts_ns).unwrap_or(0);
        match self {
            Resolution::Micro => ns / 1_000,
            Resolution::Nano => ns,
        }
    }
}

/// One Interface Description Block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceDescription {
    /// LINKTYPE_* value (pcapng stores 16 bits).
    pub link_type: u16,
    /// 0 means no limit.
    pub snaplen: u32,
    pub name: Option<String>,
    pub description: Option<String>,
    pub resolution: Resolution,
}

/// One frame to write.
#[derive(Debug, Clone, Copy)]
pub struct Packet<'a> {
    /// Number returned by [`PcapngWriter::add_interface`].
    pub interface: u32,
    /// Nanoseconds since 1970; `None` writes 0.
    pub ts_ns: Option<i64>,
    pub orig_len: u32,
    pub data: &'a [u8],
    /// `opt_comment` options, one each.
    pub comments: &'a [String],
}

/// Why a packet could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// The packet names an interface that was never added.
    UnknownInterface(u32),
    /// The captured bytes do not fit a block (over 4 GB).
    TooLong(usize),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::UnknownInterface(id) => write!(f, "interface {id} was never described"),
            WriteError::TooLong(len) => write!(f, "{len} captured bytes do not fit a pcapng block"),
        }
    }
}

/// Appends pcapng blocks to a buffer the caller drains.
#[derive(Debug)]
pub struct PcapngWriter {
    buf: Vec<u8>,
    /// Resolution of each interface added, by interface number.
    interfaces: Vec<Resolution>,
}

impl PcapngWriter {
    /// Starts a section (its header is the first bytes of the output).
    pub fn new(section: &SectionHeader) -> Self {
        let mut writer = PcapngWriter {
            buf: Vec::with_capacity(CHUNK_BYTES + 64 * 1024),
            interfaces: Vec::new(),
        };
        writer.section_header(section);
        writer
    }

    fn section_header(&mut self, section: &SectionHeader) {
        let start = begin_block(&mut self.buf, SHB);
        put_u32(&mut self.buf, BYTE_ORDER_MAGIC);
        put_u16(&mut self.buf, 1);
        put_u16(&mut self.buf, 0);
        self.buf.extend_from_slice(&(-1i64).to_le_bytes()); // section length unknown
        let mut options = Options::new(&mut self.buf);
        options.text(SHB_HARDWARE, section.hardware.as_deref());
        options.text(SHB_OS, section.os.as_deref());
        options.text(SHB_USERAPPL, Some(&section.application));
        options.end();
        end_block(&mut self.buf, start);
    }

    /// Writes an Interface Description Block; returns its interface number (0, 1, 2… in order).
    pub fn add_interface(&mut self, interface: &InterfaceDescription) -> u32 {
        let start = begin_block(&mut self.buf, IDB);
        put_u16(&mut self.buf, interface.link_type);
        put_u16(&mut self.buf, 0);
        put_u32(&mut self.buf, interface.snaplen);
        let mut options = Options::new(&mut self.buf);
        options.text(IF_NAME, interface.name.as_deref());
        options.text(IF_DESCRIPTION, interface.description.as_deref());
        options.raw(IF_TSRESOL, &[interface.resolution.exponent()]);
        options.end();
        end_block(&mut self.buf, start);
        self.interfaces.push(interface.resolution);
        (self.interfaces.len() - 1) as u32
    }

    /// Writes one Enhanced Packet Block.
    pub fn add_packet(&mut self, packet: &Packet<'_>) -> Result<(), WriteError> {
        let resolution = *self
            .interfaces
            .get(packet.interface as usize)
            .ok_or(WriteError::UnknownInterface(packet.interface))?;
        let caplen = u32::try_from(packet.data.len())
            .ok()
            .filter(|&len| len <= u32::MAX - 1024)
            .ok_or(WriteError::TooLong(packet.data.len()))?;
        let units = packet.ts_ns.map_or(0, |ts| resolution.units(ts));
        let start = begin_block(&mut self.buf, EPB);
        put_u32(&mut self.buf, packet.interface);
        put_u32(&mut self.buf, (units >> 32) as u32);
        put_u32(&mut self.buf, units as u32);
        put_u32(&mut self.buf, caplen);
        put_u32(&mut self.buf, packet.orig_len);
        self.buf.extend_from_slice(packet.data);
        pad(&mut self.buf);
        let mut options = Options::new(&mut self.buf);
        for comment in packet.comments {
            options.text(OPT_COMMENT, Some(comment));
        }
        options.end();
        end_block(&mut self.buf, start);
        Ok(())
    }

    /// Bytes written and not yet taken.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The buffered bytes when they reach [`CHUNK_BYTES`], else `None`.
    pub fn take_chunk(&mut self) -> Option<Vec<u8>> {
        (self.buf.len() >= CHUNK_BYTES).then(|| self.take())
    }

    /// Every buffered byte (the last chunk of an export).
    pub fn take(&mut self) -> Vec<u8> {
        let capacity = CHUNK_BYTES + 64 * 1024;
        std::mem::replace(&mut self.buf, Vec::with_capacity(capacity))
    }
}

/// The options of one block: each written at once, `opt_endofopt` closing them if there was any.
struct Options<'a> {
    buf: &'a mut Vec<u8>,
    any: bool,
}

impl<'a> Options<'a> {
    fn new(buf: &'a mut Vec<u8>) -> Self {
        Options { buf, any: false }
    }

    /// A UTF-8 option; absent or empty text is left out, text over 65,535 bytes is cut at a
    /// character boundary.
    fn text(&mut self, code: u16, text: Option<&str>) {
        let Some(text) = text.filter(|t| !t.is_empty()) else {
            return;
        };
        let mut end = text.len().min(usize::from(u16::MAX));
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        self.raw(code, &text.as_bytes()[..end]);
    }

    fn raw(&mut self, code: u16, value: &[u8]) {
        let len = value.len().min(usize::from(u16::MAX));
        put_u16(self.buf, code);
        put_u16(self.buf, len as u16);
        self.buf.extend_from_slice(&value[..len]);
        pad(self.buf);
        self.any = true;
    }

    fn end(self) {
        if self.any {
            put_u16(self.buf, OPT_ENDOFOPT);
            put_u16(self.buf, 0);
        }
    }
}

/// Writes the block type and a placeholder length; returns where the block starts.
fn begin_block(buf: &mut Vec<u8>, block_type: u32) -> usize {
    let start = buf.len();
    put_u32(buf, block_type);
    put_u32(buf, 0);
    start
}

/// Writes the trailing length and patches the leading one.
fn end_block(buf: &mut Vec<u8>, start: usize) {
    let total = (buf.len() - start + 4) as u32;
    put_u32(buf, total);
    buf[start + 4..start + 8].copy_from_slice(&total.to_le_bytes());
}

fn pad(buf: &mut Vec<u8>) {
    while buf.len() % 4 != 0 {
        buf.push(0);
    }
}

fn put_u16(buf: &mut Vec<u8>, value: u16) {
    buf.extend_from_slice(&value.to_le_bytes());
}

fn put_u32(buf: &mut Vec<u8>, value: u32) {
    buf.extend_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::reader::CaptureReader;

    /// Timestamp, original length and bytes of one frame read back.
    type Read = (Option<i64>, u32, Vec<u8>);

    fn read_back(bytes: &[u8]) -> (crate::capture::FileInfo, Vec<Read>) {
        let mut reader = CaptureReader::new("out.pcapng");
        let mut frames = Vec::new();
        let mut sink = |f: crate::capture::RawFrame<'_>| {
            frames.push((f.ts_ns, f.orig_len, f.data.to_vec()));
        };
        reader.push(bytes, &mut sink);
        reader.finish(&mut sink);
        (reader.info().clone(), frames)
    }

    #[test]
    fn blocks_read_back_exactly() {
        let mut w = PcapngWriter::new(&SectionHeader {
            application: "tracelens test".into(),
            hardware: Some("x86".into()),
            os: None,
        });
        let micro = w.add_interface(&InterfaceDescription {
            link_type: 1,
            snaplen: 65535,
            name: Some("eth0".into()),
            description: None,
            resolution: Resolution::Micro,
        });
        let nano = w.add_interface(&InterfaceDescription {
            link_type: 101,
            snaplen: 0,
            name: None,
            description: Some("raw é".into()),
            resolution: Resolution::Nano,
        });
        let comments = vec!["tracelens error x: y".to_string(), "second".to_string()];
        let p1 = Packet {
            interface: micro,
            ts_ns: Some(1_600_000_000_123_456_000),
            orig_len: 60,
            data: &[1, 2, 3],
            comments: &comments,
        };
        let p2 = Packet {
            interface: nano,
            ts_ns: Some(1_600_000_000_123_456_789),
            orig_len: 5,
            data: &[0x45, 0, 0, 5, 9],
            comments: &[],
        };
        w.add_packet(&p1).unwrap();
        w.add_packet(&p2).unwrap();
        let unknown = Packet { interface: 7, ..p2 };
        assert_eq!(w.add_packet(&unknown), Err(WriteError::UnknownInterface(7)));
        let bytes = w.take();
        assert_eq!(bytes.len() % 4, 0);
        let (info, frames) = read_back(&bytes);
        assert!(info.error.is_none(), "{:?}", info.error);
        assert_eq!(
            info.sections[0].application.as_deref(),
            Some("tracelens test")
        );
        assert_eq!(info.sections[0].hardware.as_deref(), Some("x86"));
        assert_eq!(info.interfaces.len(), 2);
        assert_eq!(info.interfaces[0].name.as_deref(), Some("eth0"));
        assert_eq!(info.interfaces[1].link_type, 101);
        assert_eq!(info.interfaces[1].description.as_deref(), Some("raw é"));
        assert_eq!(
            frames[0],
            (Some(1_600_000_000_123_456_000), 60, vec![1, 2, 3])
        );
        assert_eq!(
            frames[1],
            (Some(1_600_000_000_123_456_789), 5, vec![0x45, 0, 0, 5, 9])
        );
    }

    #[test]
    fn chunks_are_handed_out_when_full() {
        let mut w = PcapngWriter::new(&SectionHeader::default());
        let iface = w.add_interface(&InterfaceDescription {
            link_type: 1,
            snaplen: 0,
            name: None,
            description: None,
            resolution: Resolution::Nano,
        });
        let data = vec![0u8; 1500];
        let mut chunks = Vec::new();
        for _ in 0..2000 {
            let packet = Packet {
                interface: iface,
                ts_ns: None,
                orig_len: 1500,
                data: &data,
                comments: &[],
            };
            w.add_packet(&packet).unwrap();
            chunks.extend(w.take_chunk());
        }
        chunks.push(w.take());
        assert!(chunks.len() >= 2);
        assert!(chunks[..chunks.len() - 1]
            .iter()
            .all(|c| c.len() >= CHUNK_BYTES && c.len() < CHUNK_BYTES + 2000));
        let whole: Vec<u8> = chunks.concat();
        assert_eq!(read_back(&whole).1.len(), 2000);
    }
}
