//! Photos and logos are stored without what they say about where, when and with what they were
//! taken; the picture itself is kept exactly.

use std::io::Cursor;

use exif::{experimental::Writer, Field, In, Tag, Value};
use img_parts::jpeg::{markers, Jpeg, JpegSegment};
use img_parts::{Bytes, ImageEXIF};

use super::{jpeg, setup};
use crate::common::Backend;

/// A JPEG as a phone sends it: an EXIF block with a GPS position, the camera's serial number and
/// "turned a quarter", an XMP packet naming a place, a comment, and bytes after the image's end.
pub fn phone_photo() -> Vec<u8> {
    let fields = [
        (Tag::Orientation, Value::Short(vec![6])),
        (
            Tag::BodySerialNumber,
            Value::Ascii(vec![b"SN-778899".to_vec()]),
        ),
        (Tag::GPSLatitudeRef, Value::Ascii(vec![b"N".to_vec()])),
    ];
    let mut writer = Writer::new();
    let fields: Vec<Field> = fields
        .into_iter()
        .map(|(tag, value)| Field {
            tag,
            ifd_num: In::PRIMARY,
            value,
        })
        .collect();
    for f in &fields {
        writer.push_field(f);
    }
    let mut exif = Cursor::new(Vec::new());
    writer.write(&mut exif, false).unwrap();

    let mut photo = Jpeg::from_bytes(jpeg().into()).unwrap();
    photo.set_exif(Some(Bytes::from(exif.into_inner())));
    let xmp = Bytes::from_static(b"http://ns.adobe.com/xap/1.0/\0<rdf>Safe house, Block C</rdf>");
    let segments = photo.segments_mut();
    segments.insert(1, JpegSegment::new_with_contents(markers::APP1, xmp));
    segments.insert(
        1,
        JpegSegment::new_with_contents(markers::COM, Bytes::from_static(b"by J.D.")),
    );
    let mut bytes = photo.encoder().bytes().to_vec();
    bytes.extend_from_slice(b"APPENDED-NOTE");
    bytes
}

pub const SECRETS: [&[u8]; 4] = [b"SN-778899", b"Safe house", b"by J.D.", b"APPENDED-NOTE"];

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn orientation(photo: &[u8]) -> Option<u32> {
    let exif = Jpeg::from_bytes(Bytes::copy_from_slice(photo))
        .unwrap()
        .exif()?;
    let parsed = exif::Reader::new().read_raw(exif.to_vec()).ok()?;
    parsed
        .get_field(Tag::Orientation, In::PRIMARY)?
        .value
        .get_uint(0)
}

fn pixels(photo: &[u8]) -> Vec<u8> {
    image::load_from_memory_with_format(photo, image::ImageFormat::Jpeg)
        .unwrap()
        .to_rgb8()
        .into_raw()
}

async fn photos_are_stored_without_their_metadata(backend: Backend) {
    let (app, api, case) = setup(backend).await;
    let sent = phone_photo();
    for secret in SECRETS {
        assert!(contains(&sent, secret));
    }
    let (status, body) = api.upload(&case, "photos", "visit.jpg", &sent).await;
    assert_eq!(status, 200, "{body}");
    let stored_size = body["data"]["size"].as_u64().unwrap();
    assert!(stored_size < sent.len() as u64, "{body}");

    let id = body["data"]["id"].as_str().unwrap();
    let res = api.fetch(&format!("/cases/{case}/attachments/{id}")).await;
    assert_eq!(res.status(), 200);
    let kept = res.bytes().await.unwrap().to_vec();
    assert_eq!(kept.len() as u64, stored_size);
    for secret in SECRETS {
        assert!(
            !contains(&kept, secret),
            "{} is still in the stored photo",
            String::from_utf8_lossy(secret)
        );
    }
    assert_eq!(pixels(&kept), pixels(&sent), "the picture is kept exactly");
    assert_eq!(orientation(&kept), Some(6), "the way it was held is kept");
    // Nothing of it anywhere in the file store either (the thumbnail included).
    for file in super::stored_files(&app) {
        let bytes = std::fs::read(&file).unwrap();
        for secret in SECRETS {
            assert!(!contains(&bytes, secret), "{}", file.display());
        }
    }
}

crate::on_both_backends!(photos_are_stored_without_their_metadata,);
