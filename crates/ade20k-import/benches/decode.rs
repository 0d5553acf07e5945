//! Benchmarks of the importer's decoders on inputs the size of the ADE20K
//! release's: a 2048×1536 class map and instance mask, written as common PNG
//! writers write them, and the annotation JSON of an image with 50 objects
//! and 20 parts.
//!
//! The inputs are made in memory from deterministic shapes. For whole
//! datasets of this kind on disk, see `cargo xtask bench-data`.

use std::f64::consts::TAU;
use std::hint::black_box;
use std::io::Write;

use ade20k_import::{decode, DEFAULT_MAX_PIXELS};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use png::{BitDepth, ColorType, Compression, Filter};
use serde_json::{json, Value};

const WIDTH: u32 = 2048;
const HEIGHT: u32 = 1536;

/// Whole objects and parts of the benchmark annotation, as in an average image.
const OBJECTS: usize = 50;
const PARTS: usize = 20;

/// Classes of the annotation: name, index, hypernym chain.
const CLASSES: [(&str, u32, &[&str]); 4] = [
    (
        "car, auto, automobile, machine, motorcar",
        401,
        &[
            "car, auto, automobile, machine, motorcar",
            "motor vehicle, automotive vehicle",
            "self-propelled vehicle",
            "wheeled vehicle",
            "vehicle",
            "conveyance, transport",
            "instrumentality, instrumentation",
            "artifact, artefact",
            "whole, unit",
            "object, physical object",
            "physical entity",
            "entity",
        ],
    ),
    (
        "person, individual, someone, somebody, mortal, soul",
        1831,
        &[
            "person, individual, someone, somebody, mortal, soul",
            "organism, being",
            "living thing, animate thing",
            "whole, unit",
            "object, physical object",
            "physical entity",
            "entity",
        ],
    ),
    (
        "wall",
        2978,
        &[
            "wall",
            "partition, divider",
            "structure, construction",
            "artifact, artefact",
            "whole, unit",
            "object, physical object",
            "physical entity",
            "entity",
        ],
    ),
    (
        "handle, grip, handgrip, hold",
        1180,
        &["handle, grip, handgrip, hold"],
    ),
];

/// A xorshift generator: the inputs are the same in every run.
struct Random(u64);

impl Random {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1_u64 << 53) as f64
    }

    fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    fn below(&mut self, count: usize) -> usize {
        (self.unit() * count as f64) as usize
    }
}

/// An axis-aligned ellipse.
struct Ellipse {
    cx: f64,
    cy: f64,
    rx: f64,
    ry: f64,
}

impl Ellipse {
    /// An ellipse of about `fraction` of the image, anywhere in it.
    fn random(random: &mut Random, fraction: f64) -> Ellipse {
        let radius = (fraction * f64::from(WIDTH * HEIGHT) / std::f64::consts::PI).sqrt();
        let stretch = random.uniform(0.6, 1.6);
        Ellipse {
            cx: random.uniform(0.0, f64::from(WIDTH)),
            cy: random.uniform(0.0, f64::from(HEIGHT)),
            rx: radius * stretch,
            ry: radius / stretch,
        }
    }

    /// Calls `paint` with the index of every pixel inside the ellipse.
    fn for_each_pixel(&self, mut paint: impl FnMut(usize)) {
        let rows =
            (self.cy - self.ry).max(0.0) as u32..(self.cy + self.ry).min(f64::from(HEIGHT)) as u32;
        for y in rows {
            let dy = (f64::from(y) + 0.5 - self.cy) / self.ry;
            let half = self.rx * (1.0 - dy * dy).max(0.0).sqrt();
            let columns =
                (self.cx - half).max(0.0) as u32..(self.cx + half).min(f64::from(WIDTH)) as u32;
            for x in columns {
                paint((y * WIDTH + x) as usize);
            }
        }
    }
}

/// A PNG of `pixels`, filtered and compressed as libpng and Pillow write
/// PNGs by default: zlib's default level, and for each row the filter that
/// [`common_filter`] picks. (The `png` crate's own adaptive filter breaks ties
/// towards Paeth, the costliest filter to undo, even on empty rows: with it,
/// a mask decodes up to 16 times more slowly.)
fn encode_png(color: ColorType, pixels: &[u8]) -> Vec<u8> {
    let bpp = match color {
        ColorType::Rgb => 3,
        _ => 1,
    };
    let stride = WIDTH as usize * bpp;
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, WIDTH, HEIGHT);
    encoder.set_color(color);
    encoder.set_depth(BitDepth::Eight);
    encoder.set_compression(Compression::Balanced);
    let mut writer = encoder.write_header().expect("PNG header");
    let mut stream = writer.stream_writer().expect("PNG stream");
    let empty = vec![0; stride];
    let mut previous = empty.as_slice();
    for row in pixels.chunks_exact(stride) {
        // The stream filters each row as it completes, with the filter set last.
        stream.set_filter(common_filter(bpp, previous, row));
        stream.write_all(row).expect("PNG row");
        previous = row;
    }
    stream.finish().expect("PNG data");
    writer.finish().expect("PNG end");
    bytes
}

/// The filter libpng and Pillow choose for `row`: the one whose output has
/// the smallest sum of absolute (signed) bytes, the first on ties.
fn common_filter(bpp: usize, previous: &[u8], row: &[u8]) -> Filter {
    let predictors: [fn(u8, u8, u8) -> u8; 5] = [
        |_, _, _| 0,
        |a, _, _| a,
        |_, b, _| b,
        |a, b, _| ((u16::from(a) + u16::from(b)) / 2) as u8,
        paeth,
    ];
    let cost = |predict: &fn(u8, u8, u8) -> u8| -> u64 {
        (0..row.len())
            .map(|i| {
                let (a, c) = match i.checked_sub(bpp) {
                    Some(left) => (row[left], previous[left]),
                    None => (0, 0),
                };
                let filtered = row[i].wrapping_sub(predict(a, previous[i], c));
                u64::from((filtered as i8).unsigned_abs())
            })
            .sum()
    };
    let costs = predictors.each_ref().map(cost);
    let best = (0..costs.len())
        .min_by_key(|&filter| costs[filter])
        .unwrap_or(0);
    [
        Filter::NoFilter,
        Filter::Sub,
        Filter::Up,
        Filter::Avg,
        Filter::Paeth,
    ][best]
}

/// The Paeth predictor: of the pixels to the left, above and upper left, the
/// one nearest to left + above - upper left.
fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let estimate = i16::from(a) + i16::from(b) - i16::from(c);
    let distance = |value: u8| (estimate - i16::from(value)).abs();
    if distance(a) <= distance(b) && distance(a) <= distance(c) {
        a
    } else if distance(b) <= distance(c) {
        b
    } else {
        c
    }
}

/// A `_seg.png`: four large background regions, then smaller objects painted
/// over them, each with its class in R and G and its instance code in B.
fn class_map_and_file() -> Vec<u8> {
    let mut random = Random(0x2545_F491_4F6C_DD1D);
    let mut pixels = vec![0; (WIDTH * HEIGHT * 3) as usize];
    for object in 0..OBJECTS {
        let fraction = match object {
            0..=3 => random.uniform(0.15, 0.5),
            _ => 10_f64.powf(random.uniform(-4.0, -1.4)),
        };
        let class = 1 + random.below(3688) as u32;
        let colour = [
            (class / 256 * 10) as u8,
            (class % 256) as u8,
            (object * 97 % 255 + 1) as u8,
        ];
        Ellipse::random(&mut random, fraction).for_each_pixel(|pixel| {
            pixels[pixel * 3..pixel * 3 + 3].copy_from_slice(&colour);
        });
    }
    encode_png(ColorType::Rgb, &pixels)
}

/// An instance mask of an object of 3 % of the image whose right third is
/// hidden behind another object: 255 visible, 128 hidden, 0 elsewhere.
fn instance_mask_and_file() -> Vec<u8> {
    let mut pixels = vec![0; (WIDTH * HEIGHT) as usize];
    let object = Ellipse::random(&mut Random(0x9E37_79B9_7F4A_7C15), 0.03);
    let hidden_from = object.cx + object.rx / 3.0;
    object.for_each_pixel(|pixel| {
        let x = (pixel % WIDTH as usize) as f64;
        pixels[pixel] = if x >= hidden_from { 128 } else { 255 };
    });
    encode_png(ColorType::Grayscale, &pixels)
}

/// The annotation JSON of an image with [`OBJECTS`] objects and [`PARTS`]
/// parts (three quarters at level 1), pretty-printed as the release's.
fn annotation_json() -> Vec<u8> {
    let mut random = Random(0xD1B5_4A32_D192_ED03);
    let level_1 = PARTS - PARTS / 4;
    let parent_of = |id: usize| match id {
        _ if id < OBJECTS => None,
        _ if id < OBJECTS + level_1 => Some(id % 8),
        _ => Some(OBJECTS + id % level_1),
    };
    let objects: Vec<Value> = (0..OBJECTS + PARTS)
        .map(|id| {
            let parent = parent_of(id);
            let children: Vec<usize> = (0..OBJECTS + PARTS)
                .filter(|&child| parent_of(child) == Some(id))
                .collect();
            let (name, name_ndx, hypernym) = CLASSES[random.below(CLASSES.len())];
            let part_level = match parent {
                None => 0,
                Some(parent) if parent < OBJECTS => 1,
                Some(_) => 2,
            };
            // A polygon of 10 to 40 points on a circle.
            let points = 10 + random.below(31);
            let cx = random.uniform(0.0, f64::from(WIDTH));
            let cy = random.uniform(0.0, f64::from(HEIGHT));
            let radius = random.uniform(10.0, 300.0);
            let angles: Vec<f64> = (0..points)
                .map(|point| TAU * point as f64 / points as f64)
                .collect();
            let xs: Vec<f64> = angles
                .iter()
                .map(|a| (cx + radius * a.cos()).round())
                .collect();
            let ys: Vec<f64> = angles
                .iter()
                .map(|a| (cy + radius * a.sin()).round())
                .collect();
            json!({
                "id": id,
                "name": name,
                "name_ndx": name_ndx,
                "hypernym": hypernym,
                "raw_name": name.split(", ").next(),
                "attributes": if id % 5 == 0 { json!("parked") } else { json!([]) },
                "depth_ordering_rank": 1 + id % OBJECTS,
                "occluded": if id % 2 == 0 { "yes" } else { "no" },
                "crop": id % 2,
                "parts": {
                    "part_level": part_level,
                    "ispartof": parent.map_or(json!([]), |parent| json!(parent)),
                    "hasparts": children,
                },
                "instance_mask":
                    format!("ADE_train_00000001/instance_{id:03}_ADE_train_00000001.png"),
                "polygon": {"x": xs, "y": ys},
                "saved_date": "05-Mar-2008 14:12:59",
            })
        })
        .collect();
    let annotation = json!({
        "annotation": {
            "filename": "ADE_train_00000001.jpg",
            "folder": "ADE20K_2021_17_01/images/ADE/training/urban/street",
            "imsize": [HEIGHT, WIDTH, 3],
            "source": {
                "folder": "sun_database/s/street",
                "filename": "sun_aabqzkwvlxsmqhcn.jpg",
                "origin": "",
            },
            "scene": ["outdoor", "urban", "street"],
            "object": objects,
        }
    });
    serde_json::to_vec_pretty(&annotation).expect("JSON")
}

/// The pixels of a PNG as the `png` crate alone decodes them, for comparison
/// with the importer's decoders, which also check and convert them.
fn png_pixels(bytes: &[u8]) -> Vec<u8> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("PNG size")];
    reader.next_frame(&mut pixels).expect("PNG data");
    pixels
}

fn decoders(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Elements(u64::from(WIDTH * HEIGHT)));
    let class_map = class_map_and_file();
    group.bench_function("class_map_2048x1536", |b| {
        b.iter(|| decode::class_map(black_box(&class_map), DEFAULT_MAX_PIXELS).expect("class map"))
    });
    group.bench_function("class_map_2048x1536_png_crate_only", |b| {
        b.iter(|| png_pixels(black_box(&class_map)))
    });

    let mask = instance_mask_and_file();
    group.bench_function("instance_mask_2048x1536", |b| {
        b.iter(|| decode::instance_mask(black_box(&mask), DEFAULT_MAX_PIXELS).expect("mask"))
    });
    group.bench_function("instance_mask_2048x1536_png_crate_only", |b| {
        b.iter(|| png_pixels(black_box(&mask)))
    });

    let annotation = annotation_json();
    group.throughput(Throughput::Bytes(annotation.len() as u64));
    group.bench_function("annotation_70_objects", |b| {
        b.iter(|| decode::annotation(black_box(&annotation)).expect("annotation"))
    });
    group.finish();
}

criterion_group!(benches, decoders);
criterion_main!(benches);
