//! The display-filter benchmark behind `scripts/bench-filter`: compiles and evaluates a handful
//! of filters over the index of the 1M-packet synthetic capture (written with
//! [`crate::synth`] if missing) and prints the best of five runs per filter, in milliseconds.
//! Ignored in normal test runs; a lib test (built with the `cli` feature, which has `synth`).

use super::Analyzer;

/// The filters timed.
const FILTERS: [&str; 9] = [
    "tcp.flags.syn==1 and tcp.port==443",
    "ip.addr==10.1.0.0/16",
    "tcp.len > 100",
    "tcp.port in {80, 443, 8000..8080} and not tcp.flags.reset==1",
    "ip.src == 10.1.1.3 or ip.dst == 10.1.1.4",
    "tcp.analysis.retransmission",
    "frame.time_relative > 1.5 and frame.len >= 1000",
    "tcp.stream == 1234",
    "eth.src == 00:1b:21:3a:32:8d and tcp.window_size < 1000",
];

#[test]
#[ignore = "benchmark: run with scripts/bench-filter"]
fn filter_speed() {
    let path = std::env::var("BENCH_CAPTURE").unwrap_or_else(|_| "/tmp/synth-1m.pcap".into());
    let packets: u64 = std::env::var("BENCH_PACKETS")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(1_000_000);
    if !std::path::Path::new(&path).exists() {
        let file = std::fs::File::create(&path).expect("create the synthetic capture");
        crate::synth::write_synthetic_capture(std::io::BufWriter::new(file), packets, 42)
            .expect("write the synthetic capture");
    }
    let raw = std::fs::read(&path).expect("read the synthetic capture");
    let started = std::time::Instant::now();
    let mut analyzer = Analyzer::new();
    let file = analyzer.begin_file(&path);
    for chunk in raw.chunks(8 << 20) {
        analyzer.push(file, chunk);
    }
    analyzer.finish();
    println!(
        "{path}: {} frames indexed in {:.0} ms",
        analyzer.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    // The first filter builds the per-capture support tables once; timed apart.
    let started = std::time::Instant::now();
    let _ = analyzer.apply_filter("frame");
    println!(
        "support tables (once per capture): {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    println!("compile + evaluate, best of 5:");
    for text in FILTERS {
        let mut best = f64::MAX;
        let mut count = 0;
        for _ in 0..5 {
            let started = std::time::Instant::now();
            count = analyzer.apply_filter(text).unwrap_or(0);
            best = best.min(started.elapsed().as_secs_f64() * 1e3);
        }
        println!("{best:8.1} ms {count:>9} frames  {text}");
    }
}
