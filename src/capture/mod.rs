//! Capture readers: classic pcap (and its variants), pcapng and Microsoft Network Monitor, plain or
//! gzip-compressed, chosen by magic bytes and fed as a sequence of byte chunks.

pub mod frame;
pub mod kept;
pub mod netmon;
pub mod pcap;
pub mod pcapng;
pub mod reader;

pub use frame::{
    FileInfo, Format, FormatParser, FrameSink, InterfaceInfo, InterfaceStats, RawFrame, SectionInfo,
};
pub use kept::{InterfaceBasics, MetadataCuts};
