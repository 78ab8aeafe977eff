//! The exact command lines the plan gives a customer, one builder per tool, each checked against
//! the tool's documented syntax (the source is named beside each builder). Paths are fixed and
//! simple (`C:\traces\client.pcapng`, `/var/tmp/server.pcap`) so the lines can be pasted as they
//! are; the only placeholder is the marker target when the engineer gave none ([`TARGET`]).
//! Sizes come from [`super::ring::Ring`]: megabytes of 1,000,000 bytes.

use super::answers::Os;
use super::ring::Ring;
use serde::Serialize;
use std::net::IpAddr;

/// The marker target's placeholder: a bare word, safe in every shell (`<ip>` would be a
/// redirection in cmd and sh).
pub const TARGET: &str = "SERVER_IP";
/// Where Windows captures go, and Wireshark's dumpcap when it is not on the PATH.
pub const WINDOWS_DIR: &str = r"C:\traces";
const WINDOWS_DUMPCAP: &str = r#""C:\Program Files\Wireshark\dumpcap.exe""#;
/// Where Linux and macOS captures go (kept across reboots, unlike /tmp).
pub const UNIX_DIR: &str = "/var/tmp";

/// One line to run, and the tool it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Command {
    pub tool: &'static str,
    /// `cmd` (an elevated Command Prompt), `sh` (a root shell) or `device` (the device's CLI).
    pub shell: &'static str,
    pub line: String,
}

fn cmd(tool: &'static str, line: String) -> Command {
    Command {
        tool,
        shell: "cmd",
        line,
    }
}

fn sh(tool: &'static str, line: String) -> Command {
    Command {
        tool,
        shell: "sh",
        line,
    }
}

/// The capture file's path without extension, e.g. `C:\traces\client`.
pub fn base_path(os: Os, end: &str) -> String {
    match os {
        Os::Windows => format!(r"{WINDOWS_DIR}\{end}"),
        _ => format!("{UNIX_DIR}/{end}"),
    }
}

/// dumpcap (Wireshark 4.0 `dumpcap -h` and man dumpcap(1), as installed here: "-b filesize:NUM
/// switch to the next file after it reaches a size of NUM kB ... limited to a maximum value of
/// 2 GiB", `-b files:NUM` replace after NUM files; `-i <interface>` name or index from `-D`,
/// `-s <snaplen>`, `-w <filename>`; pcapng is the default format). Files are named
/// `client_00001_20261204174410.pcapng`. The Linux line was run as is (on `lo`, with `-w` in a
/// temporary folder): `tests/data/plan/client_00001_20261204174410.pcapng` is what it wrote.
pub fn dumpcap(os: Os, end: &str, ring: &Ring) -> Vec<Command> {
    let exe = if os == Os::Windows {
        WINDOWS_DUMPCAP
    } else {
        "dumpcap"
    };
    let snap = if ring.snaplen > 0 {
        format!(" -s {}", ring.snaplen)
    } else {
        String::new()
    };
    let make = |line: String| {
        if os == Os::Windows {
            cmd("dumpcap", line)
        } else {
            sh("dumpcap", line)
        }
    };
    vec![
        make(format!("{exe} -D")),
        make(format!(
            "{exe} -i 1{snap} -b filesize:{} -b files:{} -w {}.pcapng",
            ring.file_mb * 1000,
            ring.files,
            base_path(os, end)
        )),
    ]
}

/// tcpdump (man tcpdump(8), 4.99.3 as installed here): `-i any` (Linux: every interface, as
/// Linux cooked v2 frames), `-s <snaplen>` (0: the default maximum, 262144), `-C <file_size>` in
/// "millions of bytes (1,000,000 bytes, not 1,048,576 bytes)", `-W <filecount>` with `-C` for a
/// "rotating buffer" (`server.pcap0`, `server.pcap1`… with "enough leading 0s"), `-Z root` so the
/// next files can still be created after tcpdump drops privileges ("privileges are dropped before
/// opening first savefile"), `-w <file>`. macOS's tcpdump takes the same options; its interface
/// is named (`en0`). The Linux line was run as is (with `-w` in a temporary folder):
/// `tests/data/plan/server.pcap0` is what it wrote.
pub fn tcpdump(os: Os, end: &str, ring: &Ring) -> Vec<Command> {
    let iface = if os == Os::Macos { "en0" } else { "any" };
    vec![
        sh("tcpdump", "tcpdump -D".into()),
        sh(
            "tcpdump",
            format!(
                "tcpdump -i {iface} -s {} -C {} -W {} -Z root -w {}.pcap",
                ring.snaplen,
                ring.file_mb,
                ring.files,
                base_path(os, end)
            ),
        ),
    ]
}

/// pktmon (Windows 10 1809+ / Server 2019+; learn.microsoft.com windows-commands/pktmon-start
/// and pktmon-etl2pcap): `pktmon start [--capture [--comp <selector>] [--pkt-size <bytes>]]
/// [--file-name <name>] [--file-size <size>] [--log-mode <mode>]`: `--comp nics` captures each
/// packet once, at the network card, not once per component; `--pkt-size 0` logs whole packets
/// (its default is 128 bytes); `--file-size` is in megabytes; `--log-mode circular` overwrites
/// the oldest events when the log is full. `pktmon stop`; `pktmon etl2pcap <file> --out <name>`
/// writes pcapng.
pub fn pktmon(end: &str, ring: &Ring) -> Vec<Command> {
    let base = base_path(Os::Windows, end);
    vec![
        cmd(
            "pktmon",
            format!(
                "pktmon start --capture --comp nics --pkt-size {} --file-name {base}.etl --file-size {} --log-mode circular",
                ring.snaplen, ring.total_mb
            ),
        ),
        cmd("pktmon", "pktmon stop".into()),
        cmd(
            "pktmon",
            format!("pktmon etl2pcap {base}.etl --out {base}.pcapng"),
        ),
    ]
}

/// netsh trace (Windows 7 / Server 2008 R2+; learn.microsoft.com windows-commands/netsh-trace,
/// and "Netsh Commands for Network Trace", technet dd878517): `netsh trace start [capture=]yes|no
/// [report=]yes|no|disabled [traceFile=]path\filename [maxSize=]<MB>
/// [fileMode=]single|circular|append [overwrite=]yes|no` (keys are not case-sensitive);
/// `netsh trace stop`. The .etl becomes pcapng with Microsoft's etl2pcapng
/// (github.com/microsoft/etl2pcapng: `etl2pcapng <in> <out>`).
pub fn netsh(end: &str, ring: &Ring) -> Vec<Command> {
    let base = base_path(Os::Windows, end);
    vec![
        cmd(
            "netsh",
            format!(
                "netsh trace start capture=yes report=disabled maxsize={} filemode=circular overwrite=yes tracefile={base}.etl",
                ring.total_mb
            ),
        ),
        cmd("netsh", "netsh trace stop".into()),
        cmd("netsh", format!("etl2pcapng {base}.etl {base}.pcapng")),
    ]
}

/// nmcap (Network Monitor 3.4; TechNet wiki 6192 "How to Enable a Circular Network Capture with
/// Nmcap or Netsh": `nmcap /network * /capture … /MaxFrameLength 512 /file netcap.chn:200MB …
/// /MinDiskQuotaPercentage 20`, and the Network Monitor blog "Chained Captures and Stitching Them
/// Back Together"): `/file <name>.chn:<size>MB` writes a chain `client.cap`, `client(1).cap`,
/// `client(2).cap`…; `/MaxFrameLength <bytes>` is its snap length; `/MinDiskQuotaPercentage 20`
/// stops it when 20 % of the disk is left (a chain is not a ring: old files are not
/// overwritten). Ctrl+C stops it.
pub fn nmcap(end: &str, ring: &Ring) -> Vec<Command> {
    let snap = if ring.snaplen > 0 {
        format!(" /MaxFrameLength {}", ring.snaplen)
    } else {
        String::new()
    };
    vec![cmd(
        "nmcap",
        format!(
            "nmcap /network * /capture /file {}.chn:{}MB{snap} /MinDiskQuotaPercentage 20",
            base_path(Os::Windows, end),
            ring.file_mb
        ),
    )]
}

/// The target of the marker pings as it goes on the command line.
pub fn target_text(target: Option<IpAddr>) -> String {
    target.map_or_else(|| TARGET.to_string(), |ip| ip.to_string())
}

/// One marker ping of `size` ICMP data bytes (the seed; wireshark-semantics §7): Windows
/// `ping -n 1 -l N` (ping /? : -n count, -l size), Linux (iputils) and macOS `ping -c 1 -s N`
/// (man ping: -c count, -s packetsize); IPv6: `-6` on Windows and Linux, `ping6` on macOS.
/// IP total length = 20 + 8 + N on IPv4 (50 for 22, 61 for 33). None for a network device.
pub fn marker_ping(os: Os, size: u32, target: Option<IpAddr>) -> Option<Command> {
    let ip = target_text(target);
    let v6 = target.is_some_and(|t| t.is_ipv6());
    match os {
        Os::Windows => Some(cmd(
            "ping",
            format!("ping{} -n 1 -l {size} {ip}", if v6 { " -6" } else { "" }),
        )),
        Os::Linux => Some(sh(
            "ping",
            format!("ping{} -c 1 -s {size} {ip}", if v6 { " -6" } else { "" }),
        )),
        Os::Macos => Some(sh(
            "ping",
            format!("{} -c 1 -s {size} {ip}", if v6 { "ping6" } else { "ping" }),
        )),
        Os::NetworkDevice | Os::Unknown => None,
    }
}

/// How to check the clock against NTP: Windows `w32tm /query /status` and `w32tm /stripchart
/// /computer:<peer> /dataonly /samples:<n>` (learn.microsoft.com windows-server w32tm), Linux
/// `timedatectl status` (man timedatectl: "System clock synchronized") and `chronyc tracking`
/// (man chronyc), macOS `sntp <server>` (man sntp: prints the offset; it sets nothing without
/// -S/-s). None for a network device (its `show ntp status` is vendor-specific).
pub fn clock_check(os: Os) -> Vec<Command> {
    match os {
        Os::Windows => vec![
            cmd("w32tm", "w32tm /query /status".into()),
            cmd(
                "w32tm",
                "w32tm /stripchart /computer:time.windows.com /dataonly /samples:3".into(),
            ),
        ],
        Os::Linux => vec![
            sh("timedatectl", "timedatectl status".into()),
            sh("chronyc", "chronyc tracking".into()),
        ],
        Os::Macos => vec![sh("sntp", "sntp time.apple.com".into())],
        Os::NetworkDevice | Os::Unknown => Vec::new(),
    }
}

/// How to compress the capture files for sending: Windows PowerShell's `Compress-Archive`
/// (learn.microsoft.com Microsoft.PowerShell.Archive: -Path, -DestinationPath), `tar -czf`
/// elsewhere (GNU tar and bsdtar: -c create, -z gzip, -f file).
pub fn compress(os: Os, end: &str) -> Option<Command> {
    let base = base_path(os, end);
    match os {
        Os::Windows => Some(cmd(
            "powershell",
            format!(
                "powershell -Command \"Compress-Archive -Path {WINDOWS_DIR}\\{end}* -DestinationPath {base}-capture.zip\""
            ),
        )),
        Os::Linux | Os::Macos => Some(sh(
            "tar",
            format!("tar -czf {base}-capture.tar.gz {base}*.pcap*"),
        )),
        Os::NetworkDevice | Os::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ring::ring;

    /// The line's words after the program, split on spaces (no argument holds a space except
    /// dumpcap's quoted Windows path, which is checked separately).
    fn words(c: &Command) -> Vec<&str> {
        c.line.split(' ').collect()
    }

    /// Each option in `pairs` appears once, followed by its value.
    fn has_option(c: &Command, option: &str, value: &str) -> bool {
        let w = words(c);
        w.windows(2).any(|p| p[0] == option && p[1] == value)
            && w.iter().filter(|x| **x == option).count() == 1
    }

    #[test]
    fn dumpcap_ring_buffer_in_kilobytes() {
        // 2 Mbit/s for 30 min: 10 files of 70 MB (see ring's tests) = 70,000 kB each.
        let r = ring(2.0, 30, false);
        let c = dumpcap(Os::Linux, "server", &r);
        assert_eq!(c[0].line, "dumpcap -D");
        assert_eq!(
            c[1].line,
            "dumpcap -i 1 -b filesize:70000 -b files:10 -w /var/tmp/server.pcapng"
        );
        assert!(has_option(&c[1], "-i", "1") && has_option(&c[1], "-w", "/var/tmp/server.pcapng"));
        // Windows: Wireshark's dumpcap by its full path, quoted; a busy link gets -s 256.
        let busy = ring(100.0, 60, true);
        let w = dumpcap(Os::Windows, "client", &busy);
        assert_eq!(
            w[1].line,
            r#""C:\Program Files\Wireshark\dumpcap.exe" -i 1 -s 256 -b filesize:200000 -b files:450 -w C:\traces\client.pcapng"#
        );
        // filesize stays under dumpcap's 2 GiB limit (in kB of 1,000 bytes).
        assert!(busy.file_mb * 1000 * 1000 <= 2 * 1024 * 1024 * 1024);
    }

    #[test]
    fn tcpdump_rotates_in_millions_of_bytes() {
        let r = ring(2.0, 30, false);
        let linux = tcpdump(Os::Linux, "server", &r);
        assert_eq!(
            linux[1].line,
            "tcpdump -i any -s 0 -C 70 -W 10 -Z root -w /var/tmp/server.pcap"
        );
        for (option, value) in [
            ("-i", "any"),
            ("-s", "0"),
            ("-C", "70"),
            ("-W", "10"),
            ("-Z", "root"),
        ] {
            assert!(has_option(&linux[1], option, value), "{option}");
        }
        let mac = tcpdump(Os::Macos, "client", &ring(100.0, 10, false));
        assert_eq!(
            mac[1].line,
            // 100 Mbit/s × 600 s × 1.5 = 11,250 MB: files of the 200 MB cap, ⌈11,250 / 200⌉ = 57.
            "tcpdump -i en0 -s 256 -C 200 -W 57 -Z root -w /var/tmp/client.pcap"
        );
    }

    #[test]
    fn pktmon_circular_log_in_megabytes() {
        let r = ring(2.0, 30, false);
        let c = pktmon("client", &r);
        assert_eq!(
            c[0].line,
            r"pktmon start --capture --comp nics --pkt-size 0 --file-name C:\traces\client.etl --file-size 700 --log-mode circular"
        );
        for (option, value) in [
            ("--comp", "nics"),
            ("--pkt-size", "0"),
            ("--file-size", "700"),
            ("--log-mode", "circular"),
        ] {
            assert!(has_option(&c[0], option, value), "{option}");
        }
        assert_eq!(c[1].line, "pktmon stop");
        assert_eq!(
            c[2].line,
            r"pktmon etl2pcap C:\traces\client.etl --out C:\traces\client.pcapng"
        );
    }

    #[test]
    fn netsh_trace_circular_and_converted() {
        let c = netsh("server", &ring(2.0, 30, false));
        assert_eq!(
            c[0].line,
            r"netsh trace start capture=yes report=disabled maxsize=700 filemode=circular overwrite=yes tracefile=C:\traces\server.etl"
        );
        // Every parameter is key=value, as netsh's context syntax requires.
        assert!(words(&c[0])[3..]
            .iter()
            .all(|w| w.split_once('=').is_some()));
        assert_eq!(c[1].line, "netsh trace stop");
        assert_eq!(
            c[2].line,
            r"etl2pcapng C:\traces\server.etl C:\traces\server.pcapng"
        );
    }

    #[test]
    fn nmcap_chain_with_its_size_suffix() {
        let c = nmcap("client", &ring(100.0, 10, false));
        assert_eq!(
            c[0].line,
            r"nmcap /network * /capture /file C:\traces\client.chn:200MB /MaxFrameLength 256 /MinDiskQuotaPercentage 20"
        );
        let quiet = nmcap("client", &ring(2.0, 30, false));
        assert_eq!(
            quiet[0].line,
            r"nmcap /network * /capture /file C:\traces\client.chn:70MB /MinDiskQuotaPercentage 20"
        );
    }

    #[test]
    fn marker_pings_per_os() {
        use crate::findings::markers::{END_MARKER, START_MARKER};
        let ip: IpAddr = "10.0.0.5".parse().unwrap();
        let line = |os, size, t| marker_ping(os, size, t).map(|c| c.line);
        assert_eq!(
            line(Os::Windows, START_MARKER, Some(ip)).unwrap(),
            "ping -n 1 -l 22 10.0.0.5"
        );
        assert_eq!(
            line(Os::Windows, END_MARKER, None).unwrap(),
            "ping -n 1 -l 33 SERVER_IP"
        );
        assert_eq!(
            line(Os::Linux, START_MARKER, Some(ip)).unwrap(),
            "ping -c 1 -s 22 10.0.0.5"
        );
        assert_eq!(
            line(Os::Macos, END_MARKER, Some(ip)).unwrap(),
            "ping -c 1 -s 33 10.0.0.5"
        );
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(
            line(Os::Windows, 22, Some(v6)).unwrap(),
            "ping -6 -n 1 -l 22 2001:db8::1"
        );
        assert_eq!(
            line(Os::Linux, 22, Some(v6)).unwrap(),
            "ping -6 -c 1 -s 22 2001:db8::1"
        );
        assert_eq!(
            line(Os::Macos, 22, Some(v6)).unwrap(),
            "ping6 -c 1 -s 22 2001:db8::1"
        );
        assert_eq!(line(Os::NetworkDevice, 22, Some(ip)), None);
    }

    #[test]
    fn clock_and_compress_commands() {
        let w: Vec<String> = clock_check(Os::Windows)
            .into_iter()
            .map(|c| c.line)
            .collect();
        assert_eq!(
            w,
            [
                "w32tm /query /status",
                "w32tm /stripchart /computer:time.windows.com /dataonly /samples:3"
            ]
        );
        assert_eq!(clock_check(Os::Linux)[0].line, "timedatectl status");
        assert!(clock_check(Os::NetworkDevice).is_empty());
        assert_eq!(
            compress(Os::Linux, "server").unwrap().line,
            "tar -czf /var/tmp/server-capture.tar.gz /var/tmp/server*.pcap*"
        );
        assert_eq!(
            compress(Os::Windows, "client").unwrap().line,
            r#"powershell -Command "Compress-Archive -Path C:\traces\client* -DestinationPath C:\traces\client-capture.zip""#
        );
    }
}
