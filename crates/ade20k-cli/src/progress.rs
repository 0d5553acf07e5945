//! What the commands tell while they run, on stderr: a progress bar per
//! phase (named, with its count, rate and, once meaningful, ETA) on a
//! terminal, and a line per item with `convert -v`.
//!
//! Bars are drawn only when stderr is a terminal, unless the environment
//! variable [`PROGRESS_ENV`] is `plain`: then each redraw is a plain line,
//! for logs and tests.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ade20k_export::{ItemProgress, Phase, PhaseHook, PhaseProgress, ProgressHook};
use indicatif::{
    HumanDuration, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle,
    TermLike,
};

/// The environment variable that, set to `plain`, draws progress as plain
/// lines on stderr even when it is not a terminal.
pub const PROGRESS_ENV: &str = "ADE20K_PROGRESS";

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

/// Reports a command's progress as `verbosity` says.
pub struct Progress {
    bars: Option<Bars>,
    verbosity: Verbosity,
}

/// The bars drawn: the current phase's is the last.
#[derive(Clone)]
struct Bars {
    multi: MultiProgress,
    current: Arc<Mutex<Option<(Phase, ProgressBar)>>>,
}

impl Bars {
    /// Moves the bar of `progress.phase` (a new one when the phase changes).
    fn show(&self, progress: &PhaseProgress) {
        let Ok(mut current) = self.current.lock() else {
            return;
        };
        let bar = match &*current {
            Some((phase, bar)) if *phase == progress.phase => bar.clone(),
            previous => {
                if let Some((_, bar)) = previous {
                    bar.finish();
                }
                let bar = self.multi.add(phase_bar(progress.phase));
                *current = Some((progress.phase, bar.clone()));
                bar
            }
        };
        if bar.length() != Some(progress.total as u64) {
            bar.set_length(progress.total as u64);
        }
        // Reports from several threads may arrive out of order.
        if progress.done as u64 > bar.position() || progress.done == 0 {
            bar.set_position(progress.done as u64);
        }
    }
}

impl Progress {
    /// Starts reporting: bars are drawn only when stderr is a terminal (or
    /// [`PROGRESS_ENV`] is `plain`) and `verbosity` is not quiet.
    pub fn start(verbosity: Verbosity) -> Self {
        let plain = std::env::var(PROGRESS_ENV).is_ok_and(|value| value == "plain");
        let shown = verbosity != Verbosity::Quiet && (plain || std::io::stderr().is_terminal());
        let bars = shown.then(|| {
            let multi = if plain {
                MultiProgress::with_draw_target(ProgressDrawTarget::term_like_with_hz(
                    Box::new(PlainLines),
                    4,
                ))
            } else {
                MultiProgress::with_draw_target(ProgressDrawTarget::stderr())
            };
            Bars {
                multi,
                current: Arc::new(Mutex::new(None)),
            }
        });
        Progress { bars, verbosity }
    }

    /// The hook each pass tells how far it has got; `None` when nothing is shown.
    pub fn phases(&self) -> Option<PhaseHook> {
        let bars = self.bars.clone()?;
        Some(PhaseHook::new(move |progress: &PhaseProgress| {
            bars.show(progress)
        }))
    }

    /// The hook the export calls per item written: a line per item with
    /// [`Verbosity::PerItem`], `None` otherwise.
    pub fn hook(&self) -> Option<ProgressHook> {
        if self.verbosity != Verbosity::PerItem {
            return None;
        }
        let multi = self.bars.as_ref().map(|bars| bars.multi.clone());
        Some(ProgressHook::new(move |item: &ItemProgress<'_>| {
            let line = format!(
                "[{}/{}] {} {}: {} objects",
                item.done, item.total, item.subset, item.id, item.objects
            );
            match &multi {
                Some(multi) => {
                    let _ = multi.println(line);
                }
                None => eprintln!("{line}"),
            }
        }))
    }

    /// Removes the bars.
    pub fn finish(&self) {
        if let Some(bars) = &self.bars {
            if let Ok(mut current) = bars.current.lock() {
                if let Some((_, bar)) = current.take() {
                    bar.finish();
                }
            }
            let _ = bars.multi.clear();
        }
    }
}

/// A bar for `phase`: its name, count, rate, and the ETA once [`eta`] gives one.
fn phase_bar(phase: Phase) -> ProgressBar {
    let bar = ProgressBar::new(0).with_prefix(phase.name());
    if let Ok(style) =
        ProgressStyle::with_template("{prefix:>15} {wide_bar} {pos}/{len} items, {rate}{eta}")
    {
        let style = style
            .with_key("rate", |state: &ProgressState, out: &mut dyn fmt::Write| {
                let _ = write!(out, "{:.1} items/s", state.pos() as f64 / seconds(state));
            })
            .with_key("eta", |state: &ProgressState, out: &mut dyn fmt::Write| {
                let total = state.len().unwrap_or(0);
                if let Some(eta) = eta(state.pos(), total, state.elapsed()) {
                    let _ = write!(out, ", ETA {}", HumanDuration(eta));
                }
            });
        bar.set_style(style);
    }
    bar
}

/// Seconds since the bar started, never 0.
fn seconds(state: &ProgressState) -> f64 {
    state.elapsed().as_secs_f64().max(1e-3)
}

/// The least share of a phase done, and the least time passed, before an
/// ETA is shown: before that the rate says too little.
const ETA_MIN_SHARE: f64 = 0.05;
const ETA_MIN_ELAPSED: Duration = Duration::from_secs(2);

/// The time left in a phase that has done `done` of `total` items in
/// `elapsed`, at the average rate since it started; `None` until at least
/// 5 % of it and 2 s have passed.
fn eta(done: u64, total: u64, elapsed: Duration) -> Option<Duration> {
    if total == 0 || done == 0 || elapsed < ETA_MIN_ELAPSED {
        return None;
    }
    if (done as f64) < ETA_MIN_SHARE * total as f64 {
        return None;
    }
    let left = total.saturating_sub(done) as f64;
    Some(elapsed.mul_f64(left / done as f64))
}

/// A terminal that writes every line as it is drawn and moves no cursor:
/// progress in a log.
#[derive(Debug)]
struct PlainLines;

impl TermLike for PlainLines {
    fn width(&self) -> u16 {
        100
    }

    fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }

    fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }

    fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }

    fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }

    fn write_line(&self, line: &str) -> std::io::Result<()> {
        writeln!(std::io::stderr(), "{line}")
    }

    fn write_str(&self, text: &str) -> std::io::Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        writeln!(std::io::stderr(), "{text}")
    }

    fn clear_line(&self) -> std::io::Result<()> {
        Ok(())
    }

    fn flush(&self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn no_eta_before_two_seconds_even_when_much_is_done() {
        assert_eq!(eta(500, 1000, Duration::from_millis(1999)), None);
        assert_eq!(eta(500, 1000, S(2)), Some(S(2)));
    }

    #[test]
    fn no_eta_before_five_percent_even_after_a_long_time() {
        assert_eq!(eta(49, 1000, S(600)), None);
        // 50 items in 10 s: 950 left at 5 items/s.
        assert_eq!(eta(50, 1000, S(10)), Some(S(190)));
    }

    #[test]
    fn the_eta_is_the_average_rate_since_the_start() {
        // The case: a 19-second job must not read 23 minutes; at
        // 25 % after 5 s, 15 s are left.
        assert_eq!(eta(250, 1000, S(5)), Some(S(15)));
        assert_eq!(eta(1000, 1000, S(19)), Some(S(0)));
    }

    #[test]
    fn nothing_done_or_nothing_to_do_has_no_eta() {
        assert_eq!(eta(0, 1000, S(60)), None);
        assert_eq!(eta(0, 0, S(60)), None);
    }
}
