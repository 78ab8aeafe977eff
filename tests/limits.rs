//! Hostile input at scale (issue 14): each resource limit against a file crafted to exhaust
//! memory or time without it. The files are built here, byte by byte: pcapng files of tens of
//! thousands of interfaces, and damaged or unreadable inputs for the command line.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::process::Command;
use tracelens::analyzer::Analyzer;

/// Counts the bytes each thread holds, so a test can bound what reading a file allocates.
struct CountingAllocator;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    let _ = LIVE.try_with(|live| {
        live.set(live.get() + delta);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
    });
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Runs `work` and returns its result with the most bytes this thread held meanwhile, beyond
/// what it held before.
fn peak_bytes<T>(work: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(before));
    let result = work();
    (result, (PEAK.with(Cell::get) - before).max(0) as usize)
}

/// pcapng blocks, little-endian.
mod pcapng {
    pub fn block(kind: u32, body: &[u8]) -> Vec<u8> {
        let mut body = body.to_vec();
        while body.len() % 4 != 0 {
            body.push(0);
        }
        let total = (body.len() + 12) as u32;
        let mut out = kind.to_le_bytes().to_vec();
        out.extend_from_slice(&total.to_le_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(&total.to_le_bytes());
        out
    }

    pub fn shb() -> Vec<u8> {
        let mut body = 0x1A2B_3C4Du32.to_le_bytes().to_vec();
        body.extend_from_slice(&[1, 0, 0, 0]);
        body.extend_from_slice(&u64::MAX.to_le_bytes());
        block(0x0A0D_0D0A, &body)
    }

    /// An IDB with no options: 20 bytes.
    pub fn idb(link_type: u16) -> Vec<u8> {
        let mut body = link_type.to_le_bytes().to_vec();
        body.extend_from_slice(&[0, 0]);
        body.extend_from_slice(&65535u32.to_le_bytes());
        block(1, &body)
    }

    /// An EPB without options: interface, timestamp (high, low), captured and original length.
    pub fn epb(interface: u32, ts: u64, data: &[u8]) -> Vec<u8> {
        let len = data.len() as u32;
        let fields = [interface, (ts >> 32) as u32, ts as u32, len, len];
        let mut body: Vec<u8> = fields.iter().flat_map(|f| f.to_le_bytes()).collect();
        body.extend_from_slice(data);
        block(6, &body)
    }
}

/// LINKTYPE_ETHERNET and LINKTYPE_RAW: interfaces alternate between them, so a frame given
/// another interface's number would decode with the wrong link type.
const ETHERNET: u16 = 1;
const RAW_IP: u16 = 101;

fn link_of(interface: u32) -> u16 {
    if interface % 2 == 0 {
        ETHERNET
    } else {
        RAW_IP
    }
}

fn read(name: &str, bytes: &[u8]) -> Analyzer {
    let mut analyzer = Analyzer::new();
    let file = analyzer.begin_file(name);
    for chunk in bytes.chunks(1 << 20) {
        analyzer.push(file, chunk);
    }
    analyzer.finish();
    analyzer
}

/// Reads a file that must read without error and hold exactly one frame; returns its info.
fn read_one_frame(name: &str, bytes: &[u8]) -> tracelens::capture::FileInfo {
    let analyzer = read(name, bytes);
    let info = analyzer.file_infos().remove(0);
    assert!(info.error.is_none(), "{:?}", info.error);
    assert_eq!(analyzer.len(), 1);
    info
}

#[test]
fn the_65537th_interface_with_frames_is_never_given_another_ones_number() {
    // 65,537 interfaces, a frame on each (3.4 MB): the index numbers interfaces in 16 bits.
    const INTERFACES: u32 = 65_537;
    let mut file = pcapng::shb();
    for n in 0..INTERFACES {
        file.extend(pcapng::idb(link_of(n)));
    }
    for n in 0..INTERFACES {
        file.extend(pcapng::epb(n, u64::from(n), &[0u8; 20]));
    }
    let analyzer = read("many.pcapng", &file);
    let index = analyzer.index();
    assert_eq!(analyzer.len(), 65_536, "every frame up to the last number");
    for (n, record) in index.records.iter().enumerate() {
        let global = &index.interfaces[usize::from(record.iface)];
        assert_eq!(global.local, n as u32);
        assert_eq!(index.link_type_of(&record), u32::from(link_of(n as u32)));
    }
    let info = &analyzer.file_infos()[0];
    let error = info.error.as_ref().expect("the last frame is refused");
    assert_eq!(error.frame, 65_537);
    assert_eq!(info.frames, 65_536);
    assert!(
        error
            .message
            .contains("would be the 65537th to carry frames"),
        "{error}"
    );
    // The refused frame's data starts 28 bytes into the last EPB.
    assert_eq!(error.offset as usize, file.len() - (12 + 20 + 20) + 8 + 20);
}

#[test]
fn a_file_numbered_65536_or_later_never_takes_file_0s_number() {
    // 65,537 files: the first 65,536 are empty (so they take no interface number), the last one
    // has a frame. Its frames cannot be told apart from file 0's: the file is refused.
    let mut capture = pcapng::shb();
    capture.extend(pcapng::idb(ETHERNET));
    capture.extend(pcapng::epb(0, 1, &[0u8; 20]));
    let mut analyzer = Analyzer::new();
    for n in 0..65_537usize {
        let file = analyzer.begin_file(&format!("f{n}"));
        if n == 65_536 {
            analyzer.push(file, &capture);
        }
        analyzer.end_file(file);
    }
    assert_eq!(analyzer.frames_indexed(), 0);
    let infos = analyzer.file_infos();
    let error = infos[65_536].error.as_ref().expect("refused");
    assert!(
        error.message.contains("file number 65537 or later"),
        "{error}"
    );
    assert_eq!((error.frame, infos[65_536].frames), (1, 0));
}

/// Runs the command line; returns (stdout, stderr, exit status).
fn run_cli(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_tracelens"))
        .args(args)
        .output()
        .expect("run tracelens");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("tracelens-limits-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).expect("temp file");
    path
}

#[test]
fn every_command_names_the_file_it_could_not_read_and_fails() {
    let missing = std::env::temp_dir().join("tracelens-limits-no-such-file.pcap");
    let missing = missing.to_str().unwrap();
    let directory = std::env::temp_dir();
    let directory = directory.to_str().unwrap();
    let out = std::env::temp_dir().join(format!(
        "tracelens-limits-{}-out.pcapng",
        std::process::id()
    ));
    let commands: [&[&str]; 9] = [
        &["info"],
        &["packets"],
        &["tcp"],
        &["findings"],
        &["markers"],
        &["connections"],
        &["conv", "--type", "ip"],
        &["endpoints", "--type", "ip"],
        &["export", "-o", out.to_str().unwrap()],
    ];
    for command in commands {
        let command: &[&str] = command;
        for (path, reason) in [(missing, "No such file"), (directory, "directory")] {
            let args: Vec<&str> = command.iter().copied().chain([path]).collect();
            let (_, stderr, status) = run_cli(&args);
            assert_eq!(status, 2, "{command:?} {path}: {stderr}");
            let lines: Vec<&str> = stderr.lines().collect();
            assert_eq!(lines.len(), 1, "{command:?} {path}: one line, not {stderr}");
            assert!(
                lines[0].starts_with(&format!(
                    "tracelens: {path}: at byte 0 (frame 1): the file could not be read: "
                )),
                "{stderr}"
            );
            assert!(lines[0].contains(reason), "{stderr}");
        }
    }
    // compare reads each side whole first, and says which file it could not read.
    let (_, stderr, status) = run_cli(&["compare", missing, directory]);
    assert_eq!(status, 2);
    assert!(
        stderr.contains(missing) && stderr.contains("No such file"),
        "{stderr}"
    );
}

#[test]
fn a_capture_damaged_mid_file_keeps_its_frames_and_says_where() {
    let mut capture = pcapng::shb();
    capture.extend(pcapng::idb(RAW_IP));
    for n in 0..3 {
        capture.extend(pcapng::epb(0, n, &[0x45; 20]));
    }
    capture.truncate(capture.len() - 10);
    let path = temp_file("cut.pcapng", &capture);
    let arg = path.to_str().unwrap();
    let (stdout, stderr, status) = run_cli(&["packets", arg]);
    assert_eq!(status, 1, "{stderr}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(
        stderr.starts_with(&format!("tracelens: {arg}: at byte ")) && stderr.contains("(frame 3)"),
        "{stderr}"
    );
    let (stdout, _, status) = run_cli(&["info", arg, "--json"]);
    assert_eq!(status, 1);
    let value: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(value["frames"], 2);
    assert_eq!(value["error"]["frame"], 3);
    std::fs::remove_file(path).ok();
}

/// An IPv4/UDP packet 10.0.0.1:1000 → 10.0.0.2:53 with 4 bytes of payload (raw IP).
fn udp_packet() -> Vec<u8> {
    let mut ip = vec![
        0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    ip.extend_from_slice(&[0x03, 0xe8, 0, 53, 0, 12, 0, 0, 1, 2, 3, 4]);
    ip
}

#[test]
fn a_20_mb_file_of_interface_blocks_lists_1000_and_reads_the_frame_on_the_last() {
    // 1,048,576 minimal IDBs (20 bytes each: 20 MiB), Ethernet but for the last (raw IP), and
    // one EPB on the last. Every interface's basics are kept (to read and analyse its frames);
    // only the first 1,000 are listed with their details.
    const INTERFACES: u32 = 1 << 20;
    let mut file = pcapng::shb();
    file.reserve(INTERFACES as usize * 20 + 64);
    for n in 0..INTERFACES {
        file.extend(pcapng::idb(if n + 1 == INTERFACES {
            RAW_IP
        } else {
            ETHERNET
        }));
    }
    file.extend(pcapng::epb(INTERFACES - 1, 7, &udp_packet()));
    assert!(file.len() > 20 << 20);
    let started = std::time::Instant::now();
    let (analyzer, peak) = peak_bytes(|| read("idbs.pcapng", &file));
    println!(
        "read {} bytes in {:?}, {peak} bytes at most",
        file.len(),
        started.elapsed()
    );
    // The parser's per-interface clock (48 bytes) and the kept basics (32 bytes), each in a
    // vector that may have doubled: about 4 times the file's 20 bytes per interface, never the
    // ~240 bytes (and strings) of a listed interface.
    assert!(
        peak < 8 * file.len(),
        "{peak} bytes for a {}-byte file",
        file.len()
    );
    let info = &analyzer.file_infos()[0];
    assert!(info.error.is_none(), "{:?}", info.error);
    assert_eq!(info.frames, 1);
    assert_eq!(info.interfaces.len(), 1_000);
    assert_eq!(
        info.cuts.interfaces_not_listed,
        u64::from(INTERFACES) - 1_000
    );
    assert_eq!(info.interface_basics().len(), INTERFACES as usize);
    let last = info
        .interface(INTERFACES as usize - 1)
        .expect("basics kept");
    assert_eq!((last.link_type, last.snaplen), (u32::from(RAW_IP), 65535));
    // The frame decodes as raw IP on its own interface.
    let record = analyzer.index().records.at(0);
    assert_eq!(analyzer.index().link_type_of(&record), u32::from(RAW_IP));
    let row = &analyzer.rows(0, 1)[0];
    assert_eq!(
        (row.src.as_str(), row.dst.as_str(), row.protocol.as_str()),
        ("10.0.0.1", "10.0.0.2", "UDP")
    );
    // What the page is sent stays small, and says what was cut.
    let summary = serde_json::to_value(analyzer.summary()).expect("json");
    assert!(
        summary.to_string().len() < 1 << 20,
        "{} bytes",
        summary.to_string().len()
    );
    assert_eq!(
        summary["files"][0]["interfaces"].as_array().map(Vec::len),
        Some(1_000)
    );
    assert_eq!(
        summary["files"][0]["cuts"]["interfaces_not_listed"],
        INTERFACES - 1_000
    );
}

#[test]
fn sections_and_names_past_their_caps_are_counted_not_kept() {
    // 1,500 sections (42 KB), an interface in the last, then an NRB of 150,000 names (2.4 MB).
    let mut file = Vec::new();
    for _ in 0..1_500 {
        file.extend(pcapng::shb());
    }
    file.extend(pcapng::idb(RAW_IP));
    let mut records = Vec::new();
    for n in 0..150_000u32 {
        let name = format!("h{n:07}\0");
        records.extend_from_slice(&1u16.to_le_bytes());
        records.extend_from_slice(&((4 + name.len()) as u16).to_le_bytes());
        records.extend_from_slice(&n.to_be_bytes());
        records.extend_from_slice(name.as_bytes());
        while records.len() % 4 != 0 {
            records.push(0);
        }
    }
    records.extend_from_slice(&[0, 0, 0, 0]);
    file.extend(pcapng::block(4, &records));
    file.extend(pcapng::epb(0, 7, &udp_packet()));
    let info = read_one_frame("meta.pcapng", &file);
    assert_eq!(info.sections.len(), 1_000);
    assert_eq!(info.cuts.sections_not_listed, 500);
    assert_eq!(info.names.len(), 100_000);
    assert_eq!(info.cuts.names_not_kept, 50_000);
    assert_eq!(
        info.names[99_999],
        ("0.1.134.159".to_string(), "h0099999".to_string())
    );
    // The interface keeps its true section number.
    assert_eq!(info.interfaces[0].section, 1_499);
    assert_eq!(info.cuts.texts_not_kept, 0);
}

/// A section header with `comments` comments of 65,535 bytes (the longest an option can be).
fn shb_with_comments(comments: usize) -> Vec<u8> {
    let shb = pcapng::shb();
    let mut body = shb[8..shb.len() - 4].to_vec();
    for _ in 0..comments {
        body.extend_from_slice(&1u16.to_le_bytes());
        body.extend_from_slice(&u16::MAX.to_le_bytes());
        body.extend(std::iter::repeat_n(b'c', usize::from(u16::MAX)));
        body.push(0);
    }
    body.extend_from_slice(&[0, 0, 0, 0]);
    pcapng::block(0x0A0D_0D0A, &body)
}

#[test]
fn comments_past_the_text_budget_are_counted_not_kept() {
    // 300 comments of 64 KiB (19.7 MB) in one section header, then an interface with a name.
    let mut file = shb_with_comments(300);
    let mut idb = pcapng::idb(RAW_IP)[8..16].to_vec();
    idb.extend_from_slice(&[2, 0, 4, 0]);
    idb.extend_from_slice(b"eth0");
    idb.extend_from_slice(&[0, 0, 0, 0]);
    file.extend(pcapng::block(1, &idb));
    file.extend(pcapng::epb(0, 7, &udp_packet()));
    let info = read_one_frame("comments.pcapng", &file);
    // 256 comments stay under 16 MiB, the 257th is the last kept.
    assert_eq!(info.sections[0].comments.len(), 257);
    assert_eq!(info.cuts.texts_not_kept, 300 - 257 + 1);
    assert_eq!(info.interfaces[0].name, None);
}

#[test]
fn info_says_in_plain_words_what_was_not_listed() {
    let mut capture = pcapng::shb();
    for _ in 0..1_005 {
        capture.extend(pcapng::idb(ETHERNET));
    }
    capture.extend(pcapng::epb(1_004, 7, &[0u8; 14]));
    let path = temp_file("ifaces.pcapng", &capture);
    let arg = path.to_str().unwrap();
    let (text, stderr, status) = run_cli(&["info", arg]);
    assert_eq!(status, 0, "{stderr}");
    assert!(
        text.contains("Interfaces:          1005 (the first 1000 listed)\n"),
        "{text}"
    );
    assert_eq!(text.matches("\n  #").count(), 1_000);
    let warning = "the file describes 1005 capture interfaces: only the first 1000 are listed (5 more are not, though their frames are read like any other)";
    assert!(
        text.contains(&format!("Warning:             {arg}: {warning}\n")),
        "{text}"
    );
    let (json, _, _) = run_cli(&["info", arg, "--json"]);
    let value: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(value["frames"], 1);
    assert_eq!(value["interfaces"].as_array().map(Vec::len), Some(1_000));
    assert_eq!(value["files"][0]["cuts"]["interfaces_not_listed"], 5);
    assert_eq!(value["files"][0]["warnings"][0], warning);
    std::fs::remove_file(path).ok();
}

#[test]
fn lengths_claimed_by_headers_are_checked_against_the_bytes_present() {
    use tracelens::capture::reader::read_all;
    let pcap_header = {
        let mut h = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
        h.extend_from_slice(&[0; 8]);
        h.extend_from_slice(&65535u32.to_le_bytes());
        h.extend_from_slice(&1u32.to_le_bytes());
        h
    };
    let mut huge_pcap_record = pcap_header.clone();
    huge_pcap_record.extend_from_slice(&[0; 8]);
    huge_pcap_record.extend_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    huge_pcap_record.extend_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    huge_pcap_record.extend_from_slice(&[0; 64]);
    // An EPB whose captured length (0xFFFFFFF0) is far beyond its 64-byte block.
    let mut huge_epb = pcapng::shb();
    huge_epb.extend(pcapng::idb(ETHERNET));
    let mut epb = pcapng::epb(0, 1, &[0u8; 32]);
    epb[20..24].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    huge_epb.extend(epb);
    // A block claiming 4 GiB, and one claiming 100 MiB of which 1 KiB is present.
    let mut huge_block = pcapng::shb();
    huge_block.extend_from_slice(&6u32.to_le_bytes());
    huge_block.extend_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    huge_block.extend_from_slice(&[0; 1024]);
    let mut cut_block = pcapng::shb();
    cut_block.extend_from_slice(&6u32.to_le_bytes());
    cut_block.extend_from_slice(&(100u32 << 20).to_le_bytes());
    cut_block.extend_from_slice(&[0; 1024]);
    let cases: [(&str, &[u8], &str); 4] = [
        ("pcap", &huge_pcap_record, "pcap record claims 4294967280 captured bytes, more than the maximum of 262144"),
        ("epb", &huge_epb, "EPB claims 4294967280 captured bytes (4294967280 with padding) but its block has room for 32"),
        ("block", &huge_block, "claims total length 4294967280, more than the maximum"),
        ("cut", &cut_block, "claims total length 104857600 but only 1032 bytes remain"),
    ];
    for (name, bytes, expected) in cases {
        for chunk in [7, 4096, 1 << 20] {
            let (info, peak) = peak_bytes(|| read_all(name, bytes, chunk, &mut |_| {}));
            let error = info.error.expect("an error");
            assert!(error.message.contains(expected), "{name}: {error}");
            assert_eq!(info.frames, 0);
            assert!(peak < 64 << 10, "{name} in chunks of {chunk}: {peak} bytes");
        }
    }
}
