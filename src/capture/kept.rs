//! How much of a file's metadata is kept: sections, interface details, name-resolution records
//! and texts (comments, names, descriptions, filters) are capped at sizes no real capture
//! reaches (one text is at most 65,535 bytes anyway: pcapng options and NRB records have 16-bit
//! lengths), so a file of a million tiny interface blocks or NRB entries costs little memory and
//! never lists a million rows. What was cut is counted in [`MetadataCuts`] and said in the
//! summary. What reading and analysis need of every interface (link type, snaplen, timestamp
//! unit and offset, FCS length, section) is kept for all of them, compactly, in
//! [`InterfaceBasics`]; frames are read and indexed on every interface either way.

use super::frame::{FileInfo, InterfaceInfo, SectionInfo};
use serde::Serialize;
use std::borrow::Cow;

/// Sections listed with their details (later ones are counted).
pub const MAX_LISTED_SECTIONS: usize = 1_000;

/// Interfaces listed with their details: names, description, filter, statistics, frame count.
pub const MAX_LISTED_INTERFACES: usize = 1_000;

/// Name-resolution entries (address → name) kept.
pub const MAX_NAMES: usize = 100_000;

/// Texts of one file together (comments, names, descriptions, filters and NRB names) stop being
/// kept once they reach this many bytes.
pub const MAX_FILE_TEXT_BYTES: usize = 16 << 20;

/// What of a file's metadata was not kept: every count is 0 for a real capture.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MetadataCuts {
    /// Sections beyond [`MAX_LISTED_SECTIONS`]: not listed.
    pub sections_not_listed: u64,
    /// Interfaces beyond [`MAX_LISTED_INTERFACES`]: not listed (their frames are read).
    pub interfaces_not_listed: u64,
    /// Name-resolution entries beyond [`MAX_NAMES`] or the text budget: not kept.
    pub names_not_kept: u64,
    /// Comments, names, descriptions and filters left out once the file's texts reached
    /// [`MAX_FILE_TEXT_BYTES`].
    pub texts_not_kept: u64,
}

impl MetadataCuts {
    pub fn is_empty(&self) -> bool {
        *self == MetadataCuts::default()
    }
}

/// What reading and analysis need of one interface, kept for every interface of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterfaceBasics {
    /// LINKTYPE (or a pseudo link type), as in [`InterfaceInfo::link_type`].
    pub link_type: u32,
    pub snaplen: u32,
    /// The pcapng section it belongs to (0 for other formats).
    pub section: u32,
    pub fcs_len: u32,
    /// Seconds added to every timestamp.
    pub ts_offset: i64,
    /// Index of its [`InterfaceInfo::ts_resolution`] text among the file's distinct ones.
    resolution: u16,
}

/// The metadata limits' state of one file: the basics of every interface, and the text budget.
#[derive(Debug, Clone, Default)]
pub struct KeptMetadata {
    basics: Vec<InterfaceBasics>,
    /// Distinct timestamp-unit texts (a file has one or a few; at most 257 kinds exist).
    resolutions: Vec<String>,
    text_bytes: usize,
}

impl FileInfo {
    /// Adds interface `interface` and returns its number in the file. Its details are listed
    /// among the first [`MAX_LISTED_INTERFACES`]; beyond, only its [`InterfaceBasics`] are kept.
    pub fn add_interface(&mut self, interface: InterfaceInfo) -> u32 {
        let kept = &mut self.kept;
        let number = kept.basics.len() as u32;
        let resolution = match kept
            .resolutions
            .iter()
            .position(|r| *r == interface.ts_resolution)
        {
            Some(found) => found,
            None => {
                kept.resolutions.push(interface.ts_resolution.clone());
                kept.resolutions.len() - 1
            }
        };
        kept.basics.push(InterfaceBasics {
            link_type: interface.link_type,
            snaplen: interface.snaplen,
            section: interface.section,
            fcs_len: interface.fcs_len,
            ts_offset: interface.ts_offset,
            resolution: u16::try_from(resolution).unwrap_or(u16::MAX),
        });
        if self.interfaces.len() < MAX_LISTED_INTERFACES {
            self.interfaces.push(interface);
        } else {
            self.cuts.interfaces_not_listed += 1;
        }
        number
    }

    /// True when the next interface will be listed with its details (so its texts are worth
    /// reading).
    pub fn lists_next_interface(&self) -> bool {
        self.interfaces.len() < MAX_LISTED_INTERFACES
    }

    /// The basics of every interface, in file order (listed or not).
    pub fn interface_basics(&self) -> &[InterfaceBasics] {
        &self.kept.basics
    }

    /// Interface `n` with its details when listed; else its basics as an [`InterfaceInfo`]
    /// without names, filter or statistics.
    pub fn interface(&self, n: usize) -> Option<Cow<'_, InterfaceInfo>> {
        if let Some(listed) = self.interfaces.get(n) {
            return Some(Cow::Borrowed(listed));
        }
        let basics = self.kept.basics.get(n)?;
        let mut interface = InterfaceInfo::new(basics.link_type, basics.snaplen);
        interface.section = basics.section;
        interface.fcs_len = basics.fcs_len;
        interface.ts_offset = basics.ts_offset;
        if let Some(text) = self.kept.resolutions.get(usize::from(basics.resolution)) {
            interface.ts_resolution.clone_from(text);
        }
        Some(Cow::Owned(interface))
    }

    /// Adds a section: listed among the first [`MAX_LISTED_SECTIONS`], else counted.
    pub fn add_section(&mut self, section: SectionInfo) {
        if self.sections.len() < MAX_LISTED_SECTIONS {
            self.sections.push(section);
        } else {
            self.cuts.sections_not_listed += 1;
        }
    }

    /// True when the next section will be listed (so its texts are worth reading).
    pub fn lists_next_section(&self) -> bool {
        self.sections.len() < MAX_LISTED_SECTIONS
    }

    /// A name-resolution entry: kept while under [`MAX_NAMES`] and the file's text budget.
    pub fn add_name(&mut self, address: &str, name: &[u8]) {
        if self.names.len() >= MAX_NAMES || self.kept.text_bytes >= MAX_FILE_TEXT_BYTES {
            self.cuts.names_not_kept += 1;
            return;
        }
        if let Some(name) = self.keep_text(name) {
            self.names.push((address.to_string(), name));
        }
    }

    /// Says in the file's warnings, in plain words, what of its metadata was not kept (once the
    /// file has ended; nothing for a real capture).
    pub fn warn_cuts(&mut self) {
        let cuts = self.cuts;
        if cuts.interfaces_not_listed > 0 {
            let total = self.kept.basics.len();
            self.warn(format!(
                "the file describes {total} capture interfaces: only the first {} are listed ({} more are not, though their frames are read like any other)",
                self.interfaces.len(),
                cuts.interfaces_not_listed
            ));
        }
        if cuts.sections_not_listed > 0 {
            self.warn(format!(
                "the file has {} sections: only the first {} are listed",
                self.sections.len() as u64 + cuts.sections_not_listed,
                self.sections.len()
            ));
        }
        if cuts.names_not_kept > 0 {
            self.warn(format!(
                "{} name-resolution entries (address to name) were not kept: at most {MAX_NAMES} are",
                cuts.names_not_kept
            ));
        }
        if cuts.texts_not_kept > 0 {
            self.warn(format!(
                "{} comments, names or descriptions were not kept: the file's texts passed {} MiB",
                cuts.texts_not_kept,
                MAX_FILE_TEXT_BYTES >> 20
            ));
        }
    }

    /// The text of an option (UTF-8 by specification, up to a NUL; invalid bytes replaced, as
    /// tshark does); `None`, counted, once the file's texts reached [`MAX_FILE_TEXT_BYTES`].
    pub fn keep_text(&mut self, value: &[u8]) -> Option<String> {
        if self.kept.text_bytes >= MAX_FILE_TEXT_BYTES {
            self.cuts.texts_not_kept += 1;
            return None;
        }
        let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
        let text = String::from_utf8_lossy(value.get(..end).unwrap_or(value)).into_owned();
        self.kept.text_bytes += text.len();
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interfaces_past_the_cap_keep_their_basics_only() {
        let mut info = FileInfo::new("f");
        for n in 0..MAX_LISTED_INTERFACES + 5 {
            let mut interface = InterfaceInfo::new(n as u32 % 3, 100 + n as u32);
            interface.ts_resolution = ["microseconds", "10^-4 s"][n % 2].into();
            interface.ts_offset = -(n as i64);
            interface.fcs_len = 4;
            interface.name = Some(format!("if{n}"));
            assert_eq!(info.add_interface(interface), n as u32);
        }
        assert_eq!(info.interfaces.len(), MAX_LISTED_INTERFACES);
        assert_eq!(info.cuts.interfaces_not_listed, 5);
        assert_eq!(info.interface_basics().len(), MAX_LISTED_INTERFACES + 5);
        let last = info.interface(MAX_LISTED_INTERFACES + 4).expect("kept");
        assert!(matches!(last, Cow::Owned(_)));
        let n = MAX_LISTED_INTERFACES + 4;
        assert_eq!(
            (last.link_type, last.snaplen),
            (n as u32 % 3, 100 + n as u32)
        );
        assert_eq!(
            (last.ts_resolution.as_str(), last.ts_offset),
            ("microseconds", -(n as i64))
        );
        assert_eq!((last.fcs_len, last.name.as_deref()), (4, None));
        let listed = info.interface(7).expect("listed");
        assert_eq!(
            (listed.name.as_deref(), listed.ts_resolution.as_str()),
            (Some("if7"), "10^-4 s")
        );
        assert!(info.interface(n + 1).is_none());
    }

    #[test]
    fn texts_stop_being_kept_at_the_file_budget() {
        let mut info = FileInfo::new("f");
        assert_eq!(info.keep_text(b"eth0\0junk").as_deref(), Some("eth0"));
        assert_eq!(info.keep_text(b"caf\xc3").as_deref(), Some("caf\u{FFFD}"));
        let filler = vec![b'x'; usize::from(u16::MAX)];
        let mut kept_texts = 2;
        while info.keep_text(&filler).is_some() {
            kept_texts += 1;
        }
        // 4 + 6 bytes, then 256 fillers stay under 16 MiB and the 257th is the last kept.
        assert_eq!(kept_texts, 2 + 257);
        assert_eq!(info.cuts.texts_not_kept, 1);
        info.add_name("10.0.0.1", b"host");
        assert_eq!((info.names.len(), info.cuts.names_not_kept), (0, 1));
    }

    #[test]
    fn names_stop_at_the_cap() {
        let mut info = FileInfo::new("f");
        for n in 0..MAX_NAMES + 3 {
            info.add_name("10.0.0.1", format!("h{n}").as_bytes());
        }
        assert_eq!((info.names.len(), info.cuts.names_not_kept), (MAX_NAMES, 3));
    }
}
