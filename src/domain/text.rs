//! Making stored text safe to show: names and notes come from payer files and keyboards and may
//! hold anything, but control characters and bidi overrides must never reach a terminal raw.

use std::borrow::Cow;

/// Replaces every control character (C0, DEL, C1) and every bidirectional formatting character
/// with a visible stand-in, so text cannot move the cursor, retitle the window or reorder a line.
pub fn sanitize(text: &str) -> String {
    if !text.chars().any(is_unsafe) {
        return text.to_string();
    }
    text.chars()
        .map(|c| if is_unsafe(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// The first character of `text` that must not be kept in a name or an id: a control character
/// (C0 including tab, carriage return and line break; DEL; C1) or a bidirectional formatting
/// character (marks, embeddings, overrides, isolates). `None` when the text is plain.
pub fn find_control(text: &str) -> Option<char> {
    text.chars().find(|&c| is_unsafe(c))
}

/// What a refusal calls a character [`find_control`] found, without the character itself:
/// "a line break (U+000A)", "a text-direction character (U+202E)".
pub fn describe_control(c: char) -> String {
    let what = match c {
        '\n' => "a line break",
        '\r' => "a carriage return",
        '\t' => "a tab",
        '\0' => "a NUL character",
        '\u{1b}' => "an escape character",
        c if c.is_control() => "a control character",
        _ => "a text-direction character",
    };
    format!("{what} (U+{:04X})", c as u32)
}

/// Text for a file a person may open in a pager or terminal: every character [`sanitize`]
/// replaces, except the line break, is written as a visible escape (`\u{1b}`, `\u{202e}`), so
/// no raw control byte is left and what was stored can still be read off. Line breaks are kept:
/// in a quoted CSV cell they are part of the value (RFC 4180), as in a note of several lines.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c != '\n' && is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `text` cut to fit `width` terminal columns (display width: a CJK character or an emoji
/// takes two), ending in "…" when anything was cut: at the last space if that keeps more than
/// half the room, else mid-word — so "(total 25" never reads as a whole figure. Text that fits
/// is returned as it is. The one way text is shortened for a screen.
pub fn ellipsize(text: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    // The longest prefix that leaves a column for the ellipsis.
    let room = width - 1;
    let mut used = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        end = i + c.len_utf8();
    }
    let kept = &text[..end];
    let at_word = match kept.rfind(' ') {
        // The next character is a space: the prefix already ends on a whole word.
        _ if text[end..].starts_with(' ') => kept,
        Some(space) if kept[..space].width() * 2 > room => &kept[..space],
        _ => kept,
    };
    format!("{}…", at_word.trim_end())
}

/// `text` in exactly `width` columns: cut with [`ellipsize`], or padded with spaces (by display
/// width, so a column of names lines up whatever script they are in).
pub fn fit(text: &str, width: usize) -> String {
    let cut = ellipsize(text, width);
    let used = unicode_width::UnicodeWidthStr::width(cut.as_str());
    format!("{cut}{}", " ".repeat(width.saturating_sub(used)))
}

/// A number with its noun in agreement: `count(1, "client", "clients")` is "1 client",
/// `count(3, …)` "3 clients" (and 0 is plural: "0 clients").
pub fn count<N>(n: N, one: &str, many: &str) -> String
where
    N: std::fmt::Display + PartialEq + From<u8>,
{
    let noun = if n == N::from(1) { one } else { many };
    format!("{n} {noun}")
}

/// Initials for privacy mode: "Maria Lopez-Garcia" → "M. L."
pub fn initials(name: &str) -> String {
    let parts: Vec<String> = sanitize(name)
        .split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect();
    if parts.is_empty() {
        "?".to_string()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipsize_cuts_at_a_word_with_an_ellipsis_and_counts_columns() {
        // Fits: unchanged, to the column.
        assert_eq!(ellipsize("Valeria Santos", 14), "Valeria Santos");
        // At a word boundary, never a bare "(total 25".
        assert_eq!(
            ellipsize("PHQ-9 item 9 = 2 (total 25) on 2026-11-02", 20),
            "PHQ-9 item 9 = 2…"
        );
        assert_eq!(ellipsize("Valeria Santos", 13), "Valeria…");
        // A word longer than half the room is cut inside it.
        assert_eq!(ellipsize("case-management", 10), "case-mana…");
        // The cut falls exactly before a space: the whole word stays.
        assert_eq!(ellipsize("one two three", 4), "one…");
        // Wide characters take two columns and are never split.
        assert_eq!(ellipsize("日本語テキスト", 7), "日本語…");
        assert!(
            unicode_width::UnicodeWidthStr::width(ellipsize("日本語テキスト", 6).as_str()) <= 6
        );
        assert_eq!(ellipsize("anything", 1), "…");
        assert_eq!(ellipsize("anything", 0), "");
        assert_eq!(fit("日本", 6), "日本  ");
        assert_eq!(fit("Valeria Santos", 10), "Valeria…  ");
    }

    #[test]
    fn escape_sequences_and_bidi_overrides_are_neutralised() {
        let hostile = "Ann\x1b[2J\x1b]0;title\x07 \u{202E}Lee\r\n";
        let safe = sanitize(hostile);
        assert!(!safe.chars().any(|c| c.is_control()));
        assert!(!safe.contains('\u{202E}'));
        assert!(safe.starts_with("Ann\u{FFFD}[2J"));
        assert_eq!(sanitize("Zoë O'Brien"), "Zoë O'Brien");
    }

    #[test]
    fn control_characters_are_found_at_their_boundaries() {
        for plain in [
            "Ann Lee",
            "Zoë O'Brien",
            "李小龍",
            "~",
            "\u{a0}",
            "\u{a0}Ann",
            "",
        ] {
            assert_eq!(find_control(plain), None, "{plain:?}");
        }
        // C0 (tab, CR and LF too), DEL and C1 at both ends of each range.
        for c in [
            '\0', '\t', '\n', '\r', '\u{1b}', '\u{1f}', '\u{7f}', '\u{80}', '\u{85}', '\u{9f}',
        ] {
            assert_eq!(find_control(&format!("Ann{c}Lee")), Some(c), "{c:?}");
        }
        for c in [' ', '\u{7e}', '\u{a0}', '\u{200d}', '\u{2029}', '\u{206a}'] {
            assert_eq!(find_control(&format!("Ann{c}Lee")), None, "{c:?}");
        }
        // Bidi marks, embeddings, overrides and isolates, at each range's ends.
        for c in [
            '\u{200e}', '\u{200f}', '\u{61c}', '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}',
        ] {
            assert_eq!(find_control(&format!("{c}Ann")), Some(c), "{c:?}");
        }
        assert_eq!(find_control("a\tb\u{1b}"), Some('\t'), "the first one");
    }

    #[test]
    fn controls_are_described_without_being_shown() {
        assert_eq!(describe_control('\n'), "a line break (U+000A)");
        assert_eq!(describe_control('\u{1b}'), "an escape character (U+001B)");
        assert_eq!(describe_control('\u{85}'), "a control character (U+0085)");
        assert_eq!(
            describe_control('\u{202e}'),
            "a text-direction character (U+202E)"
        );
        assert_eq!(describe_control('\0'), "a NUL character (U+0000)");
    }

    #[test]
    fn escaped_text_keeps_line_breaks_and_nothing_else_raw() {
        assert_eq!(escape_controls("Ann Lee"), "Ann Lee");
        assert!(matches!(
            escape_controls("two\nlines"),
            Cow::Borrowed("two\nlines")
        ));
        assert_eq!(
            escape_controls("\tA\r\nB\u{1b}[2J\u{85}\u{202e}\u{7f}\0"),
            "\\u{9}A\\u{d}\nB\\u{1b}[2J\\u{85}\\u{202e}\\u{7f}\\u{0}"
        );
        let hostile = "\u{1b}]0;x\u{7}\u{9b}\u{2066}";
        assert_eq!(find_control(&escape_controls(hostile)), None);
    }

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(count(1usize, "client", "clients"), "1 client");
        assert_eq!(count(0i64, "client", "clients"), "0 clients");
        assert_eq!(count(2u64, "audit row", "audit rows"), "2 audit rows");
    }

    #[test]
    fn initials_hide_the_name() {
        assert_eq!(initials("maria lopez-garcia"), "M. L.");
        assert_eq!(initials("  "), "?");
    }
}
