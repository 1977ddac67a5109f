//! Making stored text safe to show: names and notes come from payer files and keyboards and may
//! hold anything, but control characters and bidi overrides must never reach a terminal raw.

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

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
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
    fn escape_sequences_and_bidi_overrides_are_neutralised() {
        let hostile = "Ann\x1b[2J\x1b]0;title\x07 \u{202E}Lee\r\n";
        let safe = sanitize(hostile);
        assert!(!safe.chars().any(|c| c.is_control()));
        assert!(!safe.contains('\u{202E}'));
        assert!(safe.starts_with("Ann\u{FFFD}[2J"));
        assert_eq!(sanitize("Zoë O'Brien"), "Zoë O'Brien");
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
