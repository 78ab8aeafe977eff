//! Segmentation-offload (LSO/TSO) and BIG TCP frames: captured on the sending host before the NIC
//! split them, they carry an IP length of 0 and a payload longer than 65,535 bytes. Their exact
//! length must survive the index (the record once clamped it to 65,535, so the next segment
//! looked like a gap and every sequence number after it went wrong). The capture is made here:
//! a 100,000-byte IPv4 segment (total length 0, which Wireshark reads as TSO), a 70,000-byte IPv6
//! one (payload length 0 and a Jumbo Payload option, RFC 2675, as BIG TCP sends), the segments
//! after them and the peer's ACKs. tshark 4.0 reads the same bytes the same way (tcp.len 100000 and
//! 70000, no analysis flag); an IPv6 payload length of 0 without the option is malformed to it,
//! and to us.

use tracelens::analyzer::Analyzer;

const CLIENT: [u8; 4] = [10, 0, 0, 1];
const SERVER: [u8; 4] = [10, 0, 0, 2];

/// A TCP header (20 bytes, no options) from port 40000 (or to it when `reply`).
fn tcp(reply: bool, seq: u32, ack: u32, flags: u8) -> Vec<u8> {
    let (sport, dport) = if reply {
        (80u16, 40000u16)
    } else {
        (40000, 80)
    };
    let mut h = Vec::new();
    h.extend(sport.to_be_bytes());
    h.extend(dport.to_be_bytes());
    h.extend(seq.to_be_bytes());
    h.extend(ack.to_be_bytes());
    h.extend([0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    h
}

/// Ethernet + IPv4 (total length 0 when `offload`) + TCP + `payload` zero bytes.
fn ipv4(reply: bool, seq: u32, ack: u32, flags: u8, payload: usize, offload: bool) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
    let total = if offload { 0 } else { (40 + payload) as u16 };
    let (src, dst) = if reply {
        (SERVER, CLIENT)
    } else {
        (CLIENT, SERVER)
    };
    f.extend([0x45, 0]);
    f.extend(total.to_be_bytes());
    f.extend([0, 1, 0x40, 0, 64, 6, 0, 0]);
    f.extend(src);
    f.extend(dst);
    f.extend(tcp(reply, seq, ack, flags));
    f.resize(f.len() + payload, 0);
    f
}

/// Ethernet + IPv6 + TCP + `payload` zero bytes; when `offload`, the payload length is 0 and a
/// hop-by-hop header carries the Jumbo Payload option with the real length.
fn ipv6(reply: bool, seq: u32, ack: u32, flags: u8, payload: usize, offload: bool) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd];
    let len = if offload { 0 } else { (20 + payload) as u16 };
    let (src, dst) = if reply { (2u8, 1u8) } else { (1, 2) };
    f.extend([0x60, 0, 0, 0]);
    f.extend(len.to_be_bytes());
    f.extend([if offload { 0 } else { 6 }, 64]);
    f.extend([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, src]);
    f.extend([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, dst]);
    if offload {
        f.extend([6, 0, 0xc2, 4]);
        f.extend(((8 + 20 + payload) as u32).to_be_bytes());
    }
    f.extend(tcp(reply, seq, ack, flags));
    f.resize(f.len() + payload, 0);
    f
}

/// A classic pcap (snaplen 262,144) of `frames`, one millisecond apart.
fn pcap(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    out.extend(262_144u32.to_le_bytes());
    out.extend(1u32.to_le_bytes());
    for (i, frame) in frames.iter().enumerate() {
        out.extend(1_700_000_000u32.to_le_bytes());
        out.extend((i as u32 * 1000).to_le_bytes());
        out.extend((frame.len() as u32).to_le_bytes());
        out.extend((frame.len() as u32).to_le_bytes());
        out.extend(frame);
    }
    out
}

const ACK: u8 = 0x10;
const PSH_ACK: u8 = 0x18;

/// A connection whose client sends `big` bytes in one offload frame, then 1,000, each acked.
fn transfer(frame: fn(bool, u32, u32, u8, usize, bool) -> Vec<u8>, big: usize) -> Vec<u8> {
    let (c, s) = (1000u32, 5000u32);
    let big32 = big as u32;
    pcap(&[
        frame(false, c, 0, 0x02, 0, false),
        frame(true, s, c + 1, 0x12, 0, false),
        frame(false, c + 1, s + 1, ACK, 0, false),
        frame(false, c + 1, s + 1, PSH_ACK, big, true),
        frame(false, c + 1 + big32, s + 1, PSH_ACK, 1000, false),
        frame(true, s + 1, c + 1 + big32 + 1000, ACK, 0, false),
    ])
}

fn analyze(file: &[u8]) -> Analyzer {
    let mut analyzer = Analyzer::new();
    let id = analyzer.begin_file("offload.pcap");
    for chunk in file.chunks(65_536) {
        analyzer.push(id, chunk);
    }
    analyzer.end_file(id);
    analyzer.finish();
    analyzer
}

fn check(analyzer: &mut Analyzer, big: u32) {
    assert_eq!(analyzer.len(), 6);
    let record = analyzer.index().records.at(3);
    assert_eq!((record.payload_len(), record.ip_len()), (big, 0));
    // The segment after it continues the sequence: no gap, no analysis flag anywhere.
    for i in 0..6 {
        let row = analyzer.tcp_row(i).expect("TCP");
        assert_eq!(row.flags, 0, "frame {}: {row:?}", i + 1);
    }
    let offload = analyzer.tcp_row(3).expect("TCP");
    assert_eq!(
        (offload.seq, offload.len, offload.nxtseq),
        (1, Some(big), Some(1 + big))
    );
    let next = analyzer.tcp_row(4).expect("TCP");
    assert_eq!((next.seq, next.nxtseq), (1 + big, Some(1 + big + 1000)));
    let ack = analyzer.tcp_row(5).expect("TCP");
    assert_eq!((ack.ack, ack.acks_frame), (1 + big + 1000, Some(5)));
    assert_eq!(analyzer.apply_filter(&format!("tcp.len == {big}")), Ok(1));
    let view: Option<Vec<u32>> = analyzer.view_frames().map(|view| view.to_vec());
    assert_eq!(view, Some(vec![3u32]));
    let row = &analyzer.rows(3, 1)[0];
    assert!(row.info.contains(&format!("Len={big}")), "{}", row.info);
    // The findings see one clean transfer: no retransmission, no gap.
    let kinds: Vec<_> = analyzer
        .findings()
        .iter()
        .map(|f| f.kind.as_str())
        .collect();
    assert!(!kinds.contains(&"retransmissions"), "{kinds:?}");
}

#[test]
fn an_ipv4_offload_frame_keeps_its_100000_bytes() {
    check(&mut analyze(&transfer(ipv4, 100_000)), 100_000);
}

#[test]
fn an_ipv6_big_tcp_frame_keeps_its_70000_bytes() {
    check(&mut analyze(&transfer(ipv6, 70_000)), 70_000);
}

#[test]
fn the_record_keeps_lengths_exactly_up_to_4_gib() {
    let mut r = tracelens::index::PacketRecord::default();
    for (ip_len, payload) in [
        (0, 65_536),
        (0, 100_000),
        (0, u32::MAX),
        (1500, 1460),
        (0, 0),
    ] {
        r.set_lengths(ip_len, payload);
        assert_eq!((r.ip_len(), r.payload_len()), (ip_len, payload));
    }
    assert_eq!(std::mem::size_of::<tracelens::index::PacketRecord>(), 64);
}
