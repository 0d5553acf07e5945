//! The parallel, order-preserving loop every exporter runs.
//!
//! Items are loaded, the headers of all their mask files checked (whatever
//! the format decodes), prepared (masks decoded, shapes encoded) and their
//! files written on all threads, a chunk at a time; the prepared results are
//! then written one by one in item order, while the next chunk is being
//! prepared. Memory is bounded by two chunks, and the output does not depend
//! on the number of threads. After each item is written, the export's
//! [`ProgressHook`](crate::ProgressHook) is told.
//!
//! Loading, checking and preparing read the input and write nothing, so an
//! error there is an error of the input: with `skip_broken` the item is
//! handed on as broken, and nothing of it is written. Every later error
//! (an item name that cannot be an output path, writing a file) stops the run.

use ade20k_model::{Error, Item, ItemSource, PassCounter, Phase};
use rayon::prelude::*;

use crate::formats::Exporter;
use crate::run::media::check_output_names;
use crate::run::ItemFiles;
use crate::{ExportOptions, ItemProgress, LeftOut};

/// Items prepared per chunk and thread: large enough to keep every thread
/// busy, small enough to keep memory flat.
const ITEMS_PER_THREAD: usize = 32;

/// What became of one item once its chunk is prepared.
enum Outcome<P> {
    /// Prepared and its files written.
    Ready(Prepared<P>),
    /// Broken (only with `skip_broken`): the input error met, nothing written.
    Broken(Error),
}

/// What the runner counts of one prepared item.
pub(crate) struct Written<'a> {
    /// The item's subset.
    pub subset: &'a str,
    /// The objects it leaves out, counted per reason.
    pub left_out: Vec<(LeftOut, u64)>,
}

/// A prepared item, with what the progress hook is told of it.
struct Prepared<P> {
    subset: String,
    id: String,
    objects: usize,
    left_out: Vec<(LeftOut, u64)>,
    prepared: P,
}

/// Prepares every item of `source` with `exporter` in parallel, writes the
/// files each asks for, and hands each item to `write` in item order, with
/// its index: what the runner counts of it and what it was prepared into,
/// or (only with `options.skip_broken`) the input error that makes it
/// broken. Reports each
/// written item to `options.progress`. Any other error, and every error
/// without `skip_broken`, stops the run.
pub(crate) fn run<E, W>(
    source: &dyn ItemSource,
    options: &ExportOptions,
    exporter: &E,
    mut write: W,
) -> Result<(), Error>
where
    E: Exporter,
    W: FnMut(usize, Result<(Written<'_>, E::Prepared), Error>) -> Result<(), Error> + Send,
{
    let total = source.len();
    let counter = PassCounter::start(options.phases.as_ref(), Phase::Writing, total);
    let chunk = rayon::current_num_threads().max(1) * ITEMS_PER_THREAD;
    let prepare_chunk = |start: usize| -> Vec<Result<Outcome<E::Prepared>, Error>> {
        let start = start.min(total);
        let end = (start + chunk).min(total);
        (start..end)
            .into_par_iter()
            .map(|index| {
                let item = match source.load(index).and_then(checked) {
                    Ok(item) => item,
                    Err(error) if options.skip_broken => return Ok(Outcome::Broken(error)),
                    Err(error) => return Err(error),
                };
                check_output_names(&item)?;
                let (subset, id, objects) =
                    (item.subset.clone(), item.id.clone(), item.objects.len());
                let mut files = ItemFiles::new(options.media);
                let prepared = match exporter.prepare(item, &mut files) {
                    Ok(prepared) => prepared,
                    Err(error) if options.skip_broken => return Ok(Outcome::Broken(error)),
                    Err(error) => return Err(error),
                };
                let left_out = files.write()?;
                Ok(Outcome::Ready(Prepared {
                    subset,
                    id,
                    objects,
                    left_out,
                    prepared,
                }))
            })
            .collect()
    };
    let mut ready = prepare_chunk(0);
    let mut start = 0;
    let mut done = 0;
    while !ready.is_empty() {
        let first = start;
        start += chunk;
        let (written, next) = rayon::join(
            || {
                ready
                    .into_iter()
                    .enumerate()
                    .try_for_each(|(offset, outcome)| match outcome? {
                        Outcome::Broken(error) => {
                            write(first + offset, Err(error))?;
                            counter.item_done();
                            Ok(())
                        }
                        Outcome::Ready(item) => {
                            let written = Written {
                                subset: &item.subset,
                                left_out: item.left_out,
                            };
                            write(first + offset, Ok((written, item.prepared)))?;
                            done += 1;
                            counter.item_done();
                            if let Some(hook) = &options.progress {
                                hook.report(&ItemProgress {
                                    done,
                                    total,
                                    subset: &item.subset,
                                    id: &item.id,
                                    objects: item.objects,
                                });
                            }
                            Ok(())
                        }
                    })
            },
            || prepare_chunk(start),
        );
        written?;
        ready = next;
    }
    Ok(())
}

/// `item` once the headers of all its files are checked.
fn checked(item: Item) -> Result<Item, Error> {
    item.check_files()?;
    Ok(item)
}
