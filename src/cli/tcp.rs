//! `tracelens tcp FILE... [--json] [--bench] [-Y FILTER]`: one line per TCP frame (with `-Y`,
//! per TCP frame a Wireshark display filter selects) with Wireshark's sequence
//! analysis — frame number, `tcp.stream`, relative seq/ack, segment length, the analysis flags
//! (named as the `tcp.analysis.*` fields tshark shows: a fast or spurious retransmission also
//! lists `retransmission`), `ack_rtt` and bytes in flight. `--json` prints one JSON object per
//! line with more fields (nxtseq, window, initial_rtt, acks_frame, dup-ACK number and frame,
//! completeness). `--bench` times ingest alone against ingest plus analysis instead.

use super::load::{ingest_in_memory, load, read_whole};
use super::output::{json_seconds as secs, write_lines};
use serde_json::{json, Value};
use std::path::PathBuf;
use tracelens::tcp::flags::field_names;
use tracelens::tcp::rows::{row, seconds, Passes, TcpRow};

pub fn run(paths: &[PathBuf], as_json: bool, time_it: bool, filter: Option<&str>) -> u8 {
    if time_it {
        return bench(paths);
    }
    let (mut analyzer, outcome) = load(paths);
    let outcome = match super::frames::apply_filter(&mut analyzer, paths, filter) {
        Ok(filtered) => outcome.worst(filtered),
        Err(status) => return status,
    };
    let (index, flows, tcp) = (analyzer.index(), analyzer.flows(), analyzer.tcp());
    // With -Y, only the frames the filter selected (they keep their numbers).
    let frames: Box<dyn Iterator<Item = usize>> = match analyzer.view_frames() {
        Some(selected) => Box::new(selected.iter().map(|i| i as usize)),
        None => Box::new(0..index.len()),
    };
    write_lines(
        frames
            .filter_map(|i| row(index, flows, tcp, i, Passes::Two))
            .map(|r| {
                if as_json {
                    to_json(&r).to_string()
                } else {
                    to_text(&r)
                }
            }),
    );
    outcome.exit_code()
}

/// The `--json` object of one TCP frame.
pub fn to_json(r: &TcpRow) -> Value {
    json!({
        "no": r.no,
        "stream": r.stream,
        "seq": r.seq,
        "ack": r.ack,
        "len": r.len,
        "nxtseq": r.nxtseq,
        "window": r.window,
        "flags": field_names(r.flags),
        "ack_rtt": secs(r.ack_rtt_ns),
        "initial_rtt": secs(r.initial_rtt_ns),
        "bytes_in_flight": r.bytes_in_flight,
        "acks_frame": r.acks_frame,
        "dup_ack_num": r.dup_ack_num,
        "dup_ack_frame": r.dup_ack_frame,
        "completeness": r.completeness,
    })
}

/// The text line: no, stream, seq, ack, len, flags, ack_rtt, bytes in flight ("-" when absent).
pub fn to_text(r: &TcpRow) -> String {
    let flags = field_names(r.flags).join(",");
    format!(
        "{:>7} {:>5} {:>10} {:>10} {:>6} {:<30} {:>12} {:>8}",
        r.no,
        r.stream,
        r.seq,
        r.ack,
        r.len.map_or("-".into(), |len| len.to_string()),
        if flags.is_empty() { "-".into() } else { flags },
        r.ack_rtt_ns.map_or("-".into(), seconds),
        r.bytes_in_flight.map_or("-".into(), |b| b.to_string()),
    )
}

/// `--bench`: in one process, reads the files into memory, then (best of 3) times ingest alone
/// (chunks → index → merge) and the analysis on top (streams, TCP sequence analysis), and prints
/// MB/s for both and their ratio.
fn bench(paths: &[PathBuf]) -> u8 {
    use std::time::Instant;
    use tracelens::analyzer::Analyzer;
    let Some(files) = read_whole(paths) else {
        return 2;
    };
    let size: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mut best: Option<(f64, f64, f64, usize)> = None;
    for _ in 0..3 {
        let start = Instant::now();
        let analyzer = ingest_in_memory(Analyzer::new(), &files);
        let ingest = start.elapsed().as_secs_f64();
        let streams = analyzer.flows().streams.len();
        let flows_done = start.elapsed().as_secs_f64();
        let _ = analyzer.tcp();
        let full = start.elapsed().as_secs_f64();
        if best.is_none_or(|(_, _, f, _)| full < f) {
            best = Some((ingest, flows_done - ingest, full, streams));
        }
        std::hint::black_box(&analyzer);
    }
    let Some((ingest, flows, full, streams)) = best else {
        return 2;
    };
    // On-demand views, timed once on a finished analysis (not part of the ratio).
    let mut analyzer = Analyzer::new();
    for (name, bytes) in &files {
        let file = analyzer.begin_file(name);
        analyzer.push(file, bytes);
        analyzer.end_file(file);
    }
    analyzer.finish();
    let _ = analyzer.tcp();
    let (index, flows_ref, tcp) = (analyzer.index(), analyzer.flows(), analyzer.tcp());
    let start = Instant::now();
    let tables: usize = tracelens::conversations::Kind::ALL
        .iter()
        .map(|&kind| tracelens::conversations::conversations(index, flows_ref, tcp, kind).len())
        .sum();
    let conv_time = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let attempts = tracelens::connections::attempts(index, flows_ref).len();
    let attempts_time = start.elapsed().as_secs_f64();
    let mb = size as f64 / 1e6;
    println!(
        "input: {mb:.1} MB in {} file(s), {streams} streams",
        files.len()
    );
    println!(
        "ingest only (index + merge):          {ingest:.3} s  {:>7.1} MB/s",
        mb / ingest
    );
    println!(
        "full analysis (+ streams {flows:.3} s, + TCP flags {:.3} s): {full:.3} s  {:>7.1} MB/s",
        full - ingest - flows,
        mb / full
    );
    println!("ratio full/ingest: {:.2}x (target <= 2.00x)", full / ingest);
    println!(
        "on demand: 5 conversation tables ({tables} rows) {conv_time:.3} s, \
         connection attempts ({attempts}) {attempts_time:.3} s"
    );
    0
}
