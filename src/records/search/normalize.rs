//! Normalising names: case, accents, Arabic letter forms, punctuation.

use deunicode::deunicode_char;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Lower-case, accents removed, Arabic normalised (see the module documentation), punctuation
/// to spaces, whitespace collapsed. Used for sorting names too.
pub fn normalize(text: &str) -> String {
    let mut normalizer = Normalizer {
        out: String::with_capacity(text.len()),
        gap: false,
    };
    for c in text.chars() {
        for lower in c.to_lowercase() {
            normalizer.push_char(lower);
        }
    }
    normalizer.out
}

// ---------------------------------------------------------------------------------------------
// Normalisation

pub(super) struct Normalizer {
    out: String,
    /// A separator was seen since the last letter.
    gap: bool,
}

impl Normalizer {
    fn push_char(&mut self, c: char) {
        if is_deleted(c) {
            return;
        }
        if needs_decomposition(c) {
            decompose_compatible(c, |d| self.push_decomposed(d));
        } else {
            self.push_decomposed(c);
        }
    }

    fn push_decomposed(&mut self, c: char) {
        // Compatibility decompositions can produce capitals (e.g. mathematical letters).
        if c.is_uppercase() {
            for lower in c.to_lowercase() {
                self.push_folded(lower);
            }
        } else {
            self.push_folded(c);
        }
    }

    fn push_folded(&mut self, c: char) {
        if is_deleted(c) || is_stripped_mark(c) {
            return;
        }
        if let Some(folded) = fold_arabic(c) {
            self.push_letter(folded);
        } else if c.is_ascii_alphanumeric() {
            self.push_letter(c);
        } else if c.is_alphanumeric() || is_combining_mark(c) {
            match fold_latin(c) {
                Some(ascii) => {
                    for b in ascii.bytes() {
                        self.push_letter(char::from(b.to_ascii_lowercase()));
                    }
                }
                None => self.push_letter(c),
            }
        } else {
            self.gap = true;
        }
    }

    fn push_letter(&mut self, c: char) {
        if self.gap {
            if !self.out.is_empty() {
                self.out.push(' ');
            }
            self.gap = false;
        }
        self.out.push(c);
    }
}

/// Characters removed without splitting the word: apostrophes and ʿayn/hamza signs used in
/// transliteration, tatweel, zero-width joiners, soft hyphen and bidirectional controls.
pub(super) fn is_deleted(c: char) -> bool {
    matches!(
        c,
        '\''
            | '`'
            | '\u{00B4}'
            | '\u{00AD}'
            | '\u{02B9}'..='\u{02BF}'
            | '\u{02C8}'
            | '\u{0294}'
            | '\u{0295}'
            | '\u{061C}'
            | '\u{0640}'
            | '\u{200C}'..='\u{200F}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{2032}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Blocks whose letters are decomposed (NFKD) before marks are stripped. Scripts outside
/// them (Indic, Thai, Hangul, kana, …) keep their letters and marks untouched.
pub(super) fn needs_decomposition(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}'..='\u{052F}'
            | '\u{0600}'..='\u{06FF}'
            | '\u{1E00}'..='\u{1FFF}'
            | '\u{2000}'..='\u{24FF}'
            | '\u{FB00}'..='\u{FDFF}'
            | '\u{FE70}'..='\u{FEFF}'
            | '\u{FF00}'..='\u{FFEF}'
            | '\u{1D400}'..='\u{1D7FF}'
    )
}

/// Diacritics dropped after decomposition: Latin/Greek/Cyrillic combining marks, Hebrew
/// points, Arabic tashkeel and Quranic annotation marks.
pub(super) fn is_stripped_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{0483}'..='\u{0489}'
            | '\u{0591}'..='\u{05BD}'
            | '\u{05BF}'
            | '\u{05C1}'
            | '\u{05C2}'
            | '\u{05C4}'
            | '\u{05C5}'
            | '\u{05C7}'
            | '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0670}'
            | '\u{06D6}'..='\u{06DC}'
            | '\u{06DF}'..='\u{06E4}'
            | '\u{06E7}'
            | '\u{06E8}'
            | '\u{06EA}'..='\u{06ED}'
            | '\u{08D3}'..='\u{08E1}'
            | '\u{08E3}'..='\u{08FF}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// Arabic letter normalisation (after decomposition, which already turned أ إ آ ؤ ئ into
/// their base letter plus a stripped hamza mark) and Arabic-Indic digits.
pub(super) fn fold_arabic(c: char) -> Option<char> {
    let folded = match c {
        // Alef forms.
        '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' | '\u{0672}' | '\u{0673}' => '\u{0627}',
        // Alef maqsura, hamza on yeh, Farsi yeh, Urdu yeh barree.
        '\u{0649}' | '\u{0626}' | '\u{06CC}' | '\u{06D2}' | '\u{06D3}' => '\u{064A}',
        // Taa marbuta and the heh forms of Persian, Urdu and Kurdish.
        '\u{0629}' | '\u{06BE}' | '\u{06C0}' | '\u{06C1}' | '\u{06C2}' | '\u{06C3}'
        | '\u{06D5}' => '\u{0647}',
        // Hamza on waw.
        '\u{0624}' => '\u{0648}',
        // Keheh (Persian kaf).
        '\u{06A9}' | '\u{06AA}' => '\u{0643}',
        '\u{0660}'..='\u{0669}' => ascii_digit(u32::from(c) - 0x0660)?,
        '\u{06F0}'..='\u{06F9}' => ascii_digit(u32::from(c) - 0x06F0)?,
        _ => return None,
    };
    Some(folded)
}

pub(super) fn ascii_digit(value: u32) -> Option<char> {
    char::from_digit(value, 10)
}

/// ASCII for a Latin letter that has no canonical decomposition (ø, ß, æ, ł, ɛ, ŋ, …).
pub(super) fn fold_latin(c: char) -> Option<&'static str> {
    let latin = matches!(
        c,
        '\u{00C0}'..='\u{02AF}'
            | '\u{1D00}'..='\u{1DBF}'
            | '\u{1E00}'..='\u{1EFF}'
            | '\u{2C60}'..='\u{2C7F}'
            | '\u{A720}'..='\u{A7FF}'
            | '\u{AB30}'..='\u{AB6F}'
    );
    if !latin {
        return None;
    }
    if matches!(c, '\u{0259}' | '\u{01DD}') {
        return Some("e");
    }
    deunicode_char(c).filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

// ---------------------------------------------------------------------------------------------
// Words
