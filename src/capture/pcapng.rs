//! pcapng reader: section headers of either byte order (several per file), interface descriptions
//! with their timestamp resolution, offset and FCS length, enhanced, simple and obsolete packet
//! blocks, name resolution and interface statistics, read with the semantics of tshark 4.0
//! (`wiretap/pcapng.c`, summarised in `wireshark-semantics.md` §5.2). Frame numbers follow tshark:
//! besides packets, tshark 4.0 numbers custom blocks (0xBAD, 0x40000BAD), systemd journal export
//! blocks and sysdig event blocks as frames, so those are delivered too, on pseudo-interfaces whose
//! link type is [`PSEUDO_LINK_TYPE_FLAG`] | block type (listed, never decoded). What tshark rejects
//! is an error here at the same block: block lengths that disagree, options that overrun their
//! block or have the wrong size, unknown section versions (tshark reads 1.0 and 1.2 only).
//!
//! `pcap-file`'s `PcapNgParser` (2.0.0) is not used: it reads EPB timestamps as raw nanoseconds
//! (ignoring `if_tsresol` and `if_tsoffset`), collects every block's options into a new `Vec`,
//! rejects files tshark reads (block lengths not a multiple of 4, options without an end marker,
//! comments that are not UTF-8), and its errors are static strings that name no offset.

use super::frame::{
    deliver, FileInfo, Format, FormatParser, FrameSink, InterfaceInfo, InterfaceStats, RawFrame,
    SectionInfo,
};
use crate::error::CaptureError;
use crate::wire::bytes::{array, be32, Endian as ByteOrder};
use std::net::{Ipv4Addr, Ipv6Addr};

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 0x0000_0001;
const PB: u32 = 0x0000_0002;
const SPB: u32 = 0x0000_0003;
const NRB: u32 = 0x0000_0004;
const ISB: u32 = 0x0000_0005;
const EPB: u32 = 0x0000_0006;
const SYSTEMD_JOURNAL: u32 = 0x0000_0009;
const DSB: u32 = 0x0000_000A;
const CUSTOM_COPY: u32 = 0x0000_0BAD;
const CUSTOM_NO_COPY: u32 = 0x4000_0BAD;
const SYSDIG_EVENT: u32 = 0x0000_0204;
const SYSDIG_EVENT_V2: u32 = 0x0000_0216;
const SYSDIG_EVENT_V2_LARGE: u32 = 0x0000_0221;

const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
/// Block type, total length, and the repeated total length.
const BLOCK_OVERHEAD: usize = 12;
/// tshark 4.0's `MAX_BLOCK_SIZE`: a minimal EPB holding a 128 MiB D-Bus message plus 128 KiB of
/// options. Longer blocks are an error, so a hostile length cannot make the caller buffer forever.
const MAX_BLOCK_LEN: u64 = 32 + 128 * 1024 * 1024 + 131_072;
/// Wireshark's `WTAP_MAX_PACKET_SIZE_STANDARD`, the largest packet for most link types.
const MAX_PACKET_LEN_STANDARD: u32 = 262_144;
const NS_PER_S: u128 = 1_000_000_000;

/// Link types of pseudo-interfaces are this flag OR'd with the pcapng block type (for instance
/// 0x8000_0BAD for copyable custom blocks). Real LINKTYPEs are 16-bit, so they never collide.
pub const PSEUDO_LINK_TYPE_FLAG: u32 = 0x8000_0000;

/// A value read in a section's byte order, or zero past the end: callers check lengths first,
/// so a missed check yields a wrong value, never a crash.
fn read<T: Default>(value: Option<T>) -> T {
    value.unwrap_or_default()
}

/// A 64-bit timestamp stored as two 32-bit halves, high first.
fn u32_pair(order: ByteOrder, bytes: &[u8], at: usize) -> u64 {
    (u64::from(read(order.u32(bytes, at))) << 32) | u64::from(read(order.u32(bytes, at + 4)))
}

fn round_up_4(len: u64) -> u64 {
    (len + 3) & !3
}

/// How a raw timestamp of one interface becomes nanoseconds since 1970.
#[derive(Debug, Clone, Copy)]
struct Clock {
    units_per_second: u128,
    offset_s: i64,
}

impl Clock {
    /// Decodes `if_tsresol`: 10^-v s, or 2^-(v & 0x7f) s when the top bit is set. Returns the
    /// units per second and the text shown in `InterfaceInfo::ts_resolution`.
    fn resolution(tsresol: u8) -> (u128, String) {
        let exponent = u32::from(tsresol & 0x7F);
        if tsresol & 0x80 != 0 {
            return (1u128 << exponent, format!("2^-{exponent} s"));
        }
        // 10^39 overflows u128; any unit finer than 10^-29 s already turns every 64-bit count into
        // 0 ns, so clamping changes nothing.
        let units = 10u128.pow(exponent.min(38));
        let text = match exponent {
            0 => "seconds".to_string(),
            3 => "milliseconds".to_string(),
            6 => "microseconds".to_string(),
            9 => "nanoseconds".to_string(),
            _ => format!("10^-{exponent} s"),
        };
        (units, text)
    }

    /// Nanoseconds since 1970, or `None` outside i64 (before 1677 or after 2262). tshark splits
    /// the count into seconds and a fraction the same way (`ts / units`, `ts % units * 1e9 /
    /// units`) but in 64 bits, so it wraps for units finer than about 10^-10 s; this does not.
    fn to_ns(self, raw: u64) -> Option<i64> {
        if let Some(ns) = self.to_ns_fast(raw) {
            return Some(ns);
        }
        let units = self.units_per_second.max(1);
        let raw = u128::from(raw);
        let seconds = (raw / units) as i128 + i128::from(self.offset_s);
        let fraction_ns = ((raw % units) * NS_PER_S / units) as i128;
        i64::try_from(seconds * NS_PER_S as i128 + fraction_ns).ok()
    }

    /// The same computation in 64 bits for the usual units (up to 10^10 per second), where the
    /// fraction times 10^9 cannot overflow; `None` sends the caller to the 128-bit path.
    fn to_ns_fast(self, raw: u64) -> Option<i64> {
        let units = u64::try_from(self.units_per_second).ok()?;
        if units == 0 || units > 10_000_000_000 {
            return None;
        }
        let fraction_ns = (raw % units) * 1_000_000_000 / units;
        i64::try_from(raw / units)
            .ok()?
            .checked_add(self.offset_s)?
            .checked_mul(1_000_000_000)?
            .checked_add(fraction_ns as i64)
    }
}

/// One interface of the current section, as packet blocks need it.
#[derive(Debug, Clone, Copy)]
struct Interface {
    /// Index into `FileInfo::interfaces`.
    global: u32,
    link_type: u32,
    snaplen: u32,
    clock: Clock,
    fcs_len: u32,
}

/// One complete block, borrowed from the input.
struct Block<'a> {
    kind: u32,
    /// Everything between the length field and the trailing length (padding included).
    body: &'a [u8],
    /// Stream offset of the block's first byte.
    at: u64,
}

impl<'a> Block<'a> {
    /// The body, when it holds the `fixed` bytes of the block's fixed fields; else the error
    /// tshark reports (the total length is below the block's minimum).
    fn body_of_at_least(&self, name: &str, fixed: usize) -> Result<&'a [u8], String> {
        if self.body.len() < fixed {
            return Err(too_small(name, self.body.len(), fixed + BLOCK_OVERHEAD));
        }
        Ok(self.body)
    }

    /// Stream offset of `body[i]`.
    fn offset_of(&self, i: usize) -> u64 {
        self.at + 8 + i as u64
    }
}

/// The fields EPBs and obsolete PBs share.
struct PacketFields {
    interface_id: u32,
    timestamp: u64,
    captured_len: u32,
    orig_len: u32,
    /// Bytes of fixed fields before the packet data.
    fixed_len: usize,
    name: &'static str,
}

/// Push parser for one pcapng file.
#[derive(Debug, Default)]
pub struct PcapNgParser {
    /// Byte order of the current section; `None` before the first section header.
    order: Option<ByteOrder>,
    /// Interfaces of the current section, indexed by the interface id blocks use.
    interfaces: Vec<Interface>,
    /// Pseudo-interfaces of the current section: (block type, global index).
    pseudo: Vec<(u32, u32)>,
    /// Section headers read so far (the current section is number `sections - 1`).
    sections: u32,
    warned_time_range: bool,
}

impl PcapNgParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the block length from the block's first bytes and checks it. `Ok(None)` asks for more
    /// input; lengths that can never be valid are errors as soon as they are seen.
    fn block_extent(&self, rest: &[u8]) -> Result<Option<(u32, ByteOrder, usize)>, String> {
        if rest.len() < 8 {
            return Ok(None);
        }
        // The section header's type reads the same in both byte orders; its own byte-order magic
        // says how to read its length.
        let raw_type = read(be32(rest, 0));
        let (kind, order) = if raw_type == SHB {
            if rest.len() < 12 {
                return Ok(None);
            }
            (SHB, section_byte_order(rest)?)
        } else if let Some(order) = self.order {
            (read(order.u32(rest, 0)), order)
        } else {
            return Err(format!(
                "not a pcapng file: the first block has type 0x{raw_type:08x}, expected a section header (0x0a0d0d0a)"
            ));
        };
        let declared = read(order.u32(rest, 4));
        let total = round_up_4(u64::from(declared));
        let minimum = if kind == SHB {
            28
        } else {
            BLOCK_OVERHEAD as u64
        };
        if total < minimum {
            return Err(format!(
                "pcapng block of type 0x{kind:08x} at this offset claims total length {declared}, less than the minimum of {minimum}"
            ));
        }
        if total > MAX_BLOCK_LEN {
            return Err(format!(
                "pcapng block of type 0x{kind:08x} at this offset claims total length {declared}, more than the maximum of {MAX_BLOCK_LEN} tshark accepts"
            ));
        }
        Ok(Some((kind, order, total as usize)))
    }

    /// Reads one complete block; returns the frame it holds, if any. The caller checks the
    /// trailing length before delivering the frame: tshark reads the body (and reports its
    /// errors) first, and drops the frame when the trailer is wrong.
    fn block<'a>(
        &mut self,
        block: &Block<'a>,
        order: ByteOrder,
        info: &mut FileInfo,
    ) -> Result<Option<RawFrame<'a>>, String> {
        let no_frame = |result: Result<(), String>| result.map(|()| None);
        match block.kind {
            SHB => no_frame(self.section_header(block, order, info)),
            IDB => no_frame(self.interface_description(block, order, info)),
            EPB => self
                .enhanced_or_obsolete_packet(block, order, false, info)
                .map(Some),
            SPB => self.simple_packet(block, order).map(Some),
            PB => self
                .enhanced_or_obsolete_packet(block, order, true, info)
                .map(Some),
            NRB => no_frame(name_resolution(block, order, info)),
            ISB => no_frame(self.interface_statistics(block, order, info)),
            DSB => no_frame(decryption_secrets(block, order, info)),
            CUSTOM_COPY | CUSTOM_NO_COPY => self.custom_block(block, info).map(Some),
            SYSTEMD_JOURNAL => self.journal_export(block, info).map(Some),
            SYSDIG_EVENT | SYSDIG_EVENT_V2 | SYSDIG_EVENT_V2_LARGE => {
                self.sysdig_event(block, order, info).map(Some)
            }
            _ => {
                info.skipped_blocks += 1;
                Ok(None)
            }
        }
    }

    fn section_header(
        &mut self,
        block: &Block<'_>,
        order: ByteOrder,
        info: &mut FileInfo,
    ) -> Result<(), String> {
        let body = block.body;
        let (major, minor) = (read(order.u16(body, 4)), read(order.u16(body, 6)));
        if !(major == 1 && (minor == 0 || minor == 2)) {
            return Err(format!(
                "pcapng section header version {major}.{minor} is not supported (expected 1.0 or 1.2, the versions tshark 4.0 reads)"
            ));
        }
        let mut section = SectionInfo {
            big_endian: order == ByteOrder::Big,
            version: format!("{major}.{minor}"),
            ..SectionInfo::default()
        };
        // The texts of a section past the listed ones are not read (only counted as cut with it).
        let listed = info.lists_next_section();
        walk_options(
            order,
            body.get(16..).unwrap_or(&[]),
            "SHB",
            |code, value| {
                let slot = match code {
                    _ if !listed => return Ok(()),
                    1 => {
                        section.comments.extend(info.keep_text(value));
                        return Ok(());
                    }
                    2 => &mut section.hardware,
                    3 => &mut section.os,
                    4 => &mut section.application,
                    _ => return Ok(()),
                };
                keep_once(slot, value, info);
                Ok(())
            },
        )?;
        info.add_section(section);
        self.sections = self.sections.saturating_add(1);
        self.order = Some(order);
        self.interfaces.clear();
        self.pseudo.clear();
        Ok(())
    }

    fn interface_description(
        &mut self,
        block: &Block<'_>,
        order: ByteOrder,
        info: &mut FileInfo,
    ) -> Result<(), String> {
        let body = block.body_of_at_least("IDB", 8)?;
        let link_type = u32::from(read(order.u16(body, 0)));
        let snaplen = read(order.u32(body, 4));
        let mut interface = InterfaceInfo::new(link_type, snaplen);
        interface.section = self.sections.saturating_sub(1);
        let (mut tsresol, mut tsoffset, mut fcslen) = (None, None, None);
        // The texts of an interface past the listed ones are not read: only its basics are kept.
        let listed = info.lists_next_interface();
        walk_options(order, body.get(8..).unwrap_or(&[]), "IDB", |code, value| {
            // Single-valued options: the first occurrence wins, as in tshark.
            match (code, value) {
                (2 | 3 | 12, _) if !listed => {}
                (2, _) => keep_once(&mut interface.name, value, info),
                (3, _) => keep_once(&mut interface.description, value, info),
                (9, &[resolution]) => {
                    tsresol.get_or_insert(resolution);
                }
                (11, []) => {
                    return Err(
                        "IDB if_filter option is empty, expected at least its filter-type byte"
                            .into(),
                    )
                }
                (11, _) if interface.filter.is_none() => {
                    interface.filter = filter_text(value, listed, info);
                }
                (12, _) => keep_once(&mut interface.os, value, info),
                (13, &[bits]) => {
                    fcslen.get_or_insert(bits);
                }
                (14, _) if value.len() == 8 => {
                    tsoffset.get_or_insert(read(order.u64(value, 0)) as i64);
                }
                _ => {}
            }
            Ok(())
        })?;
        let (units_per_second, resolution_text) = Clock::resolution(tsresol.unwrap_or(6));
        interface.ts_resolution = resolution_text;
        interface.ts_offset = tsoffset.unwrap_or(0);
        interface.fcs_len = fcslen.map_or(0, fcs_bytes);
        let fcs_len = interface.fcs_len;
        let global = info.add_interface(interface);
        self.interfaces.push(Interface {
            global,
            link_type,
            snaplen,
            clock: Clock {
                units_per_second,
                offset_s: tsoffset.unwrap_or(0),
            },
            fcs_len,
        });
        Ok(())
    }

    /// An enhanced (EPB) or obsolete (PB) packet block: the same fixed fields, but for the
    /// interface ID, which a PB writes in 16 bits (its next 16 count drops).
    fn enhanced_or_obsolete_packet<'a>(
        &mut self,
        block: &Block<'a>,
        order: ByteOrder,
        obsolete: bool,
        info: &mut FileInfo,
    ) -> Result<RawFrame<'a>, String> {
        let name = if obsolete { "PB" } else { "EPB" };
        let body = block.body_of_at_least(name, 20)?;
        let interface_id = if obsolete {
            u32::from(read(order.u16(body, 0)))
        } else {
            read(order.u32(body, 0))
        };
        let fields = PacketFields {
            interface_id,
            timestamp: u32_pair(order, body, 4),
            captured_len: read(order.u32(body, 12)),
            orig_len: read(order.u32(body, 16)),
            fixed_len: 20,
            name,
        };
        self.packet(block, order, fields, info)
    }

    /// EPB and PB: packet data, then options, of which only `epb_flags` matters here (direction
    /// and a per-packet FCS length); the others are checked the way tshark 4.0 checks them.
    fn packet<'a>(
        &mut self,
        block: &Block<'a>,
        order: ByteOrder,
        p: PacketFields,
        info: &mut FileInfo,
    ) -> Result<RawFrame<'a>, String> {
        let name = p.name;
        let padded_len = round_up_4(u64::from(p.captured_len));
        let room = (block.body.len() - p.fixed_len) as u64;
        if padded_len > room {
            return Err(format!(
                "{name} claims {} captured bytes ({padded_len} with padding) but its block has room for {room}",
                p.captured_len
            ));
        }
        let Some(&interface) = self.interfaces.get(p.interface_id as usize) else {
            return Err(format!(
                "{name} refers to interface {} but this section has described only {} interface(s)",
                p.interface_id,
                self.interfaces.len()
            ));
        };
        check_caplen(name, p.captured_len, interface.link_type)?;
        let data_start = p.fixed_len;
        let data_end = data_start + p.captured_len as usize;
        let options_start = data_start + padded_len as usize;
        let mut flags = 0u32;
        walk_options(
            order,
            block.body.get(options_start..).unwrap_or(&[]),
            name,
            |code, value| {
                check_packet_option(name, code, value)?;
                if code == 2 {
                    flags = read(order.u32(value, 0));
                }
                Ok(())
            },
        )?;
        let per_packet_fcs = (flags >> 5) & 0xF;
        let fcs_len = if per_packet_fcs != 0 {
            per_packet_fcs
        } else {
            interface.fcs_len
        };
        let data = block.body.get(data_start..data_end).unwrap_or(&[]);
        let (data, orig_len) = strip_fcs(data, p.orig_len, fcs_len);
        Ok(RawFrame {
            ts_ns: self.timestamp(interface.clock, p.timestamp, info),
            orig_len,
            interface: interface.global,
            link_type: interface.link_type,
            data,
            offset: block.offset_of(data_start),
            direction: (flags & 0b11) as u8,
        })
    }

    /// SPB: interface 0, no timestamp, captured length = min(original length, snaplen when set).
    /// tshark reads exactly that many bytes plus padding and expects the trailer right after, so
    /// a block of any other size is an error, as it is there.
    fn simple_packet<'a>(
        &self,
        block: &Block<'a>,
        order: ByteOrder,
    ) -> Result<RawFrame<'a>, String> {
        let body = block.body_of_at_least("SPB", 4)?;
        let Some(&interface) = self.interfaces.first() else {
            return Err("SPB appears before any interface description (IDB) in its section".into());
        };
        let orig_len = read(order.u32(body, 0));
        let captured_len = match interface.snaplen {
            0 => orig_len,
            snaplen => orig_len.min(snaplen),
        };
        let needed = 4 + round_up_4(u64::from(captured_len));
        if needed != body.len() as u64 {
            return Err(format!(
                "SPB holds {} bytes after its length field, but a {orig_len}-byte packet cut at snaplen {} needs exactly {} (tshark rejects this block)",
                body.len() - 4,
                interface.snaplen,
                needed - 4
            ));
        }
        check_caplen("SPB", captured_len, interface.link_type)?;
        let data = body.get(4..4 + captured_len as usize).unwrap_or(&[]);
        let (data, orig_len) = strip_fcs(data, orig_len, interface.fcs_len);
        Ok(RawFrame {
            ts_ns: None,
            orig_len,
            interface: interface.global,
            link_type: interface.link_type,
            data,
            offset: block.offset_of(4),
            direction: 0,
        })
    }

    fn interface_statistics(
        &mut self,
        block: &Block<'_>,
        order: ByteOrder,
        info: &mut FileInfo,
    ) -> Result<(), String> {
        let body = block.body_of_at_least("ISB", 12)?;
        let mut stats = InterfaceStats::default();
        walk_options(
            order,
            body.get(12..).unwrap_or(&[]),
            "ISB",
            |code, value| {
                if value.len() != 8 {
                    return Ok(());
                }
                let slot = match code {
                    4 => &mut stats.received,
                    5 => &mut stats.dropped_by_interface,
                    6 => &mut stats.accepted_by_filter,
                    7 => &mut stats.dropped_by_os,
                    8 => &mut stats.delivered_to_user,
                    _ => return Ok(()),
                };
                slot.get_or_insert(read(order.u64(value, 0)));
                Ok(())
            },
        )?;
        // An ISB for an interface that does not exist is ignored (tshark does the same); one
        // without counters does not erase the counters of an earlier one.
        let id = read(order.u32(body, 0)) as usize;
        if stats == InterfaceStats::default() {
            return Ok(());
        }
        if let Some(interface) = self.interfaces.get(id) {
            if let Some(target) = info.interfaces.get_mut(interface.global as usize) {
                target.stats = Some(stats);
            }
        }
        Ok(())
    }

    /// Custom blocks: tshark 4.0 numbers each as a frame holding everything after the PEN.
    fn custom_block<'a>(
        &mut self,
        block: &Block<'a>,
        info: &mut FileInfo,
    ) -> Result<RawFrame<'a>, String> {
        let Some(data) = block.body.get(4..) else {
            return Err(too_small("custom block", block.body.len(), 16));
        };
        let interface = self.pseudo_interface(block.kind, info);
        Ok(pseudo_frame(
            interface,
            block.kind,
            data,
            None,
            block.offset_of(4),
        ))
    }

    /// systemd journal export: one journal entry (text) per block; its time comes from the
    /// `__REALTIME_TIMESTAMP=` field (microseconds), as in tshark.
    fn journal_export<'a>(
        &mut self,
        block: &Block<'a>,
        info: &mut FileInfo,
    ) -> Result<RawFrame<'a>, String> {
        const MIN_ENTRY: usize = 23; // "__REALTIME_TIMESTAMP=0\n"
        let body = block.body_of_at_least("systemd journal export block", MIN_ENTRY)?;
        let entry_len = body.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        if entry_len < MIN_ENTRY {
            return Err(format!(
                "systemd journal export entry is {entry_len} bytes long, less than the minimum of {MIN_ENTRY}"
            ));
        }
        let entry = body.get(..entry_len).unwrap_or(&[]);
        let ts_ns =
            journal_realtime_us(entry).and_then(|us| i64::try_from(u128::from(us) * 1000).ok());
        let interface = self.pseudo_interface(block.kind, info);
        Ok(pseudo_frame(
            interface,
            block.kind,
            entry,
            ts_ns,
            block.offset_of(0),
        ))
    }

    /// sysdig/Falco event blocks, frames in tshark 4.0: a CPU id (u16), then the event header
    /// (timestamp ns u64, thread id u64, event length u32, event type u16, and for v2 a parameter
    /// count u32); like tshark, the frame is what follows and its length is the event length.
    fn sysdig_event<'a>(
        &mut self,
        block: &Block<'a>,
        order: ByteOrder,
        info: &mut FileInfo,
    ) -> Result<RawFrame<'a>, String> {
        let header_len = if block.kind == SYSDIG_EVENT { 24 } else { 28 };
        let Some(data) = block.body.get(header_len..) else {
            return Err(too_small(
                "sysdig event block",
                block.body.len(),
                header_len + BLOCK_OVERHEAD,
            ));
        };
        let ts_ns = i64::try_from(read(order.u64(block.body, 2))).ok();
        let interface = self.pseudo_interface(block.kind, info);
        let mut frame = pseudo_frame(
            interface,
            block.kind,
            data,
            ts_ns,
            block.offset_of(header_len),
        );
        frame.orig_len = read(order.u32(block.body, 18));
        Ok(frame)
    }

    /// The global index of this section's pseudo-interface for `kind`, created on first use.
    fn pseudo_interface(&mut self, kind: u32, info: &mut FileInfo) -> u32 {
        if let Some(&(_, global)) = self.pseudo.iter().find(|(k, _)| *k == kind) {
            return global;
        }
        let mut interface = InterfaceInfo::new(PSEUDO_LINK_TYPE_FLAG | kind, 0);
        interface.section = self.sections.saturating_sub(1);
        let (name, resolution) = match kind {
            CUSTOM_COPY => ("custom block (copyable)", "none"),
            CUSTOM_NO_COPY => ("custom block (do not copy)", "none"),
            SYSTEMD_JOURNAL => ("systemd journal export", "microseconds"),
            _ => ("sysdig event", "nanoseconds"),
        };
        interface.name = Some(name.into());
        interface.description = Some(format!(
            "pcapng block type 0x{kind:08x}: numbered as a frame by tshark, not a packet"
        ));
        interface.ts_resolution = resolution.into();
        let global = info.add_interface(interface);
        self.pseudo.push((kind, global));
        global
    }

    fn timestamp(&mut self, clock: Clock, raw: u64, info: &mut FileInfo) -> Option<i64> {
        let ts = clock.to_ns(raw);
        if ts.is_none() && !self.warned_time_range {
            self.warned_time_range = true;
            info.warn(format!(
                "frame {} has a timestamp outside 1677-2262 that nanoseconds in 64 bits cannot hold; such frames have no time",
                info.frames + 1
            ));
        }
        ts
    }
}

impl FormatParser for PcapNgParser {
    fn parse(&mut self, buf: &[u8], base: u64, out: FrameSink<'_>) -> Result<usize, CaptureError> {
        let FrameSink { info, sink } = out;
        info.format = Some(Format::PcapNg);
        let mut used = 0usize;
        loop {
            let rest = buf.get(used..).unwrap_or(&[]);
            let at = base + used as u64;
            let fail =
                |message: String, info: &FileInfo| CaptureError::new(at, info.frames + 1, message);
            let (kind, order, total) = match self.block_extent(rest) {
                Ok(Some(extent)) => extent,
                Ok(None) => break,
                Err(message) => return Err(fail(message, info)),
            };
            let Some(bytes) = rest.get(..total) else {
                break;
            };
            let block = Block {
                kind,
                body: bytes.get(8..total - 4).unwrap_or(&[]),
                at,
            };
            let frame = self.block(&block, order, info).map_err(|m| fail(m, info))?;
            check_trailer(bytes, order).map_err(|m| fail(m, info))?;
            if let Some(frame) = frame {
                deliver(info, sink, frame);
            }
            used += total;
        }
        Ok(used)
    }

    fn finish(&mut self, rest: &[u8], base: u64, info: &mut FileInfo) -> Result<(), CaptureError> {
        if rest.is_empty() {
            if self.order.is_none() {
                return Err(CaptureError::new(base, 1, "the pcapng file is empty"));
            }
            return Ok(());
        }
        let message = match self.block_extent(rest) {
            Ok(Some((kind, _, total))) => format!(
                "pcapng block of type 0x{kind:08x} at this offset claims total length {total} but only {} bytes remain (the file was cut short)",
                rest.len()
            ),
            Ok(None) => format!(
                "the file ends inside a pcapng block header: {} of its first 8 (12 for a section header) bytes are present",
                rest.len()
            ),
            Err(message) => message,
        };
        Err(CaptureError::new(base, info.frames + 1, message))
    }
}

/// The byte order of a section header from its byte-order magic (block bytes 8..12).
fn section_byte_order(block: &[u8]) -> Result<ByteOrder, String> {
    let magic = array::<4>(block, 8).unwrap_or([0; 4]);
    if u32::from_le_bytes(magic) == BYTE_ORDER_MAGIC {
        Ok(ByteOrder::Little)
    } else if u32::from_be_bytes(magic) == BYTE_ORDER_MAGIC {
        Ok(ByteOrder::Big)
    } else {
        Err(format!(
            "pcapng section header has byte-order magic 0x{:08x}, expected 0x1a2b3c4d in either byte order",
            u32::from_be_bytes(magic)
        ))
    }
}

/// The trailing length must repeat the leading one (both rounded up to 4, as tshark does).
fn check_trailer(block: &[u8], order: ByteOrder) -> Result<(), String> {
    let leading = read(order.u32(block, 4));
    let trailing = read(order.u32(block, block.len().saturating_sub(4)));
    if round_up_4(u64::from(leading)) != round_up_4(u64::from(trailing)) {
        return Err(format!(
            "pcapng block total lengths disagree: {leading} at the start, {trailing} at the end"
        ));
    }
    Ok(())
}

/// One entry of an option list or a name-resolution block: a 16-bit code, a 16-bit length, the
/// value, and padding to 4 bytes.
struct Tlv<'a> {
    code: u16,
    value: &'a [u8],
    /// What follows the entry's padding.
    next: &'a [u8],
}

/// Why an entry could not be split off: its 4-byte header is cut, or its value (with padding)
/// runs past the bytes.
enum TlvCut {
    Header,
    Value { code: u16, len: usize },
}

/// Splits the entry at the start of `area` off the rest.
fn split_tlv(order: ByteOrder, area: &[u8]) -> Result<Tlv<'_>, TlvCut> {
    let (Some(code), Some(len)) = (order.u16(area, 0), order.u16(area, 2)) else {
        return Err(TlvCut::Header);
    };
    let len = usize::from(len);
    let padded = (len + 3) & !3;
    match (area.get(4..4 + len), area.get(4 + padded..)) {
        (Some(value), Some(next)) => Ok(Tlv { code, value, next }),
        _ => Err(TlvCut::Value { code, len }),
    }
}

/// Iterates the options of a block as tshark does: stops at `opt_endofopt`; a partial option
/// header or a value running past the block is an error; custom options need their 4-byte PEN.
fn walk_options<'a>(
    order: ByteOrder,
    mut area: &'a [u8],
    block: &str,
    mut visit: impl FnMut(u16, &'a [u8]) -> Result<(), String>,
) -> Result<(), String> {
    while !area.is_empty() {
        let Tlv { code, value, next } = split_tlv(order, area).map_err(|cut| match cut {
            TlvCut::Header => format!(
                "{block} options end with {} stray bytes, too few for a 4-byte option header",
                area.len()
            ),
            TlvCut::Value { code, len } => format!(
                "{block} option {code} claims {len} bytes but only {} remain in the block",
                area.len() - 4
            ),
        })?;
        let len = value.len();
        if code == 0 {
            return Ok(());
        }
        if matches!(code, 2988 | 2989 | 19372 | 19373) && len < 4 {
            return Err(format!(
                "{block} custom option {code} is {len} bytes long, too short for its 4-byte enterprise number"
            ));
        }
        visit(code, value)?;
        area = next;
    }
    Ok(())
}

/// The option-length checks tshark 4.0 applies to EPB/PB options (any failure rejects the file).
fn check_packet_option(block: &str, code: u16, value: &[u8]) -> Result<(), String> {
    let expected = match code {
        2 => Some(("flags", 4)),
        4 => Some(("drop count", 8)),
        5 => Some(("packet id", 8)),
        6 => Some(("queue", 4)),
        _ => None,
    };
    if let Some((name, len)) = expected {
        if value.len() != len {
            return Err(format!(
                "{block} {name} option is {} bytes long, expected {len}",
                value.len()
            ));
        }
    }
    if code == 7 {
        match value.first() {
            None => {
                return Err(format!(
                    "{block} verdict option is empty, expected a type byte"
                ))
            }
            Some(1 | 2) if value.len() != 9 => {
                return Err(format!(
                    "{block} eBPF verdict option is {} bytes long, expected 9",
                    value.len()
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// The largest packet tshark accepts for a link type (`wtap_max_snaplen_for_encap`).
fn check_caplen(block: &str, captured_len: u32, link_type: u32) -> Result<(), String> {
    let limit = match link_type {
        231 | 189 | 220 | 249 => 128 * 1024 * 1024, // D-Bus, USB Linux (two), USBPcap
        279 => 8 * 1024 * 1024,                     // EBHSCR
        _ => MAX_PACKET_LEN_STANDARD,
    };
    if captured_len > limit {
        return Err(format!(
            "{block} claims {captured_len} captured bytes, more than the maximum of {limit} for link type {link_type}"
        ));
    }
    Ok(())
}

fn name_resolution(block: &Block<'_>, order: ByteOrder, info: &mut FileInfo) -> Result<(), String> {
    let mut rest = block.body_of_at_least("NRB", 4)?;
    while !rest.is_empty() {
        let record = split_tlv(order, rest).map_err(|cut| match cut {
            TlvCut::Header => format!(
                "NRB has {} bytes left, fewer than a 4-byte record header",
                rest.len()
            ),
            TlvCut::Value { len, .. } => format!(
                "NRB record of {len} bytes (+ padding) runs past the block: {} bytes left",
                rest.len() - 4
            ),
        })?;
        let Tlv { code, value, next } = record;
        rest = next;
        match code {
            0 => break,
            1 => add_names(value, 4, info)?,
            2 => add_names(value, 16, info)?,
            _ => {}
        }
    }
    walk_options(order, rest, "NRB", |_, _| Ok(()))
}

/// One NRB address record: the address, then NUL-terminated names.
fn add_names(record: &[u8], addr_len: usize, info: &mut FileInfo) -> Result<(), String> {
    let (Some(addr), Some(mut names)) = (record.get(..addr_len), record.get(addr_len..)) else {
        return Err(format!(
            "NRB IPv{} record is {} bytes long, shorter than its {addr_len}-byte address",
            if addr_len == 4 { 4 } else { 6 },
            record.len()
        ));
    };
    let address = match *addr {
        [a, b, c, d] => Ipv4Addr::new(a, b, c, d).to_string(),
        _ => Ipv6Addr::from(array::<16>(addr, 0).unwrap_or([0; 16])).to_string(),
    };
    while !names.is_empty() {
        let Some(end) = names.iter().position(|&b| b == 0) else {
            return Err(format!(
                "NRB record for {address} has a name without its terminating NUL"
            ));
        };
        if end > 0 {
            info.add_name(&address, names.get(..end).unwrap_or(&[]));
        }
        names = names.get(end + 1..).unwrap_or(&[]);
    }
    Ok(())
}

/// DSB: not a frame; tshark reads the secrets and skips the rest (options are not parsed).
fn decryption_secrets(
    block: &Block<'_>,
    order: ByteOrder,
    info: &mut FileInfo,
) -> Result<(), String> {
    let body = block.body;
    let secrets_len = u64::from(read(order.u32(body, 4)));
    if body.len() < 8 || secrets_len > (body.len() - 8) as u64 {
        return Err(format!(
            "DSB claims {secrets_len} bytes of secrets but its block holds {}",
            body.len().saturating_sub(8)
        ));
    }
    info.skipped_blocks += 1;
    Ok(())
}

/// The `__REALTIME_TIMESTAMP=` value of a journal entry, found the way tshark finds it (a C string
/// search, so only before the first NUL).
fn journal_realtime_us(entry: &[u8]) -> Option<u64> {
    const KEY: &[u8] = b"__REALTIME_TIMESTAMP=";
    let text = entry.split(|&b| b == 0).next()?;
    let start = text.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let digits = text.get(start..)?;
    let len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(digits.get(..len)?).ok()?.parse().ok()
}

/// `if_fcslen` is specified in bits, but writers also store bytes (4); Wireshark treats both as a
/// 4-byte Ethernet FCS. Multiples of 8 are read as bits, anything else as bytes.
fn fcs_bytes(if_fcslen: u8) -> u32 {
    let value = u32::from(if_fcslen);
    if value >= 8 && value % 8 == 0 {
        value / 8
    } else {
        value
    }
}

/// Removes an FCS from a complete frame (a frame cut by the snaplen has none in its data) and
/// from the wire length, so `data.len() < orig_len` keeps meaning "cut by the snaplen".
fn strip_fcs(data: &[u8], orig_len: u32, fcs_len: u32) -> (&[u8], u32) {
    if fcs_len == 0 {
        return (data, orig_len);
    }
    let complete = data.len() as u64 >= u64::from(orig_len);
    let kept = if complete {
        data.len().saturating_sub(fcs_len as usize)
    } else {
        data.len()
    };
    (
        data.get(..kept).unwrap_or(data),
        orig_len.saturating_sub(fcs_len),
    )
}

/// Text of an `if_filter` option: type 0 is a libpcap filter string, type 1 BPF byte code
/// (`None` for an interface not `listed`).
fn filter_text(value: &[u8], listed: bool, info: &mut FileInfo) -> Option<String> {
    match value.split_first() {
        _ if !listed => None,
        Some((0, filter)) => info.keep_text(filter),
        Some((1, code)) => Some(format!("BPF program, {} instructions", code.len() / 8)),
        _ => None,
    }
}

/// A single-valued text option: the first occurrence wins (as kept by [`FileInfo::keep_text`]).
fn keep_once(slot: &mut Option<String>, value: &[u8], info: &mut FileInfo) {
    if slot.is_none() {
        *slot = info.keep_text(value);
    }
}

fn too_small(block: &str, body_len: usize, minimum_total: usize) -> String {
    format!(
        "{block} total length {} is less than its minimum of {minimum_total}",
        body_len + BLOCK_OVERHEAD
    )
}

/// A frame for a non-packet block that tshark numbers as a frame.
fn pseudo_frame(
    interface: u32,
    kind: u32,
    data: &[u8],
    ts_ns: Option<i64>,
    offset: u64,
) -> RawFrame<'_> {
    RawFrame {
        ts_ns,
        orig_len: data.len() as u32,
        interface,
        link_type: PSEUDO_LINK_TYPE_FLAG | kind,
        data,
        offset,
        direction: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame as the tests compare it (the data is compared by length and first bytes).
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Seen {
        ts_ns: Option<i64>,
        orig_len: u32,
        data: Vec<u8>,
        interface: u32,
        link_type: u32,
        offset: u64,
        direction: u8,
    }

    struct Outcome {
        frames: Vec<Seen>,
        info: FileInfo,
        error: Option<CaptureError>,
    }

    /// Feeds `bytes` in chunks of `chunk` bytes the way the capture reader does: the unconsumed
    /// tail is kept and handed back in front of the next chunk; `finish` gets what is left.
    fn run(bytes: &[u8], chunk: usize) -> Outcome {
        let mut parser = PcapNgParser::new();
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
                direction: f.direction,
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

    fn corpus(path: &str) -> Vec<u8> {
        let full = format!("{}/../shared/captures/{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&full).unwrap_or_else(|e| panic!("cannot read {full}: {e}"))
    }

    /// `chrissanders/udp_dnsrequest.pcapng`, the whole file: SHB (28 bytes, no options), IDB
    /// (Ethernet, snaplen 65535), one EPB holding a 73-byte DNS query.
    const UDP_DNS_REQUEST: [u8; 156] = [
        0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0x00, 0x00, 0x00, 0x4d, 0x3c, 0x2b, 0x1a, 0x01, 0x00, 0x00,
        0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1c, 0x00, 0x00, 0x00, 0x01, 0x00,
        0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x14,
        0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x6c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xbd, 0x6d, 0x04, 0x00, 0xa5, 0x01, 0x83, 0xe0, 0x49, 0x00, 0x00, 0x00, 0x49, 0x00, 0x00,
        0x00, 0x00, 0x12, 0x80, 0x4b, 0xc0, 0x7f, 0x00, 0x16, 0xd4, 0xb8, 0x59, 0xb1, 0x08, 0x00,
        0x45, 0x00, 0x00, 0x3b, 0x1f, 0x27, 0x00, 0x00, 0x80, 0x11, 0xd1, 0xae, 0xc0, 0xa8, 0x64,
        0x8a, 0xc0, 0xa8, 0x64, 0x01, 0x04, 0x24, 0x00, 0x35, 0x00, 0x27, 0x6d, 0x5a, 0x18, 0x0f,
        0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x77, 0x69, 0x72, 0x65,
        0x73, 0x68, 0x61, 0x72, 0x6b, 0x03, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
        0x00, 0x00, 0x6c, 0x00, 0x00, 0x00,
    ];

    #[test]
    fn reads_a_minimal_real_file_from_literal_bytes() {
        let out = run(&UDP_DNS_REQUEST, usize::MAX);
        assert_eq!(out.error, None);
        // tshark -r udp_dnsrequest.pcapng -T fields -e frame.time_epoch -e frame.len -e frame.cap_len
        //   1246562189.771173000  73  73
        assert_eq!(out.frames.len(), 1);
        let f = &out.frames[0];
        assert_eq!(f.ts_ns, Some(1_246_562_189_771_173_000));
        assert_eq!((f.orig_len, f.data.len()), (73, 73));
        assert_eq!((f.interface, f.link_type, f.offset), (0, 1, 48 + 28));
        assert_eq!(&f.data[..6], &[0x00, 0x12, 0x80, 0x4b, 0xc0, 0x7f]);
        assert_eq!(out.info.format, Some(Format::PcapNg));
        assert_eq!(out.info.sections.len(), 1);
        assert_eq!(out.info.sections[0].version, "1.0");
        assert_eq!(out.info.interfaces.len(), 1);
        assert_eq!(out.info.interfaces[0].snaplen, 65535);
        assert_eq!(out.info.interfaces[0].ts_resolution, "microseconds");
        assert_eq!((out.info.frames, out.info.interfaces[0].frames), (1, 1));
    }

    /// Frame counts and first/last `frame.time_epoch` from
    /// `tshark -r F -T fields -e frame.number -e frame.time_epoch` (TShark 4.0.17).
    #[test]
    fn frame_counts_and_times_match_tshark() {
        let cases: &[(&str, u64, Option<i64>, Option<i64>)] = &[
            (
                "chrissanders/http_espn.pcapng",
                956,
                Some(1_270_661_369_782_934_000),
                Some(1_270_661_371_830_416_000),
            ),
            (
                "chrissanders/tcp_retransmissions.pcapng",
                6,
                Some(979_489_081_289_000_000),
                Some(979_489_090_500_000_000),
            ),
            (
                "tcpdump/dhcp-option-108.pcapng",
                2,
                Some(1_742_291_025_393_317_000),
                Some(1_742_291_025_399_056_000),
            ),
            (
                "tcpdump/bgp-role.pcapng",
                9,
                Some(1_668_715_732_541_413_000),
                Some(1_668_715_734_542_871_000),
            ),
            (
                "tcpdump/time_2106_overflow.pcapng",
                1,
                Some(4_294_967_296_000_000_000),
                Some(4_294_967_296_000_000_000),
            ),
            ("tcpdump/empty.pcapng", 0, None, None),
            (
                "zeek/gap-data-missing.pcapng",
                18,
                Some(1_725_966_494_956_327_000),
                Some(1_725_966_495_127_166_000),
            ),
            (
                "zeek/pcapng-multi-interface.pcapng",
                6,
                Some(1_767_663_089_500_330_493),
                Some(1_767_663_437_140_942_000),
            ),
            (
                "zeek/ip-discarder-truncated-tcp-oob.pcapng",
                1,
                Some(1_000),
                Some(1_000),
            ),
            (
                "pcapng-test-generator/test008.pcapng",
                4,
                Some(1_340_954_905_298_858),
                Some(1_340_954_905_301_858),
            ),
            ("pcapng-test-generator/test010.pcapng", 4, None, None),
            (
                "pcapng-test-generator/test100.pcapng",
                5,
                None,
                Some(1_340_954_905_301_858_000),
            ),
            ("pcapng-test-generator/test102.pcapng", 8, None, None),
            (
                "pcapng-test-generator/test202.pcapng",
                11,
                None,
                Some(1_340_954_905_301_858_000),
            ),
        ];
        for &(path, count, first, last) in cases {
            let out = run(&corpus(path), 64 * 1024);
            assert_eq!(out.error, None, "{path}");
            assert_eq!(out.frames.len() as u64, count, "{path}");
            assert_eq!(out.info.frames, count, "{path}");
            assert_eq!(
                out.frames.first().and_then(|f| f.ts_ns),
                first,
                "{path} first"
            );
            assert_eq!(out.frames.last().and_then(|f| f.ts_ns), last, "{path} last");
            let per_interface: u64 = out.info.interfaces.iter().map(|i| i.frames).sum();
            assert_eq!(per_interface, count, "{path}");
        }
    }

    #[test]
    fn sections_of_different_byte_order_keep_their_own_interfaces() {
        // test202: LE section (eth0, null1), BE section (eth0), LE section (eth0, null1).
        // tshark -r test202.pcapng -T fields -e frame.number -e frame.interface_id
        //   -e frame.section_number -e frame.len: 11 frames; 1, 7, 10 are custom blocks.
        let out = run(&corpus("pcapng-test-generator/test202.pcapng"), 64 * 1024);
        assert_eq!(out.error, None);
        let endian: Vec<bool> = out.info.sections.iter().map(|s| s.big_endian).collect();
        assert_eq!(endian, [false, true, false]);
        let real: Vec<(u32, u32, Option<&str>)> = out
            .info
            .interfaces
            .iter()
            .filter(|i| i.link_type < PSEUDO_LINK_TYPE_FLAG)
            .map(|i| (i.section, i.link_type, i.name.as_deref()))
            .collect();
        assert_eq!(
            real,
            [
                (0, 1, Some("eth0")),
                (0, 0, Some("null1")),
                // tshark 4.0 prints "eth0" for this section's frames: it looks the name up by
                // the section-local interface id in the file-wide list. The IDB says otherwise.
                (1, 1, Some("silly ethernet interface 2")),
                (2, 1, Some("eth0")),
                (2, 0, Some("null1")),
            ]
        );
        let lens: Vec<u32> = out.frames.iter().map(|f| f.orig_len).collect();
        assert_eq!(lens, [24, 314, 342, 168, 314, 342, 60, 314, 342, 32, 168]);
        let caps: Vec<usize> = out.frames.iter().map(|f| f.data.len()).collect();
        assert_eq!(caps, [24, 96, 96, 168, 128, 128, 60, 128, 128, 32, 168]);
        let links: Vec<u32> = out.frames.iter().map(|f| f.link_type).collect();
        let custom = PSEUDO_LINK_TYPE_FLAG | CUSTOM_COPY;
        let no_copy = PSEUDO_LINK_TYPE_FLAG | CUSTOM_NO_COPY;
        assert_eq!(links, [custom, 1, 1, 0, 1, 1, no_copy, 1, 1, no_copy, 0]);
        // The last frame is on the third section's null1, not the first section's.
        let last = out.frames.last().map(|f| f.interface);
        let third_null = out
            .info
            .interfaces
            .iter()
            .position(|i| i.section == 2 && i.link_type == 0);
        assert_eq!(last, third_null.map(|i| i as u32));
        assert_eq!(out.info.skipped_blocks, 0);
        assert_eq!(out.info.names.len(), 16);
    }

    #[test]
    fn nanosecond_resolution_in_a_big_endian_section() {
        // test008: BE, IDB 0 has if_tsresol 9; tshark gives 1340954.905298858 for frame 1.
        let out = run(&corpus("pcapng-test-generator/test008.pcapng"), 64 * 1024);
        assert_eq!(out.error, None);
        assert!(out.info.sections[0].big_endian);
        assert_eq!(out.info.interfaces[0].ts_resolution, "nanoseconds");
        let times: Vec<Option<i64>> = out.frames.iter().map(|f| f.ts_ns).collect();
        assert_eq!(
            times,
            [
                Some(1_340_954_905_298_858),
                Some(1_340_954_905_299_858),
                Some(1_340_954_905_300_858),
                Some(1_340_954_905_301_858),
            ]
        );
        let sizes: Vec<(u32, usize)> = out
            .frames
            .iter()
            .map(|f| (f.orig_len, f.data.len()))
            .collect();
        assert_eq!(sizes, [(314, 96), (342, 128), (314, 96), (342, 128)]);
    }

    #[test]
    fn simple_packets_are_cut_at_the_snaplen_of_interface_zero() {
        // test102 frame 5 is an SPB: orig 314, IDB 0 snaplen 96 -> 96 bytes, no time (tshark:
        // "5 <empty> 314 96"). test010 (snaplen 0) keeps the whole packet.
        let out = run(&corpus("pcapng-test-generator/test102.pcapng"), 64 * 1024);
        let spb = &out.frames[4];
        assert_eq!((spb.ts_ns, spb.orig_len, spb.data.len()), (None, 314, 96));
        let interface = &out.info.interfaces[spb.interface as usize];
        assert_eq!(
            (interface.name.as_deref(), interface.section),
            (Some("eth0"), 0)
        );
        let out = run(&corpus("pcapng-test-generator/test010.pcapng"), 64 * 1024);
        let sizes: Vec<(u32, usize)> = out
            .frames
            .iter()
            .map(|f| (f.orig_len, f.data.len()))
            .collect();
        assert_eq!(sizes, [(314, 314), (342, 342), (314, 314), (342, 342)]);
        assert!(out.frames.iter().all(|f| f.ts_ns.is_none()));
    }

    #[test]
    fn custom_blocks_are_numbered_frames_on_a_pseudo_interface() {
        // tshark 4.0 numbers test102's three custom blocks as frames 1, 3 and 8 (capinfos counts
        // only the 5 packets).
        let out = run(&corpus("pcapng-test-generator/test102.pcapng"), 64 * 1024);
        assert_eq!(out.error, None);
        let lens: Vec<(u32, u32)> = out
            .frames
            .iter()
            .map(|f| (f.link_type, f.orig_len))
            .collect();
        let custom = PSEUDO_LINK_TYPE_FLAG | CUSTOM_COPY;
        let no_copy = PSEUDO_LINK_TYPE_FLAG | CUSTOM_NO_COPY;
        assert_eq!(
            lens,
            [
                (custom, 24),
                (1, 314),
                (no_copy, 60),
                (1, 342),
                (1, 314),
                (1, 342),
                (0, 168),
                (no_copy, 32)
            ]
        );
        assert_eq!(&out.frames[0].data[..23], b"an example Custom Block");
        // The block starts at 96 (after the SHB); its data after block header and PEN.
        assert_eq!(out.frames[0].offset, 96 + 12);
        assert_eq!(
            out.info.interfaces[0].name.as_deref(),
            Some("custom block (copyable)")
        );
    }

    #[test]
    fn interface_statistics_and_descriptions() {
        let out = run(&corpus("tcpdump/dhcp-option-108.pcapng"), 64 * 1024);
        let en0 = &out.info.interfaces[0];
        assert_eq!(en0.name.as_deref(), Some("en0"));
        assert_eq!(en0.description.as_deref(), Some("Wi-Fi"));
        assert_eq!(
            en0.filter.as_deref(),
            Some("udp port bootpc or udp port bootps")
        );
        assert_eq!(
            en0.os.as_deref(),
            Some("macOS 15.3.2, build 24D81 (Darwin 24.3.0)")
        );
        let stats = en0.stats.clone().unwrap_or_default();
        assert_eq!(
            (stats.received, stats.dropped_by_interface),
            (Some(2), Some(0))
        );
        assert_eq!(stats.accepted_by_filter, None);

        // test102: interface 0 gets a full ISB, then one without counters (which keeps it);
        // interface 2's ISB carries isb_ifdrop 10 and isb_filteraccept 42.
        let out = run(&corpus("pcapng-test-generator/test102.pcapng"), 64 * 1024);
        let real: Vec<&InterfaceInfo> = out
            .info
            .interfaces
            .iter()
            .filter(|i| i.link_type < PSEUDO_LINK_TYPE_FLAG)
            .collect();
        let stats0 = real[0].stats.clone().unwrap_or_default();
        assert_eq!(
            stats0,
            InterfaceStats {
                received: Some(100),
                dropped_by_interface: Some(1),
                accepted_by_filter: Some(9),
                dropped_by_os: Some(42),
                delivered_to_user: Some(6),
            }
        );
        let stats2 = real[2].stats.clone().unwrap_or_default();
        assert_eq!(
            (stats2.dropped_by_interface, stats2.accepted_by_filter),
            (Some(10), Some(42))
        );
        assert_eq!(out.info.sections[0].hardware.as_deref(), Some("Apple MBP"));
        assert_eq!(out.info.sections[0].os.as_deref(), Some("OS-X 10.10.5"));
        assert_eq!(
            out.info.sections[0].application.as_deref(),
            Some("pcap_writer.lua")
        );
        assert_eq!(out.info.sections[0].comments, ["test102"]);
        assert!(out
            .info
            .names
            .contains(&("192.168.1.2".into(), "example.com".into())));
    }

    #[test]
    fn a_file_cut_inside_a_block_delivers_every_earlier_frame_then_fails_there() {
        // http_espn cut 50 bytes into the EPB at 352440 (frame 499): tshark shows 498 frames,
        // then "appears to have been cut short in the middle of a packet".
        let whole = corpus("chrissanders/http_espn.pcapng");
        let out = run(&whole[..352_490], 4096);
        assert_eq!(out.frames.len(), 498);
        let error = out.error.expect("a truncated file is an error");
        assert_eq!((error.offset, error.frame), (352_440, 499));
        assert!(
            error
                .message
                .contains("claims total length 100 but only 50 bytes remain"),
            "{}",
            error.message
        );
        // Cut inside the block header: 4 bytes of it.
        let out = run(&whole[..352_444], 4096);
        let error = out.error.expect("a truncated header is an error");
        assert_eq!(
            (error.offset, error.frame, out.frames.len()),
            (352_440, 499, 498)
        );
    }

    #[test]
    fn feeding_one_byte_at_a_time_gives_the_same_result() {
        for path in [
            "pcapng-test-generator/test202.pcapng",
            "pcapng-test-generator/test102.pcapng",
            "tcpdump/dhcp-option-108.pcapng",
            "zeek/gap-data-missing.pcapng",
            "libpcap/shb-option-too-long.pcapng",
        ] {
            let bytes = corpus(path);
            let whole = run(&bytes, usize::MAX);
            let trickled = run(&bytes, 1);
            assert_eq!(whole.frames, trickled.frames, "{path}");
            assert_eq!(whole.error, trickled.error, "{path}");
            assert_eq!(
                whole.info.interfaces.len(),
                trickled.info.interfaces.len(),
                "{path}"
            );
            assert_eq!(whole.info.names, trickled.info.names, "{path}");
        }
        let bytes = corpus("chrissanders/http_espn.pcapng");
        assert_eq!(run(&bytes, usize::MAX).frames, run(&bytes, 7).frames);
    }

    #[test]
    fn files_tshark_rejects_are_errors_at_the_same_block() {
        // tshark: "pcapng: unknown SHB version 0.1", no frames.
        let out = run(&corpus("libpcap/pcapng-invalid-vers-1.pcapng"), 4096);
        let error = out.error.expect("version 0.1 is rejected");
        assert_eq!((error.offset, error.frame, out.frames.len()), (0, 1, 0));
        assert!(
            error.message.contains("version 0.1 is not supported"),
            "{}",
            error.message
        );
        // tshark: "pcapng: Not enough data to handle option of length 12336", no frames.
        let out = run(&corpus("libpcap/shb-option-too-long.pcapng"), 4096);
        let error = out
            .error
            .expect("an SHB option longer than its block is rejected");
        assert_eq!((error.offset, error.frame, out.frames.len()), (0, 1, 0));
        assert!(
            error.message.contains("claims 12336 bytes"),
            "{}",
            error.message
        );
    }

    // ---- Synthetic blocks for rules no corpus file exercises (each checked against tshark 4.0.17
    // with a file built the same way). ----

    const PACKET: [u8; 42] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xff, 0xff, 0xff, 0xff, 0x00, 0x44, 0x00, 0x43, 0x00, 0x08, 0x00, 0x00,
    ];
    /// 2020-09-13T12:26:40Z in microseconds.
    const T_US: u64 = 1_600_000_000_000_000;

    fn pad4(bytes: &mut Vec<u8>) {
        while bytes.len() % 4 != 0 {
            bytes.push(0);
        }
    }

    fn option(code: u16, value: &[u8]) -> Vec<u8> {
        let mut out = code.to_le_bytes().to_vec();
        out.extend_from_slice(&(value.len() as u16).to_le_bytes());
        out.extend_from_slice(value);
        pad4(&mut out);
        out
    }

    fn block(kind: u32, body: &[u8]) -> Vec<u8> {
        let total = (12 + body.len()) as u32;
        let mut out = kind.to_le_bytes().to_vec();
        out.extend_from_slice(&total.to_le_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(&total.to_le_bytes());
        out
    }

    fn shb(major: u16, minor: u16) -> Vec<u8> {
        let mut body = BYTE_ORDER_MAGIC.to_le_bytes().to_vec();
        body.extend_from_slice(&major.to_le_bytes());
        body.extend_from_slice(&minor.to_le_bytes());
        body.extend_from_slice(&(-1i64).to_le_bytes());
        block(SHB, &body)
    }

    fn idb(link_type: u16, snaplen: u32, options: &[u8]) -> Vec<u8> {
        let mut body = link_type.to_le_bytes().to_vec();
        body.extend_from_slice(&[0, 0]);
        body.extend_from_slice(&snaplen.to_le_bytes());
        body.extend_from_slice(options);
        block(IDB, &body)
    }

    fn epb(interface: u32, ts: u64, data: &[u8], options: &[u8]) -> Vec<u8> {
        let mut body = interface.to_le_bytes().to_vec();
        body.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
        body.extend_from_slice(&(ts as u32).to_le_bytes());
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        pad4(&mut body);
        body.extend_from_slice(options);
        block(EPB, &body)
    }

    fn file(blocks: &[Vec<u8>]) -> Vec<u8> {
        blocks.concat()
    }

    #[test]
    fn timestamp_resolution_offset_and_direction() {
        let bytes = file(&[
            shb(1, 0),
            idb(1, 0, &[option(9, &[0x94]), option(0, &[])].concat()), // 2^-20 s
            idb(
                1,
                0,
                &[option(9, &[4]), option(14, &(-100i64).to_le_bytes())].concat(),
            ),
            epb(
                0,
                1_600_000_000 * (1 << 20) + 12_345,
                &PACKET,
                &option(2, &2u32.to_le_bytes()),
            ),
            epb(
                1,
                1_600_000_000 * 10_000 + 1_234,
                &PACKET,
                &option(2, &1u32.to_le_bytes()),
            ),
        ]);
        let out = run(&bytes, usize::MAX);
        assert_eq!(out.error, None);
        // tshark: 1600000000.011773109 and 1599999900.123400000.
        let seen: Vec<(Option<i64>, u8)> =
            out.frames.iter().map(|f| (f.ts_ns, f.direction)).collect();
        assert_eq!(
            seen,
            [
                (Some(1_600_000_000_011_773_109), 2),
                (Some(1_599_999_900_123_400_000), 1)
            ]
        );
        assert_eq!(out.info.interfaces[0].ts_resolution, "2^-20 s");
        assert_eq!(out.info.interfaces[1].ts_resolution, "10^-4 s");
        assert_eq!(out.info.interfaces[1].ts_offset, -100);
    }

    #[test]
    fn fcs_is_stripped_from_data_and_wire_length() {
        // if_fcslen 32 (bits, as specified) and 4 (bytes, as some writers store it) both mean 4.
        for fcslen in [32u8, 4] {
            let bytes = file(&[
                shb(1, 0),
                idb(1, 0, &option(13, &[fcslen])),
                epb(0, T_US, &PACKET, &[]),
            ]);
            let out = run(&bytes, usize::MAX);
            assert_eq!(out.info.interfaces[0].fcs_len, 4);
            let f = &out.frames[0];
            assert_eq!((f.orig_len, f.data.len()), (38, 38));
        }
    }

    #[test]
    fn journal_entries_are_frames_with_their_realtime_timestamp() {
        // tshark: frame 2 is the journal entry, 49 bytes, time 1600000000.123456000.
        let mut entry = b"__REALTIME_TIMESTAMP=1600000000123456\nMESSAGE=hi\n".to_vec();
        pad4(&mut entry);
        let bytes = file(&[
            shb(1, 0),
            idb(1, 0, &[]),
            epb(0, T_US, &PACKET, &[]),
            block(SYSTEMD_JOURNAL, &entry),
            block(0x1234_5678, b"abcd"),
            block(DSB, &[0x4b, 0x53, 0x4c, 0x54, 1, 0, 0, 0, b'x', 0, 0, 0]),
            epb(0, T_US, &PACKET, &[]),
        ]);
        let out = run(&bytes, usize::MAX);
        assert_eq!(out.error, None);
        assert_eq!(out.frames.len(), 3);
        let journal = &out.frames[1];
        assert_eq!(
            (journal.ts_ns, journal.orig_len),
            (Some(1_600_000_000_123_456_000), 49)
        );
        assert_eq!(journal.link_type, PSEUDO_LINK_TYPE_FLAG | SYSTEMD_JOURNAL);
        assert_eq!(out.info.skipped_blocks, 2);
    }

    #[test]
    fn block_lengths_are_rounded_up_to_four_as_tshark_does() {
        // A block whose length fields leave out the padding (42 + 2 pad): tshark reads it.
        let mut odd = epb(0, T_US, &PACKET, &[]);
        let declared = (odd.len() - 2) as u32;
        odd[4..8].copy_from_slice(&declared.to_le_bytes());
        let end = odd.len();
        odd[end - 4..].copy_from_slice(&declared.to_le_bytes());
        let bytes = file(&[shb(1, 0), idb(1, 0, &[]), odd, epb(0, T_US, &PACKET, &[])]);
        let out = run(&bytes, 3);
        assert_eq!(out.error, None);
        assert_eq!(out.frames.len(), 2);
    }

    #[test]
    fn what_tshark_rejects_ends_the_file_after_the_frames_before_it() {
        let head = file(&[shb(1, 0), idb(1, 0, &[]), epb(0, T_US, &PACKET, &[])]);
        let at = head.len() as u64;
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (shb(1, 1), "version 1.1 is not supported"),
            (epb(1, T_US, &PACKET, &[]), "refers to interface 1"),
            (
                epb(0, T_US, &PACKET, &option(2, &[1, 0, 0])),
                "flags option is 3 bytes long, expected 4",
            ),
            (
                epb(0, T_US, &PACKET, &option(4, &[0; 4])),
                "drop count option is 4 bytes long",
            ),
            (
                epb(0, T_US, &PACKET, &option(7, &[])),
                "verdict option is empty",
            ),
            (
                epb(0, T_US, &PACKET, &option(2988, b"abc")),
                "too short for its 4-byte enterprise number",
            ),
            (
                epb(0, T_US, &[0u8; 262_145], &[]),
                "more than the maximum of 262144",
            ),
            (block(SPB, &[100, 0, 0, 0, 1, 2, 3, 4]), "needs exactly 100"),
            (
                block(
                    NRB,
                    &[1, 0, 8, 0, 10, 0, 0, 1, b'a', b'b', b'c', b'd', 0, 0, 0, 0],
                ),
                "terminating NUL",
            ),
            (block(CUSTOM_COPY, &[]), "less than its minimum of 16"),
            (
                vec![0x78, 0x56, 0x34, 0x12, 8, 0, 0, 0],
                "less than the minimum of 12",
            ),
            (
                vec![0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0, 0, 0, 0, 0],
                "less than the minimum of 12",
            ),
            (
                vec![6, 0, 0, 0, 0xf0, 0xff, 0xff, 0x7f],
                "more than the maximum of 134348832",
            ),
        ];
        for (bad, expected) in cases {
            let bytes = file(&[head.clone(), bad, epb(0, T_US, &PACKET, &[])]);
            for chunk in [usize::MAX, 1] {
                let out = run(&bytes, chunk);
                assert_eq!(out.frames.len(), 1, "{expected}");
                let error = out.error.expect(expected);
                assert_eq!((error.offset, error.frame), (at, 2), "{expected}");
                assert!(
                    error.message.contains(expected),
                    "{expected}: {}",
                    error.message
                );
            }
        }
        // Trailer disagreeing with the header.
        let mut bad = epb(0, T_US, &PACKET, &[]);
        let end = bad.len();
        bad[end - 4..].copy_from_slice(&80u32.to_le_bytes());
        let out = run(&file(&[head.clone(), bad]), usize::MAX);
        let error = out.error.expect("length mismatch");
        assert!(
            error.message.contains("76 at the start, 80 at the end"),
            "{}",
            error.message
        );
        assert_eq!((error.offset, out.frames.len()), (at, 1));
    }

    #[test]
    fn hostile_bytes_never_panic_or_stall() {
        let seed = corpus("pcapng-test-generator/test202.pcapng");
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..400 {
            let mut bytes = seed.clone();
            for _ in 0..1 + next() % 8 {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = next() as u8;
            }
            let cut = (next() % (bytes.len() as u64 + 1)) as usize;
            let out = run(&bytes[..cut], 1 + (next() % 64) as usize);
            assert!(out.frames.len() <= 11 + 2);
        }
    }
}
