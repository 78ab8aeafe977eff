//! `tracelens follow FILE... --stream N [--udp] [--format ascii|hex|raw]`: the payload of one
//! TCP (or UDP) stream as `tshark -q -z follow,tcp,MODE,N` prints it, pieces read from the files
//! a page at a time.

use super::frames::CaptureFiles;
use super::load::load;
use std::io::Write;
use std::path::PathBuf;
use tracelens::follow::text::{self, Mode};
use tracelens::follow::{Follow, Protocol};

pub fn run(paths: &[PathBuf], number: u32, udp: bool, format: &str) -> u8 {
    let Some(mode) = Mode::parse(format) else {
        eprintln!("tracelens: --format must be ascii, hex or raw, not {format:?}");
        return 2;
    };
    let protocol = if udp { Protocol::Udp } else { Protocol::Tcp };
    let (analyzer, outcome) = load(paths);
    let (index, flows, tcp) = (analyzer.index(), analyzer.flows(), analyzer.tcp());
    let follow = match Follow::new(index, flows, tcp, protocol, number) {
        Ok(follow) => follow,
        Err(why) => {
            eprintln!("tracelens: {why}");
            return 2;
        }
    };
    let files = CaptureFiles::new(paths);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = text::write(&follow, index, &files, mode, &mut out).and_then(|_| out.flush());
    if result.is_err() {
        return 0; // the reader went away (a closed pipe): nothing more to say
    }
    let outcome = if files.failed() {
        outcome.worst(super::load::Outcome::Damaged)
    } else {
        outcome
    };
    outcome.exit_code()
}
