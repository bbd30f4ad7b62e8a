//! The names people give files. A name is shown and offered as the download name, nothing else:
//! files are stored by hash. Still, a name travels into pages, headers and other people's
//! computers, so what is kept is one plain file name, without directories, control characters
//! or tricks that make it read differently from what it is.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use unicode_normalization::UnicodeNormalization;

use super::kinds;

/// Longest name kept, in characters (the extension is kept whole).
const MAX_CHARS: usize = 120;
/// The name of a file sent without one.
const UNNAMED: &str = "attachment";

/// Characters that change how text around them is displayed without being seen themselves:
/// direction overrides (which make `exe.pdf` read as `fdp.exe`), isolates and zero-width marks.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}'
        | '\u{061C}' | '\u{FEFF}' | '\u{00AD}')
}

/// A safe name for an uploaded file of this (sniffed) type: the last path component only
/// (`../../etc/passwd` is `passwd`, `..\x.pdf` is `x.pdf`), white space for line breaks and
/// tabs, control and invisible formatting characters and characters Windows forbids in names
/// removed, no leading or trailing dots or spaces, at most [`MAX_CHARS`] characters, and an
/// extension that matches the content, so that the file opens as what it is.
pub fn sanitize(raw: &str, content_type: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut cleaned = String::with_capacity(last.len());
    for c in last.nfc() {
        let c = match c {
            '\t' | '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => ' ',
            c if c.is_control() || is_invisible_format(c) => continue,
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c => c,
        };
        // One space at most between words.
        if !(c.is_whitespace() && cleaned.ends_with(|p: char| p.is_whitespace())) {
            cleaned.push(if c.is_whitespace() { ' ' } else { c });
        }
    }
    let trimmed = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let name = if trimmed.is_empty() { UNNAMED } else { trimmed };
    let name = with_matching_extension(name, content_type);
    shorten(&name)
}

/// Adds the type's usual extension when the name lacks one of the type's extensions
/// (`report.html` holding text becomes `report.html.txt`).
fn with_matching_extension(name: &str, content_type: &str) -> String {
    let expected = kinds::extensions(content_type);
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    match expected.first() {
        Some(first) if !expected.contains(&ext.as_str()) => format!("{name}.{first}"),
        _ => name.to_owned(),
    }
}

/// Cuts the stem, never the extension, to fit [`MAX_CHARS`].
fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_CHARS {
        return name.to_owned();
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if e.chars().count() < 16 => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    let keep = MAX_CHARS - ext.chars().count();
    let stem: String = stem.chars().take(keep).collect();
    format!("{}{ext}", stem.trim_end())
}

/// RFC 5987 `attr-char`: what may stand unencoded in `filename*`.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// The `Content-Disposition` of a download: shown in the browser (`inline`) or saved
/// (`attachment`), under the sanitised name, percent-encoded so that any script survives.
pub fn content_disposition(name: &str, inline: bool) -> String {
    let how = if inline { "inline" } else { "attachment" };
    format!(
        "{how}; filename*=UTF-8''{}",
        utf8_percent_encode(name, ATTR_CHAR)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &str = "application/pdf";

    #[test]
    fn directories_are_dropped() {
        assert_eq!(sanitize("../../etc/passwd", "text/plain"), "passwd.txt");
        assert_eq!(sanitize("..\\x.pdf", PDF), "x.pdf");
        assert_eq!(sanitize("C:\\Users\\me\\report.pdf", PDF), "report.pdf");
        assert_eq!(sanitize("..", PDF), "attachment.pdf");
        assert_eq!(sanitize("", PDF), "attachment.pdf");
        assert_eq!(sanitize("/", PDF), "attachment.pdf");
        assert_eq!(sanitize(".hidden.pdf", PDF), "hidden.pdf");
    }

    #[test]
    fn control_and_invisible_characters_are_removed() {
        assert_eq!(sanitize("a\0b\nc.pdf", PDF), "ab c.pdf");
        assert_eq!(sanitize("line\r\nbreak\t.pdf", PDF), "line break .pdf");
        assert_eq!(sanitize("x\u{7f}\u{1b}[31m.pdf", PDF), "x[31m.pdf");
        // "photo<RLO>gpj.exe" would display as "photoexe.jpg".
        let name = sanitize("photo\u{202E}gpj.exe", "image/jpeg");
        assert_eq!(name, "photogpj.exe.jpg");
        assert_eq!(sanitize("a<b>:\"c|?*.pdf", PDF), "a_b___c___.pdf");
        assert_eq!(sanitize("  spaced   out  .pdf  ", PDF), "spaced out .pdf");
    }

    #[test]
    fn the_extension_follows_the_content() {
        assert_eq!(sanitize("photo.JPG", "image/jpeg"), "photo.JPG");
        assert_eq!(sanitize("photo.jpeg", "image/jpeg"), "photo.jpeg");
        assert_eq!(sanitize("page.html", "text/plain"), "page.html.txt");
        assert_eq!(sanitize("scan.pdf", "image/png"), "scan.pdf.png");
        assert_eq!(sanitize("notes", "text/plain"), "notes.txt");
    }

    #[test]
    fn names_are_kept_short_and_readable() {
        let long = format!("{}.pdf", "é".repeat(300));
        let name = sanitize(&long, PDF);
        assert_eq!(name.chars().count(), MAX_CHARS);
        assert!(name.ends_with(".pdf"));
        assert_eq!(sanitize("تقرير الزيارة.pdf", PDF), "تقرير الزيارة.pdf");
        // Decomposed accents are composed (one way of writing each name).
        assert_eq!(sanitize("Jose\u{301}.pdf", PDF), "José.pdf");
    }

    #[test]
    fn disposition_encodes_everything_unusual() {
        assert_eq!(
            content_disposition("a b\";x.pdf", false),
            "attachment; filename*=UTF-8''a%20b%22%3Bx.pdf"
        );
        assert_eq!(
            content_disposition("é.jpg", true),
            "inline; filename*=UTF-8''%C3%A9.jpg"
        );
    }
}
