//! Decoding of the mask PNGs: instance masks and class maps.

use std::cell::RefCell;
use std::io::{BufRead, Cursor, Seek};

use ade20k_model::{ClassIndex, ClassMap, CroppedMask, InstanceMask, MaskKind, Problem};
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
    decode_instance_mask_as_stored(bytes, max_pixels).map(|(mask, _)| mask)
}

/// Decodes an instance mask as [`decode_instance_mask`] does, and tells
/// whether the file stores exactly the mask's pixels: 8-bit grey without
/// transparency, values 0, 128 and 255 (not a binary 0/1 mask).
pub(crate) fn decode_instance_mask_as_stored(
    bytes: &[u8],
    max_pixels: u64,
) -> Result<(InstanceMask, bool), Problem> {
    let mut pixels = Vec::new();
    let decoded = decode_instance_pixels(bytes, max_pixels, &mut pixels)?;
    pixels.truncate(decoded.len());
    let mask = InstanceMask::from_pixels(decoded.width, decoded.height, pixels)?;
    Ok((mask, decoded.as_stored))
}

/// Decodes an instance mask as [`decode_instance_mask`] does and keeps the
/// `kind` pixels inside the box around the object
/// ([`InstanceMask::crop_pixels`]). The image-size pixels are decoded into a
/// buffer of the calling thread, kept for its next mask: no allocation,
/// zeroing or page faults per mask, only the window is allocated.
pub(crate) fn decode_cropped_instance_mask(
    bytes: &[u8],
    max_pixels: u64,
    kind: MaskKind,
) -> Result<CroppedMask, Problem> {
    /// Buffers larger than this are not kept between masks.
    const KEPT_BUFFER_BYTES: usize = 64 << 20;
    thread_local! {
        static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|buffer| {
        let cropped = decode_instance_pixels(bytes, max_pixels, buffer).and_then(|decoded| {
            let pixels = &buffer[..decoded.len()];
            InstanceMask::crop_pixels(decoded.width, decoded.height, pixels, kind)
        });
        if buffer.capacity() > KEPT_BUFFER_BYTES {
            *buffer = Vec::new();
        }
        cropped
    })
}

/// What [`decode_instance_pixels`] decoded.
struct DecodedInstancePixels {
    width: u32,
    height: u32,
    /// Whether the file stores exactly these values (see
    /// [`decode_instance_mask_as_stored`]).
    as_stored: bool,
}

impl DecodedInstancePixels {
    /// The number of pixels.
    fn len(&self) -> usize {
        self.width as usize * self.height as usize
    }
}

/// Decodes an instance mask PNG into the first pixels of `buffer`, one byte
/// each, valued as the file says (binary 0/1 masks made 0/255); `buffer`
/// grows when it is too short and is otherwise overwritten, never zeroed.
fn decode_instance_pixels(
    bytes: &[u8],
    max_pixels: u64,
    buffer: &mut Vec<u8>,
) -> Result<DecodedInstancePixels, Problem> {
    let mut png = open_png(bytes, MaskPng::InstanceMask, max_pixels)?;
    let channels = match png.color {
        ColorType::Grayscale => 1,
        ColorType::GrayscaleAlpha => 2,
        _ => return Err(MaskPng::InstanceMask.wrong_color(png.file_color)),
    };
    let frame_bytes = output_buffer_size(&png.reader)?;
    if buffer.len() < frame_bytes {
        buffer.resize(frame_bytes, 0);
    }
    png.reader
        .next_frame(&mut buffer[..frame_bytes])
        .map_err(png_problem)?;
    let mut decoded = DecodedInstancePixels {
        width: png.width,
        height: png.height,
        as_stored: png.gray8_as_stored,
    };
    let frame = &mut buffer[..frame_bytes];
    if channels == 2 {
        // Keep the grey of each grey-alpha pair, in place.
        for index in 0..decoded.len() {
            frame[index] = frame[index * 2];
        }
    }
    let pixels = &mut frame[..decoded.len()];
    if is_binary(pixels) {
        // A binary 0/1 mask: 1 (visible) becomes 255, 0 stays 0.
        for value in pixels.iter_mut() {
            *value = value.wrapping_neg();
        }
        // Unless it is all 0s, which both kinds of mask store alike.
        decoded.as_stored &= pixels.iter().all(|&value| value == 0);
    }
    Ok(decoded)
}

/// Decodes a class map PNG (`<name>_seg.png` or `<name>_parts_N.png`).
///
/// The PNG must be RGB, 8 bits per channel (an alpha channel is ignored).
/// The class of a pixel is `(R / 10) * 256 + G`, its instance code is `B`.
/// A PNG whose header claims more than `max_pixels` pixels is refused before
/// anything is allocated.
pub fn decode_class_map(bytes: &[u8], max_pixels: u64) -> Result<ClassMap, Problem> {
    decode_class_map_as_stored(bytes, max_pixels).map(|(map, _)| map)
}

/// Decodes a class map as [`decode_class_map`] does, and tells whether the
/// file stores exactly what encoding the map again would: 8-bit RGB without
/// transparency, every R a multiple of 10 (the class's high byte × 10).
pub(crate) fn decode_class_map_as_stored(
    bytes: &[u8],
    max_pixels: u64,
) -> Result<(ClassMap, bool), Problem> {
    let mut png = open_png(bytes, MaskPng::ClassMap, max_pixels)?;
    let channels = match png.color {
        ColorType::Rgb => 3,
        ColorType::Rgba => 4,
        _ => return Err(MaskPng::ClassMap.wrong_color(png.file_color)),
    };
    let width = png.width as usize;
    let pixel_count = width * png.height as usize;
    // Both outputs are allocated once, at their final size; each decoded row is
    // split straight into them, so the RGB image is never held whole.
    let mut classes = vec![ClassIndex::UNLABELED; pixel_count];
    let mut instances = vec![0; pixel_count];
    let mut rows = classes
        .chunks_exact_mut(width.max(1))
        .zip(instances.chunks_exact_mut(width.max(1)));
    // The OR of every R % 10: 0 when each R is a multiple of 10.
    let mut r_remainders = 0;
    if png.reader.info().interlaced {
        // Adam7 rows arrive in seven passes: decode the frame whole, then split it.
        let mut pixels = vec![0; output_buffer_size(&png.reader)?];
        png.reader.next_frame(&mut pixels).map_err(png_problem)?;
        for (row, (classes, instances)) in pixels.chunks_exact(width * channels).zip(rows) {
            r_remainders |= split_row(channels, row, classes, instances);
        }
    } else {
        while let Some(row) = png.reader.next_row().map_err(png_problem)? {
            if let Some((classes, instances)) = rows.next() {
                r_remainders |= split_row(channels, row.data(), classes, instances);
            }
        }
    }
    let as_stored = png.color == ColorType::Rgb && png.file_color == ColorType::Rgb;
    let map = ClassMap::from_pixels(png.width, png.height, classes, instances)?;
    Ok((map, as_stored && r_remainders == 0))
}

/// Splits one decoded row of `channels` bytes per pixel (3 or 4) into class
/// indices `(R / 10) * 256 + G` and instance codes `B`; returns the OR of
/// every `R % 10`.
fn split_row(channels: usize, row: &[u8], classes: &mut [ClassIndex], instances: &mut [u8]) -> u8 {
    if channels == 4 {
        split_pixels::<4>(row, classes, instances)
    } else {
        split_pixels::<3>(row, classes, instances)
    }
}

/// [`split_row`] for a channel count known at compile time, so that the loop
/// has fixed strides and no bounds checks, and the compiler can vectorise it.
#[inline(always)]
fn split_pixels<const CHANNELS: usize>(
    row: &[u8],
    classes: &mut [ClassIndex],
    instances: &mut [u8],
) -> u8 {
    let mut r_remainders = 0;
    for ((pixel, class), instance) in row
        .chunks_exact(CHANNELS)
        .zip(classes.iter_mut())
        .zip(instances.iter_mut())
    {
        let high = pixel[0] / 10;
        r_remainders |= pixel[0] - high * 10;
        *class = ClassIndex(u32::from(high) * 256 + u32::from(pixel[1]));
        *instance = pixel[2];
    }
    r_remainders
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

/// The two kinds of mask PNG, which differ in the colour types they may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MaskPng {
    /// `instance_NNN_<name>.png`: grey, with or without alpha.
    InstanceMask,
    /// `<name>_seg.png`, `<name>_parts_N.png`: RGB, with or without alpha,
    /// or a palette of RGB colours.
    ClassMap,
}

impl MaskPng {
    /// Whether a PNG stored with colour type `color` decodes to this kind of mask.
    fn accepts(self, color: ColorType) -> bool {
        match self {
            MaskPng::InstanceMask => {
                matches!(color, ColorType::Grayscale | ColorType::GrayscaleAlpha)
            }
            MaskPng::ClassMap => {
                matches!(color, ColorType::Rgb | ColorType::Rgba | ColorType::Indexed)
            }
        }
    }

    /// The problem of a PNG of this kind stored with colour type `color`.
    fn wrong_color(self, color: ColorType) -> Problem {
        let (kind, expected) = match self {
            MaskPng::InstanceMask => ("instance mask", "grayscale"),
            MaskPng::ClassMap => ("class map", "RGB"),
        };
        Problem::Image(format!(
            "{kind} must be {expected}, found {}",
            color_name(color)
        ))
    }
}

/// Reads and checks the header of a mask PNG of kind `kind` without decoding
/// it, as decoding it would first: the signature, at most `max_pixels`
/// pixels, at most 8 bits per channel, a colour type of its kind. Gives its
/// width and height. Only the signature and the header chunk are read.
pub(crate) fn check_mask_header(
    mut reader: impl BufRead + Seek,
    kind: MaskPng,
    max_pixels: u64,
) -> Result<(u32, u32), Problem> {
    check_signature(reader.fill_buf().map_err(Problem::Io)?)?;
    let mut decoder = png::Decoder::new(reader);
    let header = decoder.read_header_info().map_err(png_problem)?;
    check_header(header, kind, max_pixels)?;
    Ok((header.width, header.height))
}

/// Checks that `start`, the first bytes of a file, begin a PNG.
fn check_signature(start: &[u8]) -> Result<(), Problem> {
    if start.is_empty() {
        Err(Problem::Image("the file is empty".into()))
    } else if !start.starts_with(PNG_SIGNATURE) {
        Err(Problem::Image(
            "not a PNG file (it does not start with the PNG signature)".into(),
        ))
    } else {
        Ok(())
    }
}

/// Checks the header of a PNG of kind `kind`: at most `max_pixels` pixels,
/// at most 8 bits per channel, a colour type of its kind.
fn check_header(header: &png::Info, kind: MaskPng, max_pixels: u64) -> Result<(), Problem> {
    let (width, height) = (header.width, header.height);
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
    if !kind.accepts(header.color_type) {
        return Err(kind.wrong_color(header.color_type));
    }
    Ok(())
}

/// The first bytes of every PNG file.
pub(crate) const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// A PNG whose header has been read and checked, ready to decode.
struct OpenPng<'a> {
    width: u32,
    height: u32,
    /// Colour type of the decoded pixels.
    color: ColorType,
    /// Colour type stored in the file, for messages.
    file_color: ColorType,
    /// Whether the file is 8-bit grey with no transparency: decoding then
    /// gives its samples untouched.
    gray8_as_stored: bool,
    reader: png::Reader<Cursor<&'a [u8]>>,
}

/// Reads and checks the header of a mask PNG of kind `kind` (see
/// [`check_mask_header`]). Decoding expands palettes and low bit depths to 8 bits.
fn open_png(bytes: &[u8], kind: MaskPng, max_pixels: u64) -> Result<OpenPng<'_>, Problem> {
    check_signature(bytes)?;
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(Transformations::EXPAND);
    decoder.set_ignore_text_chunk(true);
    let header = decoder.read_header_info().map_err(png_problem)?;
    check_header(header, kind, max_pixels)?;
    let (width, height) = (header.width, header.height);
    let file_color = header.color_type;
    let header_depth = header.bit_depth;
    let reader = decoder.read_info().map_err(png_problem)?;
    let (color, _) = reader.output_color_type();
    let gray8_as_stored = file_color == ColorType::Grayscale
        && header_depth == BitDepth::Eight
        && color == ColorType::Grayscale;
    Ok(OpenPng {
        width,
        height,
        color,
        file_color,
        gray8_as_stored,
        reader,
    })
}

/// The size in bytes of the decoded frame of `reader`, or a problem when it
/// does not fit in the address space.
fn output_buffer_size(reader: &png::Reader<Cursor<&[u8]>>) -> Result<usize, Problem> {
    reader
        .output_buffer_size()
        .ok_or_else(|| Problem::Image("the decoded PNG would not fit in the address space".into()))
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
    fn only_8_bit_grey_masks_of_the_release_s_values_are_as_stored() {
        let as_stored = |png: &[u8]| {
            decode_instance_mask_as_stored(png, DEFAULT_MAX_PIXELS)
                .unwrap()
                .1
        };
        assert!(as_stored(&gray(3, 1, &[0, 128, 255])));
        assert!(as_stored(&gray(2, 1, &[0, 255])));
        // All 0s: a binary mask stores what the release stores.
        assert!(as_stored(&gray(2, 1, &[0, 0])));
        assert!(!as_stored(&gray(2, 1, &[0, 1])));
        let one_bit = encode_png(8, 1, ColorType::Grayscale, BitDepth::One, &[0b1010_0000]);
        assert!(!as_stored(&one_bit));
        let with_alpha = encode_png(1, 1, ColorType::GrayscaleAlpha, BitDepth::Eight, &[255, 9]);
        assert!(!as_stored(&with_alpha));
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
    fn cropped_decoding_equals_cropping_the_decoded_mask() {
        let with_alpha = encode_png(
            3,
            1,
            ColorType::GrayscaleAlpha,
            BitDepth::Eight,
            &[0, 9, 255, 9, 128, 9],
        );
        // Large masks first, so the kept buffer holds stale pixels for the
        // smaller ones that follow.
        let pngs = [
            gray(4, 3, &[255; 12]),
            gray(3, 2, &[0, 128, 255, 0, 0, 128]),
            gray(2, 2, &[0, 1, 1, 0]),
            with_alpha,
            gray(2, 1, &[0, 0]),
        ];
        for png in &pngs {
            let mask = decode_instance_mask(png, DEFAULT_MAX_PIXELS).unwrap();
            for kind in [MaskKind::Visible, MaskKind::Amodal] {
                let cropped = decode_cropped_instance_mask(png, DEFAULT_MAX_PIXELS, kind).unwrap();
                assert_eq!(cropped, mask.cropped(kind));
            }
        }
        let error = decode_cropped_instance_mask(
            &gray(2, 1, &[0, 7]),
            DEFAULT_MAX_PIXELS,
            MaskKind::Visible,
        )
        .unwrap_err();
        assert!(error.to_string().contains("value 7 "), "{error}");
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
        assert_eq!(
            map.classes(),
            &[
                ClassIndex(401),
                ClassIndex::UNLABELED,
                ClassIndex(25 * 256 + 255)
            ]
        );
        assert_eq!(map.instances(), &[7, 0, 1]);
        let rgba = [10, 1, 3, 0];
        let map = decode_class_map(
            &encode_png(1, 1, ColorType::Rgba, BitDepth::Eight, &rgba),
            DEFAULT_MAX_PIXELS,
        )
        .unwrap();
        assert_eq!(
            (map.classes(), map.instances()),
            (&[ClassIndex(257)][..], &[3][..])
        );
    }

    #[test]
    fn only_rgb_class_maps_with_r_a_multiple_of_10_are_as_stored() {
        let as_stored = |color: ColorType, data: &[u8]| {
            let png = encode_png(2, 1, color, BitDepth::Eight, data);
            decode_class_map_as_stored(&png, DEFAULT_MAX_PIXELS)
                .unwrap()
                .1
        };
        assert!(as_stored(ColorType::Rgb, &[10, 145, 7, 250, 255, 1]));
        // R = 19 reads as class 401, which is written back with R = 10.
        assert!(!as_stored(ColorType::Rgb, &[19, 145, 7, 0, 0, 0]));
        assert!(!as_stored(ColorType::Rgba, &[10, 1, 3, 255, 0, 0, 0, 255]));
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
    fn the_header_check_refuses_what_decoding_refuses_first() {
        let check = |png: &[u8], kind| {
            check_mask_header(Cursor::new(png), kind, DEFAULT_MAX_PIXELS)
                .map_err(|problem| problem.to_string())
        };
        let grey = gray(3, 2, &[0; 6]);
        let rgb = encode_png(3, 2, ColorType::Rgb, BitDepth::Eight, &[0; 18]);
        let indexed = encode_png(8, 1, ColorType::Indexed, BitDepth::One, &[0]);
        let deep = encode_png(1, 1, ColorType::Grayscale, BitDepth::Sixteen, &[0, 255]);
        use MaskPng::{ClassMap, InstanceMask};
        assert_eq!(check(&grey, InstanceMask), Ok((3, 2)));
        assert_eq!(check(&rgb, ClassMap), Ok((3, 2)));
        assert_eq!(check(&indexed, ClassMap), Ok((8, 1)));
        // Only the header is read: what follows it may be cut.
        assert_eq!(check(&rgb[..40], ClassMap), Ok((3, 2)));
        for (png, kind) in [
            (&grey[..], ClassMap),
            (&rgb, InstanceMask),
            (&indexed, InstanceMask),
            (&deep, InstanceMask),
            (&bomb_header(100_000, 100_000), InstanceMask),
            (b"", ClassMap),
            (b"GIF89a", ClassMap),
            (&rgb[..20], ClassMap),
        ] {
            let decoded = match kind {
                InstanceMask => decode_instance_mask(png, DEFAULT_MAX_PIXELS).map(drop),
                ClassMap => decode_class_map(png, DEFAULT_MAX_PIXELS).map(drop),
            };
            assert_eq!(
                check(png, kind).map(drop),
                decoded.map_err(|problem| problem.to_string()),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn dimensions_come_from_the_header() {
        let png = gray(5, 2, &[0; 10]);
        assert_eq!(png_dimensions(Cursor::new(png.as_slice())).unwrap(), (5, 2));
    }
}
