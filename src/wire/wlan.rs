//! IEEE 802.11 MAC headers without FCS (as Aruba's GRE carries them) as zero-copy views:
//! [`FrameControl`] (2 bytes: type, subtype, flags), [`WlanHeader`] (the 24 bytes every data
//! frame has: frame control, duration, three addresses, sequence control), and
//! [`snap_payload`], which finds the LLC/SNAP body of a data frame behind the optional fourth
//! address, QoS and HT control. The index's link decoder ([`super::link::wlan_snap_payload`])
//! and the details tree read 802.11 headers only through them. etherparse does not parse
//! 802.11, so the views are written here.

use super::error::{need, WireError};
use super::llc::{LlcHeader, CONTROL_UI, SNAP_LEN};
use super::view::header_view;

pub const HEADER_LEN: usize = 24;
pub const TYPE_DATA: u8 = 2;

/// The frame control field at the start of `bytes`.
#[derive(Debug, Clone, Copy)]
pub struct FrameControl {
    bytes: [u8; 2],
}

impl FrameControl {
    #[inline]
    pub fn new(bytes: &[u8]) -> Result<Self, WireError> {
        need(bytes, 2)?;
        Ok(FrameControl {
            bytes: [bytes[0], bytes[1]],
        })
    }

    /// The field as Wireshark shows it (first byte high).
    pub fn word(&self) -> u16 {
        u16::from_be_bytes(self.bytes)
    }

    pub fn version(&self) -> u8 {
        self.bytes[0] & 0x03
    }

    pub fn kind(&self) -> u8 {
        (self.bytes[0] >> 2) & 0x03
    }

    pub fn subtype(&self) -> u8 {
        self.bytes[0] >> 4
    }

    /// The flags byte (to/from DS, more fragments, retry, power, more data, protected, order).
    pub fn flags(&self) -> u8 {
        self.bytes[1]
    }

    /// A QoS data subtype (two more bytes of QoS control after the addresses).
    pub fn is_qos(&self) -> bool {
        self.subtype() & 0x08 != 0
    }
}

header_view! {
    /// The 24-byte header at the start of `bytes`.
    pub struct WlanHeader, checked to HEADER_LEN, with new;
    /// Byte ranges of the 24-byte header's fields.
    pub mod field {
        pub const FRAME_CONTROL: Range<usize> = 0..2;
        pub const DURATION: Range<usize> = 2..4 => duration: u16;
        /// Address `i` (0, 1, 2) is at `ADDRESSES.start + 6 * i`.
        pub const ADDRESSES: Range<usize> = 4..22;
        /// Sequence control, little-endian (fragment number in the low 4 bits).
        pub const SEQUENCE: Range<usize> = 22..24;
    }
}

impl<'a> WlanHeader<'a> {
    /// Address 0, 1 or 2 (receiver, transmitter, and the third by the DS bits); `i` above 2
    /// reads address 2.
    pub fn address(&self, i: usize) -> [u8; 6] {
        let at = field::ADDRESSES.start + 6 * i.min(2);
        let mut a = [0; 6];
        a.copy_from_slice(&self.bytes[at..at + 6]);
        a
    }

    /// The sequence number (sequence control without the fragment number).
    pub fn sequence(&self) -> u16 {
        u16::from_le_bytes([self.bytes[22], self.bytes[23]]) >> 4
    }
}

/// A data frame whose body is LLC/SNAP: the EtherType of the body and the offset after the
/// SNAP header. `None` for management, control, protected and null-data frames, A-MSDUs and
/// bodies that are not SNAP with an EtherType (RFC 1042 or 802.1H).
pub fn snap_payload(data: &[u8]) -> Option<(u16, usize)> {
    let fc = FrameControl::new(data).ok()?;
    let (subtype, flags) = (fc.subtype(), fc.flags());
    // Version 0, type 2 (data), not protected, a subtype that carries a body.
    if fc.version() != 0 || fc.kind() != TYPE_DATA || flags & 0x40 != 0 || subtype & 0x04 != 0 {
        return None;
    }
    let mut len = HEADER_LEN;
    if flags & 0x03 == 0x03 {
        len += 6; // address 4 (to and from the DS)
    }
    if fc.is_qos() {
        if data.get(len)? & 0x80 != 0 {
            return None; // A-MSDU
        }
        len += 2; // QoS control
        if flags & 0x80 != 0 {
            len += 4; // HT control
        }
    }
    let llc = LlcHeader::new(data.get(len..)?).ok()?;
    let snap = llc.snap().filter(|_| llc.control() == CONTROL_UI)?;
    let bridge_tunnel = snap.oui() == [0x00, 0x00, 0xF8];
    if snap.oui() != [0, 0, 0] && !bridge_tunnel {
        return None;
    }
    Some((snap.protocol(), len + SNAP_LEN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qos_data_frame_with_snap_ipv4() {
        // QoS data (0x88), to DS (0x01), duration 44, three addresses, sequence 0x0120 (LE:
        // number 0x012... → 18), QoS control, then RFC 1042 SNAP for IPv4.
        let mut f = vec![0x88, 0x01, 0x2c, 0x00];
        f.extend_from_slice(&[1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3]);
        f.extend_from_slice(&[0x20, 0x01, 0x00, 0x00]);
        f.extend_from_slice(&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00, 0x45]);
        let fc = FrameControl::new(&f).unwrap();
        assert_eq!(
            (fc.word(), fc.kind(), fc.is_qos(), fc.flags()),
            (0x8801, 2, true, 1)
        );
        let h = WlanHeader::new(&f).unwrap();
        assert_eq!(
            (h.duration(), h.address(1), h.sequence()),
            (0x2c00, [2; 6], 0x012)
        );
        assert_eq!(snap_payload(&f), Some((0x0800, 34)));
        f[1] |= 0x40; // protected
        assert_eq!(snap_payload(&f), None);
        assert!(WlanHeader::new(&f[..23]).is_err());
    }
}
