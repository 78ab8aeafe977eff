//! The filtered view an [`Analyzer`] keeps for the page and the CLI, built on the display-filter
//! engine ([`crate::filter`], which knows nothing of the analyzer): applying a filter compiles
//! it and evaluates it over the index already in memory (the capture is never read again, except
//! the bytes of frames that a byte-level test reaches), then the view lists the matching frames,
//! which keep their real frame numbers. Also completion and live validation for a filter bar.

use super::{Analyzer, Selection};
use crate::filter::FrameBytes;
use crate::filter::{check, complete, AppPdus, Filter, FilterData, FilterError, FilterSupport};
use crate::rank_bits::RankedBits;
use crate::summary::{self, Row};

/// Filter state kept inside the [`Analyzer`].
#[derive(Debug, Default)]
pub struct FilterView {
    /// Support tables and the number of frames they were built for.
    support: Option<(usize, FilterSupport)>,
    /// The applied filter and the frames it selected.
    active: Option<(String, Selection)>,
    /// Reassembled HTTP messages and TLS records, built the first time a filter reads them.
    pdus: Option<(usize, AppPdus)>,
}

impl Analyzer {
    /// Builds the filter support tables if the index changed since they were built.
    fn ensure_filter_support(&mut self) {
        let frames = self.index().len();
        let stale = self
            .filter_view
            .support
            .as_ref()
            .is_none_or(|(built_for, _)| *built_for != frames);
        if stale {
            let files = self.file_infos();
            let support = FilterSupport::build(self.index(), &files);
            self.filter_view.support = Some((frames, support));
        }
    }

    /// Compiles `text` and evaluates it over every frame, keeping the result as the view.
    /// Returns the number of matching frames. Filters that read frame bytes need
    /// [`Analyzer::apply_filter_with`]. Blank text clears the filter.
    pub fn apply_filter(&mut self, text: &str) -> Result<usize, FilterError> {
        self.apply_filter_with(text, None)
    }

    /// [`Analyzer::apply_filter`] with a source of frame bytes for byte-level tests.
    pub fn apply_filter_with(
        &mut self,
        text: &str,
        bytes: Option<&dyn FrameBytes>,
    ) -> Result<usize, FilterError> {
        let filter = Filter::compile(text)?;
        if text.trim().is_empty() {
            self.clear_filter();
            return Ok(self.len());
        }
        self.prepare_filter(&filter, bytes);
        let fallback = FilterSupport::default();
        let mut bits = RankedBits::with_capacity(self.len());
        filter.each_frame(&self.filter_data(bytes, &fallback), |_, matched| {
            bits.push(matched)
        })?;
        let selection = Selection::from_bits(bits);
        let count = selection.len();
        self.filter_view.active = Some((text.to_string(), selection));
        Ok(count)
    }

    /// Evaluates a compiled filter without changing the view; returns matching frame indexes.
    pub fn filter_frames(
        &mut self,
        filter: &Filter,
        bytes: Option<&dyn FrameBytes>,
    ) -> Result<Vec<u32>, FilterError> {
        self.prepare_filter(filter, bytes);
        let fallback = FilterSupport::default();
        filter.matching_frames(&self.filter_data(bytes, &fallback))
    }

    /// Builds what evaluating `filter` needs and is not built yet: the support tables, and the
    /// reassembled messages when the filter reads them and `bytes` can provide them.
    fn prepare_filter(&mut self, filter: &Filter, bytes: Option<&dyn FrameBytes>) {
        self.ensure_filter_support();
        let frames = self.index().len();
        if let Some(source) = bytes.filter(|_| filter.uses_pdus()) {
            if self
                .filter_view
                .pdus
                .as_ref()
                .is_none_or(|(built_for, _)| *built_for != frames)
            {
                let pdus = AppPdus::build(self.index(), self.flows(), Some(self.tcp()), source);
                self.filter_view.pdus = Some((frames, pdus));
            }
        }
    }

    /// What a filter is evaluated against (`fallback` stands for support tables not built).
    fn filter_data<'a>(
        &'a self,
        bytes: Option<&'a dyn FrameBytes>,
        fallback: &'a FilterSupport,
    ) -> FilterData<'a> {
        let frames = self.index().len();
        let pdus = self
            .filter_view
            .pdus
            .as_ref()
            .filter(|(built_for, _)| *built_for == frames)
            .map(|(_, pdus)| pdus);
        let support = self
            .filter_view
            .support
            .as_ref()
            .map_or(fallback, |(_, support)| support);
        FilterData {
            index: self.index(),
            flows: self.flows(),
            support,
            tcp: Some(self.tcp()),
            pdus,
            bytes,
        }
    }

    /// Drops the filter: the view shows every frame again.
    pub fn clear_filter(&mut self) {
        self.filter_view.active = None;
    }

    /// The applied filter's text, if any.
    pub fn filter_text(&self) -> Option<&str> {
        self.filter_view
            .active
            .as_ref()
            .map(|(text, _)| text.as_str())
    }

    /// Frame indexes (0-based) in the view, or `None` when no filter is applied (all frames).
    pub fn view_frames(&self) -> Option<&Selection> {
        self.filter_view.active.as_ref().map(|(_, frames)| frames)
    }

    /// Number of frames in the view.
    pub fn view_len(&self) -> usize {
        self.view_frames().map_or(self.len(), Selection::len)
    }

    /// Position in the view of frame number `no` (1-based), or `None` if the view does not
    /// hold it (to scroll the list to a frame).
    pub fn view_index_of(&self, no: u64) -> Option<usize> {
        let index = usize::try_from(no.checked_sub(1)?).ok()?;
        match self.view_frames() {
            None => (index < self.len()).then_some(index),
            Some(frames) => frames.position_of(u32::try_from(index).ok()?),
        }
    }

    /// Packet-list rows `start..start+count` of the view (rows keep their frame numbers).
    pub fn view_rows(&self, start: usize, count: usize) -> Vec<Row> {
        let Some(frames) = self.view_frames() else {
            return self.rows(start, count);
        };
        let first = summary::first_time(self.index());
        frames
            .iter_from(start)
            .take(count)
            .map(|i| {
                summary::row(
                    self.index(),
                    self.flows(),
                    Some(self.tcp()),
                    i as usize,
                    first,
                )
            })
            .collect()
    }

    /// Field names and descriptions completing the word at the end of `prefix`.
    pub fn complete_filter(&self, prefix: &str) -> Vec<(&'static str, &'static str)> {
        complete(prefix)
            .into_iter()
            .map(|c| (c.name, c.description))
            .collect()
    }

    /// Checks filter text (for green/red validation while typing).
    pub fn check_filter(&self, text: &str) -> Result<(), FilterError> {
        check(text)
    }
}
