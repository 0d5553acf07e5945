//! Shared helpers of the end-to-end tests.

#![allow(dead_code)] // each test file uses its own subset of these helpers

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};

use ade20k_export::{export, find_format, ExportOptions, MediaMode, Summary, MANIFEST_FILE};
use ade20k_import::Ade20kDataset;
use std::sync::Arc;

use ade20k_model::{
    Error, ImageInfo, InMemoryMasks, Item, ItemSource, Object, Occlusion, SourceInfo,
};
use serde_json::Value;

/// The fixture datasets written by `cargo xtask fixtures`.
pub const FIXTURES: &[&str] = &[
    "ade20k2020",
    "ade20k2020_binary",
    "ade20k2020_meta",
    "ade20k2020_release",
];

/// Path of fixture `name`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(name)
}

/// Opens fixture `name`.
pub fn open(name: &str) -> Ade20kDataset {
    Ade20kDataset::open(fixture(name)).expect("fixture opens")
}

/// Every item of `dataset`, loaded, in order.
pub fn items(dataset: &dyn ItemSource) -> Vec<Item> {
    (0..dataset.len())
        .map(|index| dataset.load(index).unwrap())
        .collect()
}

/// Options of a test export: defaults, without image files.
pub fn options() -> ExportOptions {
    ExportOptions {
        media: MediaMode::None,
        ..ExportOptions::default()
    }
}

/// Converts `dataset` to `format` into a fresh temporary folder.
pub fn convert(
    dataset: &dyn ItemSource,
    format: &str,
    options: &ExportOptions,
) -> (tempfile::TempDir, PathBuf, Summary) {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let format = find_format(format).expect("format is registered");
    let summary = export(dataset, format, &out, options, false).expect("export succeeds");
    (root, out, summary)
}

/// Runs `work` on a pool of `threads` threads.
pub fn on_threads<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(work)
}

/// Converts `dataset` to `format` once per entry of `threads`, on that many
/// threads, and asserts that `describe` gives the same for every output.
/// Returns the description of the first run.
pub fn assert_output_independent_of_threads<T: PartialEq + Debug + Send>(
    dataset: &dyn ItemSource,
    format: &str,
    options: &ExportOptions,
    threads: &[usize],
    describe: impl Fn(&Path) -> T + Sync,
) -> T {
    let run = |count: usize| {
        on_threads(count, || {
            let (_root, out, _) = convert(dataset, format, options);
            describe(&out)
        })
    };
    let first = run(threads[0]);
    for &count in &threads[1..] {
        assert_eq!(first, run(count), "output on {count} threads");
    }
    first
}

/// Copies the folder `from` to `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file below `dir`, relative, sorted; without the output manifest,
/// which records when it was written (the `manifest` tests check it).
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.strip_prefix(dir).unwrap() != Path::new(MANIFEST_FILE) {
                found.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    found.sort();
    found
}

/// Every file below `dir` by its relative path (`/`-separated) with its bytes.
pub fn file_contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files(dir)
        .into_iter()
        .map(|file| {
            let bytes = std::fs::read(dir.join(&file)).unwrap();
            (file.to_string_lossy().replace('\\', "/"), bytes)
        })
        .collect()
}

/// Asserts that `placed` holds the bytes of `item`'s image.
pub fn assert_image_placed(placed: &Path, item: &Item) {
    assert_eq!(
        std::fs::read(placed).unwrap_or_else(|e| panic!("{placed:?}: {e}")),
        std::fs::read(&item.image.path).unwrap(),
        "{placed:?} is the image of {}",
        item.id
    );
}

/// A dataset of items built in code, for cases no fixture has.
pub struct Synthetic {
    /// Subset names, in output order.
    pub subsets: Vec<String>,
    /// The items, ordered by subset, then id.
    pub items: Vec<Item>,
}

impl ItemSource for Synthetic {
    fn subsets(&self) -> &[String] {
        &self.subsets
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    fn subset_of(&self, index: usize) -> &str {
        &self.items[index].subset
    }

    fn load(&self, index: usize) -> Result<Item, Error> {
        Ok(self.items[index].clone())
    }
}

/// A level-0 object of class `class` named `name` (raw name `raw_name`),
/// occlusion unknown, with nothing else recorded.
pub fn synthetic_object(ade_id: u32, class: u32, name: &str, raw_name: &str) -> Object {
    Object {
        ade_id,
        class,
        name: name.into(),
        raw_name: raw_name.into(),
        hypernym: vec![],
        part_level: 0,
        parent: None,
        children: vec![],
        occluded: Occlusion::Unknown,
        crop: false,
        depth_rank: None,
        attributes: vec![],
        polygon: vec![],
        instance_mask: String::new(),
        saved_date: String::new(),
    }
}

/// Item `id` of `subset`, a `width`×`height` photo at `<subset>/<id>.jpg`,
/// holding `objects` whose masks are `masks`; no parts, scene or source.
pub fn synthetic_item(
    subset: &str,
    id: &str,
    (width, height): (u32, u32),
    objects: Vec<Object>,
    masks: InMemoryMasks,
) -> Item {
    Item {
        id: id.into(),
        subset: subset.into(),
        image: ImageInfo {
            path: PathBuf::from(format!("{subset}/{id}.jpg")),
            width,
            height,
        },
        folder: String::new(),
        scene: vec![],
        source: SourceInfo::default(),
        objects,
        part_levels: 0,
        masks: Arc::new(masks),
    }
}

/// Parses the JSON file at `path`.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A decoded PNG: every channel sample widened to `u32`, row-major.
#[derive(Debug, PartialEq, Eq)]
pub struct Png {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Colour type as stored.
    pub color_type: png::ColorType,
    /// Bits per sample as stored.
    pub bit_depth: png::BitDepth,
    /// Samples, `color_type.samples()` per pixel.
    pub samples: Vec<u32>,
}

/// Decodes the PNG at `path` as stored (no palette expansion), 8- or 16-bit.
pub fn read_png(path: &Path) -> Png {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::IDENTITY);
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buffer).unwrap();
    let bytes = &buffer[..frame.buffer_size()];
    let samples = match frame.bit_depth {
        png::BitDepth::Eight => bytes.iter().map(|&v| u32::from(v)).collect(),
        png::BitDepth::Sixteen => bytes
            .chunks_exact(2)
            .map(|pair| u32::from(u16::from_be_bytes([pair[0], pair[1]])))
            .collect(),
        other => panic!("{path:?}: unexpected bit depth {other:?}"),
    };
    Png {
        width: frame.width,
        height: frame.height,
        color_type: frame.color_type,
        bit_depth: frame.bit_depth,
        samples,
    }
}
