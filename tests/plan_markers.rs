//! The markers the capture plan tells customers to send are the markers the analyzer finds: for
//! each OS, the plan's own ping commands (`tracelens plan --format json`) give the sizes; a
//! capture is written here byte by byte with those pings as that OS sends them (Windows' ICMP data
//! is the "abcdefghijklmnopqrstuvw" cycle with identifier 1; Linux iputils and macOS start the
//! data with a timeval and count up from there, with a process-chosen identifier), and
//! `tracelens markers --json` must list both markers with their replies and the range between.

use std::path::Path;
use std::process::Command;

fn tracelens(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tracelens"))
        .args(args)
        .output()
        .expect("run tracelens");
    assert!(out.status.success(), "tracelens {args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The marker ping lines of the plan for a client running `os`.
fn plan_pings(os: &str) -> Vec<String> {
    let json = tracelens(&[
        "plan",
        "--client-os",
        os,
        "--target",
        "10.0.0.2",
        "--format",
        "json",
    ]);
    let plan: serde_json::Value = serde_json::from_str(&json).expect("plan json");
    let markers = plan["sections"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == "markers"))
        .expect("a markers section");
    markers["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "commands")
        .flat_map(|b| b["commands"].as_array().unwrap().clone())
        .map(|c| c["line"].as_str().unwrap().to_string())
        .collect()
}

/// The data size of a ping line: the value after `-l` (Windows) or `-s` (Unix).
fn size_of(line: &str) -> usize {
    let words: Vec<&str> = line.split(' ').collect();
    let at = words
        .iter()
        .position(|w| *w == "-l" || *w == "-s")
        .expect("a size option");
    words[at + 1].parse().expect("a number")
}

/// The ICMP data a ping of `size` bytes carries on `os`.
fn payload(os: &str, size: usize) -> Vec<u8> {
    if os == "windows" {
        b"abcdefghijklmnopqrstuvw"
            .iter()
            .copied()
            .cycle()
            .take(size)
            .collect()
    } else {
        // struct timeval (tv_sec, tv_usec as 64-bit little-endian), then i for byte i.
        let mut data: Vec<u8> = (0..size).map(|i| i as u8).collect();
        let tv: Vec<u8> = [1_764_866_000u64.to_le_bytes(), 123_456u64.to_le_bytes()].concat();
        let n = tv.len().min(size);
        data[..n].copy_from_slice(&tv[..n]);
        data
    }
}

fn checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = bytes
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An Ethernet/IPv4/ICMP echo frame.
fn echo(request: bool, ident: u16, seq: u16, data: &[u8]) -> Vec<u8> {
    let (src, dst) = if request {
        ([10, 0, 0, 1], [10, 0, 0, 2])
    } else {
        ([10, 0, 0, 2], [10, 0, 0, 1])
    };
    let mut icmp = vec![if request { 8 } else { 0 }, 0, 0, 0];
    icmp.extend_from_slice(&ident.to_be_bytes());
    icmp.extend_from_slice(&seq.to_be_bytes());
    icmp.extend_from_slice(data);
    let c = checksum(&icmp);
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    ip_frame(1, src, dst, &icmp)
}

/// A UDP frame of ordinary traffic between the markers.
fn udp(n: u8) -> Vec<u8> {
    let mut udp = vec![0xc0, 0x00, 0x00, 0x35, 0, 12, 0, 0];
    udp.extend_from_slice(&[n; 4]);
    ip_frame(17, [10, 0, 0, 1], [10, 0, 0, 3], &udp)
}

fn ip_frame(proto: u8, src: [u8; 4], dst: [u8; 4], payload: &[u8]) -> Vec<u8> {
    let total = (20 + payload.len()) as u16;
    let mut ip = vec![0x45, 0];
    ip.extend_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&[0x12, 0x34, 0, 0, 128, proto, 0, 0]);
    ip.extend_from_slice(&src);
    ip.extend_from_slice(&dst);
    let c = checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    let mut frame = vec![
        0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x12, 0x34, 0x56, 0x78, 0x1b, 8, 0,
    ];
    frame.extend_from_slice(&ip);
    frame.extend_from_slice(payload);
    frame
}

/// A classic pcap file (microsecond, Ethernet) of `frames`, one each 100 ms.
fn pcap(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    for (i, f) in frames.iter().enumerate() {
        let us = i as u32 * 100_000;
        out.extend_from_slice(&(1_764_866_000 + us / 1_000_000).to_le_bytes());
        out.extend_from_slice(&(us % 1_000_000).to_le_bytes());
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(f);
    }
    out
}

/// `tracelens markers --json` of `path`: the whole answer, and per marker (request frame, reply
/// frame or 0, ICMP data bytes, ip.len).
fn markers_of(path: &str) -> (serde_json::Value, Vec<(u64, u64, u64, u64)>) {
    let json = tracelens(&["markers", "--json", path]);
    let found: serde_json::Value = serde_json::from_str(&json).expect("markers json");
    let markers = found["markers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["no"].as_u64().unwrap(),
                m["reply_no"].as_u64().unwrap_or(0),
                m["payload_len"].as_u64().unwrap(),
                m["ip_len"].as_u64().unwrap(),
            )
        })
        .collect();
    (found, markers)
}

fn check_os(os: &str, dir: &Path) {
    let pings = plan_pings(os);
    assert_eq!(pings.len(), 2, "{os}: {pings:?}");
    let (start, end) = (size_of(&pings[0]), size_of(&pings[1]));
    assert_eq!((start, end), (22, 33), "{os}: the plan's sizes");
    let ident = if os == "windows" { 1 } else { 0x4d2e };
    let frames = vec![
        udp(1),
        echo(true, ident, 1, &payload(os, start)),
        echo(false, ident, 1, &payload(os, start)),
        udp(2),
        udp(3),
        udp(4),
        echo(true, ident, 2, &payload(os, end)),
        echo(false, ident, 2, &payload(os, end)),
        udp(5),
    ];
    let path = dir.join(format!("markers-{os}.pcap"));
    std::fs::write(&path, pcap(&frames)).expect("write the capture");
    let (found, markers) = markers_of(path.to_str().unwrap());
    // Requests in frames 2 and 7, replies in 3 and 8; ip.len = 20 + 8 + data: 50 and 61.
    assert_eq!(markers, [(2, 3, 22, 50), (7, 8, 33, 61)], "{os}");
    assert_eq!(
        found["ranges"][0]["filter"], "frame.number >= 4 and frame.number <= 6",
        "{os}"
    );
    // And the plan's own words about the capture.
    let notes = tracelens(&["plan", path.to_str().unwrap()]);
    assert!(
        notes.starts_with("Markers found: start 22 bytes at frame 2, end 33 bytes at frame 7; the repro lies between frames 4 and 6."),
        "{os}: {notes}"
    );
}

#[test]
fn the_plans_marker_pings_are_found_for_every_os() {
    let dir = std::env::temp_dir().join(format!("tracelens-plan-markers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for os in ["windows", "linux", "macos"] {
        check_os(os, &dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ring_buffer_parts_are_named_in_the_plans_words() {
    let dir = std::env::temp_dir().join(format!("tracelens-plan-ring-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // dumpcap's names for files 3 and 4 of a ring: the second starts 100 ms after the first ends.
    let first = pcap(&[udp(1), udp(2)]);
    let a = dir.join("srv_00003_20261204171500.pcap");
    let b = dir.join("srv_00004_20261204171501.pcap");
    std::fs::write(&a, &first).unwrap();
    let mut second = pcap(&[udp(3)]);
    // Its one frame at 1,764,866,000.2 s: 100 ms after the first file's last frame.
    second[24 + 4..24 + 8].copy_from_slice(&200_000u32.to_le_bytes());
    std::fs::write(&b, &second).unwrap();
    let notes = tracelens(&["plan", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(
        notes.contains("ring buffer (dumpcap): files 3–4 of a ring, contiguous."),
        "{notes}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The plan's lines for a Linux client and server at 2 Mbit/s (a ring of 10 files of 70 MB).
fn linux_plan_lines() -> Vec<String> {
    let json = tracelens(&[
        "plan",
        "--client-os",
        "linux",
        "--server-os",
        "linux",
        "--mbps",
        "2",
        "--format",
        "json",
    ]);
    let plan: serde_json::Value = serde_json::from_str(&json).expect("plan json");
    let mut lines = Vec::new();
    for section in plan["sections"].as_array().unwrap() {
        for block in section["blocks"].as_array().unwrap() {
            for c in block["commands"].as_array().into_iter().flatten() {
                lines.push(c["line"].as_str().unwrap().to_string());
            }
        }
    }
    lines
}

/// Real bytes from the real tools: `tests/data/plan/` holds what the plan's Linux commands wrote
/// when they were run as the plan gives them (only the folder of `-w` changed, and dumpcap's
/// `-i 1` named `lo`): tcpdump 4.99.3 `tcpdump -i any -s 0 -C 70 -W 10 -Z root -w server.pcap`
/// (Linux cooked v2 frames, the ring's first file `server.pcap0`) and Wireshark 4.0 dumpcap
/// `dumpcap -i lo -b filesize:70000 -b files:10 -w client.pcapng` (Ethernet, pcapng,
/// `client_00001_<time>.pcapng`), while iputils ran `ping -c 1 -s 22 127.0.0.1`, two ordinary
/// pings and `ping -c 1 -s 33 127.0.0.1`.
#[test]
fn captures_taken_with_the_plans_own_linux_commands_show_its_markers() {
    let lines = linux_plan_lines();
    for expected in [
        "tcpdump -i any -s 0 -C 70 -W 10 -Z root -w /var/tmp/server.pcap",
        "dumpcap -i 1 -b filesize:70000 -b files:10 -w /var/tmp/client.pcapng",
        "ping -c 1 -s 22 SERVER_IP",
        "ping -c 1 -s 33 SERVER_IP",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected}: {lines:#?}"
        );
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/plan");
    for (file, ring) in [
        (
            "server.pcap0",
            "ring buffer (tcpdump): file 0 of a ring alone",
        ),
        (
            "client_00001_20261204174410.pcapng",
            "ring buffer (dumpcap): file 1 of a ring alone",
        ),
    ] {
        let path = dir.join(file);
        let path = path.to_str().unwrap();
        let (found, markers) = markers_of(path);
        // ip.len = 20 + 8 + data: 50 and 61.
        assert_eq!(markers, [(1, 2, 22, 50), (7, 8, 33, 61)], "{file}");
        assert_eq!(
            found["ranges"][0]["filter"], "frame.number >= 3 and frame.number <= 6",
            "{file}"
        );
        let notes = tracelens(&["plan", path]);
        assert!(
            notes.starts_with("Markers found: start 22 bytes at frame 1, end 33 bytes at frame 7; the repro lies between frames 3 and 6.\n"),
            "{file}: {notes}"
        );
        assert!(notes.contains(ring), "{file}: {notes}");
    }
}
