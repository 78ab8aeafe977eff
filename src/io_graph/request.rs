//! One IO graph request from the page, answered over the analyzer: the time range (default: the
//! whole capture), the interval (default: a round one giving about `target` points), and the
//! lines (a display filter, blank for every frame, and a measure), each answered with one value
//! per interval. The frames each filter selects are kept in a [`Cache`] by filter text, so
//! re-binning on zoom or changing a measure costs one pass over the selected frames, not a
//! filter evaluation. A line whose filter is invalid carries its error and no values.

use super::series::{self, Bins, Field, Measure};
use crate::analyzer::Analyzer;
use crate::filter::{Filter, FrameBytes};
use serde::Serialize;
use std::collections::HashMap;

/// What the page asks for (seconds of `frame.time_relative`).
#[derive(Debug, Clone)]
pub struct Request {
    pub from: Option<f64>,
    pub to: Option<f64>,
    pub interval: Option<f64>,
    pub target: Option<u32>,
    pub lines: Vec<LineSpec>,
}

#[derive(Debug, Clone)]
pub struct LineSpec {
    pub filter: String,
    /// packets, bytes, bits, sum, max or avg.
    pub measure: String,
    /// For sum/max/avg: frame.len or tcp.analysis.ack_rtt.
    pub field: String,
}

/// The answer: the bins' start and width (seconds), how many, the capture's duration, and one
/// line per requested line.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub from: f64,
    pub interval: f64,
    pub count: usize,
    pub duration: f64,
    pub lines: Vec<LineAnswer>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LineAnswer {
    pub values: Vec<f64>,
    /// Frames the line's filter selected.
    pub frames: usize,
    pub error: Option<String>,
}

/// Frames selected per filter text, for the index size they were computed for.
#[derive(Debug, Default)]
pub struct Cache {
    built_for: usize,
    selected: HashMap<String, Vec<u32>>,
}

impl Cache {
    /// The frames `text` selects (`None`: blank, every frame), evaluated once per text.
    pub fn frames(
        &mut self,
        analyzer: &mut Analyzer,
        text: &str,
        bytes: Option<&dyn FrameBytes>,
    ) -> Result<Option<&[u32]>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if self.built_for != analyzer.len() {
            self.selected.clear();
            self.built_for = analyzer.len();
        }
        if !self.selected.contains_key(text) {
            let filter = Filter::compile(text).map_err(|e| e.message.clone())?;
            let frames = analyzer
                .filter_frames(&filter, bytes)
                .map_err(|e| e.message.clone())?;
            self.selected.insert(text.to_string(), frames);
        }
        Ok(self.selected.get(text).map(Vec::as_slice))
    }
}

const NS: f64 = 1e9;

/// Answers `request` (see the module doc).
pub fn answer(
    analyzer: &mut Analyzer,
    cache: &mut Cache,
    request: &Request,
    bytes: Option<&dyn FrameBytes>,
) -> Result<Answer, String> {
    let index = analyzer.index();
    let duration_ns = (0..index.len())
        .map(|i| super::relative_ns(index, i))
        .max()
        .unwrap_or(0)
        .max(0);
    let from_ns = request.from.map_or(0, |s| (s * NS).round() as i64);
    let to_ns = request.to.map_or(duration_ns, |s| (s * NS).round() as i64);
    let interval_ns = match request.interval {
        Some(s) if s > 0.0 => (s * NS).round() as i64,
        _ => series::auto_interval_ns(to_ns - from_ns, i64::from(request.target.unwrap_or(600))),
    };
    let bins = Bins::covering(from_ns, to_ns, interval_ns.max(1))?;
    let mut lines = Vec::with_capacity(request.lines.len());
    for spec in &request.lines {
        lines.push(line(analyzer, cache, spec, &bins, bytes));
    }
    Ok(Answer {
        from: from_ns as f64 / NS,
        interval: bins.interval_ns as f64 / NS,
        count: bins.count,
        duration: duration_ns as f64 / NS,
        lines,
    })
}

fn line(
    analyzer: &mut Analyzer,
    cache: &mut Cache,
    spec: &LineSpec,
    bins: &Bins,
    bytes: Option<&dyn FrameBytes>,
) -> LineAnswer {
    let failed = |error: String| LineAnswer {
        values: Vec::new(),
        frames: 0,
        error: Some(error),
    };
    let measure = match Measure::parse(&spec.measure, &spec.field) {
        Ok(measure) => measure,
        Err(error) => return failed(error),
    };
    let selected = match cache.frames(analyzer, &spec.filter, bytes) {
        Ok(selected) => selected,
        Err(error) => return failed(error),
    };
    let frames = selected.map_or(analyzer.len(), <[u32]>::len);
    // The TCP analysis (built on first use) only for a measure that reads it.
    let reads_tcp = matches!(
        measure,
        Measure::Sum(Field::AckRtt) | Measure::Max(Field::AckRtt) | Measure::Avg(Field::AckRtt)
    );
    let values = series::line(
        analyzer.index(),
        reads_tcp.then(|| analyzer.tcp()),
        selected,
        bins,
        measure,
    );
    LineAnswer {
        values,
        frames,
        error: None,
    }
}

/// The frame number (1-based) nearest in time to `time` seconds among the frames `filter`
/// selects, or `None`.
pub fn nearest(
    analyzer: &mut Analyzer,
    cache: &mut Cache,
    filter: &str,
    time: f64,
    bytes: Option<&dyn FrameBytes>,
) -> Option<u64> {
    let selected = cache
        .frames(analyzer, filter, bytes)
        .ok()?
        .map(<[u32]>::to_vec);
    series::nearest_frame(
        analyzer.index(),
        selected.as_deref(),
        (time * NS).round() as i64,
    )
    .map(|i| i as u64 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "cli")]
    fn analyzer(bytes: &[u8]) -> Analyzer {
        let mut analyzer = Analyzer::new();
        let file = analyzer.begin_file("t.pcap");
        analyzer.push(file, bytes);
        analyzer.end_file(file);
        analyzer.finish();
        analyzer
    }

    #[test]
    #[cfg(feature = "cli")]
    fn lines_share_the_bins_and_a_bad_filter_only_fails_its_line() {
        let mut bytes = Vec::new();
        crate::synth::write_synthetic_capture(&mut bytes, 400, 7).unwrap();
        let mut analyzer = analyzer(&bytes);
        let mut cache = Cache::default();
        let spec = |filter: &str, measure: &str| LineSpec {
            filter: filter.into(),
            measure: measure.into(),
            field: "frame.len".into(),
        };
        let request = Request {
            from: None,
            to: None,
            interval: None,
            target: Some(50),
            lines: vec![
                spec("", "packets"),
                spec("tcp", "sum"),
                spec("tcp.prot == 1", "packets"),
            ],
        };
        let answer = answer(&mut analyzer, &mut cache, &request, None).unwrap();
        assert_eq!(answer.lines[0].values.len(), answer.count);
        assert_eq!(answer.lines[0].frames, 400);
        let total: f64 = answer.lines[0].values.iter().sum::<f64>() * answer.interval;
        assert!((total - 400.0).abs() < 1e-6, "{total}");
        assert!(answer.lines[2]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("tcp.port")));
        let first = nearest(&mut analyzer, &mut cache, "", 0.0, None);
        assert_eq!(first, Some(1));
    }
}
