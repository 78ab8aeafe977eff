//! pcapng export: a round trip through our own reader over captures of every format (pcap µs/ns,
//! pcapng with several interfaces, NetMon, gzip'd), and parity with `tshark -Y FILTER -w` over the
//! whole corpus: the exported frames are the ones tshark selects, byte for byte, with the same
//! timestamps (ns) and original lengths. tshark and capinfos must also read our output without
//! error and show the findings' comments. tshark is required: these tests fail without it
//! (`scripts/setup --test` installs it).

mod common;

use common::{corpus_dir, load_file as load, manifest_paths as captures, Memory};
use std::path::{Path, PathBuf};
use std::process::Command;
use tracelens::analyzer::Analyzer;
use tracelens::capture::frame::is_packet_link_type;
use tracelens::capture::reader::CaptureReader;
use tracelens::export::Export;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tracelens-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir.join(name)
}

/// One packet as compared: timestamp (ns), original length, link type, captured bytes.
type Frame = (Option<i64>, u32, u32, Vec<u8>);

/// Every packet-bearing frame of a capture, through our reader (pseudo frames left out).
fn read_frames(bytes: &[u8]) -> (tracelens::capture::FileInfo, Vec<Frame>) {
    let mut reader = CaptureReader::new("export");
    let mut frames = Vec::new();
    let mut sink = |f: tracelens::capture::RawFrame<'_>| {
        if is_packet_link_type(f.link_type) {
            frames.push((f.ts_ns, f.orig_len, f.link_type, f.data.to_vec()));
        }
    };
    reader.push(bytes, &mut sink);
    reader.finish(&mut sink);
    (reader.info().clone(), frames)
}

/// Exports `frames` (all when `None`) of a loaded capture, chunk by chunk.
fn export(analyzer: &Analyzer, bytes: &Memory, frames: Option<Vec<u32>>) -> Vec<u8> {
    let frames = frames.unwrap_or_else(|| (0..analyzer.len() as u32).collect());
    let findings = analyzer.findings();
    let mut export = Export::new(analyzer, frames, &findings);
    let mut out = Vec::new();
    while let Some(chunk) = export.next_chunk(analyzer, bytes).expect("export") {
        out.extend_from_slice(&chunk);
    }
    out
}

const ROUND_TRIP: &[&str] = &[
    "tcpdump/vxlan.pcap",
    "tcpdump/tcp-handshake-nano.pcap",
    "zeek/pcapng-multi-interface.pcapng",
    "zeek/gap-data-missing.pcapng",
    "pcapng-test-generator/test202.pcapng",
    "ms-netcaps/MS-WMOD_Example2_WS2016_X64_Win10_X64_Domain_Hagala.cap",
    "zeek/mime-header-size-limit.pcap.gz",
    "zeek/portmapper-many-unanswered-calls.pcapng.gz",
    "pcap-parser/modified-format.pcap",
    "chrissanders/http_espn.pcapng",
];

#[test]
fn round_trip_through_our_reader() {
    for name in ROUND_TRIP {
        let path = corpus_dir().join(name);
        let (analyzer, bytes) = load(&path);
        let original = read_frames(&bytes.0).1;
        assert!(!original.is_empty(), "{name}: no frames");
        let out = export(&analyzer, &bytes, None);
        let (info, exported) = read_frames(&out);
        assert!(info.error.is_none(), "{name}: {:?}", info.error);
        assert_eq!(exported.len(), original.len(), "{name}: frame count");
        for (n, (a, b)) in original.iter().zip(&exported).enumerate() {
            // pcapng has no "no timestamp": an SPB's missing time is written as 0.
            let want_ts = a.0.or(Some(0));
            assert_eq!(
                (want_ts, a.1, a.2),
                (b.0, b.1, b.2),
                "{name}: frame {}",
                n + 1
            );
            assert_eq!(a.3, b.3, "{name}: bytes of frame {}", n + 1);
        }
        assert_eq!(
            info.sections[0].application.as_deref(),
            Some(concat!("tracelens ", env!("CARGO_PKG_VERSION")))
        );
    }
}

#[test]
fn interfaces_are_renumbered_densely_and_keep_their_names() {
    let path = corpus_dir().join("zeek/gap-data-missing.pcapng");
    let (analyzer, bytes) = load(&path);
    let source = analyzer.file_infos().remove(0);
    let out = export(&analyzer, &bytes, None);
    let info = read_frames(&out).0;
    let used: std::collections::BTreeSet<u16> =
        analyzer.index().records.iter().map(|r| r.iface).collect();
    assert!(source.interfaces.len() > used.len());
    assert_eq!(info.interfaces.len(), used.len());
    for (out_iface, &global) in info.interfaces.iter().zip(&used) {
        let g = analyzer.index().interfaces[usize::from(global)];
        let src = &source.interfaces[g.local as usize];
        assert_eq!(out_iface.link_type, src.link_type);
        assert_eq!(out_iface.snaplen, src.snaplen);
        assert_eq!(out_iface.name, src.name);
        assert_eq!(out_iface.description, src.description);
    }
    // The frames of only the second interface's traffic: one IDB, numbered 0.
    let second = analyzer.index().records.at(0).iface;
    let frames: Vec<u32> = (0..analyzer.len() as u32)
        .filter(|&i| analyzer.index().records.at(i as usize).iface != second)
        .collect();
    let out = export(&analyzer, &bytes, Some(frames.clone()));
    let (info, exported) = read_frames(&out);
    assert_eq!(exported.len(), frames.len());
    assert!(info.interfaces.len() < used.len());
}

fn tool(program: &str, args: &[&str]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is required (scripts/setup --test installs it): {e}"))
}

#[test]
fn tshark_and_capinfos_read_the_export_and_its_comments() {
    for name in ROUND_TRIP {
        let (analyzer, bytes) = load(&corpus_dir().join(name));
        let out_path = scratch(&format!("{}.pcapng", name.replace('/', "_")));
        std::fs::write(&out_path, export(&analyzer, &bytes, None)).expect("write export");
        let out = out_path.to_str().expect("utf-8 path");
        let capinfos = tool("capinfos", &["-t", "-c", out]);
        let text = String::from_utf8_lossy(&capinfos.stdout);
        assert!(capinfos.status.success(), "{name}: capinfos: {capinfos:?}");
        assert!(text.contains("pcapng"), "{name}: {text}");
        let shark = tool(
            "tshark",
            &["-r", out, "-T", "fields", "-e", "frame.comment"],
        );
        let stderr = String::from_utf8_lossy(&shark.stderr);
        assert!(shark.status.success(), "{name}: tshark: {stderr}");
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.contains("Running as user"))
            .collect();
        assert!(errors.is_empty(), "{name}: tshark says {errors:?}");
        let findings = analyzer.findings();
        let comments = String::from_utf8_lossy(&shark.stdout);
        if let Some(f) = findings.iter().find(|f| !f.frames.is_empty()) {
            let want = format!("tracelens {} {}:", f.severity.as_str(), f.kind.as_str());
            assert!(comments.contains(&want), "{name}: no comment {want:?}");
        }
    }
}

/// Captures whose export differs from tshark's for a listed reason (PARITY.md, "pcapng export").
const DEVIATIONS: &[(&str, &str)] = &[(
    "tcpdump/timestamp_invalid_nano.pcap",
    "frame 3's nanosecond field is 2^31 (invalid): Wireshark reads it as -2.147483648 s, and so do \
     we, writing that time; tshark's pcapng writer turns the unnormalised pair into 1418145386.299",
)];

const FILTERS: &[&str] = &[
    "tcp",
    "tcp.flags.syn==1",
    "udp or icmp",
    "frame.number <= 10",
];

/// What `tshark -r CAPTURE -Y FILTER -w OUT` writes, read back with our reader; `None` when
/// tshark cannot read the capture.
fn tshark_selection(capture: &Path, filter: &str, scratch_name: &str) -> Option<Vec<Frame>> {
    let out = scratch(scratch_name);
    let status = tool(
        "tshark",
        &[
            "-r",
            capture.to_str()?,
            "-Y",
            filter,
            "-F",
            "pcapng",
            "-w",
            out.to_str()?,
        ],
    );
    let bytes = std::fs::read(&out).ok();
    let _ = std::fs::remove_file(&out);
    if !status.status.success() {
        return None;
    }
    Some(read_frames(&bytes?).1)
}

#[test]
fn export_selects_what_tshark_selects() {
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for capture in captures() {
        let path = corpus_dir().join(&capture);
        let (mut analyzer, bytes) = load(&path);
        let readable = analyzer
            .file_infos()
            .first()
            .is_some_and(|f| f.error.is_none() && f.frames > 0);
        if !readable {
            continue;
        }
        for (n, filter) in FILTERS.iter().enumerate() {
            let scratch_name = format!("tshark-{}-{n}.pcapng", capture.replace('/', "_"));
            let Some(want) = tshark_selection(&path, filter, &scratch_name) else {
                continue;
            };
            analyzer
                .apply_filter_with(filter, Some(&bytes))
                .expect("filter compiles");
            let frames = analyzer.view_frames().map(|view| view.to_vec());
            let got = read_frames(&export(&analyzer, &bytes, frames)).1;
            compared += 1;
            let listed = DEVIATIONS.iter().any(|(c, _)| *c == capture);
            if let Some(problem) = compare(&want, &got).filter(|_| !listed) {
                mismatches.push(format!("{capture} -Y '{filter}': {problem}"));
            }
        }
    }
    assert!(compared > 200, "only {compared} comparisons ran");
    assert!(
        mismatches.is_empty(),
        "{} of {compared} exports differ from tshark's:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// The first difference between tshark's frames and ours, if any (an SPB's missing time is 0).
fn compare(want: &[Frame], got: &[Frame]) -> Option<String> {
    if want.len() != got.len() {
        return Some(format!("tshark {} frames, ours {}", want.len(), got.len()));
    }
    for (n, (a, b)) in want.iter().zip(got).enumerate() {
        let (ta, tb) = (a.0.unwrap_or(0), b.0.unwrap_or(0));
        if (ta, a.1, a.2) != (tb, b.1, b.2) {
            return Some(format!(
                "frame {}: tshark (time {ta} ns, len {}, link {}), ours (time {tb} ns, len {}, link {})",
                n + 1,
                a.1,
                a.2,
                b.1,
                b.2
            ));
        }
        if a.3 != b.3 {
            return Some(format!("frame {}: bytes differ", n + 1));
        }
    }
    None
}

/// `tracelens export`: exit 0 and a file tshark reads; 1 for a damaged capture (the frames before
/// the damage are exported); 2 for a bad filter or an unreadable input.
#[test]
fn cli_exit_codes() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tracelens"))
            .arg("export")
            .args(args)
            .output()
            .expect("tracelens runs")
    };
    let path = |name: &str| corpus_dir().join(name).display().to_string();
    let out = scratch("cli.pcapng");
    let out = out.to_str().expect("utf-8 path");
    let ok = run(&[
        &path("chrissanders/synscan.pcapng"),
        "-Y",
        "tcp.flags.syn==1",
        "-o",
        out,
    ]);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    let want = tshark_selection(
        &corpus_dir().join("chrissanders/synscan.pcapng"),
        "tcp.flags.syn==1",
        "cli-tshark.pcapng",
    )
    .expect("tshark reads synscan");
    let got = read_frames(&std::fs::read(out).expect("export written")).1;
    assert_eq!(compare(&want, &got), None);

    let damaged = run(&[
        &path("suricata-verify/http-mime-truncated/input.pcap"),
        "-o",
        out,
    ]);
    assert_eq!(damaged.status.code(), Some(1), "{damaged:?}");
    let frames = read_frames(&std::fs::read(out).expect("export written")).1;
    assert_eq!(frames.len(), 2696);

    let bad_filter = run(&[
        &path("chrissanders/synscan.pcapng"),
        "-Y",
        "tcp.flgs",
        "-o",
        out,
    ]);
    assert_eq!(bad_filter.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_filter.stderr).contains("invalid display filter"));
    let missing = run(&["/nonexistent/capture.pcap", "-o", out]);
    assert_eq!(missing.status.code(), Some(2));
    let no_output = run(&[&path("chrissanders/synscan.pcapng")]);
    assert_eq!(no_output.status.code(), Some(2));
}
