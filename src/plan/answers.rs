//! The engineer's answers to the capture plan's questions — the operating system of each end,
//! which ends can be captured, how long the capture must cover, how busy the link is, whether
//! the problem is intermittent, and optionally the address to send the marker pings to — with
//! the one text form they travel in: `client=windows&server=linux&ends=both&minutes=30&mbps=50
//! &intermittent=yes&target=10.0.0.5` (the page's URL fragment, so a plan can be shared).
//! Unknown keys are ignored, bad values fall back to the defaults and are reported.

use serde::Serialize;
use std::net::IpAddr;

/// What runs at one end of the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Os {
    Windows,
    Linux,
    Macos,
    /// A router, firewall, load balancer or appliance: captured through a mirror port.
    NetworkDevice,
    Unknown,
}

impl Os {
    pub const ALL: [Os; 5] = [
        Os::Windows,
        Os::Linux,
        Os::Macos,
        Os::NetworkDevice,
        Os::Unknown,
    ];

    /// The word in the fragment and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Os::Windows => "windows",
            Os::Linux => "linux",
            Os::Macos => "macos",
            Os::NetworkDevice => "device",
            Os::Unknown => "unknown",
        }
    }

    /// The name in the plan's sentences.
    pub fn name(self) -> &'static str {
        match self {
            Os::Windows => "Windows",
            Os::Linux => "Linux",
            Os::Macos => "macOS",
            Os::NetworkDevice => "network device",
            Os::Unknown => "unknown system",
        }
    }

    pub fn parse(word: &str) -> Option<Os> {
        let word = word.trim().to_ascii_lowercase();
        match word.as_str() {
            "mac" | "osx" | "darwin" => Some(Os::Macos),
            "network-device" | "network_device" | "appliance" => Some(Os::NetworkDevice),
            _ => Os::ALL.into_iter().find(|os| os.key() == word),
        }
    }
}

/// Which ends of the connection the customer can capture on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ends {
    Client,
    Server,
    Both,
}

impl Ends {
    pub fn key(self) -> &'static str {
        match self {
            Ends::Client => "client",
            Ends::Server => "server",
            Ends::Both => "both",
        }
    }

    pub fn parse(word: &str) -> Option<Ends> {
        match word.trim().to_ascii_lowercase().as_str() {
            "client" => Some(Ends::Client),
            "server" => Some(Ends::Server),
            "both" => Some(Ends::Both),
            _ => None,
        }
    }

    pub fn client(self) -> bool {
        matches!(self, Ends::Client | Ends::Both)
    }

    pub fn server(self) -> bool {
        matches!(self, Ends::Server | Ends::Both)
    }
}

/// Bounds of the numeric answers: a week of capture at most, 100 Gbit/s at most.
pub const MAX_MINUTES: u32 = 7 * 24 * 60;
pub const MIN_MBPS: f64 = 0.1;
pub const MAX_MBPS: f64 = 100_000.0;

/// The answers (see the module comment for their text form).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answers {
    pub client_os: Os,
    pub server_os: Os,
    pub ends: Ends,
    /// Minutes the capture must cover: the time to reproduce, or for an intermittent problem the
    /// time between the problem and someone stopping the capture.
    pub repro_minutes: u32,
    /// Average traffic at the capture point, in megabits per second.
    pub mbps: f64,
    pub intermittent: bool,
    /// Where to send the marker pings (the server, or the default gateway); None: a placeholder.
    pub target: Option<IpAddr>,
}

impl Default for Answers {
    fn default() -> Self {
        Answers {
            client_os: Os::Windows,
            server_os: Os::Linux,
            ends: Ends::Both,
            repro_minutes: 30,
            mbps: 10.0,
            intermittent: false,
            target: None,
        }
    }
}

/// `%XX` escapes and `+` decoded (as URLSearchParams writes them); a bad escape is kept as is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A yes/no answer: `yes`, `1`, `true`, `on` (or the key alone) are yes.
fn parse_flag(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "1" | "yes" | "true" | "on" => Some(true),
        "0" | "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

impl Answers {
    /// Reads the text form (a leading `#` or `?` is skipped). Returns the answers and, per value
    /// that could not be used, a sentence saying which and why (its default is kept).
    pub fn from_query(query: &str) -> (Answers, Vec<String>) {
        let mut answers = Answers::default();
        let mut problems = Vec::new();
        let query = query.trim_start_matches(['#', '?']);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value);
            let ok = match key {
                "client" => Os::parse(&value).map(|os| answers.client_os = os),
                "server" => Os::parse(&value).map(|os| answers.server_os = os),
                "ends" => Ends::parse(&value).map(|e| answers.ends = e),
                "minutes" => value
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|m| (1..=MAX_MINUTES).contains(m))
                    .map(|m| answers.repro_minutes = m),
                "mbps" => value
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| (MIN_MBPS..=MAX_MBPS).contains(v))
                    .map(|v| answers.mbps = v),
                "intermittent" => parse_flag(&value).map(|f| answers.intermittent = f),
                "target" if value.trim().is_empty() => {
                    answers.target = None;
                    Some(())
                }
                "target" => value
                    .trim()
                    .parse::<IpAddr>()
                    .ok()
                    .map(|ip| answers.target = Some(ip)),
                _ => Some(()), // not an answer (e.g. the page's own `plan` key)
            };
            if ok.is_none() {
                problems.push(format!(
                    "`{key}={}` is not a valid answer; the default is used.",
                    crate::findings::text::clean(&value, 40)
                ));
            }
        }
        (answers, problems)
    }

    /// The text form, keys in a fixed order (the page's fragment after `plan&`).
    pub fn to_query(&self) -> String {
        let mut out = format!(
            "client={}&server={}&ends={}&minutes={}&mbps={}&intermittent={}",
            self.client_os.key(),
            self.server_os.key(),
            self.ends.key(),
            self.repro_minutes,
            self.mbps,
            if self.intermittent { "yes" } else { "no" }
        );
        if let Some(ip) = self.target {
            // IPv6 colons are escaped as URLSearchParams would write them.
            out += &format!("&target={}", ip.to_string().replace(':', "%3A"));
        }
        out
    }

    /// The operating systems of the ends that are captured.
    pub fn captured(&self) -> Vec<(&'static str, Os)> {
        let mut ends = Vec::new();
        if self.ends.client() {
            ends.push(("client", self.client_os));
        }
        if self.ends.server() {
            ends.push(("server", self.server_os));
        }
        ends
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_form_round_trips() {
        let answers = Answers {
            client_os: Os::Macos,
            server_os: Os::NetworkDevice,
            ends: Ends::Client,
            repro_minutes: 120,
            mbps: 2.5,
            intermittent: true,
            target: Some("2001:db8::1".parse().unwrap()),
        };
        let query = answers.to_query();
        assert_eq!(
            query,
            "client=macos&server=device&ends=client&minutes=120&mbps=2.5&intermittent=yes&target=2001%3Adb8%3A%3A1"
        );
        assert_eq!(Answers::from_query(&query), (answers, vec![]));
    }

    #[test]
    fn bad_values_keep_the_defaults_and_say_so() {
        let (answers, problems) =
            Answers::from_query("#plan&client=beos&minutes=0&mbps=1e9&target=10.0.0.999&x=1");
        assert_eq!(answers, Answers::default());
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].starts_with("`client=beos`"), "{problems:?}");
    }

    #[test]
    fn flags_and_escapes() {
        let (answers, _) = Answers::from_query("intermittent&target=10.1.2.3&server=Windows");
        assert!(answers.intermittent);
        assert_eq!(answers.target, Some("10.1.2.3".parse().unwrap()));
        assert_eq!(answers.server_os, Os::Windows);
        assert_eq!(percent_decode("a%3Ab+c%zz"), "a:b c%zz");
    }
}
