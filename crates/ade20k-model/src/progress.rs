//! How far a pass over a dataset's items has got: [`PhaseHook`].

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A pass over every item of a dataset that takes time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Phase {
    /// Reading every annotation for the dataset's classes: label files are
    /// checked against them, and formats with few pixel values number them.
    ReadingClasses,
    /// Counting the pixels of each class in every `_seg.png` (`--top-classes`).
    CountingPixels,
    /// Reading every item before a pass over the whole dataset
    /// (label collection, pixel counts) to leave out broken ones
    /// (`--skip-broken`).
    CheckingItems,
    /// Converting and writing the items.
    Writing,
    /// Checking that the dataset agrees with itself (`validate`).
    Validating,
    /// Counting what the dataset holds (`info`).
    Counting,
}

impl Phase {
    /// The phase's name, as a progress bar shows it: `checking items`.
    pub fn name(self) -> &'static str {
        match self {
            Phase::ReadingClasses => "reading classes",
            Phase::CountingPixels => "counting pixels",
            Phase::CheckingItems => "checking items",
            Phase::Writing => "writing",
            Phase::Validating => "validating",
            Phase::Counting => "counting",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How far a phase has got, as told to a [`PhaseHook`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhaseProgress {
    /// The pass.
    pub phase: Phase,
    /// Items done so far: 0 when the phase starts, `total` when it ends.
    pub done: usize,
    /// Items the phase goes through.
    pub total: usize,
}

/// A function told how far each phase has got: once with `done` 0 when a
/// phase starts, then once per item done.
///
/// Passes run on several threads, so it is called from any of them, at
/// once, and reports of one phase may arrive slightly out of order (`done`
/// 7 after 8); it should return quickly.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// use ade20k_model::PhaseHook;
///
/// let most = Arc::new(AtomicUsize::new(0));
/// let seen = Arc::clone(&most);
/// let hook = PhaseHook::new(move |progress| {
///     seen.fetch_max(progress.done, Ordering::Relaxed);
/// });
/// # let _ = hook;
/// ```
#[derive(Clone)]
pub struct PhaseHook(Arc<dyn Fn(&PhaseProgress) + Send + Sync>);

impl PhaseHook {
    /// A hook that calls `report` for every step of every phase.
    pub fn new(report: impl Fn(&PhaseProgress) + Send + Sync + 'static) -> Self {
        PhaseHook(Arc::new(report))
    }

    /// Tells the hook how far a phase has got.
    pub fn report(&self, progress: &PhaseProgress) {
        (self.0)(progress)
    }
}

impl fmt::Debug for PhaseHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhaseHook(..)")
    }
}

/// Two hooks are equal when they are clones of one another.
impl PartialEq for PhaseHook {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for PhaseHook {}

/// Counts the items a pass has done, from any thread, and tells a hook (if
/// any) of each: what every pass over items uses to report its phase.
pub struct PassCounter<'a> {
    hook: Option<&'a PhaseHook>,
    phase: Phase,
    total: usize,
    done: AtomicUsize,
}

impl<'a> PassCounter<'a> {
    /// Starts `phase` over `total` items: tells `hook` that none is done.
    pub fn start(hook: Option<&'a PhaseHook>, phase: Phase, total: usize) -> Self {
        let counter = PassCounter {
            hook,
            phase,
            total,
            done: AtomicUsize::new(0),
        };
        counter.tell(0);
        counter
    }

    /// Counts one more item done and tells the hook.
    pub fn item_done(&self) {
        if self.hook.is_some() {
            let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
            self.tell(done);
        }
    }

    fn tell(&self, done: usize) {
        if let Some(hook) = self.hook {
            hook.report(&PhaseProgress {
                phase: self.phase,
                done,
                total: self.total,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn a_pass_reports_its_start_and_every_item() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let hook = PhaseHook::new(move |progress| log.lock().unwrap().push(*progress));
        let counter = PassCounter::start(Some(&hook), Phase::Validating, 2);
        counter.item_done();
        counter.item_done();
        let done: Vec<(Phase, usize, usize)> = seen
            .lock()
            .unwrap()
            .iter()
            .map(|p| (p.phase, p.done, p.total))
            .collect();
        assert_eq!(
            done,
            [
                (Phase::Validating, 0, 2),
                (Phase::Validating, 1, 2),
                (Phase::Validating, 2, 2)
            ]
        );
    }
}
