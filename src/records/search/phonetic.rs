//! Phonetic keys: consonant skeletons with a few vowel markers, per script.

use super::*;

/// One sound of a word: a consonant class, or a vowel. Latin vowels keep their letter
/// (a e i o u, and y/w when they are vowels); Arabic ones are `A` (ا ء), `E` (ع), `W` (و)
/// and `Y` (ي). The consonant class `H` is an h that may be a vowel ending (Latin h, ه).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Ph {
    C(u8),
    V(u8),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Script {
    Latin,
    Arabic,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Mode {
    /// Latin against Latin.
    Fine,
    /// Across scripts.
    Cross,
}

/// Whether keys are made for a record or a query, which decides the kind of the cross-script
/// keys: a Latin record stores them as `x:` and a Latin query asks for `a:` (Arabic records);
/// an Arabic record stores them as `a:` and an Arabic query asks for `x:` (Latin records).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Use {
    Record,
    Query,
}

/// A consonant with the vowels before it, as a range of the sound sequence.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cons {
    class: u8,
    run: (usize, usize),
}

/// Buffers reused across the words of one call.
#[derive(Default)]
pub(super) struct Scratch {
    phs: Vec<Ph>,
    cons: Vec<Cons>,
}

pub(super) fn push_latin_keys(
    letters: &str,
    scratch: &mut Scratch,
    out: &mut Vec<String>,
    usage: Use,
) {
    if letters.len() < MIN_KEY_CHARS {
        return;
    }
    lex_latin(letters.as_bytes(), &mut scratch.phs);
    if letters.starts_with("abd") {
        drop_abd_article(&mut scratch.phs);
    }
    let cross_prefix = match usage {
        Use::Record => "x:",
        Use::Query => "a:",
    };
    build_keys(scratch, Script::Latin, Mode::Fine, "k:", out);
    build_keys(scratch, Script::Latin, Mode::Cross, cross_prefix, out);
    if LATIN_ALLAH.contains(&letters) {
        push_latin_keys("lah", scratch, out, usage);
    }
    if let Some(stem) = latin_din_stem(letters) {
        // Noureldin also as Nourdin, the key of "Nour el-Din" joined without its article.
        let mut joined = String::with_capacity(stem.len() + 3);
        joined.push_str(stem);
        joined.push_str("din");
        push_latin_keys(&joined, scratch, out, usage);
    }
}

pub(super) fn push_arabic_keys(
    word: &str,
    scratch: &mut Scratch,
    out: &mut Vec<String>,
    usage: Use,
) {
    if word.chars().nth(MIN_KEY_CHARS - 1).is_none() {
        return;
    }
    lex_arabic(word, &mut scratch.phs);
    if word.starts_with(ARABIC_ABD) {
        drop_abd_article(&mut scratch.phs);
    }
    if !scratch.phs.is_empty() {
        out.push(arabic_exact_key(&scratch.phs));
    }
    let cross_prefix = match usage {
        Use::Record => "a:",
        Use::Query => "x:",
    };
    build_keys(scratch, Script::Arabic, Mode::Cross, cross_prefix, out);
    if let Some(first) = word.strip_suffix(ARABIC_AL_DIN) {
        if first.chars().nth(1).is_some() {
            // نورالدين also as نور + دين, the key of "نور الدين" joined without its article.
            let mut joined = String::with_capacity(word.len());
            joined.push_str(first);
            joined.push_str(ARABIC_DIN);
            push_arabic_keys(&joined, scratch, out, usage);
        }
    }
}

/// The `r:` key of an Arabic word: every letter's class, vowel carriers included, repeats
/// collapsed (داود = داوود), so Arabic spellings meet each other more strictly than through the
/// cross-script key (عمر ≠ عامر, حمد ≠ حامد).
pub(super) fn arabic_exact_key(phs: &[Ph]) -> String {
    let mut key = String::with_capacity(2 + phs.len());
    key.push_str("r:");
    let mut previous = None;
    for ph in phs {
        let c = match *ph {
            Ph::C(class) => render_class(class, Mode::Fine),
            Ph::V(b'A') => 'a',
            Ph::V(b'E') => 'e',
            Ph::V(b'W') => 'w',
            Ph::V(_) => 'y',
        };
        if previous != Some(c) {
            key.push(c);
        }
        previous = Some(c);
    }
    key
}

pub(super) fn is_latin_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

pub(super) fn lex_latin(bytes: &[u8], phs: &mut Vec<Ph>) {
    phs.clear();
    let bytes = &bytes[..bytes.len().min(MAX_KEY_LETTERS)];
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = at(i + 1);
        let mut step = 1;
        let ph = match b {
            b'a' | b'e' | b'i' | b'o' | b'u' => Ph::V(b),
            b'y' if i == 0 && is_latin_vowel(next) => Ph::C(b'y'),
            b'y' => Ph::V(b'y'),
            b'w' if i == 0 => Ph::C(b'w'),
            b'w' => Ph::V(b'w'),
            b's' if next == b'h' => {
                step = 2;
                Ph::C(b'x')
            }
            b's' if next == b'c' && at(i + 2) == b'h' => {
                step = 3;
                Ph::C(b'x')
            }
            b'c' if next == b'h' => {
                step = 2;
                if matches!(at(i + 2), b'r' | b'l') {
                    Ph::C(b'k')
                } else {
                    Ph::C(b'x')
                }
            }
            b'c' if next == b'k' => {
                step = 2;
                Ph::C(b'k')
            }
            b'c' if matches!(next, b'e' | b'i' | b'y') => Ph::C(b's'),
            b'c' | b'q' => Ph::C(b'k'),
            b'd' if next == b'j' => {
                step = 2;
                Ph::C(b'j')
            }
            b'd' if next == b'h' => {
                // Between vowels "dh" is usually d + h (Adham, أدهم); elsewhere one sound.
                let between_vowels =
                    i > 0 && is_latin_vowel(bytes[i - 1]) && is_latin_vowel(at(i + 2));
                if !between_vowels {
                    step = 2;
                }
                Ph::C(b'd')
            }
            b't' | b'k' | b'g' | b'z' if next == b'h' => {
                step = 2;
                Ph::C(b)
            }
            b'p' if next == b'h' => {
                step = 2;
                Ph::C(b'f')
            }
            b'x' => {
                phs.push(Ph::C(b'k'));
                Ph::C(b's')
            }
            b'h' => Ph::C(b'H'),
            b'a'..=b'z' => Ph::C(b),
            _ => {
                i += 1;
                continue;
            }
        };
        phs.push(ph);
        i += step;
    }
}

pub(super) fn lex_arabic(word: &str, phs: &mut Vec<Ph>) {
    phs.clear();
    for c in word
        .chars()
        .filter(|&c| is_arabic_letter(c))
        .take(MAX_KEY_LETTERS)
    {
        let first = phs.is_empty();
        let ph = match c {
            '\u{0627}' | '\u{0621}' | '\u{0649}' => Ph::V(b'A'),
            '\u{0639}' => Ph::V(b'E'),
            '\u{0648}' | '\u{06C4}'..='\u{06CB}' | '\u{06CF}' => {
                if first {
                    Ph::C(b'w')
                } else {
                    Ph::V(b'W')
                }
            }
            '\u{064A}' | '\u{06CC}' | '\u{06CD}' | '\u{06CE}' | '\u{06D0}' | '\u{06D2}' => {
                if first {
                    Ph::C(b'y')
                } else {
                    Ph::V(b'Y')
                }
            }
            '\u{0628}' => Ph::C(b'b'),
            '\u{067E}' => Ph::C(b'p'),
            '\u{062A}' | '\u{062B}' | '\u{0637}' | '\u{0679}' => Ph::C(b't'),
            '\u{062C}' => Ph::C(b'j'),
            '\u{0686}' | '\u{0634}' => Ph::C(b'x'),
            '\u{062D}' => Ph::C(b'h'),
            '\u{0647}' | '\u{0629}' | '\u{06BE}' | '\u{06C1}' => Ph::C(b'H'),
            '\u{062E}' | '\u{0642}' | '\u{0643}' | '\u{06A9}' => Ph::C(b'k'),
            '\u{062F}' | '\u{0636}' | '\u{0688}' => Ph::C(b'd'),
            '\u{0630}' | '\u{0632}' | '\u{0638}' | '\u{0698}' => Ph::C(b'z'),
            '\u{0631}' | '\u{0691}' | '\u{0695}' => Ph::C(b'r'),
            '\u{0633}' | '\u{0635}' => Ph::C(b's'),
            '\u{063A}' | '\u{06AF}' => Ph::C(b'g'),
            '\u{0641}' => Ph::C(b'f'),
            '\u{06A4}' => Ph::C(b'v'),
            '\u{0644}' | '\u{06B5}' => Ph::C(b'l'),
            '\u{0645}' => Ph::C(b'm'),
            '\u{0646}' | '\u{06BA}' => Ph::C(b'n'),
            _ => continue,
        };
        phs.push(ph);
    }
}

/// After a leading "abd"/عبد (three sounds), drop the vowels and the article's l's that follow:
/// Abdelrahman, Abdulrahman, Abdalrahman and عبدالرحمن all become abd + rahman, and
/// Abdul and Abdel alone become abd.
pub(super) fn drop_abd_article(phs: &mut Vec<Ph>) {
    if phs.len() <= 3 {
        return;
    }
    let mut end = 3;
    while end < phs.len() && matches!(phs[end], Ph::V(_)) {
        end += 1;
    }
    if end == phs.len() {
        // Abdi, Abdou, Abdo: a name of its own, not a compound.
        return;
    }
    while end < phs.len() && phs[end] == Ph::C(b'l') {
        end += 1;
    }
    phs.drain(3..end);
}

pub(super) fn same_class(a: u8, b: u8) -> bool {
    let base = |c: u8| if c == b'H' { b'h' } else { c };
    base(a) == base(b)
}

/// Consonants with their preceding vowel runs (adjacent doubles collapsed), and the range of
/// the vowels after the last consonant.
pub(super) fn collect_consonants(phs: &[Ph], cons: &mut Vec<Cons>) -> (usize, usize) {
    cons.clear();
    let mut run_start = 0;
    for (i, ph) in phs.iter().enumerate() {
        if let Ph::C(class) = *ph {
            let run = (run_start, i);
            run_start = i + 1;
            if run.0 == run.1
                && cons
                    .last()
                    .is_some_and(|last| same_class(last.class, class))
            {
                continue;
            }
            cons.push(Cons { class, run });
        }
    }
    (run_start, phs.len())
}

/// A word whose only consonant is none, or an ending h (Aya, Ayah, آية), reads an inner y/w as
/// a consonant instead.
pub(super) fn promote_inner_semivowels(phs: &mut [Ph]) -> bool {
    let last = phs.len().saturating_sub(1);
    let mut changed = false;
    for (i, ph) in phs.iter_mut().enumerate() {
        if i == 0 || i >= last {
            continue;
        }
        let promoted = match *ph {
            Ph::V(b'y' | b'Y') => Ph::C(b'y'),
            Ph::V(b'w' | b'W') => Ph::C(b'w'),
            _ => continue,
        };
        *ph = promoted;
        changed = true;
    }
    changed
}

/// Whether the last consonant is an h that may be a vowel ending ("Fatimah", فاطمة).
pub(super) fn has_vowel_h_ending(cons: &[Cons], trailing: (usize, usize), script: Script) -> bool {
    match cons.last() {
        Some(last) if last.class == b'H' && trailing.0 == trailing.1 => {
            script == Script::Arabic || last.run.0 < last.run.1
        }
        _ => false,
    }
}

/// Final vowel markers for the vowels `run` after the last consonant; `h_ending` when they are
/// followed by an h read as a vowel ending.
pub(super) fn final_markers(
    run: &[Ph],
    script: Script,
    h_ending: bool,
) -> [Option<&'static str>; 2] {
    let Some((&last, before)) = run.split_last() else {
        return match (script, h_ending) {
            // فاطمة: the ه/ة itself is the vowel.
            (Script::Arabic, true) => [Some("a"), None],
            _ => [None, None],
        };
    };
    match script {
        Script::Latin => {
            if !h_ending && before.is_empty() && last == Ph::V(b'e') {
                // Silent final e: Yassine, Amine, Alice.
                return [None, None];
            }
            let marker = match last {
                Ph::V(b'a') if before.iter().any(|ph| matches!(ph, Ph::V(b'i' | b'y'))) => "ya",
                Ph::V(b'a') => "a",
                Ph::V(b'e') if matches!(before.last(), Some(Ph::V(b'e' | b'i'))) => "i",
                Ph::V(b'e') => "a",
                Ph::V(b'i' | b'y') => "i",
                _ => "u",
            };
            [Some(marker), None]
        }
        Script::Arabic if h_ending => {
            let marker = if run.contains(&Ph::V(b'Y')) {
                "ya"
            } else {
                "a"
            };
            [Some(marker), None]
        }
        Script::Arabic => {
            // A trailing ع carries no vowel of its own unless it is all there is.
            let trailing_ayn = run
                .iter()
                .rev()
                .take_while(|ph| **ph == Ph::V(b'E'))
                .count();
            let sig = &run[..run.len() - trailing_ayn];
            match sig.last() {
                None => [Some("a"), None],
                Some(Ph::V(b'A')) if sig.contains(&Ph::V(b'Y')) => [Some("ya"), None],
                Some(Ph::V(b'W')) => [Some("u"), None],
                // ي or ى (normalised to ي): "Ali" or "Mona".
                Some(Ph::V(b'Y')) => [Some("i"), Some("a")],
                _ => [Some("a"), None],
            }
        }
    }
}

/// Last-syllable vowel markers for the vowels `run` between the last two consonants.
/// `None` in the result means "no long vowel". `ambiguous` lets a single Latin vowel be short.
pub(super) fn middle_markers(
    run: &[Ph],
    script: Script,
    ambiguous: bool,
) -> [Option<Option<u8>>; 2] {
    let has = |v: u8| run.contains(&Ph::V(v));
    let pair = |a: u8, b: u8| run.windows(2).any(|w| w[0] == Ph::V(a) && w[1] == Ph::V(b));
    match script {
        Script::Arabic => {
            if has(b'W') {
                [Some(Some(b'u')), None]
            } else if has(b'Y') {
                [Some(Some(b'i')), None]
            } else {
                [Some(None), None]
            }
        }
        Script::Latin => {
            let long_u = has(b'w') || pair(b'o', b'u') || pair(b'o', b'o') || pair(b'u', b'u');
            let long_u = long_u || pair(b'a', b'u');
            let long_i = has(b'y')
                || pair(b'e', b'e')
                || pair(b'i', b'i')
                || pair(b'e', b'i')
                || pair(b'a', b'i')
                || pair(b'i', b'e')
                || pair(b'i', b'a');
            let single = |v: u8| run.len() == 1 && has(v);
            let maybe = |v: u8| {
                if ambiguous {
                    [Some(None), Some(Some(v))]
                } else {
                    [Some(Some(v)), None]
                }
            };
            if long_u {
                [Some(Some(b'u')), None]
            } else if long_i {
                [Some(Some(b'i')), None]
            } else if single(b'u') || single(b'o') {
                maybe(b'u')
            } else if single(b'i') || (run.len() == 2 && pair(b'a', b'e')) {
                maybe(b'i')
            } else {
                [Some(None), None]
            }
        }
    }
}

pub(super) fn render_class(class: u8, mode: Mode) -> char {
    let class = match (class, mode) {
        (b'H', _) => b'h',
        (b'p', Mode::Cross) => b'b',
        (b'v', Mode::Cross) => b'w',
        (c, _) => c,
    };
    char::from(class)
}

/// Appends the keys of the sounds in `scratch.phs` (one to four) to `out`, with `prefix`.
pub(super) fn build_keys(
    scratch: &mut Scratch,
    script: Script,
    mode: Mode,
    prefix: &str,
    out: &mut Vec<String>,
) {
    let mut trailing = collect_consonants(&scratch.phs, &mut scratch.cons);
    let lone_h = scratch.cons.len() == 1 && has_vowel_h_ending(&scratch.cons, trailing, script);
    if (scratch.cons.is_empty() || lone_h) && promote_inner_semivowels(&mut scratch.phs) {
        trailing = collect_consonants(&scratch.phs, &mut scratch.cons);
    }
    let phs = &scratch.phs;
    let cons = &scratch.cons;
    let Some(first) = cons.first() else {
        return;
    };
    let lead = (first.run.0 < first.run.1).then(|| match (mode, phs[first.run.0]) {
        (Mode::Fine, Ph::V(b'o' | b'u' | b'w')) => 'u',
        _ => 'a',
    });

    // Endings: how many consonants the key uses, and the final vowel marker.
    let mut endings: [Option<(usize, Option<&'static str>)>; 2] = [None; 2];
    let n = cons.len();
    if n >= 2 && has_vowel_h_ending(cons, trailing, script) {
        let run = cons[n - 1].run;
        endings[0] = Some((n - 1, final_markers(&phs[run.0..run.1], script, true)[0]));
        endings[1] = Some((n, None));
    } else {
        let markers = final_markers(&phs[trailing.0..trailing.1], script, false);
        endings[0] = Some((n, markers[0]));
        if markers[1].is_some() {
            endings[1] = Some((n, markers[1]));
        }
    }

    for (used, final_marker) in endings.into_iter().flatten() {
        let used_cons = &cons[..used];
        let middles = if used >= 2 {
            let run = used_cons[used - 1].run;
            let ambiguous = mode == Mode::Cross || used >= 3;
            middle_markers(&phs[run.0..run.1], script, ambiguous)
        } else {
            [Some(None), None]
        };
        for middle in middles.into_iter().flatten() {
            let mut key = String::with_capacity(prefix.len() + used + 4);
            key.push_str(prefix);
            key.extend(lead);
            for (i, c) in used_cons.iter().enumerate() {
                if i + 1 == used && i > 0 {
                    key.extend(middle.map(char::from));
                }
                key.push(render_class(c.class, mode));
            }
            key.push_str(final_marker.unwrap_or(""));
            out.push(key);
        }
    }
}
