//! The plan's sections, in the order a customer follows them: why and how much (the summary),
//! starting the capture on each end, marking the repro with pings, checking the clocks (two
//! points only), what to write down, and how to send the files. The advice is the seed's
//! ("Network traffic capturing hints" and "Network trace analysis tricks II").

use super::answers::{Answers, Os};
use super::commands::{self, Command};
use super::ring::{duration_text, size_text, Ring};
use super::{Block, Section};
use crate::findings::markers::{END_MARKER, START_MARKER, STEP_MARKER};

fn text(t: impl Into<String>) -> Block {
    Block::Text { text: t.into() }
}

fn commands(label: impl Into<String>, commands: Vec<Command>) -> Block {
    Block::Commands {
        label: label.into(),
        commands,
    }
}

/// "Capture plan: Windows client and Linux server, both ends".
pub fn title(a: &Answers) -> String {
    let ends = match a.ends {
        super::Ends::Both => "capture on both ends",
        super::Ends::Client => "capture on the client",
        super::Ends::Server => "capture on the server",
    };
    format!(
        "Capture plan: {} client, {} server — {ends}",
        a.client_os.name(),
        a.server_os.name()
    )
}

pub fn all(a: &Answers, ring: &Ring) -> Vec<Section> {
    let mut sections = vec![summary(a, ring)];
    for (end, os) in a.captured() {
        sections.push(capture(end, os, ring));
    }
    sections.push(markers(a));
    if a.ends == super::Ends::Both {
        sections.push(clocks(a));
    }
    sections.push(write_down());
    sections.push(send(a));
    sections
}

/// Why both ends, how big the ring is, the snap length, and no capture filter.
fn summary(a: &Answers, ring: &Ring) -> Section {
    let mut blocks = Vec::new();
    blocks.push(text(match a.ends {
        super::Ends::Both => "Capture on the client and on the server at the same time. Only two \
            captures of the same moment show whether a packet sent by one end reached the other, \
            and whether a delay was spent in a system or on the path between them."
            .to_string(),
        _ => "Only one end can be captured. The trace will show what that end sent and received, \
            but not whether the other end received what was sent, or whether a delay came from the \
            other end or from the path: if the other end (or a mirror port near it) can be \
            captured later, ask for it."
            .to_string(),
    }));
    let margin = if a.intermittent {
        "×2 margin: an intermittent problem is found some time after it happened"
    } else {
        "×1.5 margin for bursts"
    };
    blocks.push(text(ring_sentence(a, ring, margin)));
    blocks.push(text(if ring.snaplen > 0 {
        format!(
            "The link is busy: keep only the first {} bytes of each packet (the snap length). \
             The headers stay whole, so connections, retransmissions and timings can be \
             analysed; payload is cut, which saves about 80 % on full-size packets.",
            ring.snaplen
        )
    } else {
        "Keep whole packets (no snap length): the traffic is light enough, and payload (TLS \
         handshakes, HTTP errors) often explains the problem."
            .to_string()
    }));
    blocks.push(text(
        "Do not use a capture filter unless you are sure what matters: a packet that was \
         filtered out cannot prove anything, and the cause is often traffic nobody expected \
         (DNS, a proxy, a reset from a firewall).",
    ));
    Section {
        id: "summary".into(),
        title: "What to capture".into(),
        blocks,
    }
}

/// How much the capture needs and the ring that holds it (or, past the disk cap, what it holds).
fn ring_sentence(a: &Answers, ring: &Ring, margin: &str) -> String {
    let need = format!(
        "About {} Mbit/s for {} min ({margin}) is about {}.",
        a.mbps,
        a.repro_minutes,
        size_text(ring.needed_mb)
    );
    let files = format!(
        "a ring of {} files of {} ({} of disk at most, so leave at least that much free)",
        ring.files,
        size_text(ring.file_mb),
        size_text(ring.total_mb)
    );
    let per_file = format!(
        "One file covers about {} of traffic.",
        duration_text(ring.seconds_per_file)
    );
    if ring.capped {
        format!(
            "{need} That is more than one capture should keep: each capture keeps {files}, which \
             holds only the last {} — stop it within that time of the problem, capture at a quieter \
             point, or ask again with a shorter time. {per_file}",
            duration_text(ring.seconds_kept)
        )
    } else {
        format!(
            "{need} Each capture keeps {files}: the oldest file is overwritten, so the capture \
             can run as long as needed and still hold the last {}. {per_file}",
            duration_text(ring.seconds_kept)
        )
    }
}

/// The tools for one end, best first.
fn capture(end: &str, os: Os, ring: &Ring) -> Section {
    let mut blocks = Vec::new();
    match os {
        Os::Windows => windows_tools(&mut blocks, end, ring),
        Os::Linux | Os::Macos => unix_tools(&mut blocks, end, os, ring),
        Os::NetworkDevice => {
            blocks.push(text(
                "A network device cannot run these tools. Mirror its port (SPAN, port \
                 mirroring) to a computer and capture there with the commands below, or use the \
                 device's own packet capture (see its vendor's documentation) with the same \
                 ring size and no filter.",
            ));
            unix_tools(&mut blocks, end, Os::Linux, ring);
            windows_tools(&mut blocks, end, ring);
        }
        Os::Unknown => {
            blocks.push(text("Use the commands for the system it runs."));
            windows_tools(&mut blocks, end, ring);
            unix_tools(&mut blocks, end, Os::Linux, ring);
        }
    }
    Section {
        id: format!("capture-{end}"),
        title: format!("On the {end} ({}): capture", os.name()),
        blocks,
    }
}

fn windows_tools(blocks: &mut Vec<Block>, end: &str, ring: &Ring) {
    blocks.push(text(format!(
        "Windows: open a Command Prompt as Administrator and create the folder first: mkdir {}. \
         Stop the capture right after the end marker (below).",
        commands::WINDOWS_DIR
    )));
    blocks.push(commands(
        "pktmon (built in: Windows 10 1809, Windows Server 2019 and later) — start, stop, convert to pcapng",
        commands::pktmon(end, ring),
    ));
    blocks.push(commands(
        "or netsh trace (built in: Windows 7, Windows Server 2008 R2 and later) — start, stop, convert with Microsoft's etl2pcapng",
        commands::netsh(end, ring),
    ));
    blocks.push(commands(
        "or dumpcap (if Wireshark is installed) — list the interfaces, then capture on the one that carries the traffic (-i takes its number); Ctrl+C stops it",
        commands::dumpcap(Os::Windows, end, ring),
    ));
    blocks.push(commands(
        "or nmcap (Network Monitor 3.4, older systems) — a chain of files; Ctrl+C stops it",
        commands::nmcap(end, ring),
    ));
}

fn unix_tools(blocks: &mut Vec<Block>, end: &str, os: Os, ring: &Ring) {
    let iface = if os == Os::Macos {
        "en0 is usually the main interface; tcpdump -D lists them"
    } else {
        "-i any captures every interface"
    };
    blocks.push(text(format!(
        "{}: run as root (sudo). Stop the capture with Ctrl+C right after the end marker (below).",
        os.name()
    )));
    blocks.push(commands(
        format!("tcpdump — {iface}"),
        commands::tcpdump(os, end, ring),
    ));
    blocks.push(commands(
        "or dumpcap (if Wireshark is installed) — list the interfaces, then capture on the one that carries the traffic",
        commands::dumpcap(os, end, ring),
    ));
}

/// Who sends the markers: the client when it is a computer, else the server.
fn marker_sender(a: &Answers) -> Option<(&'static str, Os)> {
    let computer = |os: Os| matches!(os, Os::Windows | Os::Linux | Os::Macos);
    if computer(a.client_os) {
        Some(("client", a.client_os))
    } else if computer(a.server_os) {
        Some(("server", a.server_os))
    } else {
        None
    }
}

/// The marker pings, in the sizes the analyzer recognises, around the repro.
fn markers(a: &Answers) -> Section {
    let mut blocks = vec![text(format!(
        "Mark the moment of the problem with two pings of unusual sizes: {START_MARKER} data \
         bytes just before reproducing it and {END_MARKER} just after (IP total length {} and \
         {}; a third step can be marked with {STEP_MARKER}). tracelens finds them and focuses \
         on the frames between them. Send them to {} so they cross both capture points.",
        20 + 8 + START_MARKER,
        20 + 8 + END_MARKER,
        if a.target.is_some() {
            commands::target_text(a.target)
        } else {
            format!(
                "the server (replace {} with its IP address; the default gateway works too)",
                commands::TARGET
            )
        }
    ))];
    let Some((end, os)) = marker_sender(a) else {
        blocks.push(text(
            "Neither end is a computer that can ping: send the pings from any computer whose \
             traffic crosses the capture point.",
        ));
        return markers_section(blocks);
    };
    let start = commands::marker_ping(os, START_MARKER, a.target);
    let stop = commands::marker_ping(os, END_MARKER, a.target);
    let line = |c: &Option<Command>| c.as_ref().map_or(String::new(), |c| c.line.clone());
    let repro = if a.intermittent {
        "Leave the captures running until the problem happens again; as soon as it is noticed, \
         write down the exact time and the error"
    } else {
        "Reproduce the problem; write down the exact time and the error"
    };
    blocks.push(Block::Steps {
        items: vec![
            "Start the capture on every end (above).".into(),
            format!("On the {end}: {} (start marker)", line(&start)),
            format!("{repro}."),
            format!("On the {end}: {} (end marker)", line(&stop)),
            "Stop the captures.".into(),
        ],
    });
    blocks.push(commands(
        format!("Marker pings on the {end} ({})", os.name()),
        start.into_iter().chain(stop).collect(),
    ));
    markers_section(blocks)
}

fn markers_section(blocks: Vec<Block>) -> Section {
    Section {
        id: "markers".into(),
        title: "Mark the repro with pings".into(),
        blocks,
    }
}

/// Clock checks on both ends (two-point captures only).
fn clocks(a: &Answers) -> Section {
    let mut blocks = vec![text(
        "Two captures are compared by their timestamps: check that both clocks follow NTP \
         before starting, and note any offset. tracelens estimates the remaining offset from \
         packets seen at both points (and the marker pings), but a clock minutes off makes the \
         captures hard to line up by hand.",
    )];
    for (end, os) in a.captured() {
        let check = commands::clock_check(os);
        if check.is_empty() {
            blocks.push(text(format!(
                "On the {end} ({}): check its NTP status in its own command line.",
                os.name()
            )));
        } else {
            blocks.push(commands(format!("On the {end} ({})", os.name()), check));
        }
    }
    Section {
        id: "clock".into(),
        title: "Check the clocks".into(),
        blocks,
    }
}

fn write_down() -> Section {
    Section {
        id: "write-down".into(),
        title: "Write down".into(),
        blocks: vec![Block::List {
            items: vec![
                "The exact date and time of the problem, with the time zone.".into(),
                "The exact error message (a screenshot helps).".into(),
                "The IP addresses of the client, the server and what is between them (DNS, \
                 proxy, firewall, load balancer), and which capture was taken on which system."
                    .into(),
                "The OS versions of the systems involved.".into(),
                "The network topology between client and server (VLANs, NAT, VPN).".into(),
                "What was done during the capture, step by step.".into(),
            ],
        }],
    }
}

fn send(a: &Answers) -> Section {
    let mut blocks = vec![text(
        "Compress the capture files and upload them through the private file transfer of the \
         support case. Never attach a capture to a public forum or mailing list and never email \
         it openly: it holds addresses and may hold names, cookies or passwords.",
    )];
    for (end, os) in a.captured() {
        if let Some(c) = commands::compress(os, end) {
            blocks.push(commands(format!("On the {end} ({})", os.name()), vec![c]));
        }
    }
    Section {
        id: "send".into(),
        title: "Send the files".into(),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{build, Ends};

    fn lines(section: &Section) -> Vec<String> {
        section
            .blocks
            .iter()
            .flat_map(|b| match b {
                Block::Commands { commands, .. } => {
                    commands.iter().map(|c| c.line.clone()).collect()
                }
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn both_ends_get_their_tools_markers_and_clocks() {
        let plan = build(&Answers::default()); // Windows client, Linux server, both ends
        let ids: Vec<&str> = plan.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "summary",
                "capture-client",
                "capture-server",
                "markers",
                "clock",
                "write-down",
                "send"
            ]
        );
        let client = lines(&plan.sections[1]);
        assert!(client
            .iter()
            .any(|l| l.starts_with("pktmon start --capture")));
        assert!(client
            .iter()
            .any(|l| l.starts_with("netsh trace start capture=yes")));
        assert!(client
            .iter()
            .any(|l| l.starts_with("nmcap /network * /capture /file")));
        let server = lines(&plan.sections[2]);
        assert!(server.iter().any(|l| l.starts_with("tcpdump -i any")));
        // The client (Windows) sends the markers, the sizes the analyzer recognises.
        assert_eq!(
            lines(&plan.sections[3]),
            ["ping -n 1 -l 22 SERVER_IP", "ping -n 1 -l 33 SERVER_IP"]
        );
    }

    #[test]
    fn one_end_warns_and_skips_the_clocks() {
        let answers = Answers {
            client_os: Os::NetworkDevice,
            server_os: Os::Macos,
            ends: Ends::Server,
            ..Answers::default()
        };
        let plan = build(&answers);
        assert!(plan.sections.iter().all(|s| s.id != "clock"));
        assert!(
            matches!(&plan.sections[0].blocks[0], Block::Text { text } if text.starts_with("Only one end"))
        );
        // The device cannot ping: the macOS server sends the markers.
        assert_eq!(
            lines(plan.sections.iter().find(|s| s.id == "markers").unwrap()),
            ["ping -c 1 -s 22 SERVER_IP", "ping -c 1 -s 33 SERVER_IP"]
        );
    }
}
