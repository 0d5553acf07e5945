//! COCO run-length encoding (RLE) of binary masks, bit-compatible with
//! pycocotools (`maskApi.c`: `rleEncode`, `rleToString`, `rleFrString`,
//! `rleDecode`, `rleArea`, `rleToBbox`).
//!
//! # The encoding
//!
//! The pixels are read in column-major (Fortran) order: top to bottom in the
//! first column, then the second column, and so on. `counts` holds the lengths
//! of the alternating runs of 0s and 1s in that order, always starting with a
//! run of 0s, which is 0 long when the first pixel is set. The counts sum to
//! `height × width`.
//!
//! The compressed string form (COCO's `"counts": "…"`) writes each count as a
//! little-endian sequence of 5-bit groups, sign-aware, in one ASCII character
//! each (`48 + group`, with `0x20` set on every group but the last). From the
//! fourth count on, what is written is the difference to the count two places
//! before (the previous run of the same value), which is small for smooth shapes.
//!
//! ```
//! use ade20k_export::rle::Rle;
//! use ade20k_model::BinaryMask;
//!
//! // height 2, width 3, row-major:
//! //   0 1 1
//! //   0 1 0
//! let mask = BinaryMask::from_pixels(3, 2, vec![0, 1, 1, 0, 1, 0]).unwrap();
//! let rle = Rle::encode(&mask);
//! // Column-major: 0 0 | 1 1 | 1 0 → two 0s, three 1s, one 0.
//! assert_eq!(rle.counts, [2, 3, 1]);
//! assert_eq!(rle.to_coco_string(), "231");
//! assert_eq!(Rle::from_coco_string(2, 3, "231").unwrap(), rle);
//! assert_eq!(rle.decode().unwrap(), mask);
//! assert_eq!(rle.area(), 3);
//! ```

use ade20k_model::{BBox, BinaryMask, CroppedMask};

/// A binary mask as COCO run-length counts over its pixels in column-major order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rle {
    /// Number of rows of the mask.
    pub height: u32,
    /// Number of columns of the mask.
    pub width: u32,
    /// Lengths of the alternating runs of 0s and 1s in column-major order,
    /// starting with a (possibly empty) run of 0s.
    pub counts: Vec<u32>,
}

/// Why a COCO RLE could not be read or decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RleError {
    /// A character of the string lies outside the RLE alphabet `'0'..='o'`.
    #[error("character {character:?} at byte {position} is not an RLE character ('0' to 'o')")]
    InvalidCharacter {
        /// Byte offset of the character in the string.
        position: usize,
        /// The offending character.
        character: char,
    },
    /// The string ends in the middle of a count (its last character has the continuation bit).
    #[error("the RLE string ends in the middle of a count")]
    UnterminatedCount,
    /// A count is negative, longer than seven 5-bit groups, or larger than `u32::MAX`.
    #[error("count {index} of the RLE string is negative or does not fit in 32 bits")]
    CountOutOfRange {
        /// Index of the count in `counts`.
        index: usize,
    },
    /// The runs do not cover exactly `height × width` pixels.
    #[error("the runs cover {actual} pixels, but the mask has {expected}")]
    AreaMismatch {
        /// `height × width`.
        expected: u64,
        /// The sum of the counts.
        actual: u64,
    },
}

/// A 32-bit count difference needs 33 bits with its sign: seven 5-bit groups.
const MAX_GROUPS_PER_COUNT: u32 = 7;

impl Rle {
    /// Encodes a row-major mask, as pycocotools' `rleEncode` does, in one
    /// sequential pass over the mask plus the number of runs.
    pub fn encode(mask: &BinaryMask) -> Rle {
        encode_window(mask, (0, 0), (mask.width(), mask.height()))
    }

    /// Encodes a cropped mask as [`Rle::encode`] encodes the same mask over the
    /// whole image, reading only the window: every column left or right of it
    /// is one run of 0s, and inside a column the rows above and below the
    /// window are 0s too.
    pub fn encode_cropped(mask: &CroppedMask) -> Rle {
        encode_window(
            mask.window(),
            mask.origin(),
            (mask.frame_width(), mask.frame_height()),
        )
    }

    /// The compressed COCO string of the counts, as pycocotools' `rleToString` writes it.
    pub fn to_coco_string(&self) -> String {
        let mut text = String::with_capacity(self.counts.len() * 2);
        for (index, &count) in self.counts.iter().enumerate() {
            let mut value = i64::from(count);
            if index > 2 {
                value -= i64::from(self.counts[index - 2]);
            }
            loop {
                let group = (value & 0x1f) as u8;
                value >>= 5;
                let more = if group & 0x10 != 0 {
                    value != -1
                } else {
                    value != 0
                };
                let continuation = if more { 0x20 } else { 0 };
                text.push(char::from(b'0' + (group | continuation)));
                if !more {
                    break;
                }
            }
        }
        text
    }

    /// Reads a compressed COCO string (pycocotools' `rleFrString`) for a
    /// `height × width` mask, checking that the counts cover exactly its pixels.
    pub fn from_coco_string(height: u32, width: u32, text: &str) -> Result<Rle, RleError> {
        let mut counts: Vec<u32> = Vec::with_capacity(text.len() / 2);
        let mut value: i64 = 0;
        let mut groups = 0;
        for (position, character) in text.char_indices() {
            let code = u32::from(character).wrapping_sub(u32::from(b'0'));
            if code > 0x3f {
                return Err(RleError::InvalidCharacter {
                    position,
                    character,
                });
            }
            let index = counts.len();
            if groups == MAX_GROUPS_PER_COUNT {
                return Err(RleError::CountOutOfRange { index });
            }
            value |= i64::from(code & 0x1f) << (5 * groups);
            groups += 1;
            if code & 0x20 != 0 {
                continue;
            }
            if code & 0x10 != 0 {
                value |= -1 << (5 * groups);
            }
            if index > 2 {
                value += i64::from(counts[index - 2]);
            }
            let count = u32::try_from(value).map_err(|_| RleError::CountOutOfRange { index })?;
            counts.push(count);
            value = 0;
            groups = 0;
        }
        if groups != 0 {
            return Err(RleError::UnterminatedCount);
        }
        let rle = Rle {
            height,
            width,
            counts,
        };
        rle.check_coverage()?;
        Ok(rle)
    }

    /// Decodes back to a row-major mask (pycocotools' `rleDecode`); fails when
    /// the counts do not cover exactly `height × width` pixels.
    pub fn decode(&self) -> Result<BinaryMask, RleError> {
        self.check_coverage()?;
        let height = self.height as usize;
        let mut column_major = vec![0u8; height * self.width as usize];
        let mut position = 0;
        for (index, &count) in self.counts.iter().enumerate() {
            let end = position + count as usize;
            if index % 2 == 1 {
                column_major[position..end].fill(1);
            }
            position = end;
        }
        Ok(BinaryMask::from_fn(self.width, self.height, |x, y| {
            column_major[x as usize * height + y as usize] != 0
        }))
    }

    /// Number of set pixels: the sum of the runs of 1s (pycocotools' `area`).
    pub fn area(&self) -> u64 {
        self.counts
            .iter()
            .skip(1)
            .step_by(2)
            .map(|&c| u64::from(c))
            .sum()
    }

    /// The tight box around the set pixels (pycocotools' `toBbox`), or `None`
    /// for an empty mask, where pycocotools gives `[0, 0, 0, 0]`.
    ///
    /// The counts must cover the mask, as those of [`Rle::encode`] and
    /// [`Rle::from_coco_string`] do.
    pub fn bbox(&self) -> Option<BBox> {
        let height = u64::from(self.height);
        let (mut x0, mut y0, mut x1, mut y1) = (u64::MAX, u64::MAX, 0, 0);
        let mut position = 0u64;
        for (index, &count) in self.counts.iter().enumerate() {
            let start = position;
            position += u64::from(count);
            if index % 2 == 0 || count == 0 {
                continue;
            }
            let (first_x, first_y) = (start / height, start % height);
            let (last_x, last_y) = ((position - 1) / height, (position - 1) % height);
            x0 = x0.min(first_x);
            x1 = x1.max(last_x);
            if first_x == last_x {
                y0 = y0.min(first_y);
                y1 = y1.max(last_y);
            } else {
                y0 = 0;
                y1 = height - 1;
            }
        }
        // The bounds lie inside a mask of u32 dimensions, so they fit in u32.
        (x0 != u64::MAX).then(|| BBox {
            x: x0 as u32,
            y: y0 as u32,
            width: (x1 - x0 + 1) as u32,
            height: (y1 - y0 + 1) as u32,
        })
    }

    fn check_coverage(&self) -> Result<(), RleError> {
        let expected = u64::from(self.height) * u64::from(self.width);
        let actual = self
            .counts
            .iter()
            .fold(0u64, |sum, &count| sum.saturating_add(u64::from(count)));
        if actual == expected {
            Ok(())
        } else {
            Err(RleError::AreaMismatch { expected, actual })
        }
    }
}

/// The counts of `window`, a mask placed with its top-left pixel at `origin`
/// in an image of `frame` = (width, height) pixels that is unset elsewhere.
///
/// Runs only change where a pixel differs from the one above it (or at the
/// top of a column), so the encoder compares adjacent rows eight pixels at a
/// time, buckets the changes by column, and emits the runs column by column:
/// the cost is one sequential pass over the window plus the number of runs.
fn encode_window(window: &BinaryMask, origin: (u32, u32), frame: (u32, u32)) -> Rle {
    let (width, height) = (window.width() as usize, window.height() as usize);
    let (frame_width, frame_height) = frame;
    let (origin_x, origin_y) = origin;
    let frame_height_64 = u64::from(frame_height);
    let pixels = window.pixels();

    let mut runs = RunWriter::default();
    if width > 0 && height > 0 {
        // Rows (y ≥ 1) where pixel (x, y) differs from (x, y - 1), bucketed
        // by column with a counting sort; rows ascend within a column.
        let mut column_ends = vec![0usize; width + 1];
        let mut changes = Vec::new();
        for y in 1..height {
            let above = &pixels[(y - 1) * width..y * width];
            let row = &pixels[y * width..(y + 1) * width];
            for_each_difference(above, row, |x| {
                changes.push((x as u32, y as u32));
                column_ends[x + 1] += 1;
            });
        }
        for x in 0..width {
            column_ends[x + 1] += column_ends[x];
        }
        let mut change_rows = vec![0u32; changes.len()];
        for &(x, y) in &changes {
            let x = x as usize;
            change_rows[column_ends[x]] = y;
            column_ends[x] += 1;
        }
        // Each column_ends[x] has moved to the end of column x's bucket.
        let mut column_start = 0;
        for x in 0..width {
            let first_position =
                (u64::from(origin_x) + x as u64) * frame_height_64 + u64::from(origin_y);
            if pixels[x] != runs.value {
                runs.toggle_at(first_position);
            }
            for &y in &change_rows[column_start..column_ends[x]] {
                runs.toggle_at(first_position + u64::from(y));
            }
            // Below the window, the column is 0s.
            if runs.value == 1 {
                runs.toggle_at(first_position + height as u64);
            }
            column_start = column_ends[x];
        }
    }
    Rle {
        height: frame_height,
        width: frame_width,
        counts: runs.finish(frame_height_64 * u64::from(frame_width)),
    }
}

/// Builds the counts of a column-major pixel stream from the positions where its value flips.
#[derive(Default)]
struct RunWriter {
    counts: Vec<u32>,
    run_start: u64,
    value: u8,
}

impl RunWriter {
    /// The value flips at `position`: the current run ends there.
    ///
    /// Flipping back where the run began (a window's column ends right where
    /// the next one starts) continues the previous run instead, so that no
    /// empty run appears but a leading one.
    fn toggle_at(&mut self, position: u64) {
        if position == self.run_start {
            if let Some(previous) = self.counts.pop() {
                self.run_start -= u64::from(previous);
                self.value ^= 1;
                return;
            }
        }
        push_run(&mut self.counts, position - self.run_start);
        self.run_start = position;
        self.value ^= 1;
    }

    /// Closes the last run at `end`, the number of pixels.
    /// A run closed exactly at `end` (the last column of a window reaching the
    /// bottom right corner) leaves no empty run after it.
    fn finish(mut self, end: u64) -> Vec<u32> {
        if end > self.run_start || self.counts.is_empty() {
            push_run(&mut self.counts, end - self.run_start);
        }
        self.counts
    }
}

/// Appends a run, splitting one longer than `u32::MAX` with empty runs of the other value.
fn push_run(counts: &mut Vec<u32>, mut length: u64) {
    let longest = u64::from(u32::MAX);
    while length > longest {
        counts.extend([u32::MAX, 0]);
        length -= longest;
    }
    counts.push(length as u32);
}

/// Calls `on_difference(i)` for each index, in ascending order, where `a[i] != b[i]`
/// (over the shorter length), skipping equal stretches 32 bytes at a time.
pub(crate) fn for_each_difference(a: &[u8], b: &[u8], mut on_difference: impl FnMut(usize)) {
    const WORD: usize = 8;
    const BLOCK: usize = 4 * WORD;
    let len = a.len().min(b.len());
    let mut a_blocks = a[..len].chunks_exact(BLOCK);
    let mut b_blocks = b[..len].chunks_exact(BLOCK);
    let mut offset = 0;
    for (a_block, b_block) in a_blocks.by_ref().zip(b_blocks.by_ref()) {
        let mut words = [0u64; 4];
        for (word, (a_word, b_word)) in words
            .iter_mut()
            .zip(a_block.chunks_exact(WORD).zip(b_block.chunks_exact(WORD)))
        {
            *word = load_le(a_word) ^ load_le(b_word);
        }
        if words.iter().any(|&word| word != 0) {
            for (index, &word) in words.iter().enumerate() {
                let mut differing = word;
                while differing != 0 {
                    let lane = differing.trailing_zeros() as usize / 8;
                    on_difference(offset + index * WORD + lane);
                    differing &= !(0xff << (lane * 8));
                }
            }
        }
        offset += BLOCK;
    }
    let tails = a_blocks.remainder().iter().zip(b_blocks.remainder());
    for (lane, (x, y)) in tails.enumerate() {
        if x != y {
            on_difference(offset + lane);
        }
    }
}

fn load_le(word: &[u8]) -> u64 {
    let mut bytes = [0; 8];
    bytes.copy_from_slice(word);
    u64::from_le_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic xorshift64 generator for test data.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, bound: u64) -> u64 {
            self.next() % bound
        }
    }

    /// Straightforward column-major run counting, as `rleEncode` does it.
    fn reference_counts(mask: &BinaryMask) -> Vec<u32> {
        let mut counts = Vec::new();
        let (mut value, mut run) = (0u8, 0u32);
        for x in 0..mask.width() {
            for y in 0..mask.height() {
                let pixel = u8::from(mask.get(x, y));
                if pixel != value {
                    counts.push(run);
                    run = 0;
                    value = pixel;
                }
                run += 1;
            }
        }
        counts.push(run);
        counts
    }

    fn mask_from_rows(rows: &[&str]) -> BinaryMask {
        let height = rows.len() as u32;
        let width = rows.first().map_or(0, |r| r.len()) as u32;
        BinaryMask::from_fn(width, height, |x, y| {
            rows[y as usize].as_bytes()[x as usize] == b'#'
        })
    }

    fn random_mask(rng: &mut XorShift, width: u32, height: u32) -> BinaryMask {
        // Mix smooth blobs (long runs) with noise (short runs).
        let noise = rng.below(4);
        let blobs: Vec<(i64, i64, i64)> = (0..rng.below(4))
            .map(|_| {
                let cx = rng.below(u64::from(width)) as i64;
                let cy = rng.below(u64::from(height)) as i64;
                (cx, cy, 1 + rng.below(12) as i64)
            })
            .collect();
        BinaryMask::from_fn(width, height, |x, y| {
            let in_blob = blobs.iter().any(|&(cx, cy, r)| {
                let (dx, dy) = (i64::from(x) - cx, i64::from(y) - cy);
                dx * dx + dy * dy <= r * r
            });
            in_blob ^ (noise > 0 && rng.below(16) < noise)
        })
    }

    fn round_trip(mask: &BinaryMask) {
        let rle = Rle::encode(mask);
        assert_eq!(rle.counts, reference_counts(mask), "{mask:?}");
        assert_eq!(rle.area(), mask.area());
        assert_eq!(rle.bbox(), mask.bbox());
        let text = rle.to_coco_string();
        let parsed = Rle::from_coco_string(rle.height, rle.width, &text).unwrap();
        assert_eq!(parsed, rle, "{text}");
        assert_eq!(&parsed.decode().unwrap(), mask);
        assert_cropped_encodings_equal(mask, &rle);
    }

    /// Encoding the mask cropped to its box, to full-height or full-width
    /// strips through the box, or not at all, gives the same counts.
    fn assert_cropped_encodings_equal(mask: &BinaryMask, rle: &Rle) {
        let (width, height) = (mask.width(), mask.height());
        let Some(bbox) = mask.bbox() else {
            assert_eq!(
                &Rle::encode_cropped(&CroppedMask::empty(width, height)),
                rle
            );
            return;
        };
        let (right, bottom) = (bbox.x + bbox.width, bbox.y + bbox.height);
        let windows = [
            (bbox.x, bbox.y, right, bottom),
            (bbox.x, 0, right, height),
            (0, bbox.y, width, bottom),
            (0, 0, width, height),
        ];
        for (x0, y0, x1, y1) in windows {
            let window = BinaryMask::from_fn(x1 - x0, y1 - y0, |x, y| mask.get(x + x0, y + y0));
            let cropped = CroppedMask::new(width, height, x0, y0, window).unwrap();
            assert_eq!(
                &Rle::encode_cropped(&cropped),
                rle,
                "window {x0},{y0}–{x1},{y1}"
            );
        }
    }

    #[test]
    fn round_trips_pseudo_random_masks() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..500 {
            let width = 1 + rng.below(40) as u32;
            let height = 1 + rng.below(40) as u32;
            round_trip(&random_mask(&mut rng, width, height));
        }
    }

    #[test]
    fn round_trips_edge_shapes() {
        for (width, height) in [(1, 1), (1, 9), (9, 1), (8, 8), (17, 3), (3, 17)] {
            round_trip(&BinaryMask::from_fn(width, height, |_, _| false));
            round_trip(&BinaryMask::from_fn(width, height, |_, _| true));
            round_trip(&BinaryMask::from_fn(width, height, |x, y| (x + y) % 2 == 0));
            round_trip(&BinaryMask::from_fn(width, height, |x, y| (x + y) % 2 == 1));
        }
    }

    #[test]
    fn empty_full_and_zero_sized_masks_follow_pycocotools() {
        let empty = Rle::encode(&BinaryMask::from_fn(3, 2, |_, _| false));
        assert_eq!(empty.counts, [6]);
        assert_eq!(empty.bbox(), None);
        let full = Rle::encode(&BinaryMask::from_fn(3, 2, |_, _| true));
        assert_eq!(full.counts, [0, 6]);
        assert_eq!(full.to_coco_string(), "06");
        for (width, height) in [(0, 0), (0, 5), (5, 0)] {
            let rle = Rle::encode(&BinaryMask::from_fn(width, height, |_, _| true));
            assert_eq!(rle.counts, [0]);
            assert_eq!(rle.decode().unwrap().pixels(), &[] as &[u8]);
        }
    }

    /// Derived by hand from `rleEncode` and `rleToString` (and cross-checked
    /// with pycocotools):
    ///
    /// ```text
    /// row 0:  . # # .      column-major: 0001 1100 1100 0001
    /// row 1:  . # # .      runs: 3×0, 3×1, 2×0, 2×1, 5×0, 1×1
    /// row 2:  . . . .
    /// row 3:  # . . #
    /// ```
    ///
    /// Counts 0–2 are written as they are ('3', '3', '2'); from count 3 on, the
    /// difference to the count two before: 2 - 3 = -1, 5 - 2 = 3, 1 - 2 = -1.
    /// -1 is the group 0x1f (sign bit 0x10 set, nothing left) → 48 + 31 = 'O'.
    #[test]
    fn known_vector_4x4() {
        let mask = mask_from_rows(&[".##.", ".##.", "....", "#..#"]);
        let rle = Rle::encode(&mask);
        assert_eq!(rle.counts, [3, 3, 2, 2, 5, 1]);
        assert_eq!(rle.to_coco_string(), "332O3O");
        assert_eq!(Rle::from_coco_string(4, 4, "332O3O").unwrap(), rle);
        assert_eq!(
            rle.bbox(),
            Some(BBox {
                x: 0,
                y: 0,
                width: 4,
                height: 4
            })
        );
    }

    /// Multi-group counts, derived by hand:
    ///
    /// * 40 = 0b1_01000: groups 8 then 1; the first gets the continuation bit:
    ///   48 + (8 | 0x20) = 'X', then 48 + 1 = '1'.
    /// * 24 = 0b11000: the group 24 has the sign bit 0x10 but the rest (0) is
    ///   not -1, so a second, empty group follows: 48 + (24 | 0x20) = 'h', '0'.
    /// * count 3 is 2, written as 2 - 40 = -38 = -2·32 + 26: groups 26 (with
    ///   continuation, 48 + 58 = 'j') and -2 & 0x1f = 30 ('N'), after which
    ///   the rest is -1 and 30 has the sign bit, so it ends.
    /// * count 4 is 48, written as 48 - 5 = 43 = 32 + 11: '[' (48 + (11 | 0x20)), '1'.
    #[test]
    fn known_vectors_with_multi_group_counts() {
        // 8×8, columns 5 to 7 set: 40 zeros then 24 ones.
        let mask = BinaryMask::from_fn(8, 8, |x, _| x >= 5);
        let rle = Rle::encode(&mask);
        assert_eq!(rle.counts, [40, 24]);
        assert_eq!(rle.to_coco_string(), "X1h0");

        let rle = Rle::from_coco_string(10, 10, "5X15jN[1").unwrap();
        assert_eq!(rle.counts, [5, 40, 5, 2, 48]);
        assert_eq!(rle.to_coco_string(), "5X15jN[1");
        let mask = rle.decode().unwrap();
        assert_eq!(mask.area(), 42);
        // Column-major positions 5..45 and 50..52 are set.
        assert!(!mask.get(0, 4) && mask.get(0, 5) && mask.get(4, 4) && !mask.get(4, 5));
        assert!(mask.get(5, 0) && mask.get(5, 1) && !mask.get(5, 2));
        // pycocotools' toBbox gives [0, 0, 6, 10].
        assert_eq!(
            rle.bbox(),
            Some(BBox {
                x: 0,
                y: 0,
                width: 6,
                height: 10
            })
        );
    }

    #[test]
    fn from_coco_string_rejects_garbage() {
        use RleError::*;
        let cases: &[(&str, RleError)] = &[
            (
                "33 2",
                InvalidCharacter {
                    position: 2,
                    character: ' ',
                },
            ),
            (
                "3p",
                InvalidCharacter {
                    position: 1,
                    character: 'p',
                },
            ),
            (
                "é",
                InvalidCharacter {
                    position: 0,
                    character: 'é',
                },
            ),
            ("3X", UnterminatedCount),
            ("PPPPPPP0", CountOutOfRange { index: 0 }),
            // A negative first count: the single group 0x1f is -1.
            ("O", CountOutOfRange { index: 0 }),
            // 2^32 = 0b100 followed by six zero groups → too large for u32.
            ("PPPPPP4", CountOutOfRange { index: 0 }),
            // count 3 = 2 + (-3) is negative.
            ("123M", CountOutOfRange { index: 3 }),
            (
                "33",
                AreaMismatch {
                    expected: 16,
                    actual: 6,
                },
            ),
            (
                "",
                AreaMismatch {
                    expected: 16,
                    actual: 0,
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                Rle::from_coco_string(4, 4, text).as_ref(),
                Err(expected),
                "{text:?}"
            );
        }
        assert_eq!(
            Rle::from_coco_string(0, 7, "").unwrap().counts,
            Vec::<u32>::new()
        );
    }

    #[test]
    fn from_coco_string_never_panics_on_random_input() {
        let mut rng = XorShift(7);
        let alphabet: Vec<char> = (b'0'..=b'o').map(char::from).chain(['~', 'é']).collect();
        for _ in 0..5000 {
            let len = rng.below(24) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
                .collect();
            let (height, width) = (rng.below(50) as u32, rng.below(50) as u32);
            if let Ok(rle) = Rle::from_coco_string(height, width, &text) {
                let mask = rle.decode().unwrap();
                assert_eq!(mask.area(), rle.area());
            }
        }
    }

    #[test]
    fn decode_rejects_counts_that_do_not_cover_the_mask() {
        let rle = Rle {
            height: 2,
            width: 2,
            counts: vec![1, 2],
        };
        assert_eq!(
            rle.decode(),
            Err(RleError::AreaMismatch {
                expected: 4,
                actual: 3
            })
        );
    }

    #[test]
    fn overlong_runs_are_split_with_empty_runs() {
        let mut counts = Vec::new();
        push_run(&mut counts, u64::from(u32::MAX) * 2 + 5);
        assert_eq!(counts, [u32::MAX, 0, u32::MAX, 0, 5]);
    }

    #[test]
    fn for_each_difference_finds_every_index_in_order() {
        for len in [0, 7, 29, 32, 77, 200] {
            let a: Vec<u8> = (0..len).map(|i| u8::from(i % 3 == 0 || i > 60)).collect();
            let b: Vec<u8> = (0..len).map(|i| u8::from(i % 5 == 0 || i > 60)).collect();
            let mut found = Vec::new();
            for_each_difference(&a, &b, |i| found.push(i));
            let expected: Vec<usize> = (0..len).filter(|&i| a[i] != b[i]).collect();
            assert_eq!(found, expected);
        }
    }
}
