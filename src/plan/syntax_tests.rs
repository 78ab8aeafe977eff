//! Test only: every command line the plan gives, for every OS, end and a spread of answers (quiet
//! to 100 Gbit/s, one minute to a week, whole packets and the busy snap length), read against the
//! documented grammar of its tool — the options each tool's source (named beside its builder in
//! [`super::commands`]) lists and what each option takes: a number in its range, one of its
//! words, a path. A line with an option its tool does not document, a value out of the documented
//! range (dumpcap's 2 GiB file limit, pktmon's modes, netsh's `key=value` words), or a missing
//! value fails with the line and the reason.

use super::answers::{Answers, Ends, Os};
use super::commands::Command;
use super::{build, Block};

/// What an option takes.
#[derive(Clone, Copy)]
enum Takes {
    Nothing,
    /// A whole number in the range.
    Number(u64, u64),
    /// One of these words (compared without case: cmd's tools ignore it).
    OneOf(&'static [&'static str]),
    /// A file path with this ending.
    Path(&'static str),
    /// A value this check accepts.
    Check(fn(&str) -> Result<(), String>),
}

/// A tool's documented grammar: the words that start its lines, its options, and whether options
/// are written `key=value` (netsh) rather than `-option value`.
struct Grammar {
    starts: &'static [&'static str],
    options: &'static [(&'static str, Takes)],
    key_value: bool,
    /// Words that are not options (a file to convert).
    positional: Option<Takes>,
}

const GIB: u64 = 1 << 30;

/// dumpcap `-b filesize:NUM` (kB of 1,000 bytes, at most 2 GiB) or `-b files:NUM`.
fn dumpcap_ring(value: &str) -> Result<(), String> {
    let (key, n) = value
        .split_once(':')
        .ok_or(format!("-b {value}: expected key:value"))?;
    let n: u64 = n.parse().map_err(|_| format!("-b {value}: not a number"))?;
    match key {
        "filesize" if n >= 1 && n * 1000 <= 2 * GIB => Ok(()),
        "files" if n >= 2 => Ok(()),
        _ => Err(format!("-b {value}: not documented (or out of range)")),
    }
}

/// nmcap `/file <path>.chn:<N>MB` (a chain of N-megabyte files).
fn nmcap_chain(value: &str) -> Result<(), String> {
    let (path, size) = value
        .rsplit_once(':')
        .ok_or(format!("/file {value}: no size"))?;
    let mb = size
        .strip_suffix("MB")
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or(format!("/file {value}: size is not <N>MB"))?;
    if path.ends_with(".chn") && mb >= 1 {
        Ok(())
    } else {
        Err(format!("/file {value}: expected <name>.chn:<N>MB"))
    }
}

const DUMPCAP: Grammar = Grammar {
    starts: &["dumpcap", r#""C:\Program Files\Wireshark\dumpcap.exe""#],
    options: &[
        ("-D", Takes::Nothing),
        ("-i", Takes::Number(1, 999)),
        ("-s", Takes::Number(1, 262_144)),
        ("-b", Takes::Check(dumpcap_ring)),
        ("-w", Takes::Path(".pcapng")),
    ],
    key_value: false,
    positional: None,
};

const TCPDUMP: Grammar = Grammar {
    starts: &["tcpdump"],
    options: &[
        ("-D", Takes::Nothing),
        ("-i", Takes::OneOf(&["any", "en0"])),
        ("-s", Takes::Number(0, 262_144)),
        ("-C", Takes::Number(1, 1_000_000)),
        ("-W", Takes::Number(2, 1_000_000)),
        ("-Z", Takes::OneOf(&["root"])),
        ("-w", Takes::Path(".pcap")),
    ],
    key_value: false,
    positional: None,
};

const PKTMON: Grammar = Grammar {
    starts: &["pktmon start", "pktmon stop", "pktmon etl2pcap"],
    options: &[
        ("--capture", Takes::Nothing),
        ("--comp", Takes::OneOf(&["all", "nics"])),
        ("--pkt-size", Takes::Number(0, 65_535)),
        ("--file-name", Takes::Path(".etl")),
        ("--file-size", Takes::Number(1, u64::MAX)),
        (
            "--log-mode",
            Takes::OneOf(&["circular", "multi-file", "real-time", "memory"]),
        ),
        ("--out", Takes::Path(".pcapng")),
    ],
    key_value: false,
    positional: Some(Takes::Path(".etl")),
};

const NETSH: Grammar = Grammar {
    starts: &["netsh trace start", "netsh trace stop"],
    options: &[
        ("capture", Takes::OneOf(&["yes", "no"])),
        ("report", Takes::OneOf(&["yes", "no", "disabled"])),
        ("persistent", Takes::OneOf(&["yes", "no"])),
        ("tracefile", Takes::Path(".etl")),
        ("maxsize", Takes::Number(1, u64::MAX)),
        ("filemode", Takes::OneOf(&["single", "circular", "append"])),
        ("overwrite", Takes::OneOf(&["yes", "no"])),
    ],
    key_value: true,
    positional: None,
};

const ETL2PCAPNG: Grammar = Grammar {
    starts: &["etl2pcapng"],
    options: &[],
    key_value: false,
    positional: Some(Takes::Check(|w| {
        if w.ends_with(".etl") || w.ends_with(".pcapng") {
            Ok(())
        } else {
            Err(format!("{w}: expected <in>.etl <out>.pcapng"))
        }
    })),
};

const NMCAP: Grammar = Grammar {
    starts: &["nmcap"],
    options: &[
        ("/network", Takes::OneOf(&["*"])),
        ("/capture", Takes::Nothing),
        ("/file", Takes::Check(nmcap_chain)),
        ("/MaxFrameLength", Takes::Number(1, 65_535)),
        ("/MinDiskQuotaPercentage", Takes::Number(1, 99)),
    ],
    key_value: false,
    positional: None,
};

/// Windows ping (`ping /?`: -n count, -l size up to 65500, -6).
const PING_WINDOWS: Grammar = Grammar {
    starts: &["ping"],
    options: &[
        ("-6", Takes::Nothing),
        ("-n", Takes::Number(1, 1)),
        ("-l", Takes::Number(0, 65_500)),
    ],
    key_value: false,
    positional: Some(Takes::Check(target)),
};

/// iputils and macOS ping (-c count, -s packetsize, -6 on Linux; ping6 on macOS).
const PING_UNIX: Grammar = Grammar {
    starts: &["ping", "ping6"],
    options: &[
        ("-6", Takes::Nothing),
        ("-c", Takes::Number(1, 1)),
        ("-s", Takes::Number(0, 65_507)),
    ],
    key_value: false,
    positional: Some(Takes::Check(target)),
};

/// The marker target: an address or the placeholder.
fn target(word: &str) -> Result<(), String> {
    if word == super::commands::TARGET || word.parse::<std::net::IpAddr>().is_ok() {
        Ok(())
    } else {
        Err(format!("{word}: not an address"))
    }
}

/// Checks `value` against what the option takes.
fn check_value(option: &str, takes: Takes, value: Option<&str>) -> Result<(), String> {
    let value = match (takes, value) {
        (Takes::Nothing, _) => return Ok(()),
        (_, None) => return Err(format!("{option}: no value")),
        (_, Some(v)) => v,
    };
    let ok = match takes {
        Takes::Nothing => true,
        Takes::Number(lo, hi) => value.parse::<u64>().is_ok_and(|n| (lo..=hi).contains(&n)),
        Takes::OneOf(words) => words.iter().any(|w| w.eq_ignore_ascii_case(value)),
        Takes::Path(end) => value.ends_with(end) && !value.contains(' '),
        Takes::Check(f) => return f(value),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{option} {value}: not what it takes"))
    }
}

/// Windows' `key=` and `/Option` words are not case-sensitive; Unix options are (`-w`, `-W`).
fn same_option(documented: &str, word: &str) -> bool {
    if documented.starts_with('-') {
        documented == word
    } else {
        documented.eq_ignore_ascii_case(word)
    }
}

/// Reads `line` against `grammar`.
fn parse(grammar: &Grammar, line: &str) -> Result<(), String> {
    let start = grammar
        .starts
        .iter()
        .filter(|s| line == **s || line.starts_with(&format!("{s} ")))
        .max_by_key(|s| s.len())
        .ok_or("does not start with the tool")?;
    let mut words = line[start.len()..].split_whitespace();
    let mut seen: Vec<String> = Vec::new();
    while let Some(word) = words.next() {
        let (name, inline) = match word.split_once('=') {
            Some((k, v)) if grammar.key_value => (k, Some(v)),
            _ => (word, None),
        };
        let Some((option, takes)) = grammar.options.iter().find(|(o, _)| same_option(o, name))
        else {
            match grammar.positional {
                Some(takes) => check_value("(file)", takes, Some(word))?,
                None => return Err(format!("{word}: not a documented option")),
            }
            continue;
        };
        let value = match (grammar.key_value, takes) {
            (true, _) => inline,
            (false, Takes::Nothing) => None,
            (false, _) => words.next(),
        };
        check_value(option, *takes, value)?;
        // dumpcap's -b is given once per ring setting; the rest once.
        if *option != "-b" && seen.iter().any(|s| s == option) {
            return Err(format!("{option} given twice"));
        }
        seen.push(option.to_string());
    }
    Ok(())
}

/// The grammar a command of `tool` follows.
fn grammar(c: &Command) -> Option<&'static Grammar> {
    Some(match c.tool {
        "dumpcap" => &DUMPCAP,
        "tcpdump" => &TCPDUMP,
        "pktmon" => &PKTMON,
        "netsh" if c.line.starts_with("etl2pcapng") => &ETL2PCAPNG,
        "netsh" => &NETSH,
        "nmcap" => &NMCAP,
        "ping" if c.shell == "cmd" => &PING_WINDOWS,
        "ping" => &PING_UNIX,
        _ => return None,
    })
}

/// Every command of the plans for a spread of answers.
fn all_commands() -> Vec<Command> {
    let mut out = Vec::new();
    for client_os in Os::ALL {
        for server_os in Os::ALL {
            for (mbps, repro_minutes, intermittent) in [
                (0.1, 1, false),
                (2.0, 30, false),
                (50.0, 20, true),
                (100.0, 60, true),
                (100_000.0, 7 * 24 * 60, true),
            ] {
                let answers = Answers {
                    client_os,
                    server_os,
                    ends: Ends::Both,
                    repro_minutes,
                    mbps,
                    intermittent,
                    target: ["2001:db8::1".parse().ok(), None][usize::from(intermittent)],
                };
                for section in build(&answers).sections {
                    for block in section.blocks {
                        if let Block::Commands { commands, .. } = block {
                            out.extend(commands);
                        }
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_capture_and_marker_line_follows_its_tools_documented_syntax() {
    let commands = all_commands();
    let mut checked = std::collections::BTreeMap::<&str, usize>::new();
    for c in &commands {
        let Some(g) = grammar(c) else { continue };
        if let Err(why) = parse(g, &c.line) {
            panic!("{} line `{}`: {why}", c.tool, c.line);
        }
        *checked.entry(c.tool).or_default() += 1;
    }
    // Every tool the issue names was read, many times over.
    for tool in ["dumpcap", "tcpdump", "pktmon", "netsh", "nmcap", "ping"] {
        assert!(
            checked.get(tool).is_some_and(|n| *n >= 10),
            "{tool}: {checked:?}"
        );
    }
}

#[test]
fn the_grammar_refuses_what_the_tools_do_not_document() {
    let bad = [
        (&DUMPCAP, "dumpcap -i 1 -b filesize:3000000 -w x.pcapng"), // over 2 GiB
        (&DUMPCAP, "dumpcap -i 1 -b duration:60 -w x.pcapng"),      // not a -b we use
        (&TCPDUMP, "tcpdump -i any -C 70 -W 1 -w x.pcap"),          // a ring of one file
        (&TCPDUMP, "tcpdump -i any -G 60 -w x.pcap"),               // undocumented here
        (&PKTMON, "pktmon start --capture --log-mode ring"),
        (&PKTMON, "pktmon start --capture --pkt-size"),
        (&NETSH, "netsh trace start capture=yes filemode=ring"),
        (&NETSH, "netsh trace start capture=yes maxsize=big"),
        (&NMCAP, r"nmcap /network * /capture /file C:\t\x.cap:200MB"),
        (&PING_WINDOWS, "ping -c 1 -s 22 10.0.0.1"),
        (&PING_UNIX, "ping -n 1 -l 22 10.0.0.1"),
    ];
    for (g, line) in bad {
        assert!(parse(g, line).is_err(), "{line}");
    }
    assert_eq!(
        parse(&NETSH, "netsh trace start Capture=yes fileMode=circular"),
        Ok(())
    );
}
