//! Search terms for children's names.
//!
//! Caseworkers must find a case by name even when the name was typed without accents, in
//! another case, in a different transliteration ("Mohamed" for "Muhammad"), or in Arabic script.
//! This module turns names into short *terms*; the caller stores a record's terms
//! ([`index_terms`]) and matches a search query's term groups ([`query_terms`]) against them:
//! a record matches when every group of the query shares at least one term with the record.
//! Everything here is pure, deterministic and linear in the input length (plus sorting the
//! terms); there is no regular expression and no table built at run time.
//!
//! # Terms
//!
//! Every term is `kind:value`. Which kinds a record stores and a query asks for:
//!
//! | kind | value | stored for | asked by |
//! | --- | --- | --- | --- |
//! | `n:` | the [`normalize`]d word, any script, digits included | every word | every query word |
//! | `i:` | the word's first character (its initial) | every word without a digit | a one-letter query word |
//! | `p:al` | "this name has an Arabic article" (al-, el-, ad-, ال) | article words and compounds | an article typed alone |
//! | `k:` | Latin phonetic key, *fine* | Latin-letter words (other scripts transliterated) | Latin query words |
//! | `x:` | Latin phonetic key, *cross-script* (coarser) | Latin-letter words | Arabic query words |
//! | `a:` | Arabic phonetic key, in the same alphabet as `x:` | Arabic-script words | Latin query words |
//! | `r:` | Arabic letter key, *fine* (vowel letters kept) | Arabic-script words | Arabic query words |
//!
//! So Latin spellings meet each other through the fine `k:` keys, Arabic spellings through
//! the fine `r:` keys, and a Latin spelling meets an Arabic one through the coarser
//! cross-script keys (`x:` on the Latin side, `a:` on the Arabic side). No query compares
//! coarse keys with records of its own script, which is what keeps e.g. "Omar" from finding
//! "Amir" among Latin-script records, or عمر from finding عامر.
//!
//! # Normalisation
//!
//! [`normalize`] lower-cases; applies compatibility decomposition (NFKD) to Latin, Greek,
//! Cyrillic, Arabic, presentation-form, full-width and mathematical letters and drops the
//! diacritics that decomposition separates (and Hebrew points and Arabic tashkeel: U+064B to
//! U+065F, U+0670, Quranic marks); folds Latin letters with no decomposition to ASCII
//! ("ø" → "o", "ß" → "ss", "ɛ" → "e", "ł" → "l") using the `deunicode` tables; normalises
//! Arabic (أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و, ئ → ي, Persian/Urdu ی ک ہ ۀ ے → ي ك ه ه ي,
//! Arabic-Indic digits → 0-9) and drops tatweel (U+0640); deletes apostrophes, ʿayn/hamza
//! signs, zero-width joiners and bidirectional marks without splitting the word ("O'Brien" →
//! "obrien", "Sa'id" → "said"); turns every other non-letter (hyphens, dots, commas, spaces)
//! into one space. Other scripts keep their letters and marks (Devanagari vowel signs, Thai,
//! Hangul are not decomposed), lower-cased where the script has case.
//!
//! # Phonetic keys
//!
//! A word is first read as a sequence of consonant classes and vowels.
//!
//! * Latin: digraphs kh→k, gh→g, sh/sch/ch→x (the ش class; ch before r or l is k),
//!   th→t, dh→d (but d+h between vowels, "Adham"), ph→f, zh→z, dj→j, ck/q/hard c→k,
//!   soft c (before e, i, y)→s, x→ks. "y" and "w" are consonants only at the start of a word
//!   and vowels elsewhere. Other scripts (Cyrillic, Greek, Ge'ez, …) are first transliterated
//!   to Latin letters with `deunicode`.
//! * Arabic: ا ء ع are vowel carriers; و and ي are consonants at the start of a word and long
//!   vowels elsewhere; ب→b, ت ث ط→t, ج→j, ح→h, ه→h (but a final ه/ة may be a vowel), خ ق ك→k,
//!   د ض→d, ذ ز ظ→z, ر→r, س ص→s, ش→x, غ→g, ف→f, ل→l, م→m, ن→n (plus Persian پ چ ژ گ ڤ).
//!
//! The cross-script keys (`x:`, `a:`) and the fine Latin key (`k:`) are then: an optional
//! *leading vowel* marker, the consonant classes with adjacent
//! doubles collapsed ("mm" → "m"), a *last-syllable* vowel marker between the last two
//! consonants, and an optional *final vowel* marker. All other vowels are dropped, which is
//! what makes Muhammad, Mohamed, Mouhamed and محمد all `mhmd`.
//!
//! * Leading vowel: fine keys keep two classes, `a` (a, e, i, y) and `u` (o, u), so Omar/Umar
//!   (`umr`) differ from Amir/Amer; cross-script keys have one class `a`, because Arabic ا and
//!   ع do not tell the vowel.
//! * Cross-script keys also read p as b and v as w, sounds that Arabic writes with ب and و
//!   (Pierre = بيير).
//! * Last syllable: a written long vowel there is kept as `i` or `u`, because it separates
//!   names that share their consonants: Hussein/حسين `hsin` vs Hassan `hsn`, Mahmoud/محمود
//!   `mhmud` vs Mohammed `mhmd`. In Latin, "ee ei ai ie ia y" read as `i` and
//!   "ou oo uu au w" as `u`; a single "i", "o" or "u" there may stand for a short vowel that
//!   Arabic does not write (Khalid/Khaled/خالد, Yusuf/Yousef/يوسف), so it yields both keys,
//!   with and without the marker. Fine keys of words with only two consonants take a single
//!   vowel at face value instead, so Mona/Muna/Mouna (`muna`) stay apart from Mina (`mina`).
//! * Final vowel: `a`, `i`, `u`, or `ya` (Rania, Nadia, سامية) after the last consonant;
//!   so Amin/Amina, Ali/Alia, Karim/Karima differ. A single final "e" after a consonant is
//!   silent (Yassine = Yasin, Alice ≠ Ali). A final "h" after a vowel in Latin, and a final
//!   ه/ة in Arabic, give both readings, vowel or consonant (Fatimah = Fatima = فاطمة, Farah =
//!   فرح). A final ي may stand for ى (alef maqsura) and reads as `i` or `a`.
//!
//! The fine Arabic key (`r:`) keeps every letter's class, vowel carriers included, with
//! repeats collapsed: Arabic spellings differ little once [`normalize`]d, and distinct names
//! such as عمر/عامر or حمد/حامد differ only in a long vowel.
//!
//! Articles and compounds: standalone article words (al, el, ul, ad, ar, as, at, az, ash, ud,
//! ur, us, ut, uz, ed, ال) produce no key and are skipped when words are joined; after a
//! leading "abd"/عبد the vowel and any l's that follow are dropped, so Abdelrahman,
//! Abdul Rahman, Abd al-Rahman, Abdurrahman and عبد الرحمن all give `abdrhmn`, and Abdul
//! alone gives `abd` (but Abdi and Abdou, with nothing after the vowel, stay names of their
//! own); a leading ال is stripped from an Arabic word; "Allah" spellings also key as "lah"
//! (Abdullah = Abd Allah = عبد الله). Adjacent words of the same name field also get the key
//! of their concatenation, so split and joined spellings meet (Abu Bakr = Abubakar,
//! Jean Pierre = Jeanpierre). Records also index the parts of abd-, abu- and ad-Din compounds
//! (Abdelrahman, Abubakar, Nureddine, نورالدين), so the two-word queries "Abdul Rahman",
//! "Abu Bakr" and "Nur ad-Din" find them.
//!
//! Words with a digit only get `n:`; one-letter words only `n:` and `i:`; words of one or no
//! consonant (Aya, آية) fall back to reading an inner y/w as a consonant.
//!
//! # Known limits
//!
//! * Decided on purpose: "Ali" does not find "Alice" (nor "Alia"): a different final sound is
//!   a different name. Sarah = Sara and Fatimah = Fatima, because a final "h" may be silent.
//! * Keys with few consonants are coarse: Ali = Aly = Alee = Eli, Mia = Maya, Iyad = Eid.
//! * Without a written long vowel, a single Latin vowel in the last syllable may be short:
//!   Mahmud (not Mahmoud) also matches Mohammed, Samir matches Samer and Samar, Hamid matches
//!   Hamad and Hamed; Fatima matches Fatma (wanted).
//! * Cross-script matching is coarser still: Latin "Omar" also finds Arabic عامر, Latin "Mina"
//!   finds منى, Latin "Hana" finds هاني, and Arabic محمد finds Latin "Mahmud".
//! * Normalisation folds ى into ي as required, so Arabic على and علي are one spelling.
//! * Sound changes that need knowledge of the language are not modelled: Joseph ≠ Yusuf
//!   (J/Y), Egyptian Gamal ≠ جمال (g/j), Turkish Mehmet ≠ Mohammed, Osman ≠ Othman (s/th),
//!   Somali spellings with c and x (Cali, Maxamed), ذ/ظ written "dh" (Nadhim ≠ ناظم),
//!   Latin v against Arabic ف for European names (Victor ≠ فيكتور), Persian و read as v
//!   (Parviz ≠ پرویز, which is read with a long u).
//! * Only abd-, abu- and ad-Din compounds and an "al"/"el" article written together with a
//!   name of four letters or more ("Alrashid", "Alhassan") are split; a record "Jeanpierre" is
//!   not found by the two-word query "Jean Pierre" (the opposite direction works), and a short
//!   name after a fused article ("Elhadj") keeps the article.
//! * There is no prefix or edit-distance matching: "Moh" does not find "Mohammed", and a typo
//!   that changes a consonant ("Mohammed" → "Mohanmed") is not tolerated.

mod normalize;
mod phonetic;

use deunicode::deunicode_char;
pub use normalize::normalize;
use phonetic::*;

/// Words shorter than this many characters get no phonetic key.
const MIN_KEY_CHARS: usize = 2;

/// Phonetic keys are computed from at most this many letters of a word: real names are far
/// shorter, and the bound keeps pathological input (a pasted paragraph) cheap.
const MAX_KEY_LETTERS: usize = 64;

/// Latin spellings of "Allah" (article + lah), keyed as "lah" too so that they meet the ل-ه of
/// الله and the second part of "Abdullah".
const LATIN_ALLAH: &[&str] = &["allah", "ellah", "ullah", "illah", "ollah"];

/// The article marker term.
const ARTICLE_TERM: &str = "p:al";

/// Standalone Latin words that are the Arabic article ("al-", "el-", and its assimilated
/// forms before sun letters: "ad-Din", "ar-Rahman", "as-Sayed", …).
const LATIN_ARTICLES: &[&str] = &[
    "al", "el", "ul", "ad", "ed", "ud", "ar", "ur", "as", "us", "at", "ut", "az", "uz", "ash",
];

/// The Arabic article as a standalone word.
const ARABIC_ARTICLE: &str = "\u{0627}\u{0644}";
/// عبد, "servant of", which is followed by the article in most compound names.
const ARABIC_ABD: &str = "\u{0639}\u{0628}\u{062F}";
/// الدين, "of the faith", the second part of compounds such as نورالدين.
const ARABIC_AL_DIN: &str = "\u{0627}\u{0644}\u{062F}\u{064A}\u{0646}";
/// دين, "faith", الدين without its article.
const ARABIC_DIN: &str = "\u{062F}\u{064A}\u{0646}";
/// ابو, "father of" (after hamza normalisation).
const ARABIC_ABU: &str = "\u{0627}\u{0628}\u{0648}";

/// Search terms to index for one record, from its name fields (first name, surname, nickname,
/// and later others). Deduplicated, sorted. Each term is a short string with a kind prefix,
/// e.g. "n:mohammed" (normalised token), "k:mhmd" (consonant skeleton / phonetic key).
pub fn index_terms(names: &[&str]) -> Vec<String> {
    let mut terms = Vec::new();
    let mut scratch = Scratch::default();
    for name in names {
        let normalized = normalize(name);
        let mut previous: Option<&str> = None;
        for token in normalized.split(' ').filter(|t| !t.is_empty()) {
            terms.push(prefixed("n:", token));
            let kind = classify(token);
            if kind != WordKind::Digits {
                if let Some(initial) = token.chars().next() {
                    let mut buf = [0u8; 4];
                    terms.push(prefixed("i:", initial.encode_utf8(&mut buf)));
                }
            }
            match kind {
                WordKind::Digits | WordKind::Short => {
                    previous = None;
                }
                WordKind::Article => {
                    terms.push(ARTICLE_TERM.to_owned());
                }
                WordKind::Arabic => {
                    let stem = index_arabic_word(token, &mut scratch, &mut terms);
                    if let Some(prev) = previous.filter(|p| is_arabic_word(p)) {
                        let mut joined = String::with_capacity(prev.len() + stem.len());
                        joined.push_str(strip_arabic_article(prev).0);
                        joined.push_str(stem);
                        push_arabic_keys(&joined, &mut scratch, &mut terms, Use::Record);
                    }
                    previous = Some(token);
                }
                WordKind::Latin => {
                    index_latin_word(token, &mut scratch, &mut terms);
                    if let Some(prev) = previous.filter(|p| !is_arabic_word(p)) {
                        let mut joined = latin_letters(prev);
                        joined.push_str(&latin_letters(token));
                        push_latin_keys(&joined, &mut scratch, &mut terms, Use::Record);
                    }
                    previous = Some(token);
                }
            }
        }
    }
    terms.sort_unstable();
    terms.dedup();
    terms
}

/// For a search query typed by a user: one group per query word; a record matches when, for
/// every group, at least one of the group's terms is among the record's indexed terms.
/// Empty when the query has no usable word (e.g. only punctuation).
pub fn query_terms(query: &str) -> Vec<Vec<String>> {
    let normalized = normalize(query);
    let mut scratch = Scratch::default();
    let mut groups = Vec::new();
    for token in normalized.split(' ').filter(|t| !t.is_empty()) {
        let mut group = vec![prefixed("n:", token)];
        match classify(token) {
            WordKind::Digits => {}
            WordKind::Short => {
                group.push(prefixed("i:", token));
            }
            WordKind::Article => {
                group.push(ARTICLE_TERM.to_owned());
            }
            WordKind::Arabic => {
                let (stem, _) = strip_arabic_article(token);
                push_arabic_keys(stem, &mut scratch, &mut group, Use::Query);
            }
            WordKind::Latin => {
                let letters = latin_letters(token);
                push_latin_keys(&letters, &mut scratch, &mut group, Use::Query);
                if let Some(stem) = joined_article_stem(&letters) {
                    push_latin_keys(stem, &mut scratch, &mut group, Use::Query);
                }
            }
        }
        group.sort_unstable();
        group.dedup();
        groups.push(group);
    }
    groups
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum WordKind {
    /// Contains a digit: only its normalised form is a term.
    Digits,
    /// One character: normalised form and initial only.
    Short,
    /// A standalone Arabic article.
    Article,
    /// Arabic script.
    Arabic,
    /// Latin script, or another script transliterated to Latin for its keys.
    Latin,
}

fn classify(token: &str) -> WordKind {
    if token.chars().any(|c| c.is_numeric()) {
        WordKind::Digits
    } else if token.chars().nth(1).is_none() {
        WordKind::Short
    } else if LATIN_ARTICLES.contains(&token) || token == ARABIC_ARTICLE {
        WordKind::Article
    } else if is_arabic_word(token) {
        WordKind::Arabic
    } else {
        WordKind::Latin
    }
}

fn is_arabic_letter(c: char) -> bool {
    matches!(
        c,
        '\u{0620}'..='\u{064A}'
            | '\u{066E}'..='\u{06D3}'
            | '\u{06D5}'
            | '\u{06EE}'..='\u{06EF}'
            | '\u{06FA}'..='\u{06FF}'
            | '\u{0750}'..='\u{077F}'
            | '\u{08A0}'..='\u{08C9}'
    )
}

fn is_arabic_word(token: &str) -> bool {
    token.chars().any(is_arabic_letter)
}

/// A normalised word's letters as lower-case ASCII, for Latin keys: ASCII letters as they are,
/// letters of other scripts transliterated (Cyrillic "иван" → "ivan").
fn latin_letters(token: &str) -> String {
    let mut letters = String::with_capacity(token.len());
    for c in token.chars() {
        if c.is_ascii_alphabetic() {
            letters.push(c.to_ascii_lowercase());
        } else if c.is_alphabetic() {
            if let Some(ascii) = deunicode_char(c) {
                letters.extend(
                    ascii
                        .chars()
                        .filter(char::is_ascii_alphabetic)
                        .map(|a| a.to_ascii_lowercase()),
                );
            }
        }
    }
    letters
}

/// An Arabic word without a leading article (when enough is left), and whether it had one.
fn strip_arabic_article(token: &str) -> (&str, bool) {
    match token.strip_prefix(ARABIC_ARTICLE) {
        Some(rest) if rest.chars().nth(1).is_some() => (rest, true),
        _ => (token, false),
    }
}

/// Terms of one Latin (or transliterated) word: keys, and for abd-/abu- compounds the keys of
/// both parts and the article marker.
fn index_latin_word(token: &str, scratch: &mut Scratch, terms: &mut Vec<String>) {
    let letters = latin_letters(token);
    push_latin_keys(&letters, scratch, terms, Use::Record);
    if let Some(rest) = letters.strip_prefix("abd") {
        // The vowel and the article's l's between "abd" and the name proper.
        let rest = rest.trim_start_matches(['a', 'e', 'i', 'o', 'u']);
        let had_article = rest.starts_with('l') || has_doubled_start(rest);
        let rest = rest.trim_start_matches('l');
        if had_article {
            terms.push(ARTICLE_TERM.to_owned());
        }
        if rest.len() >= 3 {
            push_latin_keys("abd", scratch, terms, Use::Record);
            push_latin_keys(rest, scratch, terms, Use::Record);
        } else if had_article && matches!(rest, "ah" | "a") {
            // Abdullah, Abdallah, Abdulla: abd + Allah.
            push_latin_keys("abd", scratch, terms, Use::Record);
            push_latin_keys("lah", scratch, terms, Use::Record);
        }
    } else if let Some(rest) = letters
        .strip_prefix("abou")
        .or_else(|| letters.strip_prefix("abu"))
    {
        let starts_with_consonant = rest
            .bytes()
            .next()
            .is_some_and(|b| !matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'w'));
        if rest.len() >= 3 && starts_with_consonant {
            push_latin_keys("abu", scratch, terms, Use::Record);
            push_latin_keys(rest, scratch, terms, Use::Record);
        }
    } else if let Some(stem) = latin_din_stem(&letters) {
        push_latin_keys(stem, scratch, terms, Use::Record);
        push_latin_keys("din", scratch, terms, Use::Record);
        terms.push(ARTICLE_TERM.to_owned());
    } else if let Some(stem) = joined_article_stem(&letters) {
        // "Alrashid" written as one word: also the name without its article, as "Al-Rashid"
        // and "Rashid" are indexed.
        push_latin_keys(stem, scratch, terms, Use::Record);
        terms.push(ARTICLE_TERM.to_owned());
    }
}

/// The name after an article written together with it ("alrashid" → "rashid", "elamin" →
/// "amin"). Only for a remainder of four letters or more, so that names that merely begin with
/// "al" or "el" (Alina, Elsa) keep their own keys alone.
fn joined_article_stem(letters: &str) -> Option<&str> {
    let rest = letters
        .strip_prefix("al")
        .or_else(|| letters.strip_prefix("el"))?;
    (rest.len() >= 4).then_some(rest)
}

/// The first part of an "X ad-Din" compound written as one word (Nureddine, Salahuddin,
/// Noureldin, Alaeddin, Nasruddeen): "nur", "salah", "nour", "ala", "nasr".
fn latin_din_stem(letters: &str) -> Option<&str> {
    let word = letters.strip_suffix('e').unwrap_or(letters);
    let before = word
        .strip_suffix("din")
        .or_else(|| word.strip_suffix("deen"))?;
    // The article: its vowel, then l or the d it assimilated to (ed-, el-, ud-, ad-).
    let stem = before
        .strip_suffix('d')
        .or_else(|| before.strip_suffix('l'))?
        .strip_suffix(['a', 'e', 'u', 'i', 'o'])?;
    (stem.len() >= 3).then_some(stem)
}

/// "rrahman" in "abdurrahman": the article assimilated to a sun letter.
fn has_doubled_start(rest: &str) -> bool {
    let mut bytes = rest.bytes();
    matches!((bytes.next(), bytes.next()), (Some(a), Some(b)) if a == b)
}

/// Terms of one Arabic word (see [`index_latin_word`]); returns the word without its article,
/// the form used when it is joined to the word before it.
fn index_arabic_word<'t>(
    token: &'t str,
    scratch: &mut Scratch,
    terms: &mut Vec<String>,
) -> &'t str {
    let (stem, had_article) = strip_arabic_article(token);
    if had_article {
        terms.push(ARTICLE_TERM.to_owned());
    }
    push_arabic_keys(stem, scratch, terms, Use::Record);
    if let Some(rest) = stem.strip_prefix(ARABIC_ABD) {
        let (rest, had_article) = strip_arabic_article(rest);
        if rest.chars().nth(1).is_some() {
            push_arabic_keys(ARABIC_ABD, scratch, terms, Use::Record);
            push_arabic_keys(rest, scratch, terms, Use::Record);
            if had_article {
                terms.push(ARTICLE_TERM.to_owned());
            }
        }
    } else if let Some(rest) = stem.strip_prefix(ARABIC_ABU) {
        if rest.chars().nth(1).is_some() {
            push_arabic_keys(ARABIC_ABU, scratch, terms, Use::Record);
            push_arabic_keys(rest, scratch, terms, Use::Record);
        }
    } else if let Some(first) = stem.strip_suffix(ARABIC_AL_DIN) {
        if first.chars().nth(1).is_some() {
            push_arabic_keys(first, scratch, terms, Use::Record);
            push_arabic_keys(ARABIC_DIN, scratch, terms, Use::Record);
            terms.push(ARTICLE_TERM.to_owned());
        }
    }
    stem
}

fn prefixed(prefix: &str, value: &str) -> String {
    let mut term = String::with_capacity(prefix.len() + value.len());
    term.push_str(prefix);
    term.push_str(value);
    term
}

// ---------------------------------------------------------------------------------------------
// Phonetic keys

#[cfg(test)]
mod tests;
