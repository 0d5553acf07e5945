//! The parallel, order-preserving loop every exporter runs.
//!
//! Items are loaded, the headers of all their mask files checked (whatever
//! the format decodes), and prepared (masks decoded, shapes encoded, images
//! placed) on all threads, a chunk at a time; the prepared results are then
//! written one by one in item order, while the next chunk is being prepared.
//! Memory is bounded by two chunks, and the output does not depend on the
//! number of threads. After each item is written, the export's
//! [`ProgressHook`](crate::ProgressHook) is told.

use ade20k_model::{Error, ItemSource};
use rayon::prelude::*;

use crate::exporter::Exporter;
use crate::media::check_output_names;
use crate::run::ItemFiles;
use crate::{ExportOptions, ItemProgress};

/// Items prepared per chunk and thread: large enough to keep every thread
/// busy, small enough to keep memory flat.
const ITEMS_PER_THREAD: usize = 32;

/// A prepared item, with what the progress hook is told of it.
struct Prepared<P> {
    subset: String,
    id: String,
    objects: usize,
    prepared: P,
}

/// Prepares every item of `source` with `exporter` in parallel, writes the
/// files each asks for, and hands the results to `write` in item order, with
/// the item's subset, reporting each written item to `options.progress`.
/// Stops at the first error.
pub(crate) fn run<E, W>(
    source: &dyn ItemSource,
    options: &ExportOptions,
    exporter: &E,
    mut write: W,
) -> Result<(), Error>
where
    E: Exporter,
    W: FnMut(&str, E::Prepared) -> Result<(), Error> + Send,
{
    let total = source.len();
    let chunk = rayon::current_num_threads().max(1) * ITEMS_PER_THREAD;
    let prepare_chunk = |start: usize| -> Vec<Result<Prepared<E::Prepared>, Error>> {
        let start = start.min(total);
        let end = (start + chunk).min(total);
        (start..end)
            .into_par_iter()
            .map(|index| {
                let item = source.load(index)?;
                item.check_files()?;
                check_output_names(&item)?;
                let (subset, id, objects) =
                    (item.subset.clone(), item.id.clone(), item.objects.len());
                let mut files = ItemFiles::new(options.media);
                let prepared = exporter.prepare(item, &mut files)?;
                files.write()?;
                Ok(Prepared {
                    subset,
                    id,
                    objects,
                    prepared,
                })
            })
            .collect()
    };
    let mut ready = prepare_chunk(0);
    let mut start = 0;
    let mut done = 0;
    while !ready.is_empty() {
        start += chunk;
        let (written, next) = rayon::join(
            || {
                ready.into_iter().try_for_each(|prepared| {
                    let prepared = prepared?;
                    write(&prepared.subset, prepared.prepared)?;
                    done += 1;
                    if let Some(hook) = &options.progress {
                        hook.report(&ItemProgress {
                            done,
                            total,
                            subset: &prepared.subset,
                            id: &prepared.id,
                            objects: prepared.objects,
                        });
                    }
                    Ok(())
                })
            },
            || prepare_chunk(start),
        );
        written?;
        ready = next;
    }
    Ok(())
}
