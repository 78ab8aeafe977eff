//! `tracelens plan [--client-os OS] [--server-os OS] [--ends client|server|both]
//! [--repro-minutes N] [--mbps N] [--intermittent] [--target IP] [--format text|markdown|json]`:
//! the capture plan to send a customer (see `tracelens::plan`). With capture FILES instead, what
//! those files show of the plan: the marker pings, and ring-buffer or chained parts.

use super::load::load;
use super::output::write_text;
use std::net::IpAddr;
use std::path::PathBuf;
use tracelens::plan::{self, recognise, Answers, Ends, Os};

/// The command's arguments, as `main` parsed them.
pub struct Args<'a> {
    pub client_os: &'a str,
    pub server_os: &'a str,
    pub ends: &'a str,
    pub repro_minutes: u32,
    pub mbps: f64,
    pub intermittent: bool,
    pub target: Option<IpAddr>,
    pub format: &'a str,
    pub files: &'a [PathBuf],
}

/// The answers, or a message saying which argument is wrong and what it accepts.
fn answers(args: &Args) -> Result<Answers, String> {
    let os = |flag: &str, word: &str| {
        Os::parse(word).ok_or_else(|| {
            format!("{flag} {word}: expected windows, linux, macos, device or unknown")
        })
    };
    let answers = Answers {
        client_os: os("--client-os", args.client_os)?,
        server_os: os("--server-os", args.server_os)?,
        ends: Ends::parse(args.ends)
            .ok_or_else(|| format!("--ends {}: expected client, server or both", args.ends))?,
        repro_minutes: args.repro_minutes,
        mbps: args.mbps,
        intermittent: args.intermittent,
        target: args.target,
    };
    if !(1..=plan::answers::MAX_MINUTES).contains(&answers.repro_minutes) {
        return Err(format!(
            "--repro-minutes {}: expected 1 to {}",
            answers.repro_minutes,
            plan::answers::MAX_MINUTES
        ));
    }
    if !(plan::answers::MIN_MBPS..=plan::answers::MAX_MBPS).contains(&answers.mbps) {
        return Err(format!(
            "--mbps {}: expected {} to {}",
            answers.mbps,
            plan::answers::MIN_MBPS,
            plan::answers::MAX_MBPS
        ));
    }
    Ok(answers)
}

pub fn run(args: &Args) -> u8 {
    if !args.files.is_empty() {
        return recognise_files(args.files, args.format == "json");
    }
    let answers = match answers(args) {
        Ok(a) => a,
        Err(message) => {
            eprintln!("tracelens plan: {message}");
            return 2;
        }
    };
    let built = plan::build(&answers);
    let output = match args.format {
        "markdown" | "md" => plan::render::markdown(&built),
        "json" => {
            let mut text = serde_json::to_string_pretty(&built).unwrap_or_else(|_| "{}".into());
            text.push('\n');
            text
        }
        "text" => plan::render::text(&built),
        other => {
            eprintln!("tracelens plan: --format {other}: expected text, markdown or json");
            return 2;
        }
    };
    write_text(&output);
    0
}

/// What the capture FILES show of the plan, one note a line (or a JSON array).
fn recognise_files(paths: &[PathBuf], as_json: bool) -> u8 {
    let (analyzer, outcome) = load(paths);
    let notes = recognise::of_analysis(&analyzer);
    let output = if as_json {
        let mut text = serde_json::to_string_pretty(&notes).unwrap_or_else(|_| "[]".into());
        text.push('\n');
        text
    } else {
        notes.iter().map(|n| format!("{}\n", n.text)).collect()
    };
    write_text(&output);
    outcome.exit_code()
}
