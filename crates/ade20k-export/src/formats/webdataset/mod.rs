//! WebDataset shards: `{split}-{NNNNNN}.tar` (`training` → `train`), numbered
//! from 0 per split, each at most [`ExportOptions::shard_bytes`](crate::ExportOptions::shard_bytes) (500 MB)
//! unless one sample alone is larger, plus `labels.json` and a `README.md`
//! dataset card at the root (its features let `datasets.load_dataset(OUT)`
//! read the JSON whatever its first samples hold: inferred from them, a
//! field null in all of them would refuse later values).
//!
//! One sample per item, its members contiguous and named `<key>.<field>`:
//! `<key>.jpg` (the photo's own bytes, under its own extension; left out with
//! `--media none`), `<key>.seg.png` (the class map of `--parts-level`, grey,
//! 8-bit when the labels fit, else 16-bit: pixel value = label id, 0 =
//! unlabeled) and `<key>.json` (the item's fields and its objects, each with
//! every field of the model, `label`, `bbox`, `area` and the visible mask as
//! COCO RLE, plus `amodal` with `--amodal`; see [`crate::formats::sample`]). WebDataset
//! takes everything before the first dot of a member's file name as the key,
//! so the key is the item id with `%` written `%25` and `.` written `%2E`
//! (the id's `/` stay: folders in the archive). `labels.json` lists the labels:
//! `[{"id": 1, "label": 0, "name": "wall"}, …]` (`id` is the pixel value,
//! `label` the objects' field).
//!
//! Tar members are GNU entries with mode 0644, owner 0 and time 0, so the
//! bytes depend on the dataset alone. WebDataset's own image decoders
//! (`.decode("pil")`, `"rgb8"`, …) reduce a 16-bit PNG to 8 bits: decode
//! `seg.png` with PIL (`Image.open`, mode `I;16`) or the
//! decoder the README shows.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use ade20k_model::{Error, Item, MaskKind, SourceInfo};
use serde::Serialize;

use crate::formats::hub::{self, Columns, PublishedSplit};
use crate::formats::sample::{self, Sample, SampleConversion, SampleObject, ShardBound};
use crate::formats::{Exporter, Format, Job, Scaling};
use crate::run::{self, ItemFiles};
use crate::{ExportError, MediaMode, Summary};

/// The two zero blocks that end a tar archive.
const END_OF_ARCHIVE: [u8; 1024] = [0; 1024];

/// The `webdataset` format: the labels and the options.
pub(crate) struct WebDataset {
    out: PathBuf,
    conversion: SampleConversion,
}

impl Exporter for WebDataset {
    const FORMAT: Format = Format {
        name: "webdataset",
        description: "WebDataset tar shards (webdataset, datasets, Ray Data)",
        takes: sample::TAKES,
        run: run::run::<WebDataset>,
        scaling: Scaling::Optional,
    };
    type Prepared = TarSample;
    type Sink<'e> = ShardSink;

    fn start(job: &Job<'_>) -> Result<Self, ExportError> {
        Ok(WebDataset {
            out: job.out.to_path_buf(),
            conversion: SampleConversion {
                options: job.options.clone(),
                plan: sample::plan(job, Self::FORMAT)?,
            },
        })
    }

    fn sink(&self, _job: &Job<'_>) -> Result<ShardSink, Error> {
        Ok(ShardSink {
            out: self.out.clone(),
            bound: ShardBound::of(&self.conversion.options),
            open: BTreeMap::new(),
            published: BTreeMap::new(),
        })
    }

    /// Prepares the sample and lays out its tar entries.
    fn prepare(&self, item: Item, files: &mut ItemFiles) -> Result<TarSample, Error> {
        let path = item.image.path.clone();
        let sample = self.conversion.prepare(item, files)?;
        let entries = entries(&sample).map_err(|e| Error::io(&path, e))?;
        Ok(TarSample {
            annotations: sample.objects.len() as u64,
            subset: sample.subset,
            entries,
        })
    }

    fn write(&self, sink: &mut ShardSink, sample: TarSample) -> Result<u64, Error> {
        let annotations = sample.annotations;
        sink.write(sample)?;
        Ok(annotations)
    }

    fn finish(
        &self,
        sink: ShardSink,
        _job: &Job<'_>,
        _subsets: &[String],
        summary: &mut Summary,
    ) -> Result<(), Error> {
        sink.finish(&self.conversion, summary)
    }
}

/// A sample as the tar members it becomes.
pub(crate) struct TarSample {
    subset: String,
    /// The sample's members, whole tar entries without the archive's end.
    entries: Vec<u8>,
    /// Objects it holds.
    annotations: u64,
}

/// The `.json` member of a sample.
#[derive(Serialize)]
struct SampleRecord<'a> {
    id: &'a str,
    subset: &'a str,
    width: u32,
    height: u32,
    scene: &'a [String],
    filename: &'a str,
    source: &'a SourceInfo,
    objects: &'a [SampleObject],
}

/// The WebDataset key of item `id`: no dot (WebDataset splits the key from
/// the field at the first one), `%` and `.` escaped so no two ids meet.
fn key(id: &str) -> String {
    id.replace('%', "%25").replace('.', "%2E")
}

/// The tar entries of `sample`'s members, in the order `jpg`, `seg.png`, `json`.
fn entries(sample: &Sample) -> std::io::Result<Vec<u8>> {
    let key = key(&sample.id);
    let record = SampleRecord {
        id: &sample.id,
        subset: &sample.subset,
        width: sample.width,
        height: sample.height,
        scene: &sample.scene,
        filename: &sample.filename,
        source: &sample.source,
        objects: &sample.objects,
    };
    let json = serde_json::to_vec(&record)?;
    let mut members: Vec<(String, &[u8])> = Vec::new();
    if let Some(photo) = &sample.photo {
        members.push((format!("{key}.{}", sample.extension), photo));
    }
    members.push((format!("{key}.seg.png"), &sample.class_map));
    members.push((format!("{key}.json"), &json));
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        // Names too long for the header get a GNU long-name entry.
        builder.append_data(&mut header, &name, data)?;
    }
    let mut bytes = builder.into_inner()?;
    // `into_inner` ends the archive; the shard ends it once, after its last sample.
    bytes.truncate(bytes.len() - END_OF_ARCHIVE.len());
    Ok(bytes)
}

/// The shard being written of one split.
struct OpenShard {
    path: PathBuf,
    file: BufWriter<File>,
    written: u64,
    samples: u64,
}

/// Writes samples in order into the shards of their split.
pub(crate) struct ShardSink {
    out: PathBuf,
    bound: ShardBound,
    /// The open shard of each subset, and how many shards it closed.
    open: BTreeMap<String, (OpenShard, u32)>,
    /// Samples and bytes of the closed shards of each subset.
    published: BTreeMap<String, (u64, u64)>,
}

impl ShardSink {
    fn write(&mut self, sample: TarSample) -> Result<(), Error> {
        let size = sample.entries.len() as u64 + END_OF_ARCHIVE.len() as u64;
        let (shard, closed) = match self.open.remove(&sample.subset) {
            Some((shard, closed)) if self.bound.is_full(shard.written, shard.samples, size) => {
                self.close(&sample.subset, shard)?;
                (self.create(&sample.subset, closed + 1)?, closed + 1)
            }
            Some(open) => open,
            None => (self.create(&sample.subset, 0)?, 0),
        };
        let mut shard = shard;
        shard
            .file
            .write_all(&sample.entries)
            .map_err(|e| Error::io(&shard.path, e))?;
        shard.written += sample.entries.len() as u64;
        shard.samples += 1;
        self.open.insert(sample.subset, (shard, closed));
        Ok(())
    }

    fn create(&self, subset: &str, number: u32) -> Result<OpenShard, Error> {
        let path = self
            .out
            .join(format!("{}-{number:06}.tar", sample::split_name(subset)));
        let file = File::create_new(&path).map_err(|e| Error::io(&path, e))?;
        Ok(OpenShard {
            path,
            file: BufWriter::new(file),
            written: 0,
            samples: 0,
        })
    }

    /// Ends `shard`'s archive, flushes it and counts it for `subset`.
    fn close(&mut self, subset: &str, mut shard: OpenShard) -> Result<(), Error> {
        shard
            .file
            .write_all(&END_OF_ARCHIVE)
            .and_then(|()| shard.file.flush())
            .map_err(|e| Error::io(&shard.path, e))?;
        let published = self.published.entry(subset.to_string()).or_default();
        published.0 += shard.samples;
        published.1 += shard.written + END_OF_ARCHIVE.len() as u64;
        Ok(())
    }

    fn finish(mut self, conversion: &SampleConversion, summary: &mut Summary) -> Result<(), Error> {
        let (plan, options) = (&conversion.plan, &conversion.options);
        for (subset, (shard, _)) in std::mem::take(&mut self.open) {
            self.close(&subset, shard)?;
        }
        let labels: Vec<serde_json::Value> = plan
            .labels()
            .iter()
            .map(|label| serde_json::json!({"id": label.id, "label": label.id.0 - 1, "name": label.name}))
            .collect();
        let path = self.out.join("labels.json");
        let text = serde_json::to_string_pretty(&labels).map_err(|e| Error::io(&path, e.into()))?;
        std::fs::write(&path, text + "\n").map_err(|e| Error::io(&path, e))?;
        summary.categories = labels.len();
        let names = plan
            .labels()
            .iter()
            .map(|label| label.name.clone())
            .collect();
        let columns = Columns::webdataset(
            names,
            options.mask_kind == MaskKind::Amodal,
            options.media != MediaMode::None,
        );
        let splits: Vec<PublishedSplit> = std::mem::take(&mut self.published)
            .into_iter()
            .map(|(subset, (rows, bytes))| PublishedSplit {
                name: sample::split_name(&subset).to_string(),
                rows,
                bytes,
            })
            .collect();
        let about = format!(
            "WebDataset shards, one sample per item: `jpg` (the photo, as released), \
             `seg.png` (the class map, a {}-bit grey PNG: pixel value = label + 1, 0 = unlabeled) \
             and `json` (the item's fields and its objects, each with `label`, `bbox`, `area` and \
             `segmentation`, the visible mask as COCO RLE). WebDataset's image decoders reduce \
             16-bit PNGs to 8 bits: decode `seg.png` with PIL.\n",
            plan.grey_depth().bits()
        );
        hub::write_card(
            &self.out,
            &columns,
            &splits,
            |split| format!("{split}-*.tar"),
            &about,
        )?;
        summary.notes.push(format!(
            "seg.png members are {}-bit grey PNGs: pixel value = label id (labels.json), 0 = unlabeled",
            plan.grey_depth().bits()
        ));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_no_dot_and_stay_apart() {
        assert_eq!(key("urban/street/ADE_1"), "urban/street/ADE_1");
        assert_eq!(key("a.b"), "a%2Eb");
        assert_eq!(key("a%2Eb"), "a%252Eb");
        assert_ne!(key("a.b"), key("a%2Eb"));
    }
}
