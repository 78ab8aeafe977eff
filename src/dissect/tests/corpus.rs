//! A tiny test-only reader for the shared capture corpus: classic pcap (either byte order,
//! micro- or nanosecond) and pcapng (SHB, IDB, EPB, SPB; other blocks skipped). Just enough to
//! get frames out for the dissector tests; the real readers live in `capture`.

use crate::dissect::{dissect, Node};

pub struct Frame {
    pub link_type: u32,
    pub data: Vec<u8>,
    pub orig_len: u32,
}

impl Frame {
    pub fn dissect(&self) -> Vec<Node> {
        dissect(self.link_type, &self.data, self.orig_len)
    }
}

pub fn path(name: &str) -> String {
    format!("{}/../shared/captures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Every capture in the corpus MANIFEST's file table (first column), in table order. Fails
/// unless the table lists exactly the "Total: N files." the MANIFEST states, every listed file
/// exists, and no file on disk is missing from the table: no test can skip a capture silently.
pub fn manifest_paths() -> Vec<String> {
    let root = path("");
    let manifest = std::fs::read_to_string(path("MANIFEST.md"))
        .unwrap_or_else(|e| panic!("corpus MANIFEST.md under {root}: {e}"));
    let table = manifest
        .split("\n| path under captures/")
        .nth(1)
        .expect("the MANIFEST's file table");
    let table = table.split("\n## ").next().unwrap_or(table);
    let paths: Vec<String> = table
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_string)
        .collect();
    let total: usize = manifest
        .split("Total: ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the MANIFEST's \"Total: N files.\"");
    assert_eq!(
        paths.len(),
        total,
        "file-table rows vs the MANIFEST's total"
    );
    let missing: Vec<&String> = paths
        .iter()
        .filter(|p| !std::path::Path::new(&path(p)).is_file())
        .collect();
    assert!(missing.is_empty(), "listed but not in {root}: {missing:?}");
    let mut on_disk = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(&root)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = entry.expect("directory entry").path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                on_disk.push(p);
            }
        }
    }
    let unlisted: Vec<String> = on_disk
        .iter()
        .filter_map(|p| p.strip_prefix(&root).ok())
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| p != "MANIFEST.md" && p != "SHA256SUMS" && !paths.contains(p))
        .collect();
    assert!(
        unlisted.is_empty(),
        "in {root} but not in the MANIFEST: {unlisted:?}"
    );
    paths
}

pub fn read(name: &str) -> Vec<Frame> {
    static LISTED: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    assert!(
        LISTED.get_or_init(manifest_paths).iter().any(|p| p == name),
        "{name} is not a capture of the corpus MANIFEST"
    );
    let bytes =
        std::fs::read(path(name)).unwrap_or_else(|e| panic!("cannot read corpus file {name}: {e}"));
    match bytes.get(..4) {
        Some([0x0a, 0x0d, 0x0d, 0x0a]) => read_pcapng(&bytes),
        _ => read_pcap(&bytes),
    }
}

/// Frame `n`, counted from 1 like tshark's frame.number.
pub fn frame(name: &str, n: usize) -> Frame {
    read(name)
        .into_iter()
        .nth(n - 1)
        .unwrap_or_else(|| panic!("{name} has no frame {n}"))
}

fn u32_at(b: &[u8], at: usize, le: bool) -> u32 {
    let s = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    if le {
        u32::from_le_bytes(s)
    } else {
        u32::from_be_bytes(s)
    }
}

fn read_pcap(b: &[u8]) -> Vec<Frame> {
    let le = match b.get(..4) {
        Some([0xd4, 0xc3, 0xb2, 0xa1]) | Some([0x4d, 0x3c, 0xb2, 0xa1]) => true,
        Some([0xa1, 0xb2, 0xc3, 0xd4]) | Some([0xa1, 0xb2, 0x3c, 0x4d]) => false,
        _ => panic!("not a pcap file"),
    };
    let link_type = u32_at(b, 20, le);
    let mut frames = Vec::new();
    let mut at = 24;
    while at + 16 <= b.len() {
        let incl = u32_at(b, at + 8, le) as usize;
        let orig = u32_at(b, at + 12, le);
        let data = &b[at + 16..(at + 16 + incl).min(b.len())];
        frames.push(Frame {
            link_type,
            data: data.to_vec(),
            orig_len: orig,
        });
        at += 16 + incl;
    }
    frames
}

fn read_pcapng(b: &[u8]) -> Vec<Frame> {
    let mut frames = Vec::new();
    let mut interfaces: Vec<u32> = Vec::new();
    let mut le = true;
    let mut at = 0;
    while at + 12 <= b.len() {
        if b[at..at + 4] == [0x0a, 0x0d, 0x0d, 0x0a] {
            le = b[at + 8..at + 12] == [0x4d, 0x3c, 0x2b, 0x1a];
            interfaces.clear();
        }
        let kind = u32_at(b, at, le);
        let len = u32_at(b, at + 4, le) as usize;
        if len < 12 || at + len > b.len() {
            break;
        }
        let block = &b[at..at + len];
        match kind {
            1 => interfaces.push(u32::from(if le {
                u16::from_le_bytes([block[8], block[9]])
            } else {
                u16::from_be_bytes([block[8], block[9]])
            })),
            6 => {
                let iface = u32_at(block, 8, le) as usize;
                let cap = u32_at(block, 20, le) as usize;
                let orig = u32_at(block, 24, le);
                let data = &block[28..(28 + cap).min(len - 4)];
                frames.push(Frame {
                    link_type: interfaces.get(iface).copied().unwrap_or(1),
                    data: data.to_vec(),
                    orig_len: orig,
                });
            }
            3 => {
                let orig = u32_at(block, 8, le);
                let data = &block[12..(12 + orig as usize).min(len - 4)];
                frames.push(Frame {
                    link_type: interfaces.first().copied().unwrap_or(1),
                    data: data.to_vec(),
                    orig_len: orig,
                });
            }
            _ => {}
        }
        at += len;
    }
    frames
}

/// The tree as indented text with offsets (for eyeballing against `tshark -V`).
pub fn render(nodes: &[Node]) -> String {
    fn walk(out: &mut String, nodes: &[Node], depth: usize) {
        for n in nodes {
            out.push_str(&format!(
                "{}{} [{}+{}]{}{}\n",
                "  ".repeat(depth),
                n.label,
                n.start,
                n.len,
                n.field.map(|f| format!(" <{f}>")).unwrap_or_default(),
                n.problem
                    .as_ref()
                    .map(|p| format!(" !! {p}"))
                    .unwrap_or_default()
            ));
            walk(out, &n.children, depth + 1);
        }
    }
    let mut out = String::new();
    walk(&mut out, nodes, 0);
    out
}

/// Every node (depth first).
pub fn all_nodes(nodes: &[Node]) -> Vec<&Node> {
    let mut out = Vec::new();
    let mut stack: Vec<&Node> = nodes.iter().rev().collect();
    while let Some(n) = stack.pop() {
        out.push(n);
        stack.extend(n.children.iter().rev());
    }
    out
}

/// The first node carrying `field`, anywhere in the tree; panics with the tree when missing.
pub fn field<'a>(nodes: &'a [Node], name: &str) -> &'a Node {
    all_nodes(nodes)
        .into_iter()
        .find(|n| n.field == Some(name))
        .unwrap_or_else(|| panic!("no node with field {name} in:\n{}", render(nodes)))
}

/// Every node carrying `field`.
pub fn fields<'a>(nodes: &'a [Node], name: &str) -> Vec<&'a Node> {
    all_nodes(nodes)
        .into_iter()
        .filter(|n| n.field == Some(name))
        .collect()
}

/// All problem notes in the tree.
pub fn problems(nodes: &[Node]) -> Vec<String> {
    all_nodes(nodes)
        .into_iter()
        .filter_map(|n| n.problem.clone())
        .collect()
}

/// The invariants every tree must keep: nodes inside the captured bytes, labels plain text of
/// bounded length.
pub fn check_invariants(nodes: &[Node], captured: usize) {
    for n in all_nodes(nodes) {
        let end = n.start as usize + n.len as usize;
        assert!(
            end <= captured,
            "node {:?} [{}+{}] ends past the {captured} captured bytes",
            n.label,
            n.start,
            n.len
        );
        assert!(
            n.label.chars().count() <= 1000,
            "label too long: {}",
            n.label.len()
        );
        assert!(
            !n.label.chars().any(|c| c.is_control()),
            "control character in label {:?}",
            n.label
        );
    }
}
