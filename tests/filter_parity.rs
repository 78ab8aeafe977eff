//! Display-filter parity with tshark 4.0: every filter of `tests/filters/filters.txt` is run over
//! every capture of `../shared/captures/` and must select exactly the frames `tshark -Y` selects
//! (goldens in `tests/goldens/filters/`). Deviations are allowed only where PARITY.md's
//! "Display filters" section lists the filter and capture with a reason.
//!
//! Set `FILTER_GOLDENS=<dir>` (and `FILTER_LIST=<file>`) to compare another list of filters
//! against goldens in the same per-capture format (one `<capture path with / as _>.txt` per
//! capture, lines `<filter index> <frame>...`), e.g. written with a Lua tap per filter as
//! `tests/goldens/generate.sh` does.

mod common;

use common::{corpus_dir, load, manifest_paths as captures, Memory};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tracelens::analyzer::Analyzer;
use tracelens::filter::Filter;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The filters, in order (comments and blank lines skipped); `FILTER_LIST=<file>` reads
/// another list.
fn filters() -> Vec<String> {
    let path = std::env::var_os("FILTER_LIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("tests/filters/filters.txt"));
    let text = std::fs::read_to_string(path).expect("filters.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Goldens: filter index → capture → frame numbers (`None` when tshark rejected the filter or
/// could not read the capture).
type Goldens = BTreeMap<(usize, String), Option<Vec<u64>>>;

/// Whether tshark could read the capture at all, from its golden `info.json` (written by
/// tests/goldens/generate.sh; `"error"` holds tshark's message when it could not). Panics when
/// the capture has no goldens folder: every capture of the MANIFEST must have one.
fn tshark_reads(capture: &str) -> bool {
    let info = repo().join("tests/goldens").join(capture).join("info.json");
    let text = std::fs::read_to_string(&info)
        .unwrap_or_else(|e| panic!("no goldens for {capture} ({}: {e})", info.display()));
    let frames = text
        .split("\"frames\":")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.trim().parse::<u64>().ok())
        .unwrap_or(0);
    frames > 0 || text.contains("\"error\": null")
}

fn dev_goldens(dir: &Path, captures: &[String]) -> Goldens {
    let mut goldens = Goldens::new();
    let mut missing = Vec::new();
    for capture in captures {
        let file = dir.join(format!("{}.txt", capture.replace('/', "_")));
        let Ok(text) = std::fs::read_to_string(&file) else {
            // Only captures tshark cannot read have no filter golden.
            if tshark_reads(capture) {
                missing.push(file.display().to_string());
            } else {
                eprintln!("skipped (tshark cannot read it, see its info.json): {capture}");
            }
            continue;
        };
        for line in text.lines() {
            let mut parts = line.split_whitespace();
            let Some(index) = parts.next().and_then(|n| n.parse::<usize>().ok()) else {
                continue;
            };
            let rest: Vec<&str> = parts.collect();
            let frames = if rest == ["ERR"] {
                None
            } else {
                Some(rest.iter().filter_map(|n| n.parse().ok()).collect())
            };
            goldens.insert((index, capture.clone()), frames);
        }
    }
    assert!(
        missing.is_empty(),
        "filter goldens missing for captures tshark reads: {missing:?}"
    );
    goldens
}

/// Deviations listed in PARITY.md's "Display filters" section: lines of the form
/// `- filter NN on <capture>: reason` (capture `*` = every capture).
fn allowed_deviations() -> BTreeSet<(usize, String)> {
    let text = std::fs::read_to_string(repo().join("PARITY.md")).unwrap_or_default();
    let Some(section) = text.split("## Display filters").nth(1) else {
        return BTreeSet::new();
    };
    let section = section.split("\n## ").next().unwrap_or("");
    section
        .lines()
        .filter_map(|line| line.trim().strip_prefix("- filter "))
        .filter_map(|rest| {
            let (number, rest) = rest.split_once(" on ")?;
            let (capture, _) = rest.split_once(':')?;
            Some((
                number.trim().parse().ok()?,
                capture.trim().trim_matches('`').to_string(),
            ))
        })
        .collect()
}

#[test]
fn filters_select_the_frames_tshark_selects() {
    let dir = std::env::var_os("FILTER_GOLDENS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("tests/goldens/filters"));
    assert!(
        dir.is_dir(),
        "no filter goldens at {} (tests/goldens/generate.sh writes them)",
        dir.display()
    );
    let filters = filters();
    let captures = captures();
    let goldens = dev_goldens(&dir, &captures);
    assert!(!goldens.is_empty(), "no goldens in {}", dir.display());
    let allowed = allowed_deviations();
    let compiled: Vec<Result<Filter, String>> = filters
        .iter()
        .map(|f| Filter::compile(f).map_err(|e| e.to_string()))
        .collect();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut tolerated = 0;
    let mut stale = Vec::new();
    let mut unread = 0;
    for capture in &captures {
        if !tshark_reads(capture) {
            unread += 1;
            continue;
        }
        let (mut analyzer, bytes) = load(capture);
        for (index, filter) in compiled.iter().enumerate() {
            let Some(expected) = goldens.get(&(index, capture.clone())) else {
                failures.push(format!(
                    "filter {index:02} has no line in the golden of {capture}"
                ));
                continue;
            };
            let Some(expected) = expected else { continue };
            checked += 1;
            let got: Result<Vec<u64>, String> = match filter {
                Ok(filter) => analyzer
                    .filter_frames(filter, Some(&bytes))
                    .map(|frames| frames.into_iter().map(|i| u64::from(i) + 1).collect())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.clone()),
            };
            let listed = allowed.contains(&(index, capture.clone()))
                || allowed.contains(&(index, "*".to_string()));
            if got.as_ref() == Ok(expected) {
                if listed {
                    stale.push(format!("filter {index:02} on {capture}"));
                }
                continue;
            }
            if listed {
                tolerated += 1;
                continue;
            }
            let detail = match &got {
                Ok(frames) => {
                    let want: BTreeSet<_> = expected.iter().collect();
                    let have: BTreeSet<_> = frames.iter().collect();
                    let missing: Vec<_> = want.difference(&have).take(12).collect();
                    let extra: Vec<_> = have.difference(&want).take(12).collect();
                    format!(
                        "missing {missing:?} extra {extra:?} (tshark {} frames, we {})",
                        expected.len(),
                        frames.len()
                    )
                }
                Err(e) => format!("error: {}", e.replace('\n', " | ")),
            };
            failures.push(format!(
                "filter {index:02} `{}` on {capture}: {detail}",
                filters[index]
            ));
        }
    }
    eprintln!(
        "{checked} filter x capture pairs checked over {} captures ({unread} unreadable by tshark \
         skipped), {} differ, {tolerated} listed in PARITY.md",
        captures.len() - unread,
        failures.len()
    );
    assert!(
        failures.is_empty() && stale.is_empty(),
        "{} mismatches:\n{}\nlisted in PARITY.md but no longer differing: {stale:?}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every filter over damaged captures (bytes flipped after the file header, frames cut short):
/// evaluation never panics, whatever the frames hold.
#[test]
fn filters_survive_damaged_frames() {
    let repo_filters: Vec<String> = if repo().join("tests/filters/filters.txt").is_file() {
        filters()
    } else {
        Vec::new()
    };
    let mut texts: Vec<String> = repo_filters;
    texts.extend(
        [
            "tcp.payload[0:2] == 16:03",
            "frame contains \"HTTP\"",
            "ip contains 00:00",
            "tcp matches \"a.b\"",
            "http or tls or dns",
            "ip.addr#2 == 10.0.0.1",
            "len(udp.payload) > 3",
            "eth.src[1:2] == eth.dst[1:2]",
            "upper(dns.qry.name) contains \"A\"",
            "{frame.len - ip.len} > 14",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let compiled: Vec<Filter> = texts
        .iter()
        .filter_map(|t| Filter::compile(t).ok())
        .collect();
    let corpus = corpus_dir();
    let picks = [
        "zeek/gre-sample.pcap",
        "tcpdump/vxlan.pcap",
        "zeek/tls1.2.pcap",
        "chrissanders/http_google.pcapng",
        "zeek/ipv6-fragmented-dns.pcap",
        "chrissanders/ip_frag_source.pcapng",
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut runs = 0;
    for pick in picks {
        let original = std::fs::read(corpus.join(pick))
            .unwrap_or_else(|e| panic!("{pick} is not in the corpus: {e}"));
        for round in 0..6 {
            let mut bytes = original.clone();
            let header = if bytes.starts_with(&[0x0a, 0x0d, 0x0d, 0x0a]) {
                256
            } else {
                40
            };
            for _ in 0..(8 + round * 16) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                if bytes.len() > header {
                    let at = header + (seed as usize) % (bytes.len() - header);
                    bytes[at] ^= (seed >> 32) as u8 | 1;
                }
            }
            let mut analyzer = Analyzer::new();
            let file = analyzer.begin_file(pick);
            analyzer.push(file, &bytes);
            analyzer.finish();
            let memory = Memory(bytes);
            for filter in &compiled {
                let _ = analyzer.filter_frames(filter, Some(&memory));
                runs += 1;
            }
        }
    }
    assert!(runs > 0);
}

/// The filtered view the page and the CLI use: rows keep their frame numbers, a bad filter
/// leaves the view as it was, clearing shows every frame, byte-level filters need a byte source.
#[test]
fn analyzer_keeps_a_filtered_view() {
    let path = "chrissanders/http_google.pcapng";
    assert!(
        corpus_dir().join(path).is_file(),
        "{path} is not in the corpus"
    );
    let (mut analyzer, bytes) = load(path);
    assert_eq!(analyzer.view_len(), 12);
    assert_eq!(analyzer.apply_filter("tcp.flags.syn == 1"), Ok(2));
    let rows = analyzer.view_rows(0, 100);
    assert_eq!(rows.iter().map(|r| r.no).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(analyzer.filter_text(), Some("tcp.flags.syn == 1"));
    assert_eq!(
        (analyzer.view_index_of(2), analyzer.view_index_of(3)),
        (Some(1), None)
    );
    let error = analyzer.apply_filter("tcp.flags.syn ==").unwrap_err();
    assert_eq!(error.message, "expected a value after '=='");
    assert_eq!(
        analyzer.view_len(),
        2,
        "a bad filter keeps the previous view"
    );
    let error = analyzer.apply_filter("frame contains \"GET\"").unwrap_err();
    assert_eq!(error.kind, tracelens::filter::ErrorKind::Unavailable);
    assert_eq!(
        analyzer.apply_filter_with("frame contains \"GET\"", Some(&bytes)),
        Ok(1)
    );
    assert_eq!(analyzer.view_rows(0, 10)[0].no, 4);
    assert_eq!(analyzer.apply_filter("http.response.code == 200"), Ok(1));
    assert_eq!(
        analyzer.view_rows(0, 10)[0].no,
        6,
        "without bytes: the index's labels"
    );
    assert_eq!(
        analyzer.apply_filter_with("http.response.code == 200", Some(&bytes)),
        Ok(1)
    );
    assert_eq!(
        analyzer.view_rows(0, 10)[0].no,
        12,
        "with bytes: where the response completes"
    );
    assert_eq!(analyzer.view_rows(5, 10), vec![]);
    analyzer.clear_filter();
    assert_eq!((analyzer.view_len(), analyzer.filter_text()), (12, None));
    assert_eq!(analyzer.apply_filter("  "), Ok(12));
    assert!(analyzer.check_filter("ip.addr == 10.0.0.0/8").is_ok());
    assert_eq!(
        analyzer.complete_filter("tcp.analysis.ack_"),
        vec![
            (
                "tcp.analysis.ack_lost_segment",
                "ACK for data that was not captured"
            ),
            (
                "tcp.analysis.ack_rtt",
                "Round-trip time: seconds from a segment to the ACK that covers it"
            ),
        ]
    );
}

/// The deterministic synthetic capture (`tracelens synth`, 100 000 packets, seed 42): frame
/// counts that tshark 4.0.17 selects for the benchmark filters (measured once with
/// `tshark -r synth-100k.pcap -Y FILTER`), over many short connections with loss.
#[test]
#[cfg(feature = "cli")]
fn synthetic_capture_counts_match_tshark() {
    let mut bytes = Vec::new();
    tracelens::synth::write_synthetic_capture(&mut bytes, 100_000, 42).expect("synth");
    let mut analyzer = Analyzer::new();
    let file = analyzer.begin_file("synth-100k.pcap");
    analyzer.push(file, &bytes);
    analyzer.finish();
    let memory = Memory(bytes);
    let expected = [
        ("tcp.flags.syn==1 and tcp.port==443", 33477),
        ("ip.addr==10.1.0.0/16", 100_000),
        ("tcp.len > 100", 30514),
        (
            "tcp.port in {80, 443, 8000..8080} and not tcp.flags.reset==1",
            99912,
        ),
        ("ip.src == 10.1.1.3 or ip.dst == 10.1.1.4", 6),
        ("tcp.analysis.retransmission", 522),
        ("frame.time_relative > 1.5 and frame.len >= 1000", 0),
        ("tcp.stream == 1234", 6),
        ("eth.src == 00:1b:21:3a:32:8d and tcp.window_size < 1000", 0),
        ("http", 0),
        ("tls", 0),
    ];
    for (text, count) in expected {
        let filter = Filter::compile(text).expect(text);
        let frames = analyzer.filter_frames(&filter, Some(&memory)).expect(text);
        assert_eq!(frames.len(), count, "{text}");
    }
}

/// Syntax beyond the committed list, each on a capture where tshark 4.0.17 selects a few frames
/// (`tshark -r CAPTURE -Y FILTER`): the layer operator, functions, arithmetic and bitwise and,
/// slices with strings and regular expressions, field against field, `===`/`!==`/`any`/`all`,
/// `not in`, sets of strings and subnets, and analysis fields.
#[test]
fn more_syntax_matches_tshark() {
    let cases: [(&str, &str, &[u64]); 33] = [
        // tshark -r zeek/linux_dlt_sll2.pcap -T fields -e frame.number -e sll.src.eth -e sll.hatype:
        // frames 1–4 loopback (772) with 00:00:00:00:00:00, frames 5–6 Ethernet (1) ARP/RARP.
        ("sll.src.eth == 8e:36:06:44:ac:af", "zeek/linux_dlt_sll2.pcap", &[5, 6]),
        ("sll.src.eth == 00:00:00:00:00:00", "zeek/linux_dlt_sll2.pcap", &[1, 2, 3, 4]),
        ("ip.addr#1 == 192.168.0.1", "pcapng-test-generator/test202.pcapng", &[3, 6, 9]),
        ("len(tcp.payload) > 100", "zeek/mixed-vlan-mpls.pcap", &[16, 17, 20, 21, 22, 23, 28, 39, 40, 41]),
        ("count(ip.addr) == 4", "tcpdump/vxlan.pcap", &[1, 4, 5, 6, 7, 8, 9, 10]),
        ("{tcp.srcport + 1} == 81", "chrissanders/http_ip4and6.pcapng", &[2, 5, 6, 9, 12, 15, 16, 19]),
        ("tcp.flags & 0x12 == 0x12", "ms-netcaps/MS-ADOD_Example1_4_Win2016_X64_Win2016_X64_Domain_UnjoiningADomainMember.cap", &[2, 25, 32, 40, 50, 62, 88, 90, 96]),
        ("tcp.flags & 0x04", "ms-netcaps/MS-ADOD_Example1_4_Win2016_X64_Win2016_X64_Domain_UnjoiningADomainMember.cap", &[39, 49, 60, 70, 168, 180, 181, 182, 183]),
        ("string(tcp.port) == \"80\"", "zeek/http-vlan-0.pcap", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
        ("upper(http.request.method) == \"GET\"", "chrissanders/http_ip4and6.pcapng", &[4, 14]),
        ("tcp.payload[0:3] == \"GET\"", "chrissanders/http_ip4and6.pcapng", &[4, 14]),
        ("tcp.payload[0:4] matches \"^HTTP\"", "ms-netcaps/MS-WMOD_Example2_WS2016_X64_Win10_X64_Domain_Hagala.cap", &[21, 25, 34, 94, 155, 206]),
        ("eth.src[0:3] == eth.dst[0:3]", "zeek/mixed-vlan-mpls.pcap", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
        ("frame[0:2] == ff:ff", "ms-netcaps/MS-WMOD_Example4_WS2016_X64_Win10_X64_Domain_Hagala.cap", &[13, 14, 15, 16, 17, 18, 19, 20, 25, 59, 77]),
        ("tcp contains \"Host\"", "ms-netcaps/MS-WMOD_Example2_WS2016_X64_Win10_X64_Domain_Hagala.cap", &[22, 31, 91, 152, 203]),
        ("tcp.port !== 80", "zeek/http-vlan-0.pcap", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
        ("any tcp.port == 80", "zeek/http-vlan-0.pcap", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
        ("all tcp.port != 80", "zeek/almost-resp.pcap", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
        ("tcp.srcport > tcp.dstport", "zeek/tls1.2.pcap", &[1, 3, 4, 7, 9, 10, 12, 13, 15, 17, 19, 20, 21]),
        ("ip.ttl < ip.len", "zeek/mime-header-size-limit.pcap.gz", &[4, 8, 10, 14, 20, 22, 24, 26, 28, 30, 32, 34, 36]),
        ("tcp.port in {1..1024}", "zeek/http-vlan-0.pcap", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
        ("tcp.port not in {80, 443}", "libpcap/gateway_or_not.pcap", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
        ("ip.addr in {10.0.0.0/8, 192.168.0.0/16}", "tcpdump/vxlan.pcap", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        ("http.request.method in {\"GET\", \"POST\"}", "chrissanders/http_ip4and6.pcapng", &[4, 14]),
        ("frame.time_relative >= 0.5 and frame.time_relative < 1", "zeek/retransmit-fast009.pcap", &[29, 30, 31, 32, 33, 34, 35, 36, 37, 38]),
        ("icmp.type in {0, 8} and icmp.code == 0", "zeek/timeout-with-pings.pcap", &[4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]),
        ("tcp.nxtseq > 1000", "zeek/mixed-vlan-mpls.pcap", &[16, 17, 20, 21, 22, 23, 28, 31, 32, 39, 40, 41, 42, 47]),
        ("frame.number in {1, 10..20, 100}", "chrissanders/http_espn.pcapng", &[1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 100]),
        ("tcp.analysis.acks_frame", "ms-netcaps/MS-CCROD_Example1_Win2016_X64_Win10_X64_Domain.cap", &[3, 5, 7, 47, 48, 53, 60, 71, 86, 88, 91, 180, 181, 182]),
        ("tcp.analysis.duplicate_ack_num == 1", "tcpdump/pptp.pcap", &[7, 12, 18, 23]),
        ("http.response.phrase == \"OK\"", "chrissanders/http_ip4and6.pcapng", &[6, 16]),
        ("http.request.uri contains \".js\"", "chrissanders/http_espn.pcapng", &[42, 421, 457, 761, 800, 867, 905]),
        ("dns.count.answers > 0", "chrissanders/http_espn.pcapng", &[2, 10, 22, 226, 227, 417, 427, 455, 483, 756, 811, 848, 866, 907]),
    ];
    let mut loaded: BTreeMap<&str, (Analyzer, Memory)> = BTreeMap::new();
    for (text, capture, expected) in cases {
        assert!(
            corpus_dir().join(capture).is_file(),
            "{capture} is not in the corpus"
        );
        let (analyzer, bytes) = loaded.entry(capture).or_insert_with(|| load(capture));
        let filter = Filter::compile(text).unwrap_or_else(|e| panic!("{e}"));
        let frames: Vec<u64> = analyzer
            .filter_frames(&filter, Some(&*bytes))
            .expect(text)
            .into_iter()
            .map(|i| u64::from(i) + 1)
            .collect();
        assert_eq!(frames, expected, "{text} on {capture}");
    }
}
