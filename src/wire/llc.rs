//! IEEE 802.2 LLC headers and their SNAP extension as zero-copy views: [`LlcHeader`] checks
//! once that DSAP, SSAP and control (3 bytes) are there, [`SnapHeader`] the OUI and protocol
//! that follow an `AA AA` LLC header. The details tree (802.3 frames, 802.11 bodies, cooked
//! captures) and the index's 802.11 decoder ([`super::link::wlan_snap_payload`]) read LLC only
//! through them. etherparse reads LLC/SNAP only inside its 802.11-free Ethernet slicing and does
//! not say where a field is, so the views are written here. Only U-format (1-byte) control
//! fields are viewed, as Wireshark shows the third byte for any frame.

use super::view::{header_view, FieldValue};

pub const LLC_LEN: usize = 3;
/// LLC plus SNAP.
pub const SNAP_LEN: usize = 8;
/// The SAP that announces a SNAP header.
pub const SAP_SNAP: u8 = 0xaa;
/// The unnumbered-information control value that carries data.
pub const CONTROL_UI: u8 = 0x03;

header_view! {
    /// An LLC header at the start of `bytes`.
    pub struct LlcHeader, checked to LLC_LEN, with new;
    /// Byte ranges of the LLC and SNAP fields (from the LLC header's start).
    pub mod field {
        pub const DSAP: usize = 0 => dsap: u8;
        pub const SSAP: usize = 1 => ssap: u8;
        pub const CONTROL: usize = 2 => control: u8;
        pub const OUI: Range<usize> = 3..6;
        pub const PROTOCOL: Range<usize> = 6..8;
    }
}

impl<'a> LlcHeader<'a> {
    /// True when both SAPs announce a SNAP header.
    pub fn announces_snap(&self) -> bool {
        self.dsap() == SAP_SNAP && self.ssap() == SAP_SNAP
    }

    /// The SNAP header after an `AA AA` LLC header, when all of it is there.
    pub fn snap(&self) -> Option<SnapHeader<'a>> {
        if !self.announces_snap() || self.bytes.len() < SNAP_LEN {
            return None;
        }
        Some(SnapHeader { bytes: self.bytes })
    }
}

/// The SNAP extension of an LLC header (the view covers the LLC header too, so its fields are
/// at [`field`]'s offsets).
#[derive(Debug, Clone, Copy)]
pub struct SnapHeader<'a> {
    bytes: &'a [u8],
}

impl SnapHeader<'_> {
    pub fn oui(&self) -> [u8; 3] {
        FieldValue::read(self.bytes, field::OUI)
    }

    /// An EtherType when the OUI is 0 (RFC 1042) or 00-00-F8 (802.1H bridge tunnel).
    pub fn protocol(&self) -> u16 {
        FieldValue::read(self.bytes, field::PROTOCOL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llc_and_snap() {
        // RFC 1042 encapsulation of IPv4 (an 802.11 data frame's body).
        let h = LlcHeader::new(&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00, 0x45]).unwrap();
        assert_eq!((h.dsap(), h.ssap(), h.control()), (0xaa, 0xaa, 0x03));
        let snap = h.snap().unwrap();
        assert_eq!((snap.oui(), snap.protocol()), ([0, 0, 0], 0x0800));
        // Spanning tree: no SNAP; a SNAP header cut short is not viewed.
        assert!(LlcHeader::new(&[0x42, 0x42, 0x03])
            .unwrap()
            .snap()
            .is_none());
        assert!(LlcHeader::new(&[0xaa, 0xaa, 0x03, 0, 0, 0, 8])
            .unwrap()
            .snap()
            .is_none());
        assert!(LlcHeader::new(&[0xaa, 0xaa]).is_err());
    }
}
