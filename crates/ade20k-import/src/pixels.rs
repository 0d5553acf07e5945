//! Decoding of the mask PNGs: instance masks and class maps.

use std::io::{BufRead, Cursor, Seek};

use ade20k_model::{ClassMap, InstanceMask, Problem};
use png::{BitDepth, ColorType, Transformations};

/// The default limit on the pixels of one mask, as in Pillow's
/// decompression-bomb check: larger PNGs are refused before any pixel is decoded.
pub const DEFAULT_MAX_PIXELS: u64 = 178_956_970;

/// Decodes an instance mask PNG (`instance_NNN_<name>.png`).
///
/// The PNG must be 8-bit grayscale (an alpha channel is ignored). Its values
/// must be 0, 128 and 255 (absent, hidden, visible), or only 0 and 1, as in
/// binary masks made by other tools, where 1 means visible. A PNG whose header
/// claims more than `max_pixels` pixels is refused before anything is allocated.
pub fn decode_instance_mask(bytes: &[u8], max_pixels: u64) -> Result<InstanceMask, Problem> {
    let png = decode_png(bytes, max_pixels)?;
    let mut pixels = match png.color {
        ColorType::Grayscale => png.pixels,
        ColorType::GrayscaleAlpha => first_channel(png.pixels, 2),
        _ => {
            return Err(Problem::Image(format!(
                "instance mask must be grayscale, found {}",
                color_name(png.file_color)
            )))
        }
    };
    if is_binary(&pixels) {
        // A binary 0/1 mask: 1 (visible) becomes 255, 0 stays 0.
        for value in &mut pixels {
            *value = value.wrapping_neg();
        }
    }
    InstanceMask::from_pixels(png.width, png.height, pixels)
}

/// Decodes a class map PNG (`<name>_seg.png` or `<name>_parts_N.png`).
///
/// The PNG must be RGB, 8 bits per channel (an alpha channel is ignored).
/// The class of a pixel is `(R / 10) * 256 + G`, its instance code is `B`.
/// A PNG whose header claims more than `max_pixels` pixels is refused before
/// anything is allocated.
pub fn decode_class_map(bytes: &[u8], max_pixels: u64) -> Result<ClassMap, Problem> {
    let mut png = open_png(bytes, max_pixels)?;
    let channels = match png.color {
        ColorType::Rgb => 3,
        ColorType::Rgba => 4,
        _ => {
            return Err(Problem::Image(format!(
                "class map must be RGB, found {}",
                color_name(png.file_color)
            )))
        }
    };
    let width = png.width as usize;
    let pixel_count = width * png.height as usize;
    // Both outputs are allocated once, at their final size; each decoded row is
    // split straight into them, so the RGB image is never held whole.
    let mut classes = vec![0; pixel_count];
    let mut instances = vec![0; pixel_count];
    let mut rows = classes
        .chunks_exact_mut(width.max(1))
        .zip(instances.chunks_exact_mut(width.max(1)));
    if png.reader.info().interlaced {
        // Adam7 rows arrive in seven passes: decode the frame whole, then split it.
        let mut pixels = vec![0; output_buffer_size(&png.reader)?];
        png.reader.next_frame(&mut pixels).map_err(png_problem)?;
        for (row, (classes, instances)) in pixels.chunks_exact(width * channels).zip(rows) {
            split_row(channels, row, classes, instances);
        }
    } else {
        while let Some(row) = png.reader.next_row().map_err(png_problem)? {
            if let Some((classes, instances)) = rows.next() {
                split_row(channels, row.data(), classes, instances);
            }
        }
    }
    ClassMap::from_pixels(png.width, png.height, classes, instances)
}

/// Splits one decoded row of `channels` bytes per pixel (3 or 4) into class
/// indices `(R / 10) * 256 + G` and instance codes `B`.
fn split_row(channels: usize, row: &[u8], classes: &mut [u32], instances: &mut [u8]) {
    if channels == 4 {
        split_pixels::<4>(row, classes, instances);
    } else {
        split_pixels::<3>(row, classes, instances);
    }
}

/// [`split_row`] for a channel count known at compile time, so that the loop
/// has fixed strides and no bounds checks, and the compiler can vectorise it.
#[inline(always)]
fn split_pixels<const CHANNELS: usize>(row: &[u8], classes: &mut [u32], instances: &mut [u8]) {
    for ((pixel, class), instance) in row
        .chunks_exact(CHANNELS)
        .zip(classes.iter_mut())
        .zip(instances.iter_mut())
    {
        *class = u32::from(pixel[0] / 10) * 256 + u32::from(pixel[1]);
        *instance = pixel[2];
    }
}

/// Whether every value of a mask is 0 or 1. The values are combined a block
/// at a time with a branch-free OR, which the compiler vectorises; the scan
/// stops at the first block holding a larger value.
fn is_binary(pixels: &[u8]) -> bool {
    pixels
        .chunks(4096)
        .all(|block| block.iter().fold(0, |all, &value| all | value) <= 1)
}

/// Reads the width and height of a PNG from its header alone.
pub(crate) fn png_dimensions(reader: impl BufRead + Seek) -> Result<(u32, u32), Problem> {
    let mut decoder = png::Decoder::new(reader);
    let header = decoder.read_header_info().map_err(png_problem)?;
    Ok((header.width, header.height))
}

/// The first bytes of every PNG file.
pub(crate) const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// A decoded PNG, expanded to 8 bits per channel.
struct DecodedPng {
    width: u32,
    height: u32,
    /// Colour type of `pixels`.
    color: ColorType,
    /// Colour type stored in the file, for messages.
    file_color: ColorType,
    pixels: Vec<u8>,
}

/// A PNG whose header has been read and checked, ready to decode.
struct OpenPng<'a> {
    width: u32,
    height: u32,
    /// Colour type of the decoded pixels.
    color: ColorType,
    /// Colour type stored in the file, for messages.
    file_color: ColorType,
    reader: png::Reader<Cursor<&'a [u8]>>,
}

/// Reads and checks the header of a PNG: at most `max_pixels` pixels, at most
/// 8 bits per channel. Decoding expands palettes and low bit depths to 8 bits.
fn open_png(bytes: &[u8], max_pixels: u64) -> Result<OpenPng<'_>, Problem> {
    if bytes.is_empty() {
        return Err(Problem::Image("the file is empty".into()));
    }
    if !bytes.starts_with(PNG_SIGNATURE) {
        return Err(Problem::Image(
            "not a PNG file (it does not start with the PNG signature)".into(),
        ));
    }
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(Transformations::EXPAND);
    decoder.set_ignore_text_chunk(true);
    let header = decoder.read_header_info().map_err(png_problem)?;
    let (width, height) = (header.width, header.height);
    let file_color = header.color_type;
    let pixel_count = u64::from(width) * u64::from(height);
    if pixel_count > max_pixels {
        return Err(Problem::Image(format!(
            "the PNG header claims {width}×{height} = {pixel_count} pixels, \
             more than the limit of {max_pixels}"
        )));
    }
    if header.bit_depth == BitDepth::Sixteen {
        return Err(Problem::Image(
            "16-bit PNG found, masks must have 8 bits per channel".into(),
        ));
    }
    let reader = decoder.read_info().map_err(png_problem)?;
    let (color, _) = reader.output_color_type();
    Ok(OpenPng {
        width,
        height,
        color,
        file_color,
        reader,
    })
}

fn decode_png(bytes: &[u8], max_pixels: u64) -> Result<DecodedPng, Problem> {
    let mut png = open_png(bytes, max_pixels)?;
    let mut pixels = vec![0; output_buffer_size(&png.reader)?];
    png.reader.next_frame(&mut pixels).map_err(png_problem)?;
    Ok(DecodedPng {
        width: png.width,
        height: png.height,
        color: png.color,
        file_color: png.file_color,
        pixels,
    })
}

/// The size in bytes of the decoded frame of `reader`, or a problem when it
/// does not fit in the address space.
fn output_buffer_size(reader: &png::Reader<Cursor<&[u8]>>) -> Result<usize, Problem> {
    reader
        .output_buffer_size()
        .ok_or_else(|| Problem::Image("the decoded PNG would not fit in the address space".into()))
}

/// Keeps the first of every `channels` bytes, in place.
fn first_channel(mut pixels: Vec<u8>, channels: usize) -> Vec<u8> {
    let count = pixels.len() / channels;
    for index in 0..count {
        pixels[index] = pixels[index * channels];
    }
    pixels.truncate(count);
    pixels
}

fn png_problem(error: png::DecodingError) -> Problem {
    Problem::Image(format!("PNG: {error}"))
}

fn color_name(color: ColorType) -> &'static str {
    match color {
        ColorType::Grayscale => "grayscale",
        ColorType::GrayscaleAlpha => "grayscale with alpha",
        ColorType::Rgb => "RGB",
        ColorType::Rgba => "RGBA",
        ColorType::Indexed => "indexed (palette) colour",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Encodes a PNG with 8 bits per channel (or `depth` bits).
    pub(crate) fn encode_png(
        width: u32,
        height: u32,
        color: ColorType,
        depth: BitDepth,
        data: &[u8],
    ) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(color);
        encoder.set_depth(depth);
        if color == ColorType::Indexed {
            encoder.set_palette(vec![0, 0, 0, 255, 255, 255]);
        }
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(data).unwrap();
        writer.finish().unwrap();
        bytes
    }

    fn gray(width: u32, height: u32, data: &[u8]) -> Vec<u8> {
        encode_png(width, height, ColorType::Grayscale, BitDepth::Eight, data)
    }

    /// A PNG whose header claims `width`×`height` pixels, with no pixel data.
    pub(crate) fn bomb_header(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = gray(1, 1, &[0]);
        bytes[16..20].copy_from_slice(&width.to_be_bytes());
        bytes[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    /// An Adam7-interlaced PNG of 8-bit `color` pixels, written by hand (the
    /// `png` crate does not write interlaced files): unfiltered rows, stored
    /// in uncompressed deflate blocks.
    fn interlaced_png(width: u32, height: u32, color: ColorType, data: &[u8]) -> Vec<u8> {
        const PASSES: [(u32, u32, u32, u32); 7] = [
            (0, 0, 8, 8),
            (4, 0, 8, 8),
            (0, 4, 4, 8),
            (2, 0, 4, 4),
            (0, 2, 2, 4),
            (1, 0, 2, 2),
            (0, 1, 1, 2),
        ];
        let channels = color.samples();
        let mut raw = Vec::new();
        for (x0, y0, dx, dy) in PASSES {
            if x0 >= width {
                continue;
            }
            for y in (y0..height).step_by(dy as usize) {
                raw.push(0);
                for x in (x0..width).step_by(dx as usize) {
                    let at = (y * width + x) as usize * channels;
                    raw.extend_from_slice(&data[at..at + channels]);
                }
            }
        }
        let mut zlib = vec![0x78, 0x01];
        let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
        for (index, block) in blocks.iter().enumerate() {
            let len = block.len() as u16;
            zlib.push(u8::from(index + 1 == blocks.len()));
            zlib.extend_from_slice(&len.to_le_bytes());
            zlib.extend_from_slice(&(!len).to_le_bytes());
            zlib.extend_from_slice(block);
        }
        let (mut a, mut b) = (1u32, 0u32);
        for &byte in &raw {
            a = (a + u32::from(byte)) % 65_521;
            b = (b + a) % 65_521;
        }
        zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
        let mut header = Vec::new();
        header.extend_from_slice(&width.to_be_bytes());
        header.extend_from_slice(&height.to_be_bytes());
        header.extend_from_slice(&[8, color as u8, 0, 0, 1]);
        let mut bytes = PNG_SIGNATURE.to_vec();
        for (kind, payload) in [(b"IHDR", header), (b"IDAT", zlib), (b"IEND", Vec::new())] {
            bytes.extend_from_slice(&(payload.len() as u32).to_be_bytes());
            let start = bytes.len();
            bytes.extend_from_slice(kind);
            bytes.extend_from_slice(&payload);
            let crc = crc32(&bytes[start..]);
            bytes.extend_from_slice(&crc.to_be_bytes());
        }
        bytes
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn instance_mask_keeps_visible_hidden_and_absent() {
        let mask = decode_instance_mask(&gray(3, 1, &[0, 128, 255]), DEFAULT_MAX_PIXELS).unwrap();
        assert_eq!((mask.width(), mask.height()), (3, 1));
        assert_eq!(mask.pixels(), &[0, 128, 255]);
    }

    #[test]
    fn binary_instance_mask_marks_ones_visible() {
        let mask = decode_instance_mask(&gray(2, 2, &[0, 1, 1, 0]), DEFAULT_MAX_PIXELS).unwrap();
        assert_eq!(mask.pixels(), &[0, 255, 255, 0]);
        let one_bit = encode_png(8, 1, ColorType::Grayscale, BitDepth::One, &[0b1010_0000]);
        let mask = decode_instance_mask(&one_bit, DEFAULT_MAX_PIXELS).unwrap();
        assert_eq!(mask.pixels(), &[255, 0, 255, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn instance_mask_rejects_other_values() {
        let error = decode_instance_mask(&gray(3, 1, &[0, 1, 255]), DEFAULT_MAX_PIXELS)
            .unwrap_err()
            .to_string();
        assert!(error.contains("value 1 "), "{error}");
        let error = decode_instance_mask(&gray(2, 1, &[0, 7]), DEFAULT_MAX_PIXELS)
            .unwrap_err()
            .to_string();
        assert!(error.contains("value 7 "), "{error}");
    }

    #[test]
    fn instance_mask_drops_alpha_and_refuses_colour() {
        let with_alpha = encode_png(
            2,
            1,
            ColorType::GrayscaleAlpha,
            BitDepth::Eight,
            &[255, 9, 128, 9],
        );
        let mask = decode_instance_mask(&with_alpha, DEFAULT_MAX_PIXELS).unwrap();
        assert_eq!(mask.pixels(), &[255, 128]);
        let rgb = encode_png(1, 1, ColorType::Rgb, BitDepth::Eight, &[255, 255, 255]);
        let error = decode_instance_mask(&rgb, DEFAULT_MAX_PIXELS).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid image: instance mask must be grayscale, found RGB"
        );
        let indexed = encode_png(1, 1, ColorType::Indexed, BitDepth::Eight, &[1]);
        let error = decode_instance_mask(&indexed, DEFAULT_MAX_PIXELS).unwrap_err();
        assert!(error.to_string().contains("found indexed"), "{error}");
    }

    #[test]
    fn sixteen_bit_is_refused() {
        let deep = encode_png(1, 1, ColorType::Grayscale, BitDepth::Sixteen, &[0, 255]);
        let error = decode_instance_mask(&deep, DEFAULT_MAX_PIXELS).unwrap_err();
        assert!(error.to_string().contains("16-bit"), "{error}");
    }

    #[test]
    fn oversized_header_is_refused_before_decoding() {
        let bomb = bomb_header(100_000, 100_000);
        let error = decode_instance_mask(&bomb, DEFAULT_MAX_PIXELS)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("100000×100000 = 10000000000 pixels, more than the limit"),
            "{error}"
        );
        let error = decode_class_map(&gray(4, 4, &[0; 16]), 15).unwrap_err();
        assert!(error.to_string().contains("limit of 15"), "{error}");
    }

    #[test]
    fn broken_png_is_an_image_problem() {
        let mut truncated = gray(4, 4, &[255; 16]);
        truncated.truncate(truncated.len() - 20);
        assert!(matches!(
            decode_instance_mask(&truncated, DEFAULT_MAX_PIXELS),
            Err(Problem::Image(_))
        ));
        assert!(matches!(
            decode_class_map(b"not a png", DEFAULT_MAX_PIXELS),
            Err(Problem::Image(_))
        ));
    }

    #[test]
    fn empty_files_and_other_formats_are_named_as_such() {
        let message = |bytes: &[u8]| {
            decode_instance_mask(bytes, DEFAULT_MAX_PIXELS)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(message(b""), "invalid image: the file is empty");
        assert!(message(b"\xFF\xD8\xFF\xE0").contains("not a PNG file"));
        assert!(decode_class_map(b"<html>", DEFAULT_MAX_PIXELS)
            .unwrap_err()
            .to_string()
            .contains("not a PNG file"));
    }

    #[test]
    fn class_map_decodes_class_and_instance() {
        // class 401 = 1 * 256 + 145: R in 10..=19, G = 145.
        let rgb = [19, 145, 7, 0, 0, 0, 250, 255, 1];
        let map = decode_class_map(
            &encode_png(3, 1, ColorType::Rgb, BitDepth::Eight, &rgb),
            DEFAULT_MAX_PIXELS,
        )
        .unwrap();
        assert_eq!(map.classes(), &[401, 0, 25 * 256 + 255]);
        assert_eq!(map.instances(), &[7, 0, 1]);
        let rgba = [10, 1, 3, 0];
        let map = decode_class_map(
            &encode_png(1, 1, ColorType::Rgba, BitDepth::Eight, &rgba),
            DEFAULT_MAX_PIXELS,
        )
        .unwrap();
        assert_eq!((map.classes(), map.instances()), (&[257][..], &[3][..]));
    }

    #[test]
    fn class_map_must_be_rgb() {
        let error = decode_class_map(&gray(1, 1, &[3]), DEFAULT_MAX_PIXELS).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid image: class map must be RGB, found grayscale"
        );
    }

    #[test]
    fn damaged_pngs_never_panic() {
        let valid = encode_png(3, 2, ColorType::Rgb, BitDepth::Eight, &[7; 18]);
        for end in 0..valid.len() {
            let _ = decode_class_map(&valid[..end], DEFAULT_MAX_PIXELS);
            let _ = decode_instance_mask(&valid[..end], DEFAULT_MAX_PIXELS);
        }
        for position in 0..valid.len() {
            let mut damaged = valid.clone();
            damaged[position] ^= 0xA5;
            let _ = decode_class_map(&damaged, DEFAULT_MAX_PIXELS);
            let _ = decode_instance_mask(&damaged, DEFAULT_MAX_PIXELS);
        }
    }

    #[test]
    fn interlaced_pngs_decode_as_plain_ones() {
        let (width, height) = (11, 9);
        let count = (width * height) as usize;
        let values: Vec<u8> = (0..count).map(|i| [0, 128, 255][i * 7 % 3]).collect();
        let plain =
            decode_instance_mask(&gray(width, height, &values), DEFAULT_MAX_PIXELS).unwrap();
        assert_eq!(plain.pixels(), values.as_slice());
        let interlaced = interlaced_png(width, height, ColorType::Grayscale, &values);
        let mask = decode_instance_mask(&interlaced, DEFAULT_MAX_PIXELS).unwrap();
        assert_eq!(mask, plain);
        let with_alpha: Vec<u8> = values.iter().flat_map(|&v| [v, 7]).collect();
        let interlaced = interlaced_png(width, height, ColorType::GrayscaleAlpha, &with_alpha);
        let mask = decode_instance_mask(&interlaced, DEFAULT_MAX_PIXELS).unwrap();
        assert_eq!(mask, plain);
        let binary: Vec<u8> = values.iter().map(|&v| v & 1).collect();
        let interlaced = interlaced_png(width, height, ColorType::Grayscale, &binary);
        let mask = decode_instance_mask(&interlaced, DEFAULT_MAX_PIXELS).unwrap();
        let visible: Vec<u8> = binary.iter().map(|&v| v * 255).collect();
        assert_eq!(mask.pixels(), visible.as_slice());

        let rgb: Vec<u8> = (0..count * 3).map(|i| (i * 37 % 251) as u8).collect();
        let plain = decode_class_map(
            &encode_png(width, height, ColorType::Rgb, BitDepth::Eight, &rgb),
            DEFAULT_MAX_PIXELS,
        )
        .unwrap();
        let interlaced = interlaced_png(width, height, ColorType::Rgb, &rgb);
        let map = decode_class_map(&interlaced, DEFAULT_MAX_PIXELS).unwrap();
        assert_eq!(
            (map.classes(), map.instances()),
            (plain.classes(), plain.instances())
        );
    }

    #[test]
    fn dimensions_come_from_the_header() {
        let png = gray(5, 2, &[0; 10]);
        assert_eq!(png_dimensions(Cursor::new(png.as_slice())).unwrap(), (5, 2));
    }
}
