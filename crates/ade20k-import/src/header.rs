//! The size of a photo, read from its file header without decoding it.

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use ade20k_model::{Error, Problem};

use crate::pixels::{png_dimensions, PNG_SIGNATURE};

const JPEG_START: &[u8] = b"\xFF\xD8";

/// `(width, height)` of the image at `path`, from the header of a PNG or JPEG
/// file (recognised by content, not extension); `None` for the other formats
/// a photo may have (BMP, TIFF, WebP), recognised by their signature. A file
/// that is empty or none of these is an error.
pub(crate) fn image_dimensions(path: &Path) -> Result<Option<(u32, u32)>, Error> {
    let file = ade20k_fs::open_regular(path)?;
    let mut reader = BufReader::new(file);
    let start = reader.fill_buf().map_err(|e| Error::io(path, e))?;
    let dimensions = if start.starts_with(PNG_SIGNATURE) {
        png_dimensions(reader)
    } else if start.starts_with(JPEG_START) {
        jpeg_dimensions(reader).map_err(|e| Problem::Image(format!("JPEG: {e}")))
    } else if has_other_image_signature(start) {
        return Ok(None);
    } else if start.is_empty() {
        Err(Problem::Image("the file is empty".into()))
    } else {
        Err(Problem::Image(
            "not an image: it starts with the signature of none of JPEG, PNG, BMP, TIFF \
             and WebP"
                .into(),
        ))
    };
    dimensions
        .map(Some)
        .map_err(|problem| Error::new(path, problem))
}

/// `(width, height)` of the photo at `path`: `claimed` (the size that
/// `claimed_by` gives, e.g. "its annotation's imsize"), checked against the
/// file header when its format's header can be read, or the header alone.
pub(crate) fn photo_size(
    path: &Path,
    claimed: Option<(u32, u32)>,
    claimed_by: &str,
) -> Result<(u32, u32), Error> {
    match (claimed, image_dimensions(path)?) {
        (Some(claimed), Some(actual)) if claimed != actual => Err(Error::invalid(
            path,
            format!(
                "image is {}×{} pixels but {claimed_by} says {}×{}",
                actual.0, actual.1, claimed.0, claimed.1
            ),
        )),
        (Some(size), _) | (None, Some(size)) => Ok(size),
        (None, None) => Err(Error::invalid(
            path,
            format!(
                "{claimed_by} is absent and the size of this image format cannot be read \
                 (only PNG and JPEG headers are)"
            ),
        )),
    }
}

/// Whether `start`, the first bytes of a file, begin a BMP, TIFF or WebP image.
fn has_other_image_signature(start: &[u8]) -> bool {
    let webp = start.len() >= 12 && start.starts_with(b"RIFF") && &start[8..12] == b"WEBP";
    webp || [&b"BM"[..], b"II*\0", b"MM\0*"]
        .iter()
        .any(|signature| start.starts_with(signature))
}

/// Reads a JPEG's markers up to its frame header (SOF) and returns the size
/// stored there. Only the bytes before the first frame header are read.
fn jpeg_dimensions(mut reader: impl BufRead) -> io::Result<(u32, u32)> {
    let mut start = [0; 2];
    reader.read_exact(&mut start)?;
    loop {
        let marker = next_marker(&mut reader)?;
        match marker {
            // Markers without a length: TEM, RSTn and a repeated SOI.
            0x01 | 0xD0..=0xD8 => continue,
            // Start of scan or end of image before any frame header.
            0xD9 | 0xDA => return Err(invalid_jpeg("no frame header before the image data")),
            _ => {}
        }
        let length = read_u16(&mut reader)?;
        let body_length = u64::from(length)
            .checked_sub(2)
            .ok_or_else(|| invalid_jpeg("segment length below 2"))?;
        // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC).
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let mut frame = [0; 5];
            reader.read_exact(&mut frame)?;
            let [_precision, height_high, height_low, width_high, width_low] = frame;
            let height = u16::from_be_bytes([height_high, height_low]);
            let width = u16::from_be_bytes([width_high, width_low]);
            if width == 0 || height == 0 {
                return Err(invalid_jpeg("frame header gives a zero size"));
            }
            return Ok((u32::from(width), u32::from(height)));
        }
        let skipped = io::copy(&mut (&mut reader).take(body_length), &mut io::sink())?;
        if skipped != body_length {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
}

/// Reads up to and including the next marker code, skipping fill bytes (0xFF).
fn next_marker(reader: &mut impl Read) -> io::Result<u8> {
    let mut byte = [0; 1];
    reader.read_exact(&mut byte)?;
    if byte[0] != 0xFF {
        return Err(invalid_jpeg("expected a marker"));
    }
    while byte[0] == 0xFF {
        reader.read_exact(&mut byte)?;
    }
    Ok(byte[0])
}

fn read_u16(reader: &mut impl Read) -> io::Result<u16> {
    let mut bytes = [0; 2];
    reader.read_exact(&mut bytes)?;
    Ok(u16::from_be_bytes(bytes))
}

fn invalid_jpeg(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode_jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        let pixels = vec![128; (width * height * 3) as usize];
        image::codecs::jpeg::JpegEncoder::new(&mut bytes)
            .encode(&pixels, width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
        bytes
    }

    #[test]
    fn jpeg_size_comes_from_the_frame_header() {
        let jpeg = encode_jpeg(37, 11);
        assert_eq!(jpeg_dimensions(jpeg.as_slice()).unwrap(), (37, 11));
    }

    #[test]
    fn jpeg_segments_before_the_frame_are_skipped() {
        let jpeg = encode_jpeg(5, 3);
        // SOI, then an APP1 segment of 6 bytes with fill bytes before its marker.
        let mut with_app1 = b"\xFF\xD8\xFF\xFF\xE1\x00\x08abcdef".to_vec();
        with_app1.extend_from_slice(&jpeg[2..]);
        assert_eq!(jpeg_dimensions(with_app1.as_slice()).unwrap(), (5, 3));
    }

    #[test]
    fn broken_jpegs_are_errors() {
        let jpeg = encode_jpeg(5, 3);
        assert!(jpeg_dimensions(&jpeg[..12]).is_err());
        assert!(jpeg_dimensions(&b"\xFF\xD8\xFF\xDA\x00\x02"[..]).is_err());
        assert!(jpeg_dimensions(&b"\xFF\xD8\x00"[..]).is_err());
        assert!(jpeg_dimensions(&b"\xFF\xD8\xFF\xE0\x00\x01"[..]).is_err());
    }

    #[test]
    fn files_are_recognised_by_content() {
        let folder = tempfile::tempdir().unwrap();
        let disguised = folder.path().join("photo.png");
        std::fs::write(&disguised, encode_jpeg(9, 4)).unwrap();
        assert_eq!(image_dimensions(&disguised).unwrap(), Some((9, 4)));
        for (name, start) in [
            ("photo.bmp", &b"BM...."[..]),
            ("photo.tif", b"II*\0...."),
            ("photo.tiff", b"MM\0*...."),
            ("photo.webp", b"RIFF\x10\0\0\0WEBPVP8 "),
        ] {
            let path = folder.path().join(name);
            std::fs::write(&path, start).unwrap();
            assert_eq!(image_dimensions(&path).unwrap(), None, "{name}");
        }
        for (start, problem) in [
            (&b""[..], "the file is empty"),
            (
                b"<html>",
                "not an image: it starts with the signature of none of",
            ),
            (b"RIFF\x10\0\0\0WAVEfmt ", "not an image"),
        ] {
            let path = folder.path().join("photo.jpg");
            std::fs::write(&path, start).unwrap();
            let error = image_dimensions(&path).unwrap_err().to_string();
            assert!(error.contains(problem), "{error}");
        }
        let missing = folder.path().join("missing.jpg");
        let error = image_dimensions(&missing).unwrap_err();
        assert_eq!(error.path, missing);
    }
}
