//! Image files as tests write and read them: PNGs encoded from raw samples,
//! a flat JPEG photo, and PNGs decoded exactly as stored.

use std::path::Path;

/// A grey 8-bit PNG of `data`, one byte per pixel, row-major.
pub fn gray_png(width: u32, height: u32, data: &[u8]) -> Vec<u8> {
    encode_png(width, height, png::ColorType::Grayscale, data)
}

/// An RGB 8-bit PNG of `data`, three bytes per pixel, row-major.
pub fn rgb_png(width: u32, height: u32, data: &[u8]) -> Vec<u8> {
    encode_png(width, height, png::ColorType::Rgb, data)
}

/// An 8-bit PNG of `data` in colour type `color`.
fn encode_png(width: u32, height: u32, color: png::ColorType, data: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(data).unwrap();
    writer.finish().unwrap();
    bytes
}

/// A `width`×`height` JPEG of one grey colour.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    let pixels = vec![90; (width * height * 3) as usize];
    image::codecs::jpeg::JpegEncoder::new(&mut bytes)
        .encode(&pixels, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    bytes
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

impl Png {
    /// `W×H <colour type> N-bit: value ×pixels, …` (most pixels first).
    pub fn describe(&self) -> String {
        let channels = self.color_type.samples();
        let mut counts: std::collections::BTreeMap<&[u32], usize> = Default::default();
        for pixel in self.samples.chunks_exact(channels) {
            *counts.entry(pixel).or_default() += 1;
        }
        let mut counts: Vec<(&[u32], usize)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let histogram: Vec<String> = counts
            .iter()
            .map(|(value, count)| match value {
                [grey] => format!("{grey} ×{count}"),
                channels => format!("{channels:?} ×{count}"),
            })
            .collect();
        format!(
            "{}×{} {:?} {}-bit: {}",
            self.width,
            self.height,
            self.color_type,
            self.bit_depth as u8,
            histogram.join(", ")
        )
    }
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
