use std::collections::BTreeMap;
use std::fmt;

use crate::SkippedItem;

/// Skipped items the summary shows; `skipped.txt` lists them all.
const SKIPPED_SHOWN: usize = 5;

/// What an export wrote and what it left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Items and annotations written, per subset.
    pub subsets: BTreeMap<String, SubsetSummary>,
    /// Objects left out, counted per reason (e.g. "objects with no visible pixels").
    pub left_out: BTreeMap<String, u64>,
    /// Number of categories written.
    pub categories: usize,
    /// Choices the export made that the reader of the output must know
    /// (e.g. the bit depth of mask files), one sentence each.
    pub notes: Vec<String>,
    /// Broken items left out, in item order (only with
    /// [`ExportOptions::skip_broken`](crate::ExportOptions::skip_broken)).
    pub skipped: Vec<SkippedItem>,
    /// Problems that did not stop the export, one sentence each, naming the
    /// file (e.g. a previous output that could not be removed).
    pub warnings: Vec<String>,
}

/// Counts of one subset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubsetSummary {
    /// Items (images) written.
    pub items: u64,
    /// Annotations written.
    pub annotations: u64,
}

impl Summary {
    /// Items written in all subsets.
    pub fn items(&self) -> u64 {
        self.subsets.values().map(|subset| subset.items).sum()
    }

    /// Annotations written in all subsets.
    pub fn annotations(&self) -> u64 {
        self.subsets.values().map(|subset| subset.annotations).sum()
    }

    /// Counts one object left out for `reason`.
    pub fn leave_out(&mut self, reason: &str) {
        *self.left_out.entry(reason.to_string()).or_default() += 1;
    }

    /// Counts one object left out for each of `reasons`.
    pub(crate) fn leave_out_all<'a>(&mut self, reasons: impl IntoIterator<Item = &'a str>) {
        for reason in reasons {
            self.leave_out(reason);
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, subset) in &self.subsets {
            writeln!(
                f,
                "  {name}: {} items, {} annotations",
                subset.items, subset.annotations
            )?;
        }
        writeln!(f, "  categories: {}", self.categories)?;
        for (reason, count) in &self.left_out {
            writeln!(f, "  left out: {count} {reason}")?;
        }
        for note in &self.notes {
            writeln!(f, "  note: {note}")?;
        }
        if !self.skipped.is_empty() {
            writeln!(
                f,
                "  skipped: {} broken items, listed in {}",
                self.skipped.len(),
                crate::SKIPPED_FILE
            )?;
            for item in self.skipped.iter().take(SKIPPED_SHOWN) {
                writeln!(f, "    {}: {}", item.name(), item.reason())?;
            }
            if self.skipped.len() > SKIPPED_SHOWN {
                writeln!(f, "    … and {} more", self.skipped.len() - SKIPPED_SHOWN)?;
            }
        }
        Ok(())
    }
}
