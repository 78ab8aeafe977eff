//! The wire layer: the one definition of every protocol header tracelens reads. Per protocol a
//! zero-copy view over the frame's bytes — [`ipv4::Ipv4Header`], [`ipv6::Ipv6Header`] and its
//! extension chain, [`tcp::TcpHeader`] and its options, [`udp::UdpHeader`],
//! [`icmp::IcmpHeader`] and the quoted packet of an error, [`gre::GreHeader`],
//! [`vxlan::VxlanHeader`], [`arp::ArpPacket`], [`dns::DnsHeader`] and DNS names — each with its
//! fields' byte ranges in a `field` module, checked once on construction ([`WireError`] says how
//! many bytes were needed or which field is invalid) so that no accessor can fail or panic
//! afterwards; [`view`] declares each view and its `field` module from one table of fields, so
//! the checks and the reads are written once. [`link`] finds the network layer behind every link type and EtherType chain
//! (Ethernet, VLAN tags, MPLS, PPP, PPPoE, Linux cooked v1/v2, BSD loopback, 802.11 data
//! frames). Under them sit the bounds-checked byte readers ([`bytes`]) and the Internet checksum
//! ([`checksum`]).
//!
//! The fast decoder behind the index, the details tree, the display filter's multi-layer
//! fields and the checksum validation all read headers through these views, so a frame's
//! fields are the same wherever they are shown or filtered on, and a protocol is added once.
//! Modelled on smoltcp's `wire` module (views with `field` ranges, `new` that checks) and
//! etherparse's slices (lax about lengths, lossless about values: a strange value is reported
//! as written, and the caller decides what it means). etherparse itself does not say where a
//! field is and refuses cut or inconsistent headers that Wireshark still shows, so the views are
//! written here; its slices are the oracle the views' tests compare against.

pub mod arp;
pub mod bytes;
pub mod checksum;
pub mod dns;
pub mod dnsrr;
pub mod error;
pub mod erspan;
pub mod ethernet;
pub mod gre;
pub mod icmp;
pub mod ipv4;
pub mod ipv6;
pub mod ipv6opt;
pub mod link;
pub mod llc;
pub mod mpls;
pub mod ndp;
pub mod ppp;
pub mod sll;
pub mod tcp;
pub mod udp;
pub mod view;
pub mod vxlan;
pub mod walk;
pub mod wlan;

pub use error::WireError;
