//! The whole corpus through the details dissector, the way the page gets there: every file listed
//! in the corpus MANIFEST (NetMon and gzip included) is read by the same [`Analyzer`] the CLI and
//! the page drive, each frame's bytes are sliced out of the (decompressed) file at the offset and
//! length [`Analyzer::locate`] gives, and [`Analyzer::details`] builds its tree. Then the same
//! again over mutated copies (bytes flipped and the file cut at pseudo-random places, a fixed
//! xorshift seed). Every tree must keep properties that can fail:
//!
//! - no panic;
//! - every node's bytes lie inside the frame, and every child's bytes inside its parent's;
//! - a frame with bytes gets more than the Frame summary (some layer covers its first byte);
//! - on the unmutated corpus, where the index knows the frame's network addresses, transport
//!   ports and protocol, the tree's outermost-to-innermost layers end with the same ones (the
//!   packet-list row's Source/Destination, the record's ports);
//! - on the unmutated corpus, the Frame lengths equal tshark's `frame.len`/`frame.cap_len` and
//!   the innermost IP addresses tshark's Source/Destination columns (`tests/goldens/**/
//!   frames.tsv`), except for the captures in [`KNOWN_ADDRESS_DEVIATIONS`], counted and printed.

use super::corpus::{manifest_paths, path, render};
use crate::analyzer::Analyzer;
use crate::dissect::Node;
use crate::index::{flag, PacketRecord};
use std::io::Read;
use std::net::IpAddr;

/// The bytes the analyzer's offsets point into: the file itself, or its decompressed stream for
/// gzip (the page keeps the decompressed bytes for exactly this).
fn stream_bytes(raw: &[u8]) -> Vec<u8> {
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        // A damaged gzip still yields what inflated before the damage, as the reader sees it.
        let _ = flate2::read::MultiGzDecoder::new(raw).read_to_end(&mut out);
        out
    } else {
        raw.to_vec()
    }
}

fn analyze(raw: &[u8]) -> Analyzer {
    let mut analyzer = Analyzer::new();
    let file = analyzer.begin_file("capture");
    analyzer.push(file, raw);
    analyzer.end_file(file);
    analyzer.finish();
    analyzer
}

/// Children that, as in Wireshark, sit in their layer's subtree but cover the bytes after the
/// layer's header: the payload a TCP/UDP header carries, and the Ethernet padding or trailer
/// after the packet the EtherType announced. They must still lie inside the frame.
const TRAILING: [&str; 4] = ["tcp.payload", "udp.payload", "eth.padding", "eth.trailer"];

/// The details tree of every frame of corpus file `name`, as the page gets it.
pub fn trees(name: &str) -> Vec<Vec<Node>> {
    let raw = std::fs::read(path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let stream = stream_bytes(&raw);
    let analyzer = analyze(&raw);
    (1..=analyzer.len() as u64)
        .map(|no| {
            let at = analyzer.locate(no).expect("located");
            let bytes = &stream[at.offset as usize..][..at.caplen as usize];
            analyzer.details(no, bytes).expect("details").tree
        })
        .collect()
}

/// Structural properties of one tree; returns the first violation.
fn check_tree(tree: &[Node], captured: usize) -> Result<(), String> {
    fn walk(nodes: &[Node], parent: Option<&Node>, captured: usize) -> Result<(), String> {
        for n in nodes {
            let (start, end) = (n.start as usize, n.start as usize + n.len as usize);
            if start > captured || end > captured {
                return Err(format!(
                    "node {:?} [{}+{}] lies outside the {captured} captured bytes",
                    n.label, n.start, n.len
                ));
            }
            let trails = n.field.is_some_and(|f| TRAILING.contains(&f));
            if let Some(p) = parent.filter(|p| p.len > 0 && n.len > 0 && !trails) {
                let (ps, pe) = (p.start as usize, p.start as usize + p.len as usize);
                if start < ps || end > pe {
                    return Err(format!(
                        "child {:?} [{}+{}] lies outside its parent {:?} [{}+{}]",
                        n.label, n.start, n.len, p.label, p.start, p.len
                    ));
                }
            }
            walk(&n.children, Some(n), captured)?;
        }
        Ok(())
    }
    walk(tree, None, captured)?;
    let first = tree.first().ok_or("empty tree")?;
    if (first.start, first.len as usize) != (0, captured) {
        return Err(format!(
            "the Frame node covers [{}+{}], not the {captured} captured bytes",
            first.start, first.len
        ));
    }
    if captured > 0 && !tree[1..].iter().any(|l| l.start == 0 && l.len > 0) {
        return Err("no layer covers the frame's first byte".into());
    }
    Ok(())
}

/// The value after the label's first ": " (e.g. "Source Address: 10.0.0.1" → "10.0.0.1").
fn value(node: &Node) -> &str {
    node.label
        .split_once(": ")
        .map_or("", |(_, v)| v.split(" (").next().unwrap_or(v))
}

/// The last top-level layer with a direct child carrying `field` (the innermost one; packets
/// quoted inside ICMP errors sit deeper and are not counted).
fn innermost<'t>(tree: &'t [Node], field: &str) -> Option<&'t Node> {
    tree.iter()
        .rev()
        .find_map(|l| l.children.iter().find(|c| c.field == Some(field)))
}

/// How many frames had their addresses / ports compared with the index.
#[derive(Default, Debug)]
struct Compared {
    addresses: usize,
    ports: usize,
    /// Frames whose innermost IP addresses were compared with tshark's columns.
    tshark: usize,
}

/// What the index says about the frame against what the tree says.
fn check_agreement(
    analyzer: &Analyzer,
    i: usize,
    r: &PacketRecord,
    tree: &[Node],
    compared: &mut Compared,
) -> Result<(), String> {
    let row = analyzer.rows(i, 1).pop().ok_or("no row")?;
    if r.is_ip() {
        let (src, dst) = if r.has(flag::IPV6) && !r.has(flag::IPV4) {
            ("ipv6.src", "ipv6.dst")
        } else {
            ("ip.src", "ip.dst")
        };
        // Pick whichever IP version is innermost in the tree.
        let v4 = tree
            .iter()
            .rposition(|l| l.children.iter().any(|c| c.field == Some("ip.src")));
        let v6 = tree
            .iter()
            .rposition(|l| l.children.iter().any(|c| c.field == Some("ipv6.src")));
        let (src, dst) = match (v4, v6) {
            (Some(a), Some(b)) if b > a => ("ipv6.src", "ipv6.dst"),
            (Some(_), _) => ("ip.src", "ip.dst"),
            (None, Some(_)) => ("ipv6.src", "ipv6.dst"),
            (None, None) => (src, dst),
        };
        for (field, want) in [(src, &row.src), (dst, &row.dst)] {
            let node = innermost(tree, field)
                .ok_or_else(|| format!("row says {want} but the tree has no {field}"))?;
            let got: Option<IpAddr> = value(node).parse().ok();
            let want_ip: Option<IpAddr> = want.parse().ok();
            if got.is_none() || got != want_ip {
                return Err(format!(
                    "{field}: tree {:?}, packet list {want}",
                    node.label
                ));
            }
        }
        compared.addresses += 1;
    }
    let ports = if r.is_tcp() {
        Some(("tcp.srcport", "tcp.dstport"))
    } else if r.is_udp() {
        Some(("udp.srcport", "udp.dstport"))
    } else {
        None
    };
    if let Some((sport, dport)) = ports {
        for (field, want) in [(sport, r.src_port), (dport, r.dst_port)] {
            let node = innermost(tree, field)
                .ok_or_else(|| format!("{} row but the tree has no {field}", row.protocol))?;
            if value(node).parse::<u16>().ok() != Some(want) {
                return Err(format!("{field}: tree {:?}, index {want}", node.label));
            }
        }
        compared.ports += 1;
    }
    Ok(())
}

/// Dissects every frame of `raw` as the page does; `agree` also compares with the index.
/// Returns the frames dissected; violations are appended to `failures` (one per frame at most).
fn sweep_file(
    name: &str,
    raw: &[u8],
    agree: bool,
    failures: &mut Vec<String>,
    compared: &mut Compared,
) -> usize {
    let stream = stream_bytes(raw);
    let tshark = if agree {
        tshark_frames(name)
    } else {
        Default::default()
    };
    let result = std::panic::catch_unwind(|| {
        let analyzer = analyze(raw);
        let mut problems = Vec::new();
        let mut counts = Compared::default();
        for i in 0..analyzer.len() {
            let no = i as u64 + 1;
            let Some(at) = analyzer.locate(no) else {
                problems.push(format!("{name} frame {no}: locate() has nothing"));
                continue;
            };
            let from = at.offset as usize;
            let Some(bytes) = stream.get(from..from + at.caplen as usize) else {
                problems.push(format!(
                    "{name} frame {no}: offset {from}+{} is past the data",
                    at.caplen
                ));
                continue;
            };
            let Some(details) = analyzer.details(no, bytes) else {
                problems.push(format!("{name} frame {no}: details() has nothing"));
                continue;
            };
            let record = &analyzer.index().records.at(i);
            let verdict = check_tree(&details.tree, bytes.len()).and_then(|()| {
                if agree {
                    check_agreement(&analyzer, i, record, &details.tree, &mut counts)?;
                    let t = tshark
                        .get(&no)
                        .ok_or_else(|| format!("no row {no} in tshark's frames.tsv"))?;
                    check_against_tshark(&details.tree, t, &mut counts)
                } else {
                    Ok(())
                }
            });
            if let Err(e) = verdict {
                problems.push(format!("{name} frame {no}: {e}\n{}", render(&details.tree)));
            }
        }
        (analyzer.len(), problems, counts)
    });
    match result {
        Ok((frames, problems, counts)) => {
            failures.extend(problems);
            compared.addresses += counts.addresses;
            compared.ports += counts.ports;
            compared.tshark += counts.tshark;
            frames
        }
        Err(_) => {
            failures.push(format!("{name}: PANIC while analysing or dissecting"));
            0
        }
    }
}

fn report(failures: &[String]) {
    if failures.is_empty() {
        return;
    }
    // The first few trees in full, then one line per further failure.
    let shown: Vec<String> = failures
        .iter()
        .enumerate()
        .map(|(k, f)| {
            if k < 5 {
                f.clone()
            } else {
                f.lines().next().unwrap_or("").to_string()
            }
        })
        .collect();
    panic!("{} failures:\n{}", failures.len(), shown.join("\n"));
}

/// Frames in the corpus as tshark 4.0.17 counts them (the sum of `frames` over
/// `tests/goldens/**/info.json`, which `tests/corpus.rs` checks file by file).
fn golden_frame_total() -> usize {
    manifest_paths()
        .iter()
        .map(|p| {
            let golden = format!("{}/tests/goldens/{p}/info.json", env!("CARGO_MANIFEST_DIR"));
            let text =
                std::fs::read_to_string(&golden).unwrap_or_else(|e| panic!("golden {golden}: {e}"));
            let key = "\"frames\":";
            let at = text
                .find(key)
                .unwrap_or_else(|| panic!("no frames in {golden}"));
            text[at + key.len()..]
                .trim_start()
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or_else(|| panic!("bad frames in {golden}"))
        })
        .sum()
}

/// One row of tshark's `frames.tsv` golden (`tests/goldens/generate.sh`: `tshark -n -r FILE -T
/// fields -e frame.number -e frame.time_epoch -e frame.len -e frame.cap_len -e
/// frame.interface_id -e _ws.col.def_src -e _ws.col.def_dst -e _ws.col.Protocol`, tshark
/// 4.0.17).
struct TsharkFrame {
    len: u32,
    cap_len: u32,
    src: String,
    dst: String,
}

/// tshark's rows for capture `name`, by frame number. A capture tshark counts frames in must
/// have the golden (the generator writes it for every capture it can open).
fn tshark_frames(name: &str) -> std::collections::HashMap<u64, TsharkFrame> {
    let golden = format!(
        "{}/tests/goldens/{name}/frames.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let Ok(text) = std::fs::read_to_string(&golden) else {
        return std::collections::HashMap::new();
    };
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let num = |k: usize| -> u64 {
                cols.get(k)
                    .and_then(|c| c.parse().ok())
                    .unwrap_or_else(|| panic!("{golden}: bad column {k} in {line:?}"))
            };
            let text = |k: usize| cols.get(k).copied().unwrap_or("").to_string();
            (
                num(0),
                TsharkFrame {
                    len: num(2) as u32,
                    cap_len: num(3) as u32,
                    src: text(5),
                    dst: text(6),
                },
            )
        })
        .collect()
}

/// The tree against tshark's row for the same frame: Frame lengths always; the innermost IP
/// source/destination where tshark's Source/Destination columns are IP addresses.
fn check_against_tshark(
    tree: &[Node],
    t: &TsharkFrame,
    compared: &mut Compared,
) -> Result<(), String> {
    let len = tree[0]
        .children
        .iter()
        .find(|c| c.field == Some("frame.len"));
    let cap = tree[0]
        .children
        .iter()
        .find(|c| c.field == Some("frame.cap_len"));
    let (len, cap) = (len.map(value), cap.map(value));
    let want = (t.len.to_string(), t.cap_len.to_string());
    if (
        len.map(|v| v.trim_end_matches(" bytes")),
        cap.map(|v| v.trim_end_matches(" bytes")),
    ) != (Some(want.0.as_str()), Some(want.1.as_str()))
    {
        return Err(format!(
            "Frame {len:?}/{cap:?} bytes, tshark frame.len {} frame.cap_len {}",
            t.len, t.cap_len
        ));
    }
    let (Ok(src), Ok(dst)) = (t.src.parse::<IpAddr>(), t.dst.parse::<IpAddr>()) else {
        return Ok(());
    };
    let v4 = tree
        .iter()
        .rposition(|l| l.children.iter().any(|c| c.field == Some("ip.src")));
    let v6 = tree
        .iter()
        .rposition(|l| l.children.iter().any(|c| c.field == Some("ipv6.src")));
    let prefix = if v6 > v4 { "ipv6" } else { "ip" };
    let ours = |what: &str| {
        innermost(tree, &format!("{prefix}.{what}")).and_then(|n| value(n).parse::<IpAddr>().ok())
    };
    if (ours("src"), ours("dst")) != (Some(src), Some(dst)) {
        return Err(format!(
            "{TSHARK_ADDRESSES} innermost {prefix} {:?} -> {:?}, tshark columns {src} -> {dst}",
            ours("src"),
            ours("dst")
        ));
    }
    compared.tshark += 1;
    Ok(())
}

/// Marks a frame whose innermost IP addresses differ from tshark's Source/Destination columns.
const TSHARK_ADDRESSES: &str = "[addresses differ from tshark]";

/// Captures where the details tree (and the index, which agrees with it) stop at an outer IP
/// layer that tshark looks through, with why. Every frame of theirs that differs is counted and
/// printed; a capture not listed here fails the test, and so does a listed one that no longer
/// differs (remove it then).
const KNOWN_ADDRESS_DEVIATIONS: [(&str, &str); 0] = [];

#[test]
fn every_corpus_frame_dissects_inside_its_bytes_and_agrees_with_the_index() {
    let mut failures = Vec::new();
    let mut frames = 0;
    let mut compared = Compared::default();
    let paths = manifest_paths();
    for name in &paths {
        let raw = std::fs::read(path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        frames += sweep_file(name, &raw, true, &mut failures, &mut compared);
    }
    println!(
        "dissected {frames} frames of {} files; addresses compared with the index in {}, ports \
         in {}, addresses with tshark's columns in {}",
        paths.len(),
        compared.addresses,
        compared.ports,
        compared.tshark
    );
    for (file, why) in KNOWN_ADDRESS_DEVIATIONS {
        let known =
            |f: &String| f.starts_with(&format!("{file} frame ")) && f.contains(TSHARK_ADDRESSES);
        let count = failures.iter().filter(|f| known(f)).count();
        println!("known deviation, {count} frames of {file}: {why}");
        assert!(
            count > 0,
            "{file} no longer differs from tshark: drop it from the list"
        );
        failures.retain(|f| !known(f));
    }
    report(&failures);
    assert_eq!(
        frames,
        golden_frame_total(),
        "frames swept vs tshark's count"
    );
    // Most of the corpus is IP with TCP/UDP: the comparisons must have happened.
    assert!(
        compared.addresses * 10 > frames * 8,
        "{compared:?} of {frames}"
    );
    assert!(compared.ports * 10 > frames * 7, "{compared:?} of {frames}");
    assert!(
        compared.tshark * 10 > frames * 8,
        "{compared:?} of {frames}"
    );
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Copies of `raw` with bytes flipped past the first 24 and cut at a random place (the same
/// scheme as `tests/tcp_parity.rs::mutated_captures_never_panic`). Gzip files are mutated in
/// their decompressed form, else almost every flip just breaks the deflate stream.
fn mutations(raw: &[u8], rng: &mut XorShift, rounds: usize) -> Vec<Vec<u8>> {
    let original = stream_bytes(raw);
    if original.len() < 26 {
        return Vec::new();
    }
    (0..rounds)
        .map(|_| {
            let mut bytes = original.clone();
            for _ in 0..1 + bytes.len() / 5000 {
                let at = 24 + (rng.next() as usize) % (bytes.len() - 24);
                bytes[at] ^= (rng.next() as u8) | 1;
            }
            let cut = 24 + (rng.next() as usize) % (bytes.len() - 23);
            bytes.truncate(cut);
            bytes
        })
        .collect()
}

#[test]
fn mutated_corpus_files_dissect_inside_their_bytes() {
    let rounds: usize = std::env::var("DISSECT_MUTATION_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut failures = Vec::new();
    let (mut files, mut frames) = (0, 0);
    for name in manifest_paths() {
        let raw = std::fs::read(path(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (k, bytes) in mutations(&raw, &mut rng, rounds).into_iter().enumerate() {
            files += 1;
            // Structure only: on mutated bytes the index's decoder and the dissector may part ways
            // where tshark itself has no answer to compare with (see the report).
            frames += sweep_file(
                &format!("{name} (mutation {k})"),
                &bytes,
                false,
                &mut failures,
                &mut Compared::default(),
            );
        }
    }
    println!("dissected {frames} frames of {files} mutated files");
    report(&failures);
    assert!(files >= 90 * rounds, "only {files} mutated files");
    assert!(frames > 5_000, "mutations left too few frames: {frames}");
}

/// The checks above must be able to fail: a tree with a wrong port, a wrong address, a child
/// outside its parent or a node past the frame is rejected.
#[test]
fn the_sweep_checks_reject_broken_trees() {
    let raw = std::fs::read(path("chrissanders/tcp_handshake.pcapng")).expect("capture");
    let analyzer = analyze(&raw);
    let at = analyzer.locate(1).expect("frame 1");
    let bytes = &raw[at.offset as usize..][..at.caplen as usize];
    let tree = analyzer.details(1, bytes).expect("details").tree;
    let record = analyzer.index().records.at(0);
    let mut compared = Compared::default();
    assert_eq!(check_tree(&tree, bytes.len()), Ok(()));
    assert_eq!(
        check_agreement(&analyzer, 0, &record, &tree, &mut compared),
        Ok(())
    );
    assert_eq!((compared.addresses, compared.ports), (1, 1));

    let edit = |field: &str, label: &str| {
        let mut t = tree.clone();
        for layer in &mut t {
            for c in &mut layer.children {
                if c.field == Some(field) {
                    c.label = label.to_string();
                }
            }
        }
        t
    };
    let wrong_port = edit("tcp.srcport", "Source Port: 2827");
    assert!(check_agreement(&analyzer, 0, &record, &wrong_port, &mut compared).is_err());
    let wrong_ip = edit("ip.dst", "Destination Address: 10.0.0.1");
    assert!(check_agreement(&analyzer, 0, &record, &wrong_ip, &mut compared).is_err());

    let mut outside = tree.clone();
    outside[2].children[0].start = 0; // ip.version moved into the Ethernet header
    assert!(check_tree(&outside, bytes.len()).is_err());
    let mut past = tree.clone();
    past[3].len += 1; // TCP one byte past the 66-byte frame
    assert!(check_tree(&past, bytes.len()).is_err());
    assert!(
        check_tree(&tree[..1], bytes.len()).is_err(),
        "Frame node alone"
    );
}
