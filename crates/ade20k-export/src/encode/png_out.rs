//! Writing PNG files: grey (8 or 16 bits), RGB, RGBA and palette images.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use ade20k_model::Error;

/// The pixels of a PNG to write.
pub(crate) enum PngPixels {
    /// 8-bit grey, one byte per pixel.
    Gray8(Vec<u8>),
    /// 16-bit grey, one value per pixel.
    Gray16(Vec<u16>),
    /// 8-bit RGB, three bytes per pixel.
    Rgb8(Vec<u8>),
    /// 8-bit RGB with alpha, four bytes per pixel.
    Rgba8(Vec<u8>),
    /// 8-bit indices into `palette` (R, G, B per entry).
    Indexed {
        /// One index per pixel.
        indices: Vec<u8>,
        /// The colour table.
        palette: Vec<u8>,
    },
}

/// The bit depth of the grey masks of one export, the same for every file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GreyDepth {
    /// 8-bit grey: values up to 255.
    Gray8,
    /// 16-bit grey.
    Gray16,
}

impl GreyDepth {
    /// Bits per pixel.
    pub fn bits(self) -> u32 {
        match self {
            GreyDepth::Gray8 => 8,
            GreyDepth::Gray16 => 16,
        }
    }

    /// `values` as pixels of this depth, narrowed at 8 bits (the caller's
    /// depth holds every value).
    pub fn pixels(self, values: Vec<u16>) -> PngPixels {
        match self {
            GreyDepth::Gray16 => PngPixels::Gray16(values),
            GreyDepth::Gray8 => PngPixels::Gray8(values.iter().map(|&v| v as u8).collect()),
        }
    }
}

/// Writes a `width`×`height` PNG to `path`, creating its folder.
pub(crate) fn write_png(
    path: &Path,
    width: u32,
    height: u32,
    pixels: &PngPixels,
) -> Result<(), Error> {
    create_parent(path)?;
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    // The encoder writes through a borrowed buffer, flushed below: a
    // `BufWriter` dropped unflushed would swallow a failing last write.
    let mut out = BufWriter::new(file);
    encode_into(&mut out, width, height, pixels)
        .map_err(|e| Error::io(path, std::io::Error::other(e)))?;
    out.flush().map_err(|e| Error::io(path, e))
}

/// A `width`×`height` PNG file's bytes, encoded as [`write_png`] writes it;
/// an error naming `path` (the file the pixels come from) when the pixels do
/// not fill the size.
pub(crate) fn encode_png(
    path: &Path,
    width: u32,
    height: u32,
    pixels: &PngPixels,
) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    encode_into(&mut bytes, width, height, pixels)
        .map_err(|e| Error::invalid(path, format!("cannot encode a PNG of it: {e}")))?;
    Ok(bytes)
}

fn encode_into(
    out: &mut impl Write,
    width: u32,
    height: u32,
    pixels: &PngPixels,
) -> Result<(), png::EncodingError> {
    let mut encoder = png::Encoder::new(out, width, height);
    // fdeflate's fast mode with the Sub filter on every row: `Compression::Fast`
    // alone would also pick an adaptive filter per row, which costs time and
    // changes the bytes written.
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::Filter::Sub);
    let big_endian: Vec<u8>;
    let data: &[u8] = match pixels {
        PngPixels::Gray8(data) => {
            encoder.set_color(png::ColorType::Grayscale);
            data
        }
        PngPixels::Gray16(values) => {
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::Sixteen);
            big_endian = values.iter().flat_map(|v| v.to_be_bytes()).collect();
            &big_endian
        }
        PngPixels::Rgb8(data) => {
            encoder.set_color(png::ColorType::Rgb);
            data
        }
        PngPixels::Rgba8(data) => {
            encoder.set_color(png::ColorType::Rgba);
            data
        }
        PngPixels::Indexed { indices, palette } => {
            encoder.set_color(png::ColorType::Indexed);
            encoder.set_palette(palette.as_slice());
            indices
        }
    };
    let mut writer = encoder.write_header()?;
    writer.write_image_data(data)?;
    writer.finish()
}

/// Writes `bytes`, a PNG file already encoded, to `path`, creating its folder.
pub(crate) fn write_png_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    create_parent(path)?;
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

fn create_parent(path: &Path) -> Result<(), Error> {
    match path.parent() {
        Some(parent) => std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e)),
        None => Ok(()),
    }
}
