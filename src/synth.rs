//! A deterministic synthetic capture for benchmarks and scale tests: many short TCP connections
//! (handshake, request, response, close) interleaved as on a busy server, with a little loss
//! (retransmitted responses, unanswered SYNs, refused connections). The same parameters always
//! produce the same bytes. The command line writes it with `pcap-file`'s writer
//! ([`write_synthetic_capture`]); the page's worker, which has no `pcap-file` (it stays out of
//! the wasm), makes a small one in memory ([`synthetic_pcap`]) to warm its code (see
//! `crate::warm_up`).

use crate::wire::checksum::{checksum, pseudo_header};
#[cfg(feature = "cli")]
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
#[cfg(feature = "cli")]
use pcap_file::{DataLink, Endianness, TsResolution};
#[cfg(feature = "cli")]
use std::io::Write;
#[cfg(feature = "cli")]
use std::time::Duration;

/// A small, fast, deterministic PRNG (xorshift64*), so the capture never depends on a crate's RNG.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// One in-flight connection of the generator.
struct Conn {
    client: [u8; 4],
    client_port: u16,
    server: [u8; 4],
    client_seq: u32,
    server_seq: u32,
    step: u8,
    request_len: u16,
    response_len: u16,
    fate: Fate,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Normal,
    Lossy,
    Unanswered,
    Refused,
}

const CLIENT_MAC: [u8; 6] = [0x00, 0x1b, 0x21, 0x3a, 0x32, 0x8d];
const SERVER_MAC: [u8; 6] = [0x00, 0x22, 0x19, 0x8c, 0x36, 0x77];

/// The frames of the synthetic capture, one at a time.
pub struct Frames {
    rng: Rng,
    time_us: u64,
    live: Vec<Conn>,
    next_port: u32,
}

impl Frames {
    pub fn new(seed: u64) -> Self {
        Frames {
            rng: Rng(seed | 1),
            time_us: 1_700_000_000_000_000,
            live: Vec::new(),
            next_port: 0,
        }
    }

    /// Builds the next frame into `frame` and returns its time in microseconds since 1970.
    pub fn next_into(&mut self, frame: &mut Vec<u8>) -> u64 {
        loop {
            while self.live.len() < 64 {
                self.live.push(new_conn(&mut self.rng, &mut self.next_port));
            }
            let pick = self.rng.below(self.live.len() as u64) as usize;
            self.time_us += 1 + self.rng.below(20);
            let done = emit(&mut self.live[pick], &mut self.rng, frame);
            if done {
                self.live.swap_remove(pick);
            }
            if !frame.is_empty() {
                return self.time_us;
            }
        }
    }
}

/// Writes `packets` frames of synthetic TCP traffic as a classic little-endian µs pcap.
#[cfg(feature = "cli")]
pub fn write_synthetic_capture<W: Write>(out: W, packets: u64, seed: u64) -> std::io::Result<u64> {
    let header = PcapHeader {
        snaplen: 65535,
        datalink: DataLink::ETHERNET,
        ts_resolution: TsResolution::MicroSecond,
        endianness: Endianness::Little,
        ..PcapHeader::default()
    };
    let mut writer = PcapWriter::with_header(out, header).map_err(std::io::Error::other)?;
    let mut frames = Frames::new(seed);
    let mut frame = Vec::with_capacity(2048);
    for _ in 0..packets {
        let time_us = frames.next_into(&mut frame);
        let packet = PcapPacket::new(Duration::from_micros(time_us), frame.len() as u32, &frame);
        writer
            .write_packet(&packet)
            .map_err(std::io::Error::other)?;
    }
    Ok(packets)
}

/// The same capture as [`write_synthetic_capture`], byte for byte, made in memory without
/// `pcap-file`: the 24-byte file header, then a 16-byte record header before each frame.
pub fn synthetic_pcap(packets: u64, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    for word in [0xa1b2_c3d4u32, 0x0004_0002, 0, 0, 65535, 1] {
        out.extend_from_slice(&word.to_le_bytes());
    }
    let mut frames = Frames::new(seed);
    let mut frame = Vec::with_capacity(2048);
    for _ in 0..packets {
        let time_us = frames.next_into(&mut frame);
        let len = frame.len() as u32;
        let seconds = (time_us / 1_000_000) as u32;
        let micros = (time_us % 1_000_000) as u32;
        for word in [seconds, micros, len, len] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(&frame);
    }
    out
}

fn new_conn(rng: &mut Rng, next_port: &mut u32) -> Conn {
    *next_port += 1;
    let n = *next_port;
    let fate = match rng.below(1000) {
        0..=4 => Fate::Unanswered,
        5..=9 => Fate::Refused,
        10..=29 => Fate::Lossy,
        _ => Fate::Normal,
    };
    Conn {
        client: [10, 1 + (n >> 16) as u8 % 200, (n >> 8) as u8, n as u8],
        client_port: 1024 + (n % 60000) as u16,
        server: [192, 168, 0, 1 + (n % 8) as u8],
        client_seq: rng.next() as u32,
        server_seq: rng.next() as u32,
        step: 0,
        request_len: 80 + rng.below(300) as u16,
        response_len: 40 + rng.below(600) as u16,
        fate,
    }
}

/// Builds the connection's next frame into `frame`; returns true when the connection is over.
fn emit(c: &mut Conn, rng: &mut Rng, frame: &mut Vec<u8>) -> bool {
    use crate::wire::tcp::byte::{ACK, FIN, PSH, RST, SYN};
    let step = c.step;
    c.step += 1;
    let (cs, ss) = (c.client_seq, c.server_seq);
    match (c.fate, step) {
        (_, 0) => tcp(frame, c, true, cs, 0, SYN, 0, rng),
        (Fate::Unanswered, 1..=2) => tcp(frame, c, true, cs, 0, SYN, 0, rng),
        (Fate::Unanswered, _) => {
            frame.clear();
            return true;
        }
        (Fate::Refused, 1) => {
            tcp(frame, c, false, 0, cs.wrapping_add(1), RST | ACK, 0, rng);
            return true;
        }
        (_, 1) => tcp(frame, c, false, ss, cs.wrapping_add(1), SYN | ACK, 0, rng),
        (_, 2) => tcp(
            frame,
            c,
            true,
            cs.wrapping_add(1),
            ss.wrapping_add(1),
            ACK,
            0,
            rng,
        ),
        (_, 3) => tcp(
            frame,
            c,
            true,
            cs.wrapping_add(1),
            ss.wrapping_add(1),
            PSH | ACK,
            c.request_len,
            rng,
        ),
        (_, 4) | (Fate::Lossy, 5) => {
            let ack = cs.wrapping_add(1 + u32::from(c.request_len));
            tcp(
                frame,
                c,
                false,
                ss.wrapping_add(1),
                ack,
                PSH | ACK,
                c.response_len,
                rng,
            )
        }
        _ => {
            let client_next = cs.wrapping_add(1 + u32::from(c.request_len));
            let server_next = ss.wrapping_add(1 + u32::from(c.response_len));
            tcp(frame, c, true, client_next, server_next, FIN | ACK, 0, rng);
            return true;
        }
    }
    false
}

#[allow(clippy::too_many_arguments)]
fn tcp(
    frame: &mut Vec<u8>,
    c: &Conn,
    from_client: bool,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: u16,
    rng: &mut Rng,
) {
    frame.clear();
    let (src_mac, dst_mac) = if from_client {
        (CLIENT_MAC, SERVER_MAC)
    } else {
        (SERVER_MAC, CLIENT_MAC)
    };
    let (src, dst) = if from_client {
        (c.client, c.server)
    } else {
        (c.server, c.client)
    };
    let (sport, dport) = if from_client {
        (c.client_port, 443)
    } else {
        (443, c.client_port)
    };
    let syn = flags & 0x02 != 0;
    let options: &[u8] = if syn {
        &[0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x07]
    } else {
        &[]
    };
    let tcp_len = 20 + options.len();
    let total = 20 + tcp_len + usize::from(payload);
    frame.extend_from_slice(&dst_mac);
    frame.extend_from_slice(&src_mac);
    frame.extend_from_slice(&[0x08, 0x00]);
    let ip_start = frame.len();
    frame.extend_from_slice(&[0x45, 0x00]);
    frame.extend_from_slice(&(total as u16).to_be_bytes());
    frame.extend_from_slice(&(rng.next() as u16).to_be_bytes());
    frame.extend_from_slice(&[0x40, 0x00, 64, 6, 0, 0]);
    frame.extend_from_slice(&src);
    frame.extend_from_slice(&dst);
    let ip_sum = checksum(&frame[ip_start..ip_start + 20], 0);
    frame[ip_start + 10..ip_start + 12].copy_from_slice(&ip_sum.to_be_bytes());
    let tcp_start = frame.len();
    frame.extend_from_slice(&sport.to_be_bytes());
    frame.extend_from_slice(&dport.to_be_bytes());
    frame.extend_from_slice(&seq.to_be_bytes());
    frame.extend_from_slice(&ack.to_be_bytes());
    frame.push(((tcp_len / 4) as u8) << 4);
    frame.push(flags);
    frame.extend_from_slice(&64240u16.to_be_bytes());
    frame.extend_from_slice(&[0, 0, 0, 0]);
    frame.extend_from_slice(options);
    for i in 0..payload {
        frame.push(b'a' + (i % 26) as u8);
    }
    let pseudo = pseudo_header(&src, &dst, 6, tcp_len + usize::from(payload)).unwrap_or(0);
    let tcp_sum = checksum(&frame[tcp_start..], pseudo);
    frame[tcp_start + 16..tcp_start + 18].copy_from_slice(&tcp_sum.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "cli")]
    #[test]
    fn written_by_pcap_file_or_in_memory_the_bytes_are_the_same() {
        let mut written = Vec::new();
        write_synthetic_capture(&mut written, 700, 3).unwrap();
        assert_eq!(written, synthetic_pcap(700, 3));
    }

    #[cfg(feature = "cli")]
    #[test]
    fn deterministic_and_readable() {
        let mut one = Vec::new();
        let mut two = Vec::new();
        assert_eq!(write_synthetic_capture(&mut one, 500, 7).unwrap(), 500);
        write_synthetic_capture(&mut two, 500, 7).unwrap();
        assert_eq!(one, two);
        let mut analyzer = crate::analyzer::Analyzer::new();
        let file = analyzer.begin_file("synth.pcap");
        analyzer.push(file, &one);
        analyzer.finish();
        assert_eq!(analyzer.len(), 500);
        assert!(analyzer.index().records.iter().all(|r| r.is_tcp()));
    }
}
