//! Follow-stream parity with tshark 4.0: for every case of tests/goldens/follow/CASES (a
//! capture, tcp or udp, a stream number), the ascii, hex and raw renderings of the followed
//! stream must equal what `tshark -q -z follow,PROTO,MODE,N` printed (goldens written by
//! tests/goldens/follow.sh) byte for byte.

mod common;

use std::path::Path;
use tracelens::follow::text::{self, Mode};
use tracelens::follow::{Follow, Protocol};

const GOLDENS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/goldens/follow");

fn cases() -> Vec<(String, Protocol, u32)> {
    let list = std::fs::read_to_string(Path::new(GOLDENS).join("CASES")).expect("CASES");
    list.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            let protocol = match cells[1] {
                "tcp" => Protocol::Tcp,
                "udp" => Protocol::Udp,
                other => panic!("CASES: unknown protocol {other}"),
            };
            (
                cells[0].to_string(),
                protocol,
                cells[2].parse().expect("stream"),
            )
        })
        .collect()
}

#[test]
fn followed_streams_print_as_tshark_prints_them() {
    let cases = cases();
    assert!(cases.len() >= 10, "CASES lists {} streams", cases.len());
    let mut failures = Vec::new();
    for (capture, protocol, number) in &cases {
        let (analyzer, bytes) = common::load(capture);
        let follow = Follow::new(
            analyzer.index(),
            analyzer.flows(),
            analyzer.tcp(),
            *protocol,
            *number,
        )
        .unwrap_or_else(|e| panic!("{capture}: {e}"));
        for mode in [Mode::Ascii, Mode::Hex, Mode::Raw] {
            let name = format!("{}-{number}.{}.txt", protocol.name(), mode.name());
            let golden = std::fs::read(Path::new(GOLDENS).join(capture).join(&name))
                .unwrap_or_else(|e| panic!("{capture}/{name}: {e}"));
            let mut ours = Vec::new();
            text::write(&follow, analyzer.index(), &bytes, mode, &mut ours).expect("written");
            if ours != golden {
                let line = ours
                    .split(|&b| b == b'\n')
                    .zip(golden.split(|&b| b == b'\n'))
                    .position(|(a, b)| a != b)
                    .map_or(0, |at| at + 1);
                failures.push(format!("{capture} {name}: first differs at line {line}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
