//! The plan written out for the customer: as plain text (an email or a ticket that shows no
//! Markdown; commands indented four spaces) or as Markdown (commands in fenced blocks marked
//! `bat` for Windows and `sh` for Linux/macOS, so they copy cleanly).

use super::{Block, Plan};

/// Appends `items` as numbered steps or bullets.
fn items(out: &mut String, items: &[String], numbered: bool) {
    for (n, item) in items.iter().enumerate() {
        if numbered {
            out.push_str(&format!("{}. {item}\n", n + 1));
        } else {
            out.push_str(&format!("- {item}\n"));
        }
    }
}

/// Plain text or Markdown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Text,
    Markdown,
}

/// `title` as a heading of `level` (1 or 2) in `style`.
fn heading(out: &mut String, title: &str, level: usize, style: Style) {
    if style == Style::Markdown {
        out.push_str(&format!("{} {title}\n", "#".repeat(level)));
    } else {
        let rule = if level == 1 { "=" } else { "-" };
        out.push_str(&format!(
            "{title}\n{}\n",
            rule.repeat(title.chars().count())
        ));
    }
}

fn write(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    heading(&mut out, &plan.title, 1, style);
    for section in &plan.sections {
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        heading(&mut out, &section.title, 2, style);
        if style == Style::Markdown {
            out.push('\n');
        }
        for block in &section.blocks {
            match block {
                Block::Text { text } => out.push_str(&format!("{text}\n")),
                Block::Steps { items: list } => items(&mut out, list, true),
                Block::List { items: list } => items(&mut out, list, false),
                Block::Commands { label, commands } => {
                    let lang = match commands.first().map(|c| c.shell) {
                        Some("cmd") => "bat",
                        _ => "sh",
                    };
                    match style {
                        Style::Markdown => out.push_str(&format!("{label}:\n\n```{lang}\n")),
                        Style::Text => out.push_str(&format!("{label}:\n")),
                    }
                    for c in commands {
                        let indent = if style == Style::Text { "    " } else { "" };
                        out.push_str(&format!("{indent}{}\n", c.line));
                    }
                    if style == Style::Markdown {
                        out.push_str("```\n");
                    }
                }
            }
            out.push('\n');
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// The plan as plain text.
pub fn text(plan: &Plan) -> String {
    write(plan, Style::Text)
}

/// The plan as Markdown.
pub fn markdown(plan: &Plan) -> String {
    write(plan, Style::Markdown)
}

#[cfg(test)]
mod tests {
    use crate::plan::{build, Answers};

    #[test]
    fn markdown_fences_commands_by_shell() {
        let md = super::markdown(&build(&Answers::default()));
        assert!(
            md.starts_with("# Capture plan: Windows client, Linux server — capture on both ends\n")
        );
        assert!(md.contains("\n## Mark the repro with pings\n"));
        assert!(md.contains("```bat\nping -n 1 -l 22 SERVER_IP\nping -n 1 -l 33 SERVER_IP\n```\n"));
        assert!(md.contains("```sh\ntcpdump -D\ntcpdump -i any -s 0 "));
        assert!(md.contains("\n2. On the client: ping -n 1 -l 22 SERVER_IP (start marker)\n"));
        assert!(md.ends_with("```\n"));
    }

    #[test]
    fn text_indents_commands() {
        let text = super::text(&build(&Answers::default()));
        assert!(text.contains("\nMark the repro with pings\n-------------------------\n"));
        assert!(text.contains("\n    ping -n 1 -l 33 SERVER_IP\n"));
        assert!(!text.contains("```"));
    }
}
