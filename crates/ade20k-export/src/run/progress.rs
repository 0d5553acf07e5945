//! Reporting an export's progress, item by item.

use std::fmt;
use std::sync::Arc;

/// One item written by an export, as told to a [`ProgressHook`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemProgress<'a> {
    /// Items written so far, this one included.
    pub done: usize,
    /// Items the export writes in all.
    pub total: usize,
    /// The item's subset.
    pub subset: &'a str,
    /// The item's id.
    pub id: &'a str,
    /// Objects and parts the item has (after the item filter).
    pub objects: usize,
}

/// A function called once per item, in item order, right after the item is
/// written ([`ExportOptions::progress`](crate::ExportOptions::progress)).
///
/// It runs on the thread that writes, while other threads prepare the next
/// items, so it should return quickly (update a progress bar, print a line).
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// use ade20k_export::{ExportOptions, ProgressHook};
///
/// let written = Arc::new(AtomicUsize::new(0));
/// let counter = Arc::clone(&written);
/// let options = ExportOptions {
///     progress: Some(ProgressHook::new(move |item| {
///         counter.store(item.done, Ordering::Relaxed);
///     })),
///     ..ExportOptions::default()
/// };
/// # let _ = options;
/// ```
#[derive(Clone)]
pub struct ProgressHook(Arc<dyn Fn(&ItemProgress<'_>) + Send + Sync>);

impl ProgressHook {
    /// A hook that calls `report` for every item written.
    pub fn new(report: impl Fn(&ItemProgress<'_>) + Send + Sync + 'static) -> Self {
        ProgressHook(Arc::new(report))
    }

    /// Tells the hook that `item` was written.
    pub fn report(&self, item: &ItemProgress<'_>) {
        (self.0)(item)
    }
}

impl fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressHook(..)")
    }
}

/// Two hooks are equal when they are clones of one another.
impl PartialEq for ProgressHook {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ProgressHook {}
