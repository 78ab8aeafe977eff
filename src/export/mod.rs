//! Exports: chosen frames of an analysis written out as pcapng ([`pcapng`] writes the blocks,
//! [`Export`] drives it from an [`Analyzer`]). Both front ends use [`Export`]: the CLI writes its
//! chunks to a file, the page's worker hands them to the main thread one `exportNext` at a time.
//!
//! The frames' bytes are read again through [`FrameBytes`] (a seek per frame on the command
//! line, the file slices in the page), one frame at a time, so memory stays at one chunk plus the
//! list of frame indexes. Interfaces are described as the kept frames first use them, renumbered
//! densely; frames on a pseudo interface (Network Monitor metadata, pcapng custom blocks) carry no
//! packet and are left out, counted in [`Export::skipped`]. A captured FCS was stripped by the
//! readers and is not written back.

pub mod pcapng;

use crate::analyzer::Analyzer;
use crate::capture::frame::is_packet_link_type;
use crate::capture::{FileInfo, Format, InterfaceInfo};
use crate::filter::FrameBytes;
use crate::findings::Finding;
use crate::hash::HashMap;
use pcapng::{InterfaceDescription, Packet, PcapngWriter, Resolution, SectionHeader};

/// Why an export stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportError {
    pub message: String,
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExportError {}

/// An export in progress: feed it with [`Export::next_chunk`] until it returns `None`.
pub struct Export {
    frames: Vec<u32>,
    next: usize,
    writer: PcapngWriter,
    /// Per global interface: its IDB (until written), then its number in the output.
    interfaces: Vec<Slot>,
    /// Frame index → the comments of the findings citing it.
    comments: HashMap<u32, Vec<String>>,
    skipped: u64,
    written: u64,
    done: bool,
}

enum Slot {
    Pending(InterfaceDescription),
    Written(u32),
    /// Not a packet interface, or a link type pcapng cannot store.
    Unwritable,
}

impl Export {
    /// Starts exporting `frames` (0-based indexes of the merged timeline; out-of-range ones are
    /// ignored), with an `opt_comment` on each frame a finding cites as evidence.
    pub fn new(analyzer: &Analyzer, frames: Vec<u32>, findings: &[Finding]) -> Self {
        let files = analyzer.file_infos();
        let interfaces = analyzer
            .index()
            .interfaces
            .iter()
            .map(|g| {
                files
                    .get(usize::from(g.file))
                    .and_then(|f| f.interface(g.local as usize))
                    .map_or(Slot::Unwritable, |i| slot_for(g.link_type, &i))
            })
            .collect();
        Export {
            frames,
            next: 0,
            writer: PcapngWriter::new(&section_header(&files)),
            interfaces,
            comments: evidence_comments(findings),
            skipped: 0,
            written: 0,
            done: false,
        }
    }

    /// Writes frames until about a chunk ([`pcapng::CHUNK_BYTES`]) is ready and returns it; the
    /// last chunk holds the rest; `None` once everything was handed out. A frame whose bytes
    /// cannot be read stops the export with an error naming it.
    pub fn next_chunk(
        &mut self,
        analyzer: &Analyzer,
        bytes: &dyn FrameBytes,
    ) -> Result<Option<Vec<u8>>, ExportError> {
        if self.done {
            return Ok(None);
        }
        while let Some(&frame) = self.frames.get(self.next) {
            self.next += 1;
            self.write_frame(analyzer, bytes, frame)?;
            if let Some(chunk) = self.writer.take_chunk() {
                return Ok(Some(chunk));
            }
        }
        self.done = true;
        Ok(Some(self.writer.take()))
    }

    fn write_frame(
        &mut self,
        analyzer: &Analyzer,
        bytes: &dyn FrameBytes,
        frame: u32,
    ) -> Result<(), ExportError> {
        let index = analyzer.index();
        let Some(record) = index.records.get(frame as usize) else {
            self.skipped += 1;
            return Ok(());
        };
        let Some(interface) = self.interface_for(record.iface) else {
            self.skipped += 1;
            return Ok(());
        };
        let location = analyzer
            .locate(u64::from(frame) + 1)
            .ok_or_else(|| error(frame, "it is not in the index"))?;
        let data = bytes
            .frame_bytes(frame as usize, &location)
            .filter(|data| data.len() == location.caplen as usize)
            .ok_or_else(|| {
                let where_ = format!(
                    "its {} bytes at offset {} of file {} could not be read again",
                    location.caplen,
                    location.offset,
                    location.file + 1
                );
                error(frame, &where_)
            })?;
        let has_time = record.has(crate::index::flag::HAS_TIME);
        let packet = Packet {
            interface,
            ts_ns: has_time.then_some(record.ts_ns),
            orig_len: record.orig_len,
            data: &data,
            comments: self.comments.get(&frame).map_or(&[], Vec::as_slice),
        };
        self.writer
            .add_packet(&packet)
            .map_err(|e| error(frame, &e.to_string()))?;
        self.written += 1;
        Ok(())
    }

    /// The output interface number of global interface `global`, writing its IDB on first use.
    fn interface_for(&mut self, global: u16) -> Option<u32> {
        let slot = self.interfaces.get_mut(usize::from(global))?;
        match slot {
            Slot::Written(id) => Some(*id),
            Slot::Unwritable => None,
            Slot::Pending(description) => {
                let id = self.writer.add_interface(description);
                *slot = Slot::Written(id);
                Some(id)
            }
        }
    }

    /// Frames written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Frames left out: on a pseudo interface (no packet) or not in the index.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Frames handled so far and in total (for progress).
    pub fn progress(&self) -> (usize, usize) {
        (self.next, self.frames.len())
    }
}

fn error(frame: u32, why: &str) -> ExportError {
    ExportError {
        message: format!("cannot export frame {}: {why}", u64::from(frame) + 1),
    }
}

/// The IDB for one source interface, or `Unwritable` for pseudo interfaces and link types wider
/// than pcapng's 16 bits.
fn slot_for(link_type: u32, info: &InterfaceInfo) -> Slot {
    let Ok(link) = u16::try_from(link_type) else {
        return Slot::Unwritable;
    };
    if !is_packet_link_type(link_type) {
        return Slot::Unwritable;
    }
    // Microsecond sources stay microseconds (their times are whole microseconds); every other
    // resolution (ns, NetMon's 100 ns, pcapng's other powers) is written in nanoseconds, exact
    // for every time the readers produce.
    let resolution = if info.ts_resolution == "microseconds" {
        Resolution::Micro
    } else {
        Resolution::Nano
    };
    Slot::Pending(InterfaceDescription {
        link_type: link,
        snaplen: info.snaplen,
        name: info.name.clone(),
        description: info.description.clone(),
        resolution,
    })
}

/// `shb_userappl` names tracelens; hardware and OS come from the first pcapng section that has
/// them.
fn section_header(files: &[FileInfo]) -> SectionHeader {
    let sections = || {
        files
            .iter()
            .filter(|f| f.format == Some(Format::PcapNg))
            .flat_map(|f| f.sections.iter())
    };
    SectionHeader {
        application: format!("tracelens {}", env!("CARGO_PKG_VERSION")),
        hardware: sections().find_map(|s| s.hardware.clone()),
        os: sections().find_map(|s| s.os.clone()),
    }
}

/// "tracelens <severity> <kind>: <verdict>" for every evidence frame of every finding.
fn evidence_comments(findings: &[Finding]) -> HashMap<u32, Vec<String>> {
    let mut comments: HashMap<u32, Vec<String>> = HashMap::default();
    for finding in findings {
        let text = format!(
            "tracelens {} {}: {}",
            finding.severity.as_str(),
            finding.kind.as_str(),
            finding.verdict
        );
        for &no in &finding.frames {
            let Some(index) = no.checked_sub(1).and_then(|i| u32::try_from(i).ok()) else {
                continue;
            };
            let list = comments.entry(index).or_default();
            if !list.contains(&text) {
                list.push(text.clone());
            }
        }
    }
    comments
}
