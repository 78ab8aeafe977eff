//! The `tracelens` command line: a thin front end over the same core the page uses. Each command
//! lives in its own module under `cli/`; output formats are stable and documented in the README.
//! Exit codes: 0 ok, 1 a file was damaged (partial result printed), 2 unusable input or arguments.

mod cli;

#[global_allocator]
static ALLOCATOR: cli::alloc_meter::Meter = cli::alloc_meter::Meter;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "tracelens",
    version,
    about = "Network-trace analyzer: pcap, pcapng and Network Monitor captures, plain or gzip'd"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Format, sections, interfaces, frame count, time span, bytes, drops, warnings and errors.
    Info {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// One line per frame in Wireshark's summary style (or one JSON object per line).
    Packets {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
        /// Only frames matching this Wireshark display filter, e.g. -Y 'tcp.flags.syn==1 and tcp.port==80'.
        #[arg(short = 'Y', long = "filter", value_name = "FILTER")]
        filter: Option<String>,
    },
    /// One line per TCP frame: stream, relative seq/ack, length, analysis flags, ack_rtt,
    /// bytes in flight (Wireshark's sequence analysis).
    Tcp {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
        /// Time ingest alone against ingest plus analysis instead (MB/s and ratio).
        #[arg(long, hide = true)]
        bench: bool,
        /// Only frames matching this Wireshark display filter, e.g. -Y 'tcp.analysis.flags'.
        #[arg(short = 'Y', long = "filter", value_name = "FILTER")]
        filter: Option<String>,
    },
    /// Plain-language findings: what went wrong, the frames that prove it, a filter that shows them.
    Findings {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
        /// A Markdown report to paste into a support case.
        #[arg(long, conflicts_with = "json")]
        markdown: bool,
        /// A self-contained HTML report (inline CSS, no script) to attach to a case.
        #[arg(long, conflicts_with_all = ["json", "markdown"])]
        html: bool,
        /// Only findings whose evidence includes a frame this Wireshark display filter selects,
        /// e.g. -Y 'frame.number >= 120 and frame.number <= 480' (a marker range).
        #[arg(short = 'Y', long = "filter", value_name = "FILTER")]
        filter: Option<String>,
        /// slow_response threshold in seconds (a server taking this long to answer a request).
        #[arg(long = "slow-response", value_name = "SECONDS", default_value_t = 1.0)]
        slow_response: f64,
        /// Time the analysis pass and each stage of the findings instead (minimum of 5 runs).
        #[arg(long, hide = true)]
        timings: bool,
        /// Print what the analysis keeps in memory, stage by stage, in bytes per frame
        /// (with --json as one object) instead of the findings.
        #[arg(long, conflicts_with_all = ["markdown", "html", "timings"])]
        memory: bool,
    },
    /// IO statistics (tshark -q -z io,stat,SECONDS,FILTER...): frames and bytes per interval,
    /// one column per display filter (none: every frame).
    Io {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Interval in seconds (0: one row over the whole capture).
        #[arg(long, value_name = "SECONDS")]
        interval: String,
        /// A column's display filter; repeat for more columns ("" for every frame).
        #[arg(short = 'Y', long = "filter", value_name = "FILTER")]
        filter: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Marker pings (ping -l 22 before, -l 33 after a repro) and the frame ranges between them.
    Markers {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Conversations (tshark -z conv,TYPE): frames and bytes each way, start, duration.
    Conv(TableArgs),
    /// Endpoints (tshark -z endpoints,TYPE): frames and bytes sent and received per address.
    Endpoints(TableArgs),
    /// TCP connection attempts: outcome, SYN retransmissions, handshake timings.
    Connections {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Writes the frames (all, or those -Y selects) as pcapng, findings' evidence commented.
    Export {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Only frames matching this Wireshark display filter, e.g. -Y 'tcp.flags.syn==1'.
        #[arg(short = 'Y', long = "filter", value_name = "FILTER")]
        filter: Option<String>,
        /// The pcapng file to write.
        #[arg(short = 'o', long = "output", value_name = "OUT.pcapng")]
        output: PathBuf,
    },
    /// Compares two captures of the same traffic taken at two points (client side, server side),
    /// through NAT, with unsynchronised clocks: packets lost, injected or modified between the
    /// points, one-way delay, the NAT map and the clock model. `compare A B`, or, when a side was
    /// captured in several chained files, `compare --a A1 A2 --b B1 B2`.
    Compare {
        /// Side A then side B, one file each.
        #[arg(num_args = 0..=2, conflicts_with_all = ["a", "b"])]
        files: Vec<PathBuf>,
        /// Side A's files (chained parts, merged into one timeline).
        #[arg(long = "a", num_args = 1.., value_name = "A_FILE", requires = "b")]
        a: Vec<PathBuf>,
        /// Side B's files.
        #[arg(long = "b", num_args = 1.., value_name = "B_FILE", requires = "a")]
        b: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
        /// Print ingest and compare times (and their ratio) on stderr.
        #[arg(long, hide = true)]
        timings: bool,
    },
    /// The capture plan to send a customer: commands per OS and tool, ring-buffer sizes, marker
    /// pings, clock checks, what to write down, how to send the files. With capture FILES: what
    /// they show of the plan (markers, ring-buffer parts).
    Plan(PlanArgs),
    /// The payload of one TCP (or UDP) stream as `tshark -q -z follow,tcp,MODE,N` prints it:
    /// both directions in order (the server's indented), retransmitted bytes given once.
    Follow {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The stream number (tcp.stream, or udp.stream with --udp).
        #[arg(long, value_name = "N")]
        stream: u32,
        /// Follow a UDP stream instead of a TCP one.
        #[arg(long)]
        udp: bool,
        /// ascii, hex or raw.
        #[arg(long, default_value = "ascii")]
        format: String,
    },
    /// Writes a deterministic synthetic capture (many short TCP connections, some loss).
    Synth {
        out: PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        packets: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

/// The arguments of the tables, `conv` and `endpoints`.
#[derive(clap::Args)]
struct TableArgs {
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// eth, ip, ipv6, tcp or udp.
    #[arg(long = "type", value_name = "TYPE")]
    kind: String,
    #[arg(long)]
    json: bool,
}

/// The arguments of `plan` (the engineer's answers; see `tracelens::plan::answers`).
#[derive(clap::Args)]
struct PlanArgs {
    /// The client's system: windows, linux, macos, device (a network device) or unknown.
    #[arg(long = "client-os", default_value = "windows")]
    client_os: String,
    /// The server's system (the same words).
    #[arg(long = "server-os", default_value = "linux")]
    server_os: String,
    /// Which ends can be captured: client, server or both.
    #[arg(long, default_value = "both")]
    ends: String,
    /// Minutes the capture must cover (the time to reproduce the problem).
    #[arg(long = "repro-minutes", default_value_t = 30)]
    repro_minutes: u32,
    /// Average traffic at the capture point, in Mbit/s.
    #[arg(long, default_value_t = 10.0)]
    mbps: f64,
    /// The problem comes and goes: the ring keeps twice the time.
    #[arg(long)]
    intermittent: bool,
    /// The address the marker pings go to (else the placeholder SERVER_IP).
    #[arg(long)]
    target: Option<std::net::IpAddr>,
    /// text, markdown or json.
    #[arg(long, default_value = "text")]
    format: String,
    /// Capture files to check against the plan instead.
    files: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let status = match args.command {
        Command::Info { files, json } => cli::info::run(&files, json),
        Command::Packets {
            files,
            json,
            filter,
        } => cli::packets::run(&files, json, filter.as_deref()),
        Command::Compare {
            files,
            a,
            b,
            json,
            timings,
        } => {
            let (a, b) = match files.as_slice() {
                [x, y] => (vec![x.clone()], vec![y.clone()]),
                _ => (a, b),
            };
            cli::compare::run(&a, &b, json, timings)
        }
        Command::Synth { out, packets, seed } => cli::synth::run(&out, packets, seed),
        Command::Plan(p) => cli::plan::run(&cli::plan::Args {
            client_os: &p.client_os,
            server_os: &p.server_os,
            ends: &p.ends,
            repro_minutes: p.repro_minutes,
            mbps: p.mbps,
            intermittent: p.intermittent,
            target: p.target,
            format: &p.format,
            files: &p.files,
        }),
        Command::Findings {
            files,
            json,
            markdown,
            html,
            filter,
            slow_response,
            timings,
            memory,
        } => cli::findings::run(
            &files,
            &cli::findings::Args {
                json,
                markdown,
                html,
                filter: filter.as_deref(),
                slow_response_s: slow_response,
                timings,
                memory,
            },
        ),
        Command::Export {
            files,
            filter,
            output,
        } => cli::export::run(&files, filter.as_deref(), &output),
        Command::Markers { files, json } => cli::markers::run(&files, json),
        Command::Io {
            files,
            interval,
            filter,
            json,
        } => cli::io::run(&files, &interval, &filter, json),
        Command::Tcp {
            files,
            json,
            bench,
            filter,
        } => cli::tcp::run(&files, json, bench, filter.as_deref()),
        Command::Conv(t) => cli::conv::run(&t.files, &t.kind, t.json),
        Command::Connections { files, json } => cli::connections::run(&files, json),
        Command::Follow {
            files,
            stream,
            udp,
            format,
        } => cli::follow::run(&files, stream, udp, &format),
        Command::Endpoints(t) => cli::endpoints::run(&t.files, &t.kind, t.json),
    };
    ExitCode::from(status)
}
