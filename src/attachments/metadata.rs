//! Removing what a photo says about where, when and with what it was taken.
//!
//! A phone's photo of a child carries the place it was taken (GPS), the moment, the device's
//! serial number and often an uncropped preview. None of that belongs in a case file, and a photo
//! that is downloaded, printed or shared would carry it out of the system. So photos and logos
//! are stored without their metadata: the container's parts are filtered, never the picture
//! re-encoded, so the pixels stay exactly as taken.
//!
//! Kept: what decides how the image looks (JFIF, ICC colour profile, Adobe colour transform in
//! JPEG; colour, gamma, transparency and pixel-size chunks in PNG) and the orientation the camera
//! recorded, rewritten as the only entry of a new EXIF block. Everything else goes: EXIF, XMP,
//! IPTC, comments, text chunks, unknown application parts, and any bytes after the image's end.

use std::io::Cursor;

use exif::{experimental::Writer, Field, In, Tag, Value};
use img_parts::jpeg::{markers, Jpeg};
use img_parts::png::Png;
use img_parts::{Bytes, ImageEXIF};

use super::kinds::{JPEG, PNG};
use crate::error::{AppError, AppResult, Problem};

/// PNG chunks kept: the image itself and how to show it. Anything not listed (eXIf, tEXt, zTXt,
/// iTXt, tIME, private chunks) is dropped.
const PNG_KEPT: [&[u8; 4]; 19] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
    b"cICP", b"mDCv", b"cLLi", b"bKGD", b"hIST", b"pHYs", b"acTL", b"fcTL", b"fdAT",
];

/// The image without its metadata. `content_type` is the sniffed type; other types are
/// returned unchanged (documents and audio are kept exactly as sent).
pub fn strip(bytes: Vec<u8>, content_type: &str) -> AppResult<Vec<u8>> {
    match content_type {
        JPEG => strip_jpeg(bytes),
        PNG => strip_png(bytes),
        _ => Ok(bytes),
    }
}

fn strip_jpeg(bytes: Vec<u8>) -> AppResult<Vec<u8>> {
    let mut jpeg = Jpeg::from_bytes(Bytes::from(bytes)).map_err(unreadable)?;
    let orientation = jpeg.exif().and_then(|e| orientation(e.to_vec()));
    jpeg.segments_mut()
        .retain(|s| keep_jpeg_segment(s.marker(), s.contents()));
    jpeg.set_exif(orientation_exif(orientation)?);
    // img-parts parses segments up to the first scan; that scan's data holds the rest of the
    // file (later scans and their tables, EOI, anything appended), which is cleaned separately.
    let mut head_len = 2; // SOI
    for segment in jpeg.segments() {
        if segment.has_entropy() {
            head_len += segment.len();
            break;
        }
        head_len += segment.len_with_entropy();
    }
    let encoded = jpeg.encoder().bytes();
    let (head, scans) = encoded.split_at(head_len.min(encoded.len()));
    let mut out = head.to_vec();
    clean_scans(scans, &mut out)?;
    Ok(out)
}

/// Copies the scan data after the first scan header to `out`: entropy-coded bytes and the
/// segments between progressive scans are kept, application segments and comments there are
/// dropped, and the copy stops at the end-of-image marker, so that nothing appended to the file
/// survives. A file without that marker is refused: it was cut short.
fn clean_scans(scans: &[u8], out: &mut Vec<u8>) -> AppResult<()> {
    let mut i = 0;
    while i < scans.len() {
        let byte = scans[i];
        if byte != 0xFF {
            out.push(byte);
            i += 1;
            continue;
        }
        let Some(&marker) = scans.get(i + 1) else {
            break;
        };
        match marker {
            markers::EOI => {
                out.extend_from_slice(&[0xFF, markers::EOI]);
                return Ok(());
            }
            // A stuffed 0xFF in entropy-coded data, or a restart marker: data.
            0x00 | markers::RST0..=markers::RST7 => {
                out.extend_from_slice(&scans[i..i + 2]);
                i += 2;
            }
            // A fill byte before a marker.
            0xFF => {
                out.push(0xFF);
                i += 1;
            }
            // A segment between scans (tables, the next scan's header, or metadata).
            _ => {
                let len = scans
                    .get(i + 2..i + 4)
                    .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
                    .ok_or_else(cut_short)?;
                let end = i + 2 + len;
                let contents = scans.get(i + 4..end).ok_or_else(cut_short)?;
                if keep_jpeg_segment(marker, contents) {
                    out.extend_from_slice(&scans[i..end]);
                }
                i = end;
            }
        }
    }
    Err(cut_short())
}

fn cut_short() -> AppError {
    invalid_image().with_cause("JPEG ends before its end-of-image marker")
}

/// Application segments (APP0 to APP15) and comments are metadata, except the three that decide
/// how the image looks; every other segment is the image.
fn keep_jpeg_segment(marker: u8, contents: &[u8]) -> bool {
    let application = (markers::APP0..=markers::APP15).contains(&marker);
    if !application && marker != markers::COM {
        return true;
    }
    (marker == markers::APP0
        && (contents.starts_with(b"JFIF\0") || contents.starts_with(b"JFXX\0")))
        || (marker == markers::APP2 && contents.starts_with(b"ICC_PROFILE\0"))
        || (marker == markers::APP14 && contents.starts_with(b"Adobe"))
}

fn strip_png(bytes: Vec<u8>) -> AppResult<Vec<u8>> {
    let mut png = Png::from_bytes(Bytes::from(bytes)).map_err(unreadable)?;
    let orientation = png.exif().and_then(|e| orientation(e.to_vec()));
    png.chunks_mut()
        .retain(|c| PNG_KEPT.iter().any(|k| **k == c.kind()));
    png.set_exif(orientation_exif(orientation)?);
    Ok(png.encoder().bytes().to_vec())
}

/// The orientation an EXIF block records, when it is one that turns or mirrors the image.
fn orientation(exif: Vec<u8>) -> Option<u16> {
    let parsed = exif::Reader::new().read_raw(exif).ok()?;
    let field = parsed.get_field(Tag::Orientation, In::PRIMARY)?;
    let value = u16::try_from(field.value.get_uint(0)?).ok()?;
    (2..=8).contains(&value).then_some(value)
}

/// A new EXIF block holding only the orientation, or none when the image is upright.
fn orientation_exif(orientation: Option<u16>) -> AppResult<Option<Bytes>> {
    let Some(value) = orientation else {
        return Ok(None);
    };
    let field = Field {
        tag: Tag::Orientation,
        ifd_num: In::PRIMARY,
        value: Value::Short(vec![value]),
    };
    let mut writer = Writer::new();
    writer.push_field(&field);
    let mut out = Cursor::new(Vec::new());
    writer
        .write(&mut out, false)
        .map_err(|e| AppError::internal(format!("writing the orientation: {e}")))?;
    Ok(Some(Bytes::from(out.into_inner())))
}

fn unreadable(e: img_parts::Error) -> AppError {
    invalid_image().with_cause(e)
}

fn invalid_image() -> AppError {
    AppError::validation(vec![Problem {
        field: "attachment".into(),
        kind: "not_a_valid_image",
        message: "The file is not a valid image: it could not be read as the type its content \
                  announces."
            .into(),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, ImageFormat, RgbImage};

    fn encoded(format: ImageFormat) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(RgbImage::from_fn(40, 20, |x, y| {
            image::Rgb([(x * 6) as u8, (y * 12) as u8, 90])
        }));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    /// An EXIF block with a GPS position, a camera serial number and the given orientation.
    fn revealing_exif(orientation: u16) -> Bytes {
        let fields = [
            Field {
                tag: Tag::Orientation,
                ifd_num: In::PRIMARY,
                value: Value::Short(vec![orientation]),
            },
            Field {
                tag: Tag::BodySerialNumber,
                ifd_num: In::PRIMARY,
                value: Value::Ascii(vec![b"SERIAL-4242".to_vec()]),
            },
            Field {
                tag: Tag::GPSLatitudeRef,
                ifd_num: In::PRIMARY,
                value: Value::Ascii(vec![b"N".to_vec()]),
            },
        ];
        let mut writer = Writer::new();
        for f in &fields {
            writer.push_field(f);
        }
        let mut out = Cursor::new(Vec::new());
        writer.write(&mut out, false).unwrap();
        Bytes::from(out.into_inner())
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn pixels(bytes: &[u8], format: ImageFormat) -> Vec<u8> {
        image::load_from_memory_with_format(bytes, format)
            .unwrap()
            .to_rgb8()
            .into_raw()
    }

    #[test]
    fn jpeg_loses_gps_serial_comments_and_trailing_bytes_but_keeps_pixels_and_orientation() {
        let mut jpeg = Jpeg::from_bytes(encoded(ImageFormat::Jpeg).into()).unwrap();
        jpeg.set_exif(Some(revealing_exif(6)));
        let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>Camp 3, tent 12</x:xmpmeta>";
        let segments = jpeg.segments_mut();
        segments.insert(
            1,
            img_parts::jpeg::JpegSegment::new_with_contents(markers::APP1, Bytes::from(&xmp[..])),
        );
        segments.insert(
            1,
            img_parts::jpeg::JpegSegment::new_with_contents(
                markers::COM,
                Bytes::from("taken by J."),
            ),
        );
        let mut sent = jpeg.encoder().bytes().to_vec();
        // A comment after the scan data, where progressive files keep their later scans.
        let eoi = sent.len() - 2;
        let late = b"\xFF\xFE\x00\x0Flate: tent 12";
        sent.splice(eoi..eoi, late.iter().copied());
        sent.extend_from_slice(b"HIDDEN-AFTER-END");
        const SECRETS: [&[u8]; 5] = [
            b"SERIAL-4242",
            b"Camp 3",
            b"taken by J.",
            b"late: tent 12",
            b"HIDDEN-AFTER-END",
        ];
        for secret in SECRETS {
            assert!(contains(&sent, secret));
        }

        let kept = strip(sent.clone(), JPEG).unwrap();
        assert!(kept.ends_with(&[0xFF, markers::EOI]));
        for secret in SECRETS {
            assert!(
                !contains(&kept, secret),
                "{}",
                String::from_utf8_lossy(secret)
            );
        }
        assert_eq!(
            pixels(&kept, ImageFormat::Jpeg),
            pixels(&sent, ImageFormat::Jpeg)
        );
        let exif = Jpeg::from_bytes(kept.into()).unwrap().exif().unwrap();
        assert_eq!(orientation(exif.to_vec()), Some(6));
    }

    #[test]
    fn upright_jpeg_keeps_no_exif_at_all() {
        let mut jpeg = Jpeg::from_bytes(encoded(ImageFormat::Jpeg).into()).unwrap();
        jpeg.set_exif(Some(revealing_exif(1)));
        let kept = strip(jpeg.encoder().bytes().to_vec(), JPEG).unwrap();
        assert!(Jpeg::from_bytes(kept.into()).unwrap().exif().is_none());
    }

    #[test]
    fn png_loses_text_time_and_exif_but_keeps_pixels_and_orientation() {
        let mut png = Png::from_bytes(encoded(ImageFormat::Png).into()).unwrap();
        png.set_exif(Some(revealing_exif(3)));
        let text = img_parts::png::PngChunk::new(*b"tEXt", Bytes::from("Comment\0Camp 3, tent 12"));
        let time =
            img_parts::png::PngChunk::new(*b"tIME", Bytes::from(&[7, 234, 12, 4, 3, 30, 0][..]));
        let chunks = png.chunks_mut();
        chunks.insert(1, text);
        chunks.insert(1, time);
        let mut sent = png.encoder().bytes().to_vec();
        sent.extend_from_slice(b"HIDDEN-AFTER-END");

        let kept = strip(sent.clone(), PNG).unwrap();
        assert!(!contains(&kept, b"HIDDEN-AFTER-END"));
        assert!(!contains(&kept, b"SERIAL-4242"));
        assert!(!contains(&kept, b"Camp 3"));
        assert!(!contains(&kept, b"tIME"));
        assert_eq!(
            pixels(&kept, ImageFormat::Png),
            pixels(&sent, ImageFormat::Png)
        );
        let exif = Png::from_bytes(kept.into()).unwrap().exif().unwrap();
        assert_eq!(orientation(exif.to_vec()), Some(3));
    }

    #[test]
    fn broken_image_is_refused_and_other_types_pass_untouched() {
        let mut truncated = encoded(ImageFormat::Png);
        truncated.truncate(30);
        let e = strip(truncated, PNG).unwrap_err();
        assert_eq!(e.problems[0].kind, "not_a_valid_image");
        let mut cut_jpeg = encoded(ImageFormat::Jpeg);
        cut_jpeg.truncate(cut_jpeg.len() - 40);
        let e = strip(cut_jpeg, JPEG).unwrap_err();
        assert_eq!(e.problems[0].kind, "not_a_valid_image");
        let pdf = b"%PDF-1.7\n% Author: someone\n".to_vec();
        assert_eq!(strip(pdf.clone(), "application/pdf").unwrap(), pdf);
    }
}
