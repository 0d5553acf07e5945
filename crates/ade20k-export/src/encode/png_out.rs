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
    let mut encoder = png::Encoder::new(&mut out, width, height);
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
    let fail = |e: png::EncodingError| Error::io(path, std::io::Error::other(e));
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(data).map_err(fail)?;
    writer.finish().map_err(fail)?;
    out.flush().map_err(|e| Error::io(path, e))
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
