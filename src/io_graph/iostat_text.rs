//! The text table `tshark -q -z io,stat,…` prints (tshark 4.0), byte for byte: a framed
//! header (duration, interval, one line per column's filter, wrapped like tshark wraps them),
//! column numbers and "Frames | Bytes" labels centred as tshark centres them, one row per
//! interval ("0 <> 1", the last one ending at "Dur" or the duration), and the closing border.
//! Widths follow tshark's rules, including its oddities (the duration's microseconds printed
//! space-padded, "5.  3877 secs", when the interval is whole seconds).

use super::iostat::{magnitude, IoStat, TimeLayout};

/// Column widths: frames and bytes, without padding and borders.
struct Widths {
    frames: usize,
    bytes: usize,
}

/// Everything the lines share: the border length, the interval column's and the table row's
/// widths, and the time layout.
struct Frame {
    border: usize,
    interval_col: usize,
    table_row: usize,
    time: TimeLayout,
    widths: Vec<Widths>,
}

impl Frame {
    /// `borderlen - k` spaces (tshark's `&spaces[k]`).
    fn pad(&self, k: usize) -> String {
        " ".repeat(self.border.saturating_sub(k))
    }
    fn filler(&self) -> Option<String> {
        (self.table_row < self.border).then(|| self.pad(self.table_row + 1))
    }
}

fn layout(stat: &IoStat) -> Frame {
    let time = stat.time_layout();
    let digits = time.rounded_duration_digits as usize;
    let precision = time.precision as usize;
    let decimals = if precision == 0 { 0 } else { precision + 1 };
    let mut border = if time.whole_capture {
        30 + time.duration_digits as usize + decimals
    } else {
        24 + magnitude(time.interval_us / 1_000_000, 5) as usize + decimals
    };
    let interval_col = if precision == 0 {
        2 * digits + 8
    } else {
        2 * digits + 2 * precision + 10
    }
    .max(12);
    border = border.max(interval_col);
    let widths: Vec<Widths> = stat
        .columns
        .iter()
        .map(|c| Widths {
            frames: (magnitude(u64::from(c.max_frames()), 15) as usize).max(6),
            bytes: (magnitude(c.max_bytes(), 15) as usize).max(5),
        })
        .collect();
    let table_row = interval_col + widths.iter().map(|w| w.frames + w.bytes + 6).sum::<usize>();
    border = border.max(table_row);
    let widest_filter = stat
        .columns
        .iter()
        .map(|c| c.filter.as_ref().map_or(26, |f| f.len() + 11))
        .max()
        .unwrap_or(0);
    if widest_filter > border && border < 102 {
        border = widest_filter.min(102);
    }
    if border == table_row + 1 {
        border += 1;
    }
    Frame {
        border,
        interval_col,
        table_row,
        time,
        widths,
    }
}

/// The table as tshark prints it (starting with its empty line).
pub fn render(stat: &IoStat) -> String {
    let frame = layout(stat);
    let mut out = String::from("\n");
    out += &"=".repeat(frame.border);
    out += &format!("\n| IO Statistics{}|\n", frame.pad(16));
    out += &format!("|{}|\n", frame.pad(2));
    out += &duration_lines(&frame);
    out += &format!("|{}|\n", frame.pad(2));
    out += &filter_lines(stat, &frame);
    out += &format!("|-{}|\n", "-".repeat(frame.border.saturating_sub(3)));
    out += &column_headers(&frame);
    for row in stat.rows() {
        let last = row.end_us == frame.time.duration_us;
        out += &interval_cell(&frame, row.start_us, row.end_us, last);
        for (w, (frames, bytes)) in frame.widths.iter().zip(row.frames.iter().zip(&row.bytes)) {
            out += &format!(" {frames:>f$} | {bytes:>b$} |", f = w.frames, b = w.bytes);
        }
        if let Some(filler) = frame.filler() {
            out += &format!("{filler}|");
        }
        out.push('\n');
    }
    out += &"=".repeat(frame.border);
    out.push('\n');
    out
}

/// "| Duration: … secs |" and "| Interval: … secs |".
fn duration_lines(frame: &Frame) -> String {
    let t = &frame.time;
    let width = t.duration_digits as usize;
    let digits = t.rounded_duration_digits as usize;
    let precision = t.precision as usize;
    if precision == 0 {
        let unrounded = t.unrounded_duration_us;
        format!(
            "| Duration: {:>width$}.{:>6} secs{}|\n| Interval: {:>width$} secs{}|\n",
            unrounded / 1_000_000,
            unrounded % 1_000_000,
            frame.pad(25 + digits),
            (t.interval_us / 1_000_000) as u32,
            frame.pad(18 + digits),
        )
    } else {
        let pad = frame.pad(19 + digits + precision);
        format!(
            "| Duration: {} secs{pad}|\n| Interval: {} secs{pad}|\n",
            seconds(t, t.duration_us, width),
            seconds(t, t.interval_us, width),
        )
    }
}

/// `us` as tshark's `%{width}u.%0{precision}u` (truncated to the precision).
fn seconds(t: &TimeLayout, us: u64, width: usize) -> String {
    let unit = 1_000_000 / 10u64.pow(t.precision);
    format!(
        "{:>width$}.{:0p$}",
        (us / 1_000_000) as u32,
        (us % 1_000_000) / unit,
        p = t.precision as usize
    )
}

/// "| Col  1: filter |" lines, long filters wrapped at the last space that fits.
fn filter_lines(stat: &IoStat, frame: &Frame) -> String {
    let mut out = String::from("| Col");
    for (j, column) in stat.columns.iter().enumerate() {
        out += &if j == 0 {
            format!("{:>2}: ", j + 1)
        } else {
            format!("|    {:>2}: ", j + 1)
        };
        let Some(filter) = &column.filter else {
            out += &format!("Frames and bytes{}|\n", frame.pad(26));
            continue;
        };
        let mut rest = filter.as_bytes();
        let max = frame.border.saturating_sub(11);
        while rest.len() + 11 > frame.border && rest.len() > max {
            let head = &rest[..max];
            let (len, next) = match head.iter().rposition(|&b| b == b' ') {
                Some(space) => (space, space + 1),
                None => (max, max),
            };
            out += &format!(
                "{}{}|\n|        ",
                String::from_utf8_lossy(&rest[..len]),
                frame.pad(len + 10)
            );
            rest = &rest[next..];
        }
        out += &format!(
            "{}{}|\n",
            String::from_utf8_lossy(rest),
            frame.pad(rest.len() + 10)
        );
    }
    out
}

/// The column-number line, the "Interval | Frames | Bytes" line and the rule under them.
fn column_headers(frame: &Frame) -> String {
    let mut out = format!("|{}|", " ".repeat(frame.interval_col - 2));
    for (j, w) in frame.widths.iter().enumerate() {
        out += &format!("{:<2}{}|", j + 1, " ".repeat(w.frames + w.bytes + 3));
    }
    let filler = frame.filler();
    if let Some(f) = &filler {
        out += &format!("{f}|");
    }
    out += &format!(
        "\n| Interval{}|",
        " ".repeat(frame.interval_col.saturating_sub(11))
    );
    for w in &frame.widths {
        out += &centred("Frames", w.frames);
        out += &centred("Bytes", w.bytes);
    }
    if let Some(f) = &filler {
        out += &format!("{f}|");
    }
    out += &format!("\n|-{}|", "-".repeat(frame.table_row.saturating_sub(3)));
    if let Some(f) = &filler {
        out += &format!("{f}|");
    }
    out.push('\n');
    out
}

/// tshark's `printcenter(label, width, 1)`: the label centred in a cell of `width` plus
/// padding; nothing at all when the cell is wider than its six spaces can centre.
fn centred(label: &str, width: usize) -> String {
    let (width, label_len) = (width as i64, label.len() as i64);
    let len = 6 - ((width - label_len) / 2 + 1);
    if len > 0 && len < 6 {
        let side = " ".repeat((6 - len) as usize);
        if (width - label_len) % 2 == 0 {
            format!("{side}{label}{side}|")
        } else {
            format!(" {side}{label}{side}|")
        }
    } else if len > 0 && len <= 15 {
        format!("{label}|")
    } else {
        String::new()
    }
}

/// "|  0 <> 1  |", "| 0.1 <> 0.2 |", or the last row's "|  5 <> Dur|".
fn interval_cell(frame: &Frame, start: u64, end: u64, last: bool) -> String {
    let t = &frame.time;
    let width = t.duration_digits as usize;
    let digits = t.rounded_duration_digits;
    if t.precision > 0 {
        return format!(
            "| {} <> {} |",
            seconds(t, start, width),
            seconds(t, end, width)
        );
    }
    let lead = if digits == 1 { "|  " } else { "| " };
    let start_s = (start / 1_000_000) as u32;
    if last {
        let dur_width = if digits >= 3 { digits as usize + 1 } else { 3 };
        format!("{lead}{start_s:>width$} <> {:<dur_width$}|", "Dur")
    } else {
        let tail = if digits == 1 { "  |" } else { " |" };
        format!(
            "{lead}{start_s:>width$} <> {:>width$}{tail}",
            (end / 1_000_000) as u32
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io_graph::iostat::{Column, Interval};

    #[test]
    fn labels_are_centred_as_tshark_centres_them() {
        assert_eq!(centred("Frames", 6), " Frames |");
        assert_eq!(centred("Frames", 7), "  Frames |");
        assert_eq!(centred("Bytes", 5), " Bytes |");
        assert_eq!(centred("Bytes", 8), "   Bytes  |");
        assert_eq!(centred("Bytes", 16), "");
    }

    /// tshark 4.0.17's output for chrissanders/http_ip4and6.pcapng with `-z io,stat,1`.
    #[test]
    fn a_whole_second_table_matches_tshark() {
        let stat = IoStat {
            interval: Interval::parse("1").unwrap(),
            duration_us: 5_003_877,
            columns: vec![Column {
                filter: None,
                frames: vec![10, 0, 0, 0, 5, 5],
                bytes: vec![1244, 0, 0, 0, 530, 921],
            }],
        };
        let expected = "\n=============================\n\
| IO Statistics             |\n\
|                           |\n\
| Duration: 5.  3877 secs   |\n\
| Interval: 1 secs          |\n\
|                           |\n\
| Col 1: Frames and bytes   |\n\
|---------------------------|\n\
|          |1               |\n\
| Interval | Frames | Bytes |\n\
|---------------------------|\n\
|  0 <> 1  |     10 |  1244 |\n\
|  1 <> 2  |      0 |     0 |\n\
|  2 <> 3  |      0 |     0 |\n\
|  3 <> 4  |      0 |     0 |\n\
|  4 <> 5  |      5 |   530 |\n\
|  5 <> Dur|      5 |   921 |\n\
=============================\n";
        assert_eq!(render(&stat), expected);
    }
}
