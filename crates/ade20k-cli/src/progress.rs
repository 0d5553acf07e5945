//! What `convert` tells while it runs: a progress bar on a terminal, and a
//! line per item with `-v`; both on stderr.

use std::fmt;
use std::io::IsTerminal;

use ade20k_export::{ItemProgress, ProgressHook};
use indicatif::{ProgressBar, ProgressState, ProgressStyle};

/// How much `convert` tells while it runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Nothing but errors and warnings.
    Quiet,
    /// A progress bar when stderr is a terminal, and the final summary.
    Normal,
    /// Also a line per item written.
    PerItem,
}

/// Reports an export's progress as `verbosity` says.
pub struct Progress {
    bar: Option<ProgressBar>,
    verbosity: Verbosity,
}

impl Progress {
    /// Starts reporting: the bar is drawn only when stderr is a terminal.
    pub fn start(verbosity: Verbosity) -> Self {
        let bar = (verbosity != Verbosity::Quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) =
                ProgressStyle::with_template("{wide_bar} {pos}/{len} items, {rate}, ETA {eta}")
            {
                bar.set_style(style.with_key(
                    "rate",
                    |state: &ProgressState, out: &mut dyn fmt::Write| {
                        let _ = write!(out, "{:.1} items/s", state.per_sec());
                    },
                ));
            }
            bar
        });
        Progress { bar, verbosity }
    }

    /// The hook the export calls per item; `None` when nothing is shown.
    pub fn hook(&self) -> Option<ProgressHook> {
        if self.bar.is_none() && self.verbosity != Verbosity::PerItem {
            return None;
        }
        let bar = self.bar.clone();
        let per_item = self.verbosity == Verbosity::PerItem;
        Some(ProgressHook::new(move |item: &ItemProgress<'_>| {
            let line = per_item.then(|| {
                format!(
                    "[{}/{}] {} {}: {} objects",
                    item.done, item.total, item.subset, item.id, item.objects
                )
            });
            match (&bar, line) {
                (Some(bar), line) => {
                    bar.set_length(item.total as u64);
                    bar.set_position(item.done as u64);
                    if let Some(line) = line {
                        bar.println(line);
                    }
                }
                (None, Some(line)) => eprintln!("{line}"),
                (None, None) => {}
            }
        }))
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
