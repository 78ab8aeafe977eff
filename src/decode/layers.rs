//! Facts about the layers around the innermost packet that flows and conversation tables need:
//! the outer address layers of tunnelled frames (every Ethernet, IP and UDP header Wireshark
//! taps), and — defined by the wire layer, named here for the index — IP fragment identities for
//! reassembly and the transport header quoted inside an ICMP error.

use std::net::IpAddr;

/// One address-bearing layer outside the innermost network header, outermost first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OuterLayer {
    Ethernet {
        src: [u8; 6],
        dst: [u8; 6],
    },
    Ip {
        src: IpAddr,
        dst: IpAddr,
    },
    /// A UDP header carrying a tunnel (VXLAN); `payload_len` from its length field.
    Udp {
        src_port: u16,
        dst_port: u16,
    },
}

pub use crate::wire::icmp::IcmpQuote;
pub use crate::wire::walk::FragmentInfo;
