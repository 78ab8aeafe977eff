//! The sentences of the `many_connections_one_source` findings: a burst a per-source limit
//! answered only in part (rule 1), and a source whose sheer volume of attempts failed in part, or
//! a port scan (rule 2).

use crate::findings::many_connections_one_source::{EpisodeFacts, VolumeFacts};
use crate::findings::text::{self, frame_no};

/// `15 never answered and 20 answered only after the SYN was sent again`.
fn how(f: &EpisodeFacts) -> String {
    text::join_and(&text::nonzero_counts(&[
        (f.unanswered as u64, "never answered"),
        (f.refused as u64, "refused"),
        (f.unreachable as u64, "rejected by ICMP"),
        (
            f.delayed as u64,
            "answered only after the SYN was sent again",
        ),
    ]))
}

/// The verdict and explanation of a rule-1 episode.
pub(crate) fn limited(f: &EpisodeFacts) -> (String, String) {
    let (host, server, n) = (&f.host, &f.server, f.attempts);
    let verdict = format!(
        "{host} → {server}: the server answered only part of {n} connection attempts made in {} \
         ({}), while it kept answering the same source — the pattern of a per-source connection \
         limit.",
        text::duration(f.span_ns),
        how(f),
    );
    let meanwhile_list: Vec<String> = f.meanwhile_frames.iter().map(u64::to_string).collect();
    let outside_text = if f.outside >= 5 {
        format!(
            " Outside the burst, {} of {} attempts on the same path were troubled: the failures \
             come with the rate.",
            f.outside_troubled, f.outside
        )
    } else {
        String::new()
    };
    let explanation = format!(
        "{host} started {n} TCP connections to {server} within {} (frames {} to {}; the busiest \
         second, from frame {}, held {}). {} were answered at once; {}. Of the {} SYNs sent for \
         them, {} got no SYN-ACK. While those waited, the server answered {} {} from the same \
         address (SYN-ACK in frame {}{}), so it was up, listening and reachable from {host}: it \
         ignored some of that source's SYNs and not others.{outside_text} This is what a \
         per-source limit does when many clients reach a server through one address: NAT on a \
         router or firewall in front of many clients, a proxy or a load balancer makes them one \
         very busy source, and the server's flood mitigation (ISA/TMG), SYN rate limit or per-IP \
         connection quota drops or refuses its excess SYNs. Check whether {host} is one client \
         or a NAT device, look in the server's or firewall's logs for limit or quota events \
         about {host} at that time, and raise the limit for that address, exempt it, or stop \
         translating the clients to one address.",
        text::duration(f.span_ns),
        frame_no(f.first),
        frame_no(f.last),
        frame_no(f.peak_from),
        f.peak,
        f.answered_at_once,
        text::capitalize(&how(f)),
        f.syns,
        f.syns_unanswered,
        f.meanwhile,
        if f.meanwhile == 1 {
            "other attempt"
        } else {
            "other attempts"
        },
        meanwhile_list.join(", "),
        if f.meanwhile > f.meanwhile_frames.len() {
            ", …"
        } else {
            ""
        },
    );
    (verdict, explanation)
}

/// The verdict and explanation of a rule-2 window: a port scan, or a busy source.
pub(crate) fn volume(f: &VolumeFacts) -> (String, String) {
    let (host, count, rate) = (&f.host, f.attempts, f.rate_per_s);
    let share = text::percent(f.failed as u64, count as u64);
    let span = text::duration(f.span_ns);
    let failures = text::nonzero_counts(&[
        (f.unanswered as u64, "never answered"),
        (f.refused as u64, "refused"),
    ]);
    let (first, last) = (frame_no(f.first), frame_no(f.last));
    if let Some((target, ports)) = &f.scan {
        return (
            format!(
                "{host} probed {ports} ports of {target} in {span} ({count} connection attempts; \
                 {share} of them failed: {}) — a port scan.",
                text::join_and(&failures)
            ),
            format!(
                "{host} sent {count} SYNs within {span} (about {rate:.1} per second) between frames \
                 {first} and {last}, one or two per port, over {ports} ports of {target}. No client \
                 application connects like that: it is a port scan (nmap's SYN scan looks like \
                 this). The ports that answered with a SYN-ACK are open; those that answered \
                 with a RST are closed; the silent ones are filtered or the host dropped the \
                 probes. If the scan is not yours, find who runs {host}."
            ),
        );
    }
    let destination = if f.top_count == count {
        format!("All of them went to {}.", f.top)
    } else {
        format!(
            "{} of them went to {}, the rest to {} other destinations.",
            f.top_count,
            f.top,
            f.destinations - 1
        )
    };
    (
        format!(
            "{host} opened {count} connections in {span}; {share} of them failed ({}).",
            text::join_and(&failures)
        ),
        format!(
            "{host} started {count} TCP connections within {span} (about {rate:.1} per second) \
             between frames {first} and {last}. {destination} When many clients reach a server \
             through one translated address — NAT on a router or firewall in front of the \
             server, a proxy, a load balancer — the server's per-source limits (flood \
             mitigation, SYN rate limits, connection quotas) see them as one very busy \
             client and start dropping or refusing its SYNs, which is what the failed \
             attempts look like. Check whether {host} is really one client or a NAT device \
             (a router translating every external client to one address in front of a \
             TMG server is the classic case), and the server's per-IP connection limits and \
             logs (TMG logs QUOTA EXCEEDED); raise the limits or exempt that address — or \
             stop translating the clients' addresses."
        ),
    )
}
