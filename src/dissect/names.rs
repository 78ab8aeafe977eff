//! Number-to-name tables shared by several layers: link types, EtherTypes and IP protocol numbers.

pub(crate) fn link_type_name(linktype: u32) -> &'static str {
    match linktype {
        0 => "NULL/Loopback",
        1 => "Ethernet",
        9 => "PPP",
        12 | 14 | 101 => "Raw IP",
        50 => "PPP in HDLC-like framing",
        51 => "PPPoE",
        108 => "OpenBSD loopback",
        113 => "Linux cooked-mode capture v1",
        228 => "Raw IPv4",
        229 => "Raw IPv6",
        276 => "Linux cooked-mode capture v2",
        _ => "Unknown",
    }
}

pub(crate) fn ethertype_name(t: u16) -> &'static str {
    match t {
        0x0800 => "IPv4",
        0x0806 => "ARP",
        0x0842 => "Wake-on-LAN",
        0x22f0 => "AVTP",
        0x6558 => "Transparent Ethernet bridging",
        0x8035 => "RARP",
        0x8100 => "802.1Q Virtual LAN",
        0x86dd => "IPv6",
        0x880b => "PPP",
        0x8809 => "Slow Protocols",
        0x8847 => "MPLS label switched packet",
        0x8848 => "MPLS multicast label switched packet",
        0x8863 => "PPPoE Discovery",
        0x8864 => "PPPoE Session",
        0x888e => "802.1X Authentication",
        0x88a8 => "802.1ad Provider Bridge (Q-in-Q)",
        0x88cc => "802.1 Link Layer Discovery Protocol (LLDP)",
        0x88e5 => "802.1AE MAC Security (MACsec)",
        0x88f7 => "PTPv2 over Ethernet",
        0x8906 => "Fibre Channel over Ethernet",
        0x9000 => "Configuration Test Protocol (loopback)",
        0x9100 => "802.1Q Q-in-Q (legacy)",
        0x88be => "ERSPAN",
        _ => "Unknown",
    }
}

pub(crate) fn ip_proto_name(p: u8) -> &'static str {
    match p {
        0 => "IPv6 Hop-by-Hop Option",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPIP",
        6 => "TCP",
        8 => "EGP",
        17 => "UDP",
        41 => "IPv6",
        43 => "IPv6 Routing",
        44 => "IPv6 Fragment",
        46 => "RSVP",
        47 => "Generic Routing Encapsulation",
        50 => "Encapsulating Security Payload",
        51 => "Authentication Header",
        58 => "ICMPv6",
        59 => "IPv6 No Next Header",
        60 => "IPv6 Destination Options",
        89 => "OSPF IGP",
        103 => "PIM",
        112 => "VRRP",
        115 => "L2TP",
        132 => "SCTP",
        135 => "Mobility Header",
        136 => "UDPLite",
        137 => "MPLS in IP",
        _ => "Unknown",
    }
}
