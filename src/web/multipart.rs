//! `multipart/form-data` bodies: the only way a browser form sends a file without script.
//!
//! A body is read whole (within [`MAX_BODY`]) and then split here. The gate needs the form's CSRF
//! field before any handler runs, so it reads the body first and hands the same bytes on; the
//! handler then takes its file from them. Streaming would save memory only for files far larger
//! than anything an admin form accepts.

/// The largest multipart body accepted: a 20 MiB file plus the form's other fields and framing.
pub const MAX_BODY: usize = 20 * 1024 * 1024 + 256 * 1024;

/// One part of a form: a field or a file.
#[derive(Debug, PartialEq, Eq)]
pub struct Part<'a> {
    pub name: String,
    pub filename: Option<String>,
    pub data: &'a [u8],
}

/// The boundary of a `multipart/form-data` content type, or `None` for any other type.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let essence = params.next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| v.trim().trim_matches('"').to_owned())
        })
        // RFC 2046 limits boundaries to 70 characters.
        .filter(|b| !b.is_empty() && b.len() <= 70)
}

/// Splits a body into its parts; `None` if it is not well-formed. Parts without a name are
/// skipped.
pub fn parse<'a>(body: &'a [u8], boundary: &str) -> Option<Vec<Part<'a>>> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let next_delimiter = [b"\r\n".as_slice(), delimiter].concat();
    // A preamble before the first delimiter is allowed, and ignored.
    let mut pos = if body.starts_with(delimiter) {
        delimiter.len()
    } else {
        find(body, &next_delimiter, 0)? + next_delimiter.len()
    };
    let mut parts = Vec::new();
    loop {
        if body.get(pos..)?.starts_with(b"--") {
            return Some(parts);
        }
        // The delimiter line may carry transport padding before its line end.
        pos = find(body, b"\r\n", pos)? + 2;
        let (headers, data_start) = if body.get(pos..)?.starts_with(b"\r\n") {
            (&[][..], pos + 2)
        } else {
            let end = find(body, b"\r\n\r\n", pos)?;
            (body.get(pos..end)?, end + 4)
        };
        let data_end = find(body, &next_delimiter, data_start)?;
        let data = body.get(data_start..data_end)?;
        pos = data_end + next_delimiter.len();
        if let Some((name, filename)) = disposition(headers) {
            parts.push(Part {
                name,
                filename,
                data,
            });
        }
    }
}

/// The text of the first field called `name`.
pub fn field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    parse(body, boundary)?
        .into_iter()
        .find(|p| p.name == name)
        .and_then(|p| String::from_utf8(p.data.to_vec()).ok())
}

/// The field name and file name of a part's `Content-Disposition: form-data` header.
fn disposition(headers: &[u8]) -> Option<(String, Option<String>)> {
    let headers = String::from_utf8_lossy(headers);
    let value = headers.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-disposition")
            .then_some(value)
    })?;
    let mut params = split_params(value).into_iter();
    if !params.next()?.eq_ignore_ascii_case("form-data") {
        return None;
    }
    let mut name = None;
    let mut filename = None;
    for param in params {
        let Some((k, v)) = param.split_once('=') else {
            continue;
        };
        let v = unquote(v.trim());
        match k.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(v),
            "filename" => filename = Some(v),
            _ => {}
        }
    }
    Some((name?, filename))
}

/// Splits header parameters on `;`, except inside quoted strings.
fn split_params(value: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        if let Some(current) = out.last_mut() {
            match c {
                _ if escaped => {
                    escaped = false;
                    current.push(c);
                }
                '\\' if quoted => {
                    escaped = true;
                    current.push(c);
                }
                '"' => {
                    quoted = !quoted;
                    current.push(c);
                }
                ';' if !quoted => out.push(String::new()),
                _ => current.push(c),
            }
        }
    }
    out.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn unquote(v: &str) -> String {
    match v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut escaped = false;
            for c in inner.chars() {
                if escaped || c != '\\' {
                    out.push(c);
                    escaped = false;
                } else {
                    escaped = true;
                }
            }
            out
        }
        None => v.to_owned(),
    }
}

/// Where `needle` first occurs in `haystack` at or after `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut at = from;
    loop {
        let offset = haystack.get(at..)?.iter().position(|b| *b == first)?;
        at += offset;
        if haystack.get(at..at + needle.len())? == needle {
            return Some(at);
        }
        at += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ\r\ncontent-disposition: form-data; name=\"file\"; filename=\"places; v2.csv\"\r\nContent-Type: text/csv\r\n\r\n#country+code\r\nXX\r\n\r\n--XyZ--\r\n";

    #[test]
    fn reads_fields_and_files() {
        let parts = parse(BODY, "XyZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "csrf_token");
        assert_eq!(parts[0].data, b"abc123");
        assert_eq!(parts[1].filename.as_deref(), Some("places; v2.csv"));
        assert_eq!(parts[1].data, b"#country+code\r\nXX\r\n");
        assert_eq!(field(BODY, "XyZ", "csrf_token").as_deref(), Some("abc123"));
        assert_eq!(field(BODY, "XyZ", "other"), None);
    }

    #[test]
    fn rejects_what_is_not_multipart() {
        assert_eq!(parse(b"no delimiter here", "XyZ"), None);
        assert_eq!(
            parse(
                b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated",
                "XyZ"
            ),
            None
        );
        assert_eq!(
            boundary("multipart/form-data; boundary=\"----a b\"").as_deref(),
            Some("----a b")
        );
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }
}
