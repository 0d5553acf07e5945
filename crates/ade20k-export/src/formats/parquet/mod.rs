//! Parquet in the Hugging Face `datasets` layout:
//! `data/{split}-{NNNNN}-of-{NNNNN}.parquet` (`training` → `train`) and a
//! `README.md` dataset card, so that `datasets.load_dataset("parquet",
//! data_dir=OUT)`, `load_dataset(OUT)` and a copy to the Hub all read it.
//!
//! One row per item, the columns described once in [`features`]: `image`
//! (`datasets`' Image struct `{bytes, path}` holding the photo's own bytes
//! and file name; null with `--media none`), `annotation` (the class map of
//! `--parts-level` as a grey PNG in the same struct: 8-bit when the labels
//! fit, else 16-bit, since `datasets` would store a 16-bit array as TIFF;
//! pixel value = label position + 1, 0 = unlabeled), `id`, `width`,
//! `height`, `scene`, `filename`, `source`, and `objects`: every field of
//! the model per object, `label` (a `ClassLabel` of the selected labels),
//! `bbox`, `area` and `segmentation` (the visible mask as COCO RLE,
//! `{size, counts}`), plus `amodal` with `--amodal` (see [`crate::formats::sample`]).
//! The features are stored in the schema metadata under `huggingface`, so
//! images decode and labels have names with no further argument; the card's
//! YAML front matter repeats them with the configs and splits.
//!
//! Rows are written as a stream: a batch of at most 8 MB at a time, row
//! groups of at most 100 MB, a shard closed once the next item would take
//! it past [`ExportOptions::shard_bytes`](crate::ExportOptions::shard_bytes) (500 MB; a shard is larger only
//! when one item alone is). Shards are written under hidden names and get
//! their `-of-NNNNN` once the count of their split is known. Pages are
//! neither dictionary-encoded nor compressed: photos and PNGs are already
//! compressed, and every Parquet reader reads plain pages.

mod batch;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ade20k_model::{Error, Item, MaskKind};
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

use crate::formats::hub::{self, Columns};
use crate::formats::sample::{self, Sample, SampleConversion, ShardBound};
use crate::formats::{Exporter, Format, Job, Scaling};
use crate::run::{self, ItemFiles};
use crate::{ExportError, Summary};

/// Bytes of rows gathered before they are handed to the Parquet writer.
const BATCH_BYTES: u64 = 8_000_000;
/// A footer's bytes besides the schema: the metadata of every column chunk.
const FOOTER_EXTRA_BYTES: u64 = 16_000;
/// Largest row group, in bytes.
const ROW_GROUP_BYTES: usize = 100_000_000;

/// The `parquet` format: the labels, the columns they give, the options.
pub(crate) struct Parquet {
    out: PathBuf,
    conversion: SampleConversion,
    columns: Columns,
    schema: SchemaRef,
}

impl Exporter for Parquet {
    const FORMAT: Format = Format {
        name: "parquet",
        description:
            "Parquet in the Hugging Face datasets layout (datasets, DuckDB, Ray Data, Spark)",
        takes: sample::TAKES,
        run: run::run::<Parquet>,
        scaling: Scaling::Optional,
    };
    type Prepared = Sample;
    type Sink<'e> = ParquetSink<'e>;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        let plan = sample::plan(job, Self::FORMAT)?;
        let names = plan
            .labels()
            .iter()
            .map(|label| label.name.clone())
            .collect();
        let columns = Columns::parquet(names, job.options.mask_kind == MaskKind::Amodal);
        let data = job.out.join("data");
        fs::create_dir_all(&data).map_err(|e| Error::io(&data, e))?;
        Ok(Parquet {
            out: job.out.to_path_buf(),
            schema: Arc::new(columns.schema()),
            columns,
            conversion: SampleConversion {
                options: job.options.clone(),
                plan,
            },
        })
    }

    fn sink<'e>(&'e self, _job: &Job<'_>) -> Result<ParquetSink<'e>, Error> {
        Ok(ParquetSink {
            data: self.out.join("data"),
            format: self,
            bound: ShardBound::of(&self.conversion.options),
            splits: BTreeMap::new(),
            pending: Vec::new(),
            pending_bytes: 0,
            footer_bytes: 3 * self.columns.metadata_json().len() as u64 + FOOTER_EXTRA_BYTES,
        })
    }

    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<Sample, Error> {
        self.conversion.prepare(item, files)
    }

    fn write(&self, sink: &mut ParquetSink<'_>, sample: Sample) -> Result<u64, Error> {
        let objects = sample.objects.len() as u64;
        sink.write(sample)?;
        Ok(objects)
    }

    fn finish(
        &self,
        sink: ParquetSink<'_>,
        _job: &Job<'_>,
        _subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        sink.finish(&self.out, self.conversion.plan.grey_depth().bits(), summary)
    }
}

/// The shard being written of one split.
struct OpenShard {
    path: PathBuf,
    writer: ArrowWriter<File>,
    rows: u64,
}

impl OpenShard {
    /// Bytes written, and buffered in the row group being built.
    fn size(&self) -> u64 {
        (self.writer.bytes_written() + self.writer.in_progress_size()) as u64
    }
}

/// The shards of one split.
#[derive(Default)]
struct Split {
    open: Option<OpenShard>,
    /// Closed shards, under their hidden names.
    closed: Vec<PathBuf>,
    rows: u64,
}

/// Writes rows in item order into the shards of their split.
pub(crate) struct ParquetSink<'e> {
    data: PathBuf,
    /// The columns and their schema.
    format: &'e Parquet,
    bound: ShardBound,
    /// The shards of each subset.
    splits: BTreeMap<String, Split>,
    /// Rows not yet handed to the writer, all of one subset.
    pending: Vec<Sample>,
    pending_bytes: u64,
    /// What a shard's footer may take: the schema with its metadata, twice
    /// (as key-value metadata and inside the Arrow schema, base64), and the
    /// column chunks' metadata.
    footer_bytes: u64,
}

impl ParquetSink<'_> {
    fn write(&mut self, sample: Sample) -> Result<(), Error> {
        if self
            .pending
            .first()
            .is_some_and(|first| first.subset != sample.subset)
        {
            self.flush_pending()?;
            // Free the row group of the subset left behind.
            for split in self.splits.values_mut() {
                if let Some(shard) = &mut split.open {
                    shard
                        .writer
                        .flush()
                        .map_err(|e| parquet_error(&shard.path, e))?;
                }
            }
        }
        let size = batch::row_bytes(&sample);
        let split = self.splits.entry(sample.subset.clone()).or_default();
        let (written, rows) = split
            .open
            .as_ref()
            .map_or((0, 0), |shard| (shard.size(), shard.rows));
        let buffered = written + self.pending_bytes + self.footer_bytes;
        if self
            .bound
            .is_full(buffered, rows + self.pending.len() as u64, size)
        {
            self.flush_pending()?;
            let split = self.splits.get_mut(&sample.subset).expect("split exists");
            if let Some(shard) = split.open.take() {
                split.closed.push(close(shard)?);
            }
        }
        self.pending_bytes += size;
        self.pending.push(sample);
        if self.pending_bytes >= BATCH_BYTES {
            self.flush_pending()?;
        }
        Ok(())
    }

    /// Hands the pending rows to the writer of their split's open shard.
    fn flush_pending(&mut self) -> Result<(), Error> {
        let Some(first) = self.pending.first() else {
            return Ok(());
        };
        let subset = first.subset.clone();
        let split = self.splits.entry(subset.clone()).or_default();
        if split.open.is_none() {
            let number = split.closed.len();
            let path = self.data.join(format!(
                ".{}-{number:05}.parquet",
                sample::split_name(&subset)
            ));
            let file = File::create_new(&path).map_err(|e| Error::io(&path, e))?;
            let writer = ArrowWriter::try_new(file, self.format.schema.clone(), Some(properties()))
                .map_err(|e| parquet_error(&path, e))?;
            split.open = Some(OpenShard {
                path,
                writer,
                rows: 0,
            });
        }
        let shard = split.open.as_mut().expect("opened above");
        let rows = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        let batch = batch::record_batch(&self.format.columns, &self.format.schema, &rows)
            .map_err(|e| Error::invalid(&shard.path, format!("cannot build rows: {e}")))?;
        shard
            .writer
            .write(&batch)
            .map_err(|e| parquet_error(&shard.path, e))?;
        shard.rows += rows.len() as u64;
        split.rows += rows.len() as u64;
        Ok(())
    }

    fn finish(mut self, out: &Path, depth: u32, summary: &mut Summary) -> Result<(), Error> {
        self.flush_pending()?;
        let mut published = Vec::new();
        for (subset, mut split) in std::mem::take(&mut self.splits) {
            if let Some(shard) = split.open.take() {
                split.closed.push(close(shard)?);
            }
            let name = sample::split_name(&subset).to_string();
            let total = split.closed.len();
            let mut bytes = 0;
            for (number, hidden) in split.closed.iter().enumerate() {
                let path = self
                    .data
                    .join(format!("{name}-{number:05}-of-{total:05}.parquet"));
                fs::rename(hidden, &path).map_err(|e| Error::io(hidden, e))?;
                bytes += fs::metadata(&path).map_err(|e| Error::io(&path, e))?.len();
            }
            published.push(hub::PublishedSplit {
                name,
                rows: split.rows,
                bytes,
            });
        }
        let about = format!(
            "- `image`: the photo, as released.\n\
             - `annotation`: the class map, a {depth}-bit grey PNG: pixel value = label + 1 \
             (the `label` names of `objects`), 0 = unlabeled.\n\
             - `objects`: every object and part with its ADE20K fields, `label`, `bbox` \
             (`[x, y, width, height]`), `area` and `segmentation` (the visible mask as COCO RLE, \
             `pycocotools.mask.decode`).\n\n\
             ```python\nfrom datasets import load_dataset\n\
             dataset = load_dataset(\"path/to/this/folder\")\n```\n"
        );
        hub::write_card(
            out,
            &self.format.columns,
            &published,
            |split| format!("data/{split}-*"),
            &about,
        )?;
        summary.categories = self.format.columns.label_count();
        summary.notes.push(format!(
            "annotation images are {depth}-bit grey PNGs: pixel value = label + 1, 0 = unlabeled"
        ));
        Ok(())
    }
}

/// Writes the footer of `shard` and returns its path.
fn close(shard: OpenShard) -> Result<PathBuf, Error> {
    shard
        .writer
        .close()
        .map_err(|e| parquet_error(&shard.path, e))?;
    Ok(shard.path)
}

/// How every shard is written: plain pages, no statistics, bounded row groups.
fn properties() -> WriterProperties {
    WriterProperties::builder()
        .set_dictionary_enabled(false)
        .set_statistics_enabled(EnabledStatistics::None)
        .set_max_row_group_row_count(None)
        .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
        .build()
}

fn parquet_error(path: &Path, error: parquet::errors::ParquetError) -> Error {
    match error {
        parquet::errors::ParquetError::External(inner) => {
            match inner.downcast::<std::io::Error>() {
                Ok(io) => Error::io(path, *io),
                Err(other) => Error::io(path, std::io::Error::other(other)),
            }
        }
        other => Error::io(path, std::io::Error::other(other)),
    }
}
