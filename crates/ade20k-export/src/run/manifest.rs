//! The manifest at the top of every output folder: what wrote it, from
//! what, with which options, and what it holds.
//!
//! [`export`](crate::export) writes [`MANIFEST_FILE`] into every output it
//! stages, so the folder is known for the tool's own: replacing an output
//! (`overwrite`) is allowed only where a manifest says the tool wrote it,
//! never for a folder of the user's. The name starts with a dot, so the
//! readers of every format (pycocotools, Datumaro, Ultralytics, panopticapi,
//! cityscapesScripts, mmsegmentation), which list their own folders and
//! files by name, never see it.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use ade20k_model::{Error, MaskKind};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    ClassRef, ExportOptions, LabelList, LabelNaming, LabelSelection, MaxShortSide, MediaMode,
    PartsMode, SegmentationMode, Summary, YoloTask,
};

/// The manifest's file name, at the top of the output folder.
pub const MANIFEST_FILE: &str = ".ade20k-output.json";

/// The `tool` every manifest this crate writes names.
const TOOL: &str = "ade20k";

/// Manifests larger than this are not ours (ours are a few KB).
const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// What [`MANIFEST_FILE`] records about an output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Manifest {
    /// Always `ade20k`.
    pub tool: String,
    /// The version of the crate that wrote the output.
    pub version: String,
    /// The format written (`coco`, …).
    pub format: String,
    /// The dataset folder converted, absolute, where the caller named it.
    pub input: Option<PathBuf>,
    /// The export options, as their names and values.
    pub options: Value,
    /// Items written.
    pub items: u64,
    /// Annotations written.
    pub annotations: u64,
    /// Items and annotations written per subset.
    pub subsets: BTreeMap<String, SubsetCounts>,
    /// Broken items left out (see [`ExportOptions::skip_broken`]).
    pub skipped: usize,
    /// When the export started, RFC 3339 in UTC.
    pub started: String,
    /// When the output was complete, RFC 3339 in UTC.
    pub finished: String,
}

/// The counts of one subset in a [`Manifest`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubsetCounts {
    /// Items written.
    pub items: u64,
    /// Annotations written.
    pub annotations: u64,
}

impl Manifest {
    /// The manifest of an export of `format` with `options` from `input` that
    /// wrote `summary` between `started` and now.
    pub(crate) fn new(
        format: &str,
        options: &ExportOptions,
        input: Option<&Path>,
        summary: &Summary,
        started: SystemTime,
    ) -> Self {
        Manifest {
            tool: TOOL.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            format: format.to_string(),
            input: input.map(Path::to_path_buf),
            options: describe_options(options),
            items: summary.items(),
            annotations: summary.annotations(),
            subsets: summary
                .subsets
                .iter()
                .map(|(name, subset)| {
                    let counts = SubsetCounts {
                        items: subset.items,
                        annotations: subset.annotations,
                    };
                    (name.clone(), counts)
                })
                .collect(),
            skipped: summary.skipped.len(),
            started: humantime::format_rfc3339_seconds(started).to_string(),
            finished: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        }
    }

    /// Writes the manifest into `folder`.
    pub(crate) fn write(&self, folder: &Path) -> Result<(), Error> {
        let path = folder.join(MANIFEST_FILE);
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::invalid(&path, format!("cannot write the manifest: {e}")))?;
        text.push('\n');
        fs::write(&path, text).map_err(|e| Error::io(&path, e))
    }

    /// Reads the manifest of the output folder `folder`: `Ok(None)` when it
    /// has none; an error when [`MANIFEST_FILE`] is there but is not a
    /// manifest this crate wrote (not a regular file, too large, not its JSON).
    pub fn read(folder: &Path) -> Result<Option<Manifest>, Error> {
        let path = folder.join(MANIFEST_FILE);
        let Some(bytes) = read_manifest_bytes(&path)? else {
            return Ok(None);
        };
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| Error::invalid(&path, format!("not an ade20k output manifest: {e}")))?;
        if manifest.tool != TOOL {
            return Err(Error::invalid(
                &path,
                format!("a manifest of `{}`, not of {TOOL}", manifest.tool),
            ));
        }
        Ok(Some(manifest))
    }
}

/// The bytes of the manifest file at `path`, `None` when there is none. Only
/// a regular file (not a link, a FIFO or a device) of at most
/// [`MAX_MANIFEST_BYTES`] is read, so reading never blocks or exhausts memory.
pub(crate) fn read_manifest_bytes(path: &Path) -> Result<Option<Vec<u8>>, Error> {
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    if !metadata.is_file() {
        return Err(Error::invalid(path, "the manifest is not a regular file"));
    }
    if metadata.len() > MAX_MANIFEST_BYTES {
        return Err(Error::invalid(
            path,
            format!("the manifest is larger than {MAX_MANIFEST_BYTES} bytes"),
        ));
    }
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|file| file.take(MAX_MANIFEST_BYTES).read_to_end(&mut bytes))
        .map_err(|e| Error::io(path, e))?;
    Ok(Some(bytes))
}

/// `options` as names and values, the way the manifest records them.
fn describe_options(options: &ExportOptions) -> Value {
    let filter = &options.filter;
    json!({
        "parts": match options.parts {
            PartsMode::Include => "include",
            PartsMode::Exclude => "exclude",
        },
        "mask": match options.mask_kind {
            MaskKind::Visible => "visible",
            MaskKind::Amodal => "amodal",
        },
        "segmentation": match options.segmentation {
            SegmentationMode::Rle => "rle",
            SegmentationMode::Polygon => "polygon",
            SegmentationMode::SourcePolygon => "source_polygon",
        },
        "label_name": match options.label_naming {
            LabelNaming::Canonical => "canonical",
            LabelNaming::Full => "full",
            LabelNaming::Raw => "raw",
        },
        "labels": match &options.labels {
            LabelSelection::All => json!("all"),
            LabelSelection::TopClasses(k) => json!({ "top_classes": k }),
            LabelSelection::List(list) => describe_labels(list),
        },
        "stuff": options.stuff.as_ref().map(describe_labels),
        "media": match options.media {
            MediaMode::Hardlink => "hardlink",
            MediaMode::Copy => "copy",
            MediaMode::Symlink => "symlink",
            MediaMode::None => "none",
            MediaMode::Scaled => "scaled",
        },
        "max_short_side": match options.max_short_side {
            MaxShortSide::FormatDefault => json!("format_default"),
            MaxShortSide::Off => json!("off"),
            MaxShortSide::Pixels(pixels) => json!(pixels.get()),
            MaxShortSide::Benchmark => json!("benchmark"),
        },
        "part_level": options.part_level,
        "yolo_task": match options.yolo_task {
            YoloTask::Segment => "segment",
            YoloTask::Detect => "detect",
        },
        "shard_bytes": options.shard_bytes,
        "items": filter.items.as_ref().map(|patterns| patterns.patterns()),
        "limit": filter.limit,
        "min_area": filter.min_area,
        "include_labels": filter.include.as_ref().map(describe_labels),
        "exclude_labels": filter.exclude.as_ref().map(describe_labels),
        "skip_broken": options.skip_broken,
    })
}

/// A label list as `[{"name": …, "classes": [index or name, …]}, …]`.
fn describe_labels(list: &LabelList) -> Value {
    list.labels
        .iter()
        .map(|label| {
            let classes: Vec<Value> = label
                .members
                .iter()
                .map(|member| match &member.class {
                    ClassRef::Index(index) => json!(index),
                    ClassRef::Name(name) => json!(name),
                })
                .collect();
            json!({ "name": label.name, "classes": classes })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_manifest_reads_back() {
        let folder = tempfile::tempdir().unwrap();
        let mut summary = Summary::default();
        summary.subsets.entry("training".into()).or_default().items = 2;
        let manifest = Manifest::new(
            "coco",
            &ExportOptions {
                media: MediaMode::None,
                ..ExportOptions::default()
            },
            Some(Path::new("/data/ade")),
            &summary,
            SystemTime::UNIX_EPOCH,
        );
        manifest.write(folder.path()).unwrap();
        let read = Manifest::read(folder.path()).unwrap().unwrap();
        assert_eq!(read, manifest);
        assert_eq!(read.items, 2);
        assert_eq!(read.started, "1970-01-01T00:00:00Z");
        assert_eq!(read.options["media"], "none");
        assert_eq!(read.options["labels"], "all");
    }

    #[test]
    fn a_folder_without_manifest_has_none_and_a_foreign_one_is_an_error() {
        let folder = tempfile::tempdir().unwrap();
        assert_eq!(Manifest::read(folder.path()).unwrap(), None);
        fs::write(folder.path().join(MANIFEST_FILE), "{\"tool\": \"other\"}").unwrap();
        assert!(Manifest::read(folder.path()).is_err());
        fs::write(folder.path().join(MANIFEST_FILE), "notes").unwrap();
        let error = Manifest::read(folder.path()).unwrap_err();
        assert!(error.to_string().contains("not an ade20k output manifest"));
    }

    #[cfg(unix)]
    #[test]
    fn a_manifest_that_is_not_a_regular_file_is_not_read() {
        let folder = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/dev/zero", folder.path().join(MANIFEST_FILE)).unwrap();
        let error = Manifest::read(folder.path()).unwrap_err();
        assert!(error.to_string().contains("not a regular file"), "{error}");
    }
}
