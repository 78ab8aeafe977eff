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
    order.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
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
        assert_eq!(format_size(9999), "9999 bytes");
        assert_eq!(format_size(10_000), "10 kB");
        assert_eq!(format_size(176_543), "176 kB");
        assert_eq!(format_size(12_345_678), "12 MB");
    }

    #[test]
    fn tshark_order_is_frames_descending_then_first_seen() {
        assert_eq!(tshark_order([2, 5, 2, 0, 5].into_iter()), vec![1, 4, 0, 2]);
    }
}
