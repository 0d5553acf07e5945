//! Benchmarks of the mask kernels on a full-size ADE20K-like mask (2048×1536):
//! COCO RLE encoding, its string form, and polygon tracing.

use std::hint::black_box;

use ade20k_export::rle::Rle;
use ade20k_export::trace::trace_polygons;
use ade20k_model::BinaryMask;
use criterion::{criterion_group, criterion_main, Criterion};

const WIDTH: u32 = 2048;
const HEIGHT: u32 = 1536;

/// An ellipse that sets (or, for a hole, clears) the pixels it covers.
struct Ellipse {
    center: (f64, f64),
    radii: (f64, f64),
    set: bool,
}

/// Deterministic blobs: large ellipses with holes, islands inside some holes,
/// and a band of small specks, drawn in order (later ones win).
fn synthetic_mask() -> BinaryMask {
    let mut ellipses = Vec::new();
    let mut state = 0x853c_49e6_748f_ea9b_u64;
    let mut next = move |bound: f64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 10_000) as f64 / 10_000.0 * bound
    };
    for _ in 0..6 {
        let center = (100.0 + next(1850.0), 100.0 + next(1340.0));
        let radii = (120.0 + next(300.0), 100.0 + next(250.0));
        ellipses.push(Ellipse {
            center,
            radii,
            set: true,
        });
        for hole in 0..4 {
            let offset = (next(radii.0) - radii.0 / 2.0, next(radii.1) - radii.1 / 2.0);
            let hole_center = (center.0 + offset.0, center.1 + offset.1);
            let hole_radii = (10.0 + next(40.0), 10.0 + next(40.0));
            ellipses.push(Ellipse {
                center: hole_center,
                radii: hole_radii,
                set: false,
            });
            if hole % 2 == 0 {
                ellipses.push(Ellipse {
                    center: hole_center,
                    radii: (hole_radii.0 / 3.0, hole_radii.1 / 3.0),
                    set: true,
                });
            }
        }
    }
    for _ in 0..200 {
        let speck = (next(2048.0), 1300.0 + next(200.0));
        ellipses.push(Ellipse {
            center: speck,
            radii: (1.0 + next(4.0), 1.0 + next(4.0)),
            set: true,
        });
    }
    BinaryMask::from_fn(WIDTH, HEIGHT, |x, y| {
        let (px, py) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
        let mut set = false;
        for ellipse in &ellipses {
            let dx = (px - ellipse.center.0) / ellipse.radii.0;
            let dy = (py - ellipse.center.1) / ellipse.radii.1;
            if dx * dx + dy * dy <= 1.0 {
                set = ellipse.set;
            }
        }
        set
    })
}

fn kernels(c: &mut Criterion) {
    let mask = synthetic_mask();
    let rle = Rle::encode(&mask);
    c.bench_function("rle_encode_2048x1536", |b| {
        b.iter(|| Rle::encode(black_box(&mask)))
    });
    c.bench_function("rle_to_coco_string_2048x1536", |b| {
        b.iter(|| black_box(&rle).to_coco_string())
    });
    c.bench_function("trace_polygons_2048x1536", |b| {
        b.iter(|| trace_polygons(black_box(&mask)))
    });
}

criterion_group!(benches, kernels);
criterion_main!(benches);
