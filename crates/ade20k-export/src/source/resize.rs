//! The resize kernels behind `--max-short-side` ([`crate::source::resized`]): the
//! scaled size, nearest-neighbour sampling for labels and masks, and area
//! averaging for photos.
//!
//! Nearest neighbour follows MATLAB's `imresize(..., 'nearest')`, which the
//! SceneParsing benchmark's converter (`convertFromADE.m`) uses, to the bit:
//! output pixel `x` (from 1) of an axis scaled by `s = out / in` reads input
//! pixel `j` with `-0.5 ≤ u − j < 0.5`, where
//! `u = x / s + 0.5 · (1 − 1/s)`, computed in `f64` in that order. That is
//! sampling at pixel centres, with MATLAB's rounding where a centre falls
//! exactly between two input pixels (where exact arithmetic would pick the
//! other pixel for some sizes, e.g. 690 → 683). On the converter's published
//! example (`ADE_train_00000970_raw.png`, 1024×768, to
//! `ADE_train_00000970_challenge.png`, 683×512) these indices and the
//! benchmark's class table give its output pixel for pixel.

/// Whether a limit scales square images.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Squares {
    /// As every other image.
    Scaled,
    /// Not at all, as the benchmark's converter leaves them.
    Kept,
}

/// The size an image of `width`×`height` is scaled to so that its shorter
/// side is at most `max_short_side`: unchanged when it already is; otherwise
/// the shorter side becomes `max_short_side` and the longer
/// `round(long / short × max_short_side)` (halves away from zero, as MATLAB
/// rounds), the rule of the benchmark's converter. A square becomes
/// `max_short_side` on both sides, or with [`Squares::Kept`] keeps its size,
/// as the converter does (it scales only when one side is strictly the
/// shorter).
pub(crate) fn scaled_size(
    width: u32,
    height: u32,
    max_short_side: u32,
    squares: Squares,
) -> (u32, u32) {
    let (short, long) = (width.min(height), width.max(height));
    if short <= max_short_side || (width == height && squares == Squares::Kept) {
        return (width, height);
    }
    let scaled_long = (f64::from(long) / f64::from(short) * f64::from(max_short_side)).round();
    let scaled_long = (scaled_long as u32).max(max_short_side);
    if width <= height {
        (max_short_side, scaled_long)
    } else {
        (scaled_long, max_short_side)
    }
}

/// For each of the `output` pixels of an axis of `input` pixels, the input
/// pixel nearest neighbour sampling reads (from 0), by MATLAB's rule (see the
/// module docs). Indices never decrease.
pub(crate) fn nearest_indices(input: u32, output: u32) -> Vec<u32> {
    let scale = f64::from(output) / f64::from(input);
    (1..=output)
        .map(|x| {
            let u = f64::from(x) / scale + 0.5 * (1.0 - 1.0 / scale);
            let left = (u - 0.5).floor();
            // The box kernel [-0.5, 0.5) holds exactly one of three candidates.
            let chosen = (0..3)
                .map(|k| left + f64::from(k))
                .find(|&j| (-0.5..0.5).contains(&(u - j)))
                .unwrap_or(left);
            // MATLAB mirrors indices past the ends; for one pixel out, that is
            // the end pixel.
            (chosen.clamp(1.0, f64::from(input)) as u32) - 1
        })
        .collect()
}

/// A row-major `width`×`height` grid of `T` sampled at the output positions
/// `columns` × `rows` ([`nearest_indices`]).
pub(crate) fn sample_nearest<T: Copy>(
    pixels: &[T],
    width: u32,
    columns: &[u32],
    rows: &[u32],
) -> Vec<T> {
    let mut out = Vec::with_capacity(columns.len() * rows.len());
    for &row in rows {
        let source = &pixels[row as usize * width as usize..][..width as usize];
        out.extend(columns.iter().map(|&column| source[column as usize]));
    }
    out
}

/// The share of each input pixel in one output pixel of an axis scaled down
/// by area averaging: the output pixel covers `[x·in/out, (x+1)·in/out)` of
/// the input, and each input pixel weighs by how much of it lies inside.
struct Footprint {
    /// First input pixel covered.
    first: usize,
    /// Weights of the covered pixels, from `first`, summing to 1.
    weights: Vec<f32>,
}

/// The footprints of the `output` pixels of an axis of `input` pixels
/// (`output ≤ input`).
fn footprints(input: u32, output: u32) -> Vec<Footprint> {
    let ratio = f64::from(input) / f64::from(output);
    (0..output)
        .map(|x| {
            let start = f64::from(x) * ratio;
            let end = (f64::from(x + 1) * ratio).min(f64::from(input));
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).clamp(first + 1, input as usize);
            let weights = (first..last)
                .map(|pixel| {
                    let covered = (end.min(pixel as f64 + 1.0) - start.max(pixel as f64)).max(0.0);
                    (covered / (end - start)) as f32
                })
                .collect();
            Footprint { first, weights }
        })
        .collect()
}

/// Scales an 8-bit image of `channels` interleaved channels from
/// `width`×`height` down to `new_width`×`new_height` by area averaging (each
/// output pixel the mean of the input area it covers, OpenCV's `INTER_AREA`
/// for shrinking), rounding to the nearest value. A side that would grow is
/// sampled instead (its footprints are one pixel wide).
pub(crate) fn shrink_area(
    pixels: &[u8],
    (width, height): (u32, u32),
    channels: usize,
    (new_width, new_height): (u32, u32),
) -> Vec<u8> {
    let across = footprints(width, new_width.min(width));
    let down = footprints(height, new_height.min(height));
    let (new_width, new_height) = (across.len(), down.len());
    // Rows first: every input row shrunk across, kept as floats.
    let mut shrunk_rows = vec![0f32; height as usize * new_width * channels];
    let row_len = width as usize * channels;
    for (row, out) in pixels
        .chunks_exact(row_len.max(1))
        .zip(shrunk_rows.chunks_exact_mut((new_width * channels).max(1)))
    {
        for (footprint, pixel) in across.iter().zip(out.chunks_exact_mut(channels)) {
            for (offset, &weight) in footprint.weights.iter().enumerate() {
                let source = &row[(footprint.first + offset) * channels..][..channels];
                for (value, &input) in pixel.iter_mut().zip(source) {
                    *value += weight * f32::from(input);
                }
            }
        }
    }
    let mut out = vec![0u8; new_height * new_width * channels];
    let mut sums = vec![0f32; new_width * channels];
    for (footprint, out_row) in down
        .iter()
        .zip(out.chunks_exact_mut((new_width * channels).max(1)))
    {
        sums.fill(0.0);
        for (offset, &weight) in footprint.weights.iter().enumerate() {
            let row = &shrunk_rows[(footprint.first + offset) * new_width * channels..]
                [..new_width * channels];
            for (sum, &value) in sums.iter_mut().zip(row) {
                *sum += weight * value;
            }
        }
        for (value, &sum) in out_row.iter_mut().zip(&sums) {
            *value = sum.round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shorter_side_becomes_the_limit_and_the_longer_is_rounded() {
        // The release's sample item and the instance benchmark's record of it.
        let every = |width, height, limit| scaled_size(width, height, limit, Squares::Scaled);
        assert_eq!(every(2200, 1467, 512), (768, 512));
        // The converter's published example.
        assert_eq!(every(1024, 768, 512), (683, 512));
        assert_eq!(every(768, 1024, 512), (512, 683));
        assert_eq!(every(512, 4000, 512), (512, 4000));
        assert_eq!(every(300, 200, 512), (300, 200));
        assert_eq!(every(1000, 1000, 512), (512, 512));
        // 1500 / 1000 × 5 = 7.5 rounds up; 1025 / 1000 × 100 is just below
        // 102.5 in doubles, as in MATLAB, and rounds down.
        assert_eq!(every(1500, 1000, 5), (8, 5));
        assert_eq!(every(1025, 1000, 100), (102, 100));
    }

    #[test]
    fn the_converter_keeps_squares() {
        // ADE_train_00000050 is 1024×1024 in the instance benchmark's list.
        let kept = |width, height| scaled_size(width, height, 512, Squares::Kept);
        assert_eq!(kept(1024, 1024), (1024, 1024));
        assert_eq!(kept(2100, 2100), (2100, 2100));
        assert_eq!(kept(1025, 1024), (513, 512));
        assert_eq!(kept(2200, 1467), (768, 512));
    }

    #[test]
    fn nearest_samples_pixel_centres() {
        // Halving reads the second pixel of each pair: the centre of output
        // pixel 0 is at input 1.0, the left edge of pixel 1.
        assert_eq!(nearest_indices(4, 2), [1, 3]);
        assert_eq!(nearest_indices(3, 1), [1]);
        assert_eq!(nearest_indices(5, 5), [0, 1, 2, 3, 4]);
        // 768 → 512 (the example's rows): 3 pixels become 2.
        assert_eq!(nearest_indices(768, 512)[..4], [0, 2, 3, 5]);
        // Growing repeats pixels.
        assert_eq!(nearest_indices(2, 4), [0, 0, 1, 1]);
    }

    #[test]
    fn nearest_rounds_ties_as_matlab_does() {
        // 690 → 683: the centre of output pixel 341 (from 0) is exactly the
        // left edge of input pixel 345 in exact arithmetic ((2·341+1)·690 /
        // (2·683) = 345); MATLAB's floating point lands just below and reads
        // pixel 344.
        let indices = nearest_indices(690, 683);
        let exact: Vec<u32> = (0..683u64)
            .map(|o| ((2 * o + 1) * 690 / (2 * 683)) as u32)
            .collect();
        let differ: Vec<usize> = (0..683).filter(|&o| indices[o] != exact[o]).collect();
        assert_eq!(differ, [341]);
        assert_eq!((indices[341], exact[341]), (344, 345));
        assert!(indices.windows(2).all(|pair| pair[0] <= pair[1]));
        assert_eq!(*indices.last().unwrap(), 689);
    }

    #[test]
    fn sampling_picks_rows_and_columns() {
        let pixels: Vec<u16> = (0..12).collect(); // 4×3
        assert_eq!(sample_nearest(&pixels, 4, &[1, 3], &[0, 2]), [1, 3, 9, 11]);
    }

    #[test]
    fn area_averaging_means_the_covered_pixels() {
        // 4×2 grey to 2×1: each output pixel the mean of a 2×2 block.
        let pixels = [0, 10, 100, 200, 20, 30, 50, 250];
        assert_eq!(shrink_area(&pixels, (4, 2), 1, (2, 1)), [15, 150]);
        // 3 → 2 across: pixel 0 covers input 0 and half of 1.
        assert_eq!(shrink_area(&[0, 90, 180], (3, 1), 1, (2, 1)), [30, 150]);
        // RGB channels stay apart; a flat image stays flat.
        let rgb: Vec<u8> = [10, 20, 30].repeat(9);
        assert_eq!(shrink_area(&rgb, (3, 3), 3, (2, 2)), [10, 20, 30].repeat(4));
        // Same size: unchanged.
        assert_eq!(shrink_area(&pixels, (4, 2), 1, (4, 2)), pixels);
    }
}
