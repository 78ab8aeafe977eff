//! `tracelens info FILE... [--json]`: what capinfos tells, from the same index the page builds.
//! Text output is for people; the JSON object (documented in the README) is for scripts and keeps
//! exact nanosecond times as strings beside the float seconds.

use super::load::load;
use serde_json::{json, Value};
use std::path::PathBuf;
use tracelens::analyzer::Summary;
use tracelens::capture::FileInfo;

pub fn run(paths: &[PathBuf], as_json: bool) -> u8 {
    let (analyzer, outcome) = load(paths);
    let summary = analyzer.summary();
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&summary)).unwrap_or_default()
        );
    } else {
        print!("{}", to_text(&summary));
    }
    outcome.exit_code()
}

/// Exact epoch time as tshark prints `frame.time_epoch` (seconds, 9 decimals).
pub fn epoch_string(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let abs = ns.unsigned_abs();
    format!("{sign}{}.{:09}", abs / 1_000_000_000, abs % 1_000_000_000)
}

fn format_name(info: &FileInfo) -> String {
    let base = info.format.map_or("unknown", |f| f.describe()).to_string();
    if info.gzip {
        format!("{base} (gzip compressed)")
    } else {
        base
    }
}

fn file_json(info: &FileInfo) -> Value {
    let mut value = serde_json::to_value(info).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("format_name".into(), json!(format_name(info)));
    }
    value
}

/// The `--json` object. Keys: format, frames, first_time, last_time, duration, bytes, interfaces,
/// warnings, error, plus files (one object per input) and exact `*_epoch` strings.
pub fn to_json(summary: &Summary) -> Value {
    let formats: Vec<String> = summary
        .files
        .iter()
        .map(|f| {
            f.format
                .map_or("unknown".into(), |f| format!("{f:?}").to_lowercase())
        })
        .collect();
    let format = match formats.first() {
        Some(first) if formats.iter().all(|f| f == first) => first.clone(),
        Some(_) => "mixed".into(),
        None => "unknown".into(),
    };
    let interfaces: Vec<Value> = summary
        .files
        .iter()
        .flat_map(|f| f.interfaces.iter().map(move |i| (f, i)))
        .map(|(f, i)| {
            let mut value = serde_json::to_value(i).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("file".into(), json!(f.name));
            }
            value
        })
        .collect();
    let error = summary
        .files
        .iter()
        .find_map(|f| f.error.as_ref())
        .map(|e| json!({"offset": e.offset, "frame": e.frame, "message": e.message}));
    let drops: u64 = summary
        .files
        .iter()
        .flat_map(|f| &f.interfaces)
        .filter_map(|i| i.stats.as_ref().and_then(|s| s.dropped_by_interface))
        .sum();
    json!({
        "format": format,
        "frames": summary.frames,
        "first_time": summary.first_time,
        "last_time": summary.last_time,
        "first_time_epoch": summary.first_time_ns.map(epoch_string),
        "last_time_epoch": summary.last_time_ns.map(epoch_string),
        "duration": summary.duration,
        "bytes": summary.bytes,
        "wire_bytes": summary.wire_bytes,
        "truncated_frames": summary.truncated_frames,
        "drops": drops,
        "interfaces": interfaces,
        "warnings": summary.warnings,
        "error": error,
        "files": summary.files.iter().map(file_json).collect::<Vec<_>>(),
        "index_bytes_per_frame": summary.index_bytes_per_frame,
    })
}

fn to_text(summary: &Summary) -> String {
    let mut out = String::new();
    for file in &summary.files {
        out += &format!("File name:           {}\n", file.name);
        out += &format!("File type:           {}\n", format_name(file));
        for (n, section) in file.sections.iter().enumerate() {
            let order = if section.big_endian {
                "big-endian"
            } else {
                "little-endian"
            };
            out += &format!(
                "Section {n}:           version {}, {order}",
                section.version
            );
            for (label, value) in [
                ("hardware", &section.hardware),
                ("OS", &section.os),
                ("application", &section.application),
            ] {
                if let Some(value) = value {
                    out += &format!(", {label} {value}");
                }
            }
            out += "\n";
        }
        let interfaces = file.interface_basics().len().max(file.interfaces.len());
        if interfaces > file.interfaces.len() {
            out += &format!(
                "Interfaces:          {interfaces} (the first {} listed)\n",
                file.interfaces.len()
            );
        } else {
            out += &format!("Interfaces:          {interfaces}\n");
        }
        for (n, i) in file.interfaces.iter().enumerate() {
            out += &format!(
                "  #{n}: link type {} ({}), snaplen {}, {}",
                i.link_type,
                link_type_name(i.link_type),
                i.snaplen,
                i.ts_resolution
            );
            if let Some(name) = &i.name {
                out += &format!(", name {name}");
            }
            if let Some(filter) = &i.filter {
                out += &format!(", capture filter \"{filter}\"");
            }
            if let Some(drops) = i.stats.as_ref().and_then(|s| s.dropped_by_interface) {
                out += &format!(", {drops} dropped");
            }
            out += &format!(", {} frames\n", i.frames);
        }
        if file.skipped_blocks > 0 {
            out += &format!("Skipped blocks:      {}\n", file.skipped_blocks);
        }
        if let Some(error) = &file.error {
            out += &format!("Error:               {error}\n");
        }
    }
    out += &format!("Number of packets:   {}\n", summary.frames);
    if let (Some(first), Some(last)) = (summary.first_time_ns, summary.last_time_ns) {
        out += &format!("First packet time:   {}\n", epoch_string(first));
        out += &format!("Last packet time:    {}\n", epoch_string(last));
        out += &format!(
            "Capture duration:    {:.9} seconds\n",
            (last - first) as f64 / 1e9
        );
    }
    out += &format!(
        "Data size:           {} bytes captured, {} on the wire\n",
        summary.bytes, summary.wire_bytes
    );
    if summary.truncated_frames > 0 {
        out += &format!(
            "Truncated frames:    {} (cut by the snapshot length)\n",
            summary.truncated_frames
        );
    }
    for warning in &summary.warnings {
        out += &format!("Warning:             {warning}\n");
    }
    out
}

/// A short name for common link types.
pub fn link_type_name(link_type: u32) -> &'static str {
    match link_type {
        0 => "BSD loopback",
        1 => "Ethernet",
        6 => "Token Ring",
        8 => "SLIP",
        9 => "PPP",
        10 => "FDDI",
        12 | 14 | 101 => "raw IP",
        50 => "PPP in HDLC framing",
        51 => "PPPoE",
        105 => "IEEE 802.11",
        108 => "OpenBSD loopback",
        113 => "Linux cooked v1",
        127 => "802.11 radiotap",
        228 => "raw IPv4",
        229 => "raw IPv6",
        274 => "Ethernet mPackets",
        276 => "Linux cooked v2",
        0xFFE0 => "NetMon event",
        _ => "not decoded",
    }
}
