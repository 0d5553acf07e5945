//! COCO-style annotation files (`annotations/<task>_<subset>.json`), streamed.
//!
//! Image and annotation records are written one per line, as items arrive, to
//! hidden part files of their subset; once every item is read, each subset's
//! file is assembled from `info`, `licenses`, the spooled records and the
//! categories, and the part files are removed. Memory holds no record past
//! its item. The COCO instance and COCO panoptic formats share this layout.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ade20k_model::{Error, Item};
use serde::Serialize;

use crate::encode::json_records::RecordWriter;

/// One entry of `images`.
#[derive(Serialize)]
struct ImageRecord<'a> {
    /// Image id, from 1 in item order within the subset.
    pub id: u64,
    /// Image file name relative to `images/<subset>/`.
    pub file_name: &'a str,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// ADE20K's scene words.
    pub scene: &'a [String],
}

/// The annotation files of one export: one per subset, all in `annotations/`.
pub(crate) struct CocoFiles {
    dir: PathBuf,
    task: &'static str,
    subsets: BTreeMap<String, SubsetFiles>,
}

/// The spooled image and annotation records of one subset.
pub(crate) struct SubsetFiles {
    /// Records of `images`.
    pub images: RecordWriter,
    /// Records of `annotations`.
    pub annotations: RecordWriter,
    /// Images written so far: the id of the last.
    images_written: u64,
    /// Annotation ids given so far: the last.
    annotations_numbered: u64,
}

impl CocoFiles {
    /// Creates `out/annotations/` for files named `<task>_<subset>.json`.
    pub fn create(out: &Path, task: &'static str) -> Result<Self, Error> {
        let dir = out.join("annotations");
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(CocoFiles {
            dir,
            task,
            subsets: BTreeMap::new(),
        })
    }

    /// The spooled records of `subset`, started on first use.
    pub fn subset(&mut self, subset: &str) -> Result<&mut SubsetFiles, Error> {
        Ok(match self.subsets.entry(subset.to_string()) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(SubsetFiles::create(&self.dir, subset)?),
        })
    }

    /// Writes `<task>_<subset>.json` for every one of `subsets` (empty ones
    /// too), each with the same `categories`.
    pub fn finish(
        mut self,
        subsets: &[String],
        categories: &[impl Serialize],
    ) -> Result<(), Error> {
        for subset in subsets {
            let files = match self.subsets.remove(subset) {
                Some(files) => files,
                None => SubsetFiles::create(&self.dir, subset)?,
            };
            let path = self.dir.join(format!("{}_{subset}.json", self.task));
            files.assemble(&path, categories)?;
        }
        Ok(())
    }
}

impl SubsetFiles {
    /// Writes the `images` entry of `item`, whose image is `file_name`
    /// relative to `images/<subset>/`, and returns its image id.
    pub fn add_image(&mut self, item: &Item, file_name: &str) -> Result<u64, Error> {
        self.images_written += 1;
        let id = self.images_written;
        self.images.record(&ImageRecord {
            id,
            file_name,
            width: item.image.width,
            height: item.image.height,
            scene: &item.scene,
        })?;
        Ok(id)
    }

    /// Numbers `count` more annotations of the subset; returns the first id
    /// (ids count from 1 in each subset).
    pub fn number_annotations(&mut self, count: u64) -> u64 {
        let first = self.annotations_numbered + 1;
        self.annotations_numbered += count;
        first
    }

    fn create(dir: &Path, subset: &str) -> Result<Self, Error> {
        Ok(SubsetFiles {
            images: RecordWriter::create(dir.join(format!(".{subset}.images.part")))?,
            annotations: RecordWriter::create(dir.join(format!(".{subset}.annotations.part")))?,
            images_written: 0,
            annotations_numbered: 0,
        })
    }

    /// Joins the spooled records and the categories into the subset's file.
    fn assemble(self, path: &Path, categories: &[impl Serialize]) -> Result<(), Error> {
        let images = self.images.finish()?;
        let annotations = self.annotations.finish()?;
        let mut out = RecordWriter::create(path.to_path_buf())?;
        let info = serde_json::json!({
            "description": "ADE20K, converted by ade20k",
            "url": "https://groups.csail.mit.edu/vision/datasets/ADE20K/",
            "version": "2021_17_01",
        });
        out.raw(format!("{{\"info\":{info},\"licenses\":[],\"images\":[").as_bytes())?;
        out.append_file(&images)?;
        out.raw(b"\n],\"annotations\":[")?;
        out.append_file(&annotations)?;
        out.open_list(b"\n],\"categories\":[")?;
        for category in categories {
            out.record(category)?;
        }
        out.raw(b"\n]}\n")?;
        out.finish()?;
        for part in [images, annotations] {
            fs::remove_file(&part).map_err(|e| Error::io(&part, e))?;
        }
        Ok(())
    }
}
