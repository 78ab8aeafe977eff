//! `tracelens markers FILE... [--json]`: the ICMP echo marker pings of a capture (the seed's
//! `ping -l 22` before and `ping -l 33` after a repro: IP total length 50 and 61, or another size
//! that stands out) with their replies, and the frame ranges between consecutive markers as focus
//! filters. `--json` prints `{"markers": [{no, reply_no, ip_len, payload_len, time, type}],
//! "ranges": [{from, to, filter}]}`.

use super::load::load;
use super::output::write_text;
use std::path::PathBuf;
use tracelens::findings::markers::{self, Markers};

pub fn run(paths: &[PathBuf], as_json: bool) -> u8 {
    let (analyzer, outcome) = load(paths);
    let found = markers::find(analyzer.index());
    let output = if as_json {
        let mut text = serde_json::to_string_pretty(&found)
            .unwrap_or_else(|_| "{\"markers\":[],\"ranges\":[]}".into());
        text.push('\n');
        text
    } else {
        to_text(&found)
    };
    write_text(&output);
    outcome.exit_code()
}

pub fn to_text(found: &Markers) -> String {
    if found.markers.is_empty() {
        return "No marker pings (ICMP echoes of 22 or 33 data bytes, or of another size that \
                stands out).\n"
            .into();
    }
    let mut out = String::from("Marker pings:\n");
    for m in &found.markers {
        let reply = match (m.echo, m.reply_no) {
            ("reply", _) => " (a reply; its request is not in the capture)".to_string(),
            (_, Some(no)) => format!(", reply in frame {no}"),
            (_, None) => ", no reply".to_string(),
        };
        let time = m.time.map_or(String::new(), |t| format!(" at {t:.6} s"));
        let field = if m.ipv6 {
            "IPv6 total length"
        } else {
            "ip.len"
        };
        out += &format!(
            "  frame {}{time}: {} data bytes ({field} {}){reply}\n",
            m.no, m.payload_len, m.ip_len
        );
    }
    if found.ranges.is_empty() {
        out += "No range between markers (only one marker size).\n";
    } else {
        out += "Ranges between markers:\n";
        for r in &found.ranges {
            out += &format!("  frames {}–{}: {}\n", r.from, r.to, r.filter);
        }
    }
    out
}
