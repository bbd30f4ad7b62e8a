//! Photos are decoded once at upload: a file that does not decode as the image it claims to be
//! is refused, and a small copy (at most 320 pixels a side) is made for lists. Decoding is
//! bounded, so that a small file describing an enormous image (a decompression bomb) is refused
//! instead of exhausting the server's memory, and at most two photos are decoded at once.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::kinds::{JPEG, PNG};
use crate::error::{AppError, AppResult, Problem};

/// Longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;
/// Widest and tallest image decoded.
pub const MAX_SIDE: u32 = 16_000;
/// Most memory one decoded image may take (about 64 megapixels in colour).
const MAX_DECODED_BYTES: u64 = 192 * 1024 * 1024;

/// Photos decoded at the same time, server-wide: each may take [`MAX_DECODED_BYTES`] and a
/// core, so more would only queue for the CPU while holding memory.
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Waits for a turn to decode (see [`DECODING`]); decode while holding the permit.
pub async fn decode_turn() -> AppResult<tokio::sync::SemaphorePermit<'static>> {
    DECODING
        .acquire()
        .await
        .map_err(|e| AppError::internal(format!("image decoding closed: {e}")))
}

fn format_of(content_type: &str) -> AppResult<ImageFormat> {
    match content_type {
        JPEG => Ok(ImageFormat::Jpeg),
        PNG => Ok(ImageFormat::Png),
        other => Err(AppError::internal(format!("no image decoder for {other}"))),
    }
}

/// Decodes an image of the given (sniffed) type within the limits, turned the way the camera
/// says it was held.
pub fn decode(bytes: &[u8], content_type: &str) -> AppResult<DynamicImage> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format_of(content_type)?);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    // The decoders check the dimensions; the buffer for the pixels is checked here (as
    // `ImageReader::decode` does), before it is allocated.
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(refusal(image::ImageError::Limits(
            image::error::LimitError::from_kind(image::error::LimitErrorKind::InsufficientMemory),
        )));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// A thumbnail of a photo, in the photo's own format (PNG keeps transparency). Refuses a file
/// that is not a valid image of that type.
pub fn thumbnail(bytes: &[u8], content_type: &str) -> AppResult<Vec<u8>> {
    let img = decode(bytes, content_type)?;
    // Small images are re-encoded as they are, never enlarged.
    let small = if img.width() <= THUMBNAIL_SIDE && img.height() <= THUMBNAIL_SIDE {
        img
    } else {
        img.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    };
    let mut out = Cursor::new(Vec::new());
    let written = if content_type == JPEG {
        // JPEG has no alpha channel; a grey photo stays grey.
        let small = if small.color().has_color() {
            DynamicImage::ImageRgb8(small.to_rgb8())
        } else {
            DynamicImage::ImageLuma8(small.to_luma8())
        };
        small.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out, 80,
        ))
    } else {
        small.write_to(&mut out, ImageFormat::Png)
    };
    written.map_err(|e| AppError::internal(format!("thumbnail encoding: {e}")))?;
    Ok(out.into_inner())
}

/// Why an image was refused, in words for the person who sent it.
fn refusal(e: image::ImageError) -> AppError {
    let message = match &e {
        image::ImageError::Limits(_) => format!(
            "The image is too large to process (at most {MAX_SIDE} pixels a side and about 64 megapixels)."
        ),
        _ => "The file is not a valid image: it could not be read as the type its content \
              announces."
            .to_owned(),
    };
    AppError::validation(vec![Problem {
        field: "attachment".into(),
        kind: "not_a_valid_image",
        message,
    }])
    .with_cause(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn thumbnails_fit_in_the_box_and_keep_the_format() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::new(800, 400));
        let thumb = thumbnail(&encoded(&img, ImageFormat::Jpeg), JPEG).unwrap();
        assert_eq!(crate::attachments::kinds::detect(&thumb), JPEG);
        let t = image::load_from_memory(&thumb).unwrap();
        assert_eq!((t.width(), t.height()), (320, 160));
        let img = DynamicImage::ImageRgba8(image::RgbaImage::new(10, 30));
        let thumb = thumbnail(&encoded(&img, ImageFormat::Png), PNG).unwrap();
        assert_eq!(crate::attachments::kinds::detect(&thumb), PNG);
        let t = image::load_from_memory(&thumb).unwrap();
        assert_eq!((t.width(), t.height()), (10, 30), "never enlarged");
    }

    #[test]
    fn a_broken_image_is_refused() {
        let mut png = encoded(
            &DynamicImage::ImageRgb8(image::RgbImage::new(50, 50)),
            ImageFormat::Png,
        );
        png.truncate(40);
        let e = thumbnail(&png, PNG).unwrap_err();
        assert_eq!(e.problems[0].kind, "not_a_valid_image");
    }

    /// A PNG that announces `width` x `height` colour pixels and holds next to none.
    fn announced_png(width: u32, height: u32) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        for (kind, data) in [(&b"IHDR"[..], &ihdr[..]), (b"IDAT", b""), (b"IEND", b"")] {
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let mut chunk = kind.to_vec();
            chunk.extend_from_slice(data);
            png.extend_from_slice(&chunk);
            png.extend_from_slice(&crc32(&chunk).to_be_bytes());
        }
        png
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_decoding() {
        // Over the largest side.
        let e = thumbnail(&announced_png(100_000, 100_000), PNG).unwrap_err();
        assert_eq!(e.problems[0].kind, "not_a_valid_image");
        assert!(e.problems[0].message.contains("too large"), "{e:?}");
        // Within the sides but over the memory budget: 15000 x 15000 in colour is 675 MB.
        let e = thumbnail(&announced_png(15_000, 15_000), PNG).unwrap_err();
        assert!(e.problems[0].message.contains("too large"), "{e:?}");
    }

    /// PNG's chunk checksum (CRC-32, reflected, polynomial 0xEDB88320).
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
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
}
