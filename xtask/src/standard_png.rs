//! PNG files filtered and compressed as the common PNG writers (libpng,
//! Pillow) do by default, so that they take as long to decode as PNGs in
//! the wild.
//!
//! Each row gets the filter whose output has the smallest sum of absolute
//! (signed) bytes, the first of None, Sub, Up, Average and Paeth on ties. The
//! filtered rows are compressed at zlib's default level, 6, by `zlib-rs`: six
//! times faster than `miniz_oxide`, into streams of the same size and decoding
//! cost. The `png` crate's own adaptive filter (version 0.18) never picks None
//! and breaks ties towards Paeth, the costliest filter to undo: masks it
//! writes decode up to 2.2 times more slowly than the same masks from Pillow.

use zlib_rs::crc32::crc32;
use zlib_rs::{compress_bound, compress_slice, DeflateConfig, ReturnCode};

/// The eight bytes every PNG file starts with.
const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];

/// Largest IDAT chunk, as Pillow writes them.
const MAX_IDAT_LEN: usize = 65_536;

/// Colour types of the PNG header.
#[derive(Clone, Copy, Debug)]
pub enum Color {
    /// One byte per pixel.
    Gray,
    /// Three bytes per pixel: red, green, blue.
    Rgb,
}

impl Color {
    fn channels(self) -> usize {
        match self {
            Color::Gray => 1,
            Color::Rgb => 3,
        }
    }

    fn header_code(self) -> u8 {
        match self {
            Color::Gray => 0,
            Color::Rgb => 2,
        }
    }
}

/// Encodes 8-bit `pixels`, row-major, as a PNG file.
pub fn encode(pixels: &[u8], width: u32, height: u32, color: Color) -> Result<Vec<u8>, String> {
    let stride = width as usize * color.channels();
    if pixels.len() != stride * height as usize {
        return Err(format!(
            "{} bytes of pixels for a {width} × {height} image",
            pixels.len()
        ));
    }
    let mut filtered = Vec::with_capacity((stride + 1) * height as usize);
    let mut filters = RowFilters::new(stride);
    let empty = vec![0; stride];
    let mut previous = empty.as_slice();
    for row in pixels.chunks_exact(stride) {
        let (filter, bytes) = filters.best(color.channels(), previous, row);
        filtered.push(filter);
        filtered.extend_from_slice(bytes);
        previous = row;
    }
    let mut buffer = vec![0; compress_bound(filtered.len())];
    let (data, code) = compress_slice(&mut buffer, &filtered, DeflateConfig::new(6));
    if code != ReturnCode::Ok {
        return Err(format!("zlib compression failed: {code:?}"));
    }

    let mut file = SIGNATURE.to_vec();
    let mut header = Vec::with_capacity(13);
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    // Bit depth 8, the colour type, deflate, adaptive filtering, no interlace.
    header.extend([8, color.header_code(), 0, 0, 0]);
    write_chunk(&mut file, b"IHDR", &header);
    for chunk in data.chunks(MAX_IDAT_LEN) {
        write_chunk(&mut file, b"IDAT", chunk);
    }
    write_chunk(&mut file, b"IEND", &[]);
    Ok(file)
}

/// Appends a chunk: its length, type, data and the CRC of type and data.
/// `data` is at most [`MAX_IDAT_LEN`] bytes.
pub(crate) fn write_chunk(file: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    file.extend((data.len() as u32).to_be_bytes());
    file.extend(kind);
    file.extend(data);
    file.extend(crc32(crc32(0, kind), data).to_be_bytes());
}

/// Scratch rows for choosing a filter.
struct RowFilters {
    best: Vec<u8>,
    candidate: Vec<u8>,
}

impl RowFilters {
    fn new(stride: usize) -> RowFilters {
        RowFilters {
            best: vec![0; stride],
            candidate: vec![0; stride],
        }
    }

    /// The filter type for `row` and the filtered row.
    fn best<'a>(&'a mut self, bpp: usize, previous: &[u8], row: &'a [u8]) -> (u8, &'a [u8]) {
        // No filter costs less than 0, and ties go to the earlier filter.
        let mut best_cost = cost(row);
        if best_cost == 0 {
            return (0, row);
        }
        if row == previous {
            // Up leaves only zeros; None and Sub leave some, as the row is not empty.
            self.best.fill(0);
            return (2, &self.best);
        }
        let mut best_filter = 0;
        for filter in 1..=4 {
            apply(filter, bpp, previous, row, &mut self.candidate);
            let candidate_cost = cost(&self.candidate);
            if candidate_cost < best_cost {
                (best_cost, best_filter) = (candidate_cost, filter);
                std::mem::swap(&mut self.best, &mut self.candidate);
                if best_cost == 0 {
                    break;
                }
            }
        }
        match best_filter {
            0 => (0, row),
            filter => (filter, &self.best),
        }
    }
}

/// The sum of the bytes of a filtered row read as signed values, without signs.
fn cost(filtered: &[u8]) -> u64 {
    // Sums of up to 2^24 bytes of at most 128 fit in a u32, which vectorises well.
    filtered
        .chunks(1 << 24)
        .map(|chunk| {
            let sum: u32 = chunk
                .iter()
                .map(|&byte| u32::from((byte as i8).unsigned_abs()))
                .sum();
            u64::from(sum)
        })
        .sum()
}

/// Writes `row` filtered by `filter` (1 Sub, 2 Up, 3 Average, 4 Paeth) into `out`.
fn apply(filter: u8, bpp: usize, previous: &[u8], row: &[u8], out: &mut [u8]) {
    let (head, tail) = out.split_at_mut(bpp);
    // The first pixel has no left neighbour: a = c = 0.
    for ((out, &x), &b) in head.iter_mut().zip(row).zip(previous) {
        *out = match filter {
            1 => x,
            2 | 4 => x.wrapping_sub(b),
            _ => x.wrapping_sub(b / 2),
        };
    }
    let rest = row[bpp..].iter().zip(&row[..row.len() - bpp]);
    let above = previous[bpp..]
        .iter()
        .zip(&previous[..previous.len() - bpp]);
    let pixels = tail.iter_mut().zip(rest).zip(above);
    match filter {
        1 => pixels.for_each(|((out, (&x, &a)), _)| *out = x.wrapping_sub(a)),
        2 => pixels.for_each(|((out, (&x, _)), (&b, _))| *out = x.wrapping_sub(b)),
        3 => pixels.for_each(|((out, (&x, &a)), (&b, _))| {
            *out = x.wrapping_sub(((u16::from(a) + u16::from(b)) / 2) as u8)
        }),
        _ => pixels.for_each(|((out, (&x, &a)), (&b, &c))| *out = x.wrapping_sub(paeth(a, b, c))),
    }
}

/// The Paeth predictor: of the pixels to the left, above and upper left, the
/// one nearest to left + above - upper left.
fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let (a16, b16, c16) = (i16::from(a), i16::from(b), i16::from(c));
    // The distances of a, b and c from the estimate a + b - c.
    let (pa, pb, pc) = (
        (b16 - c16).abs(),
        (a16 - c16).abs(),
        (a16 + b16 - 2 * c16).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The filter type byte of every row, read back from the zlib stream.
    fn row_filters(png: &[u8], stride: usize) -> Vec<u8> {
        let mut data = Vec::new();
        let mut rest = &png[8..];
        while rest.len() >= 12 {
            let len = u32::from_be_bytes(rest[..4].try_into().unwrap()) as usize;
            if &rest[4..8] == b"IDAT" {
                data.extend(&rest[8..8 + len]);
            }
            rest = &rest[12 + len..];
        }
        let mut raw = vec![0; 1 << 20];
        let (raw, code) = zlib_rs::decompress_slice(&mut raw, &data, Default::default());
        assert_eq!(code, ReturnCode::Ok);
        raw.chunks(stride + 1).map(|row| row[0]).collect()
    }

    #[test]
    fn pixels_survive_every_filter_and_empty_rows_are_not_filtered() {
        let (width, height) = (37, 40);
        // Rows: empty, a gradient (Sub), a copy of the row above (Up), noise.
        let rgb: Vec<u8> = (0..height * width * 3)
            .map(|i| match (i / (width * 3)) % 4 {
                0 => 0,
                1 | 2 => (i % (width * 3)) as u8,
                _ => ((i * 2_654_435_761_usize) >> 7) as u8,
            })
            .collect();
        let png = encode(&rgb, width as u32, height as u32, Color::Rgb).unwrap();
        let decoded = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(decoded.as_raw(), &rgb);
        // Each row after an empty one is best filtered by Sub, its copy by Up.
        for quad in row_filters(&png, width * 3).chunks(4) {
            assert_eq!(&quad[..3], &[0, 1, 2]);
        }

        let gray: Vec<u8> = (0..64 * 64)
            .map(|i| if i % 64 > 20 { 255 } else { 128 })
            .collect();
        let png = encode(&gray, 64, 64, Color::Gray).unwrap();
        let decoded = image::load_from_memory(&png).unwrap().to_luma8();
        assert_eq!(decoded.as_raw(), &gray);
    }

    #[test]
    fn paeth_picks_the_nearest_neighbour() {
        assert_eq!(paeth(10, 20, 10), 20);
        assert_eq!(paeth(20, 10, 10), 20);
        assert_eq!(paeth(10, 10, 30), 10);
        assert_eq!(paeth(0, 0, 0), 0);
    }
}
