//! What an opened capture shows of the plan, in the plan's words: the marker pings (start
//! [`START_MARKER`] bytes, end [`END_MARKER`] bytes, as `tracelens markers` finds them), and
//! files that are parts of a ring buffer or a chain — dumpcap's `name_00003_20120622134811.pcapng`,
//! tcpdump's `name.pcap3` (`-C`/`-W`), nmcap's `name.cap`, `name(1).cap`… — whether the parts
//! are consecutive and follow each other in time. Two capture points are the Compare view's.

use crate::capture::FileInfo;
use crate::findings::markers::{Markers, END_MARKER, START_MARKER};
use crate::index::{flag, PacketIndex};
use serde::Serialize;

/// Parts whose frames are further apart than this (between one part's last frame and the
/// next part's first) are not contiguous.
pub const MAX_PART_GAP_NS: i64 = 5_000_000_000;

/// One sentence about the capture (`kind`: `markers`, `no_markers`, `ring`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub kind: &'static str,
    pub text: String,
}

/// One file of the capture and the time its frames span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSpan {
    pub name: String,
    pub first_ns: Option<i64>,
    pub last_ns: Option<i64>,
}

/// The files of an analysis with the time span of each one's frames.
pub fn spans(index: &PacketIndex, files: &[FileInfo]) -> Vec<FileSpan> {
    let mut spans: Vec<FileSpan> = files
        .iter()
        .map(|f| FileSpan {
            name: f.name.clone(),
            first_ns: None,
            last_ns: None,
        })
        .collect();
    for r in index.records.iter().filter(|r| r.has(flag::HAS_TIME)) {
        if let Some(s) = spans.get_mut(usize::from(index.file_of(&r))) {
            s.first_ns = Some(s.first_ns.map_or(r.ts_ns, |t| t.min(r.ts_ns)));
            s.last_ns = Some(s.last_ns.map_or(r.ts_ns, |t| t.max(r.ts_ns)));
        }
    }
    spans
}

/// A file name as a part of a ring or chain: (the tool, the name without the part, the part).
fn part_of(name: &str) -> Option<(&'static str, String, u64)> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let base = base.strip_suffix(".gz").unwrap_or(base);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // dumpcap: prefix_NNNNN_YYYYMMDDhhmmss.ext
    if let Some((stem, _ext)) = base.rsplit_once('.') {
        let mut parts = stem.rsplitn(3, '_');
        if let (Some(time), Some(no), Some(prefix)) = (parts.next(), parts.next(), parts.next()) {
            if time.len() == 14 && digits(time) && no.len() >= 5 && digits(no) {
                return Some(("dumpcap", prefix.to_string(), no.parse().ok()?));
            }
        }
        // nmcap: name(N).cap, and name.cap as part 0 (only counted beside a numbered part).
        if let Some(open) = stem.strip_suffix(')').and_then(|s| s.rsplit_once('(')) {
            if digits(open.1) && base.ends_with(".cap") {
                return Some(("nmcap", open.0.to_string(), open.1.parse().ok()?));
            }
        }
    }
    // tcpdump -C/-W: name.pcapN
    if let Some(at) = base.rfind(".pcap") {
        let (prefix, rest) = base.split_at(at);
        let no = &rest[".pcap".len()..];
        if digits(no) {
            return Some(("tcpdump", prefix.to_string(), no.parse().ok()?));
        }
    }
    None
}

/// Parts sharing a name: the tool, the name, and each part's number and file.
type Group<'a> = (&'static str, String, Vec<(u64, &'a FileSpan)>);

/// The ring/chain notes: one per group of parts sharing a name.
fn ring_notes(files: &[FileSpan]) -> Vec<Note> {
    let mut groups: Vec<Group> = Vec::new();
    for f in files {
        let Some((tool, prefix, no)) = part_of(&f.name) else {
            continue;
        };
        match groups.iter_mut().find(|g| g.0 == tool && g.1 == prefix) {
            Some(g) => g.2.push((no, f)),
            None => groups.push((tool, prefix, vec![(no, f)])),
        }
    }
    // nmcap's first file has no number: name.cap is part 0 of a chain that has numbered parts.
    for g in groups.iter_mut().filter(|g| g.0 == "nmcap") {
        let first = format!("{}.cap", g.1);
        if let Some(f) = files
            .iter()
            .find(|f| f.name.rsplit(['/', '\\']).next() == Some(&first))
        {
            g.2.push((0, f));
        }
    }
    groups
        .into_iter()
        .map(|(tool, _, mut parts)| {
            parts.sort_by_key(|(no, f)| (f.first_ns.unwrap_or(i64::MAX), *no));
            Note {
                kind: "ring",
                text: ring_text(tool, &parts),
            }
        })
        .collect()
}

/// "ring buffer (dumpcap): files 3–7 of a ring, contiguous".
fn ring_text(tool: &str, parts: &[(u64, &FileSpan)]) -> String {
    let (what, whole) = if tool == "nmcap" {
        ("chained capture", "chain")
    } else {
        ("ring buffer", "ring")
    };
    let numbers: Vec<u64> = parts.iter().map(|p| p.0).collect();
    let (Some(first), Some(last)) = (numbers.first(), numbers.last()) else {
        return String::new();
    };
    if parts.len() == 1 {
        return format!(
            "{what} ({tool}): file {first} of a {whole} alone — if the repro is not in it, ask for \
             the files written just before and after it."
        );
    }
    let mut problems = Vec::new();
    for w in parts.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if b.0 != a.0 + 1 && !(tool == "tcpdump" && b.0 == 0) {
            problems.push(format!("file {} follows file {}", b.0, a.0));
        } else if let (Some(end), Some(start)) = (a.1.last_ns, b.1.first_ns) {
            let gap = start.saturating_sub(end);
            if gap > MAX_PART_GAP_NS {
                problems.push(format!(
                    "{:.1} s pass between files {} and {}",
                    gap as f64 / 1e9,
                    a.0,
                    b.0
                ));
            }
        }
    }
    let range = format!("{what} ({tool}): files {first}–{last} of a {whole}");
    if problems.is_empty() {
        format!("{range}, contiguous.")
    } else {
        format!(
            "{range}, not contiguous: {} — a part is missing.",
            problems.join("; ")
        )
    }
}

/// The marker note: where the start and end markers are, or that there are none.
fn marker_note(markers: &Markers) -> Note {
    let first = |size: u32| {
        markers
            .markers
            .iter()
            .find(|m| m.payload_len == size)
            .map(|m| m.no)
    };
    let (start, end) = (first(START_MARKER), first(END_MARKER));
    let range = markers
        .ranges
        .first()
        .map(|r| format!("; the repro lies between frames {} and {}", r.from, r.to))
        .unwrap_or_default();
    let text = match (start, end) {
        (Some(s), Some(e)) => {
            format!("Markers found: start {START_MARKER} bytes at frame {s}, end {END_MARKER} bytes at frame {e}{range}.")
        }
        (Some(s), None) => format!(
            "Start marker ({START_MARKER} bytes) at frame {s}, no end marker ({END_MARKER} bytes){range}."
        ),
        (None, Some(e)) => format!(
            "End marker ({END_MARKER} bytes) at frame {e}, no start marker ({START_MARKER} bytes){range}."
        ),
        (None, None) if !markers.markers.is_empty() => {
            let sizes: Vec<String> = markers.markers.iter().map(|m| m.payload_len.to_string()).take(3).collect();
            format!(
                "Marker pings of other sizes found ({} bytes, first at frame {}){range}; the plan's are {START_MARKER} and {END_MARKER}.",
                sizes.join(", "),
                markers.markers[0].no
            )
        }
        (None, None) => {
            return Note {
                kind: "no_markers",
                text: format!(
                    "No marker pings: ask for ping -l {START_MARKER} before and -l {END_MARKER} after the repro next time (see the capture plan)."
                ),
            }
        }
    };
    Note {
        kind: "markers",
        text,
    }
}

/// What the capture open in `analyzer` shows of the plan.
pub fn of_analysis(analyzer: &crate::analyzer::Analyzer) -> Vec<Note> {
    let index = analyzer.index();
    let found = crate::findings::markers::find(index);
    notes(&spans(index, &analyzer.file_infos()), &found)
}

/// Everything the capture shows of the plan.
pub fn notes(files: &[FileSpan], markers: &Markers) -> Vec<Note> {
    let mut notes = vec![marker_note(markers)];
    notes.extend(ring_notes(files));
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::markers::{Marker, MarkerRange};

    fn span(name: &str, first_s: i64, last_s: i64) -> FileSpan {
        FileSpan {
            name: name.into(),
            first_ns: Some(first_s * 1_000_000_000),
            last_ns: Some(last_s * 1_000_000_000),
        }
    }

    #[test]
    fn names_of_parts() {
        assert_eq!(
            part_of("servername_00003_20120622141512.pcap"),
            Some(("dumpcap", "servername".into(), 3))
        );
        assert_eq!(
            part_of(r"C:\t\my_box_00012_20261204171500.pcapng.gz"),
            Some(("dumpcap", "my_box".into(), 12))
        );
        assert_eq!(
            part_of("ServerTest(2).cap"),
            Some(("nmcap", "ServerTest".into(), 2))
        );
        assert_eq!(
            part_of("server.pcap07"),
            Some(("tcpdump", "server".into(), 7))
        );
        assert_eq!(part_of("server.pcap"), None);
        assert_eq!(part_of("capture_1_2.pcap"), None);
    }

    #[test]
    fn a_contiguous_ring_and_a_missing_part() {
        let files = [
            span("srv_00004_20120622135617.pcapng", 100, 199),
            span("srv_00003_20120622134811.pcapng", 0, 99),
            span("srv_00005_20120622141512.pcapng", 200, 299),
        ];
        let gap = [files[1].clone(), files[2].clone()];
        let late = [span("x.pcap0", 0, 10), span("x.pcap1", 60, 70)];
        for (parts, expected) in [
            (&files[..], "ring buffer (dumpcap): files 3–5 of a ring, contiguous."),
            (&gap[..], "ring buffer (dumpcap): files 3–5 of a ring, not contiguous: file 5 follows file 3 — a part is missing."),
            (&late[..], "ring buffer (tcpdump): files 0–1 of a ring, not contiguous: 50.0 s pass between files 0 and 1 — a part is missing."),
        ] {
            assert_eq!(ring_notes(parts)[0].text, expected);
        }
    }

    #[test]
    fn an_nmcap_chain_starts_with_the_plain_name() {
        let files = [
            span("T.cap", 0, 9),
            span("T(1).cap", 10, 19),
            span("T(2).cap", 20, 29),
        ];
        assert_eq!(
            ring_notes(&files)[0].text,
            "chained capture (nmcap): files 0–2 of a chain, contiguous."
        );
        // A lone plain name is not a chain.
        assert!(ring_notes(&files[..1]).is_empty());
    }

    fn marker(no: u64, size: u32) -> Marker {
        Marker {
            no,
            reply_no: None,
            ip_len: 28 + size,
            payload_len: size,
            time: None,
            echo: "request",
            ipv6: false,
            span: (0, 0),
        }
    }

    #[test]
    fn markers_in_the_plans_words() {
        let found = Markers {
            markers: vec![marker(6, 22), marker(20, 33)],
            ranges: vec![MarkerRange {
                from: 10,
                to: 19,
                filter: String::new(),
            }],
        };
        assert_eq!(
            marker_note(&found).text,
            "Markers found: start 22 bytes at frame 6, end 33 bytes at frame 20; the repro lies between frames 10 and 19."
        );
        let none = marker_note(&Markers::default());
        assert_eq!(none.kind, "no_markers");
        let other = Markers {
            markers: vec![marker(3, 1234)],
            ranges: vec![],
        };
        assert!(marker_note(&other)
            .text
            .starts_with("Marker pings of other sizes found (1234 bytes, first at frame 3)"));
    }
}
