//! The capture plan: the request a support engineer sends a customer for a usable capture,
//! computed from a few answers ([`answers::Answers`]: each end's OS, which ends can be captured,
//! the minutes the capture must cover, the traffic, whether the problem is intermittent). It
//! holds the seed's advice as exact commands: a ring buffer sized from the traffic
//! ([`ring`]), the commands per OS and tool ([`commands`]: dumpcap, tcpdump, pktmon, netsh
//! trace, nmcap), marker pings of the sizes the analyzer recognises
//! ([`crate::findings::markers::START_MARKER`] and [`crate::findings::markers::END_MARKER`]),
//! clock checks for two-point captures, what to write down and how to send the files
//! ([`sections`]); [`render`] writes it as text or Markdown. [`recognise`] goes the other way:
//! it says, in the plan's words, what of the plan an opened capture shows (markers, ring-buffer
//! or chained parts). Plain Rust: the page reaches it through one wasm function, the command
//! line through `tracelens plan`.

pub mod answers;
pub mod commands;
pub mod recognise;
pub mod render;
pub mod ring;
pub mod sections;
#[cfg(test)]
mod syntax_tests;

pub use answers::{Answers, Ends, Os};
use commands::Command;
use serde::Serialize;

/// One part of a section.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph.
    Text { text: String },
    /// Numbered steps, in order.
    Steps { items: Vec<String> },
    /// A bulleted list.
    List { items: Vec<String> },
    /// Command lines of one tool, under a label saying when to use them.
    Commands {
        label: String,
        commands: Vec<Command>,
    },
}

/// A titled part of the plan (`id` is stable: the page and the tests find sections by it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub title: String,
    pub answers: Answers,
    /// The answers' text form (the page's fragment).
    pub query: String,
    pub ring: ring::Ring,
    pub sections: Vec<Section>,
}

/// The plan for `answers`.
pub fn build(answers: &Answers) -> Plan {
    let ring = ring::ring(answers.mbps, answers.repro_minutes, answers.intermittent);
    Plan {
        title: sections::title(answers),
        answers: answers.clone(),
        query: answers.to_query(),
        ring,
        sections: sections::all(answers, &ring),
    }
}

/// The plan as the page and `tracelens plan --format json` get it: the plan, its text and
/// Markdown renderings, and the answers that could not be used.
#[derive(Debug, Clone, Serialize)]
pub struct Rendered {
    pub plan: Plan,
    pub text: String,
    pub markdown: String,
    pub problems: Vec<String>,
}

/// Reads the answers' text form and renders the plan (the wasm function's whole job).
pub fn from_query(query: &str) -> Rendered {
    let (answers, problems) = Answers::from_query(query);
    let plan = build(&answers);
    Rendered {
        text: render::text(&plan),
        markdown: render::markdown(&plan),
        plan,
        problems,
    }
}
