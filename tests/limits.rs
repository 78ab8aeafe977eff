//! Hostile input at scale (issue 14): each resource limit against a file crafted to exhaust
//! memory or time without it. The files are built here, byte by byte: pcapng files of tens of
//! thousands of interfaces, and damaged or unreadable inputs for the command line.

use std::process::Command;
use tracelens::analyzer::Analyzer;

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

    pub fn epb(interface: u32, ts: u64, data: &[u8]) -> Vec<u8> {
        let mut body = interface.to_le_bytes().to_vec();
        body.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
        body.extend_from_slice(&(ts as u32).to_le_bytes());
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
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
        assert_eq!(index.link_type_of(record), u32::from(link_of(n as u32)));
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
