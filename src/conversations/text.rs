//! The tables as tshark prints them: row order (frames descending, ties first-seen),
//! `format_size` byte figures, and the `-z conv,TYPE` / `-z endpoints,TYPE` text layouts.

use super::{Address, Conversation, Endpoint, Kind};

/// Indexes of `rows` in tshark's print order: total frames descending, ties in first-seen
/// order (rows without frames are not printed).
pub fn tshark_order(frames: impl Iterator<Item = u64>) -> Vec<usize> {
    let mut order: Vec<(u64, usize)> = frames
        .enumerate()
        .filter(|(_, f)| *f > 0)
        .map(|(i, f)| (f, i))
        .collect();
    crate::sort::sort_by(&mut order, |x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    order.into_iter().map(|(_, i)| i).collect()
}

/// tshark 4.0's `format_size(…, FORMAT_SIZE_UNIT_BYTES, SI)`: "1234 bytes", "12 kB", "3 MB"
/// (integer division by the largest power of 1000 that leaves at least 10).
pub fn format_size(size: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (1_000_000_000_000, " TB"),
        (1_000_000_000, " GB"),
        (1_000_000, " MB"),
        (1_000, " kB"),
    ];
    for (power, unit) in UNITS {
        if size / power >= 10 {
            return format!("{}{unit}", size / power);
        }
    }
    format!("{size} bytes")
}

const RULE: &str =
    "================================================================================\n";

fn address_text(address: &Address, port: Option<u16>) -> String {
    match port {
        Some(port) => format!("{address}:{port}"),
        None => address.to_string(),
    }
}

/// `tshark -q -z conv,TYPE` text (relative times, no name resolution).
pub fn conversations_text(kind: Kind, rows: &[Conversation]) -> String {
    let pad = if kind.has_ports() { "            " } else { "" };
    let mut out = String::from(RULE);
    out += &format!("{} Conversations\nFilter:<No Filter>\n", kind.title());
    out += &format!("{pad}                                               |       <-      | |       ->      | |     Total     |    Relative    |   Duration   |\n");
    out += &format!("{pad}                                               | Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |\n");
    for at in tshark_order(rows.iter().map(Conversation::frames)) {
        let row = &rows[at];
        let (a, b) = (
            address_text(&row.a, row.port_a),
            address_text(&row.b, row.port_b),
        );
        let sides = if kind.has_ports() {
            format!("{a:<26} <-> {b:<26}")
        } else {
            format!("{a:<20} <-> {b:<20}")
        };
        out += &format!(
            "{sides}  {:6} {:<9}  {:6} {:<9}  {:6} {:<9}  {:14.9}   {:12.4}\n",
            row.frames_ba,
            format_size(row.bytes_ba),
            row.frames_ab,
            format_size(row.bytes_ab),
            row.frames(),
            format_size(row.bytes()),
            row.rel_start(),
            row.duration()
        );
    }
    out += RULE;
    out
}

/// `tshark -q -z endpoints,TYPE` text (no name resolution).
pub fn endpoints_text(kind: Kind, rows: &[Endpoint]) -> String {
    let mut out = String::from(RULE);
    out += &format!("{} Endpoints\nFilter:<No Filter>\n", kind.title());
    out += &format!(
        "                       |  {}Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |\n",
        if kind.has_ports() { "Port  ||  " } else { "" }
    );
    for at in tshark_order(rows.iter().map(Endpoint::frames)) {
        let row = &rows[at];
        let address = row.address.to_string();
        let port = row.port.map(|p| format!("{p:>5}     ")).unwrap_or_default();
        out += &format!(
            "{address:<20}      {port}{:6}     {:9}     {:6}       {:9}      {:6}       {:9}   \n",
            row.frames(),
            row.bytes(),
            row.tx_frames,
            row.tx_bytes,
            row.rx_frames,
            row.rx_bytes
        );
    }
    out += RULE;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_formatted_like_tshark() {
        // tests/goldens/chrissanders/http_espn.pcapng/conv_ip.{txt,json} (tshark 4.0.17
        // -z conv,ip): the row "172.16.0.122 <-> 205.234.218.129" has bytes_ba 405345 printed
        // "405 kB", the next row bytes_ab 5624 printed "5624 bytes".
        assert_eq!(format_size(405_345), "405 kB");
        assert_eq!(format_size(5624), "5624 bytes");
        // SI units, truncated (Wireshark's format_size with FORMAT_SIZE_PREFIX_SI): the switch
        // to kB is at 10000 bytes, to MB at 10000 kB.
        assert_eq!(format_size(9999), "9999 bytes");
        assert_eq!(format_size(10_000), "10 kB");
        assert_eq!(format_size(12_345_678), "12 MB");
    }

    /// Every row of every `conv_<t>.txt` golden shows each direction's and the total byte count
    /// of the matching `conv_<t>.json` row (same order) as `format_size` formats it.
    #[test]
    fn sizes_match_every_tshark_conversation_table() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/goldens");
        let mut dirs = vec![root.clone()];
        let (mut tables, mut checked) = (0, 0);
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("goldens folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let Some(kind) = name
                    .strip_prefix("conv_")
                    .and_then(|n| n.strip_suffix(".json"))
                else {
                    continue;
                };
                let rows: Vec<serde_json::Value> =
                    serde_json::from_str(&std::fs::read_to_string(&path).expect("json"))
                        .expect("conv json");
                let text = std::fs::read_to_string(path.with_file_name(format!("conv_{kind}.txt")))
                    .expect("the .txt beside the .json");
                let lines: Vec<&str> = text.lines().filter(|l| l.contains("<->")).collect();
                assert_eq!(lines.len(), rows.len(), "{}", path.display());
                tables += 1;
                for (line, row) in lines.iter().zip(&rows) {
                    for (frames, bytes) in [
                        ("frames_ba", "bytes_ba"),
                        ("frames_ab", "bytes_ab"),
                        ("frames", "bytes"),
                    ] {
                        let f = row[frames].as_u64().expect("frames");
                        let b = row[bytes].as_u64().expect("bytes");
                        let want = format!(" {f} {} ", format_size(b));
                        assert!(
                            format!("{line} ").contains(&want),
                            "{}: {want:?} not in {line:?}",
                            path.display()
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(
            tables > 100 && checked > 1000,
            "{tables} tables, {checked} sizes"
        );
    }

    #[test]
    fn tshark_order_is_frames_descending_then_first_seen() {
        // By hand: 5 frames at indexes 1 and 4 (first seen first), then 2 frames at 0 and 2;
        // index 3 has no frames and is not a row.
        assert_eq!(tshark_order([2, 5, 2, 0, 5].into_iter()), vec![1, 4, 0, 2]);
    }
}
