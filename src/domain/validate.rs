//! Validation of free-form values (names, notes, minutes) with messages a therapist can act on.

use crate::error::Error;

/// Longest note kept with an encounter; notes are reminders, not clinical documentation.
pub const NOTE_MAX_CHARS: usize = 500;
/// Longest name or external id accepted.
pub const NAME_MAX_CHARS: usize = 120;

/// Minutes are whole numbers 0–1440 (SPEC section 2).
pub fn minutes(text: &str) -> Result<i64, Error> {
    let shown = super::text::sanitize(text.trim());
    let value: i64 = text
        .trim()
        .parse()
        .map_err(|_| Error::invalid(format!("minutes '{shown}' is not a whole number")))?;
    if !(0..=1440).contains(&value) {
        return Err(Error::invalid(format!(
            "minutes must be between 0 and 1440, got {value}"
        )));
    }
    Ok(value)
}

/// A display name or id: trimmed, not empty, not absurdly long, and plain text (no control or
/// text-direction character, which could rewrite a terminal or reorder a line when shown).
pub fn name(what: &str, text: &str) -> Result<String, Error> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(format!("{what} must not be empty")));
    }
    if trimmed.chars().count() > NAME_MAX_CHARS {
        return Err(Error::invalid(format!(
            "{what} is longer than {NAME_MAX_CHARS} characters"
        )));
    }
    plain(what, trimmed).map_err(Error::invalid)?;
    Ok(trimmed.to_string())
}

/// Refuses a name or id holding a control or text-direction character, naming the character
/// by its code point (the character itself is never echoed): "client name holds an escape
/// character (U+001B); names and ids cannot hold control or text-direction characters".
pub fn plain(what: &str, text: &str) -> Result<(), String> {
    match super::text::find_control(text) {
        None => Ok(()),
        Some(c) => Err(format!(
            "{what} holds {}; names and ids cannot hold control or text-direction characters",
            super::text::describe_control(c)
        )),
    }
}

/// An optional note: empty becomes none.
pub fn note(text: Option<&str>) -> Result<Option<String>, Error> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > NOTE_MAX_CHARS {
        return Err(Error::invalid(format!(
            "note is longer than {NOTE_MAX_CHARS} characters; keep notes short"
        )));
    }
    Ok(Some(text.to_string()))
}

/// An ICD-10 code as clinicians write it: a letter, two characters, optionally a dot and up to
/// four more (`F32.1`, `F43.10`, `Z59.0`). Stored upper-case.
pub fn diagnosis(text: &str) -> Result<String, Error> {
    let code = text.trim().to_ascii_uppercase();
    let bytes = code.as_bytes();
    let (head, tail) = code.split_at(code.len().min(3));
    let tail = tail.strip_prefix('.').unwrap_or(tail);
    let ok = bytes.len() >= 3
        && bytes[0].is_ascii_uppercase()
        && bytes[1].is_ascii_digit()
        && head[2..].bytes().all(|b| b.is_ascii_alphanumeric())
        && tail.len() <= 4
        && tail.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(code)
    } else {
        Err(Error::invalid(format!(
            "'{}' is not an ICD-10 code (e.g. F32.1)",
            super::text::sanitize(text.trim())
        )))
    }
}

/// A positive whole number of days (flag intervals).
pub fn positive_days(key: &str, text: &str) -> Result<i64, Error> {
    let shown = super::text::sanitize(text.trim());
    match text.trim().parse::<i64>() {
        Ok(n) if (1..=3650).contains(&n) => Ok(n),
        _ => Err(Error::invalid(format!(
            "{key} must be a whole number of days from 1 to 3650, got '{shown}'"
        ))),
    }
}

/// The idle time before a shared screen locks: whole minutes from 1 to 240 (never off).
pub fn lock_minutes(key: &str, text: &str) -> Result<i64, Error> {
    let shown = super::text::sanitize(text.trim());
    match text.trim().parse::<i64>() {
        Ok(n) if (1..=240).contains(&n) => Ok(n),
        _ => Err(Error::invalid(format!(
            "{key} must be a whole number of minutes from 1 to 240, got '{shown}'"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_minutes_bounds() {
        assert_eq!(lock_minutes("lock-minutes", "5").unwrap(), 5);
        assert_eq!(lock_minutes("lock-minutes", "240").unwrap(), 240);
        assert!(lock_minutes("lock-minutes", "0").is_err());
        assert!(lock_minutes("lock-minutes", "241").is_err());
        assert!(lock_minutes("lock-minutes", "never").is_err());
    }

    #[test]
    fn minutes_bounds() {
        assert_eq!(minutes("0").unwrap(), 0);
        assert_eq!(minutes("1440").unwrap(), 1440);
        assert!(minutes("1441").is_err());
        assert!(minutes("-1").is_err());
        assert!(minutes("fifty").is_err());
        assert!(minutes("50.5").is_err());
    }

    #[test]
    fn names_and_notes() {
        assert_eq!(name("client name", "  Ann Lee ").unwrap(), "Ann Lee");
        assert!(name("client name", "   ").is_err());
        assert!(name("client name", &"x".repeat(121)).is_err());
        assert_eq!(name("client name", "\tAnn Lee\n").unwrap(), "Ann Lee");
        let err = name("client name", "Ann\u{1b}[2J").unwrap_err().to_string();
        assert_eq!(
            err,
            "client name holds an escape character (U+001B); names and ids cannot hold control or text-direction characters"
        );
        assert!(!err.contains('\u{1b}'));
        assert!(name("external id", "M-1\u{202e}").is_err());
        assert!(name("client name", "Ann\nLee").is_err());
        assert!(name("client name", "Ann\tLee").is_err());
        assert_eq!(note(Some("  ")).unwrap(), None);
        assert!(note(Some(&"x".repeat(501))).is_err());
    }

    #[test]
    fn icd10_codes() {
        assert_eq!(diagnosis("f32.1").unwrap(), "F32.1");
        assert_eq!(diagnosis("F4310").unwrap(), "F4310");
        assert_eq!(diagnosis("Z59.0").unwrap(), "Z59.0");
        assert!(diagnosis("depression").is_err());
        assert!(diagnosis("32.1").is_err());
        assert!(diagnosis("F3").is_err());
    }

    #[test]
    fn days_must_be_positive() {
        assert_eq!(positive_days("measure-days", "30").unwrap(), 30);
        assert!(positive_days("measure-days", "0").is_err());
        assert!(positive_days("measure-days", "-3").is_err());
        assert!(positive_days("measure-days", "7.5").is_err());
    }
}
