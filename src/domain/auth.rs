//! Who may unlock, and when: passphrase policy and Argon2id hashing, the growing delay after
//! failed logins, and the idle-lock rule. Pure: time arrives as a parameter and the salt is
//! handed in; the store keeps the state and reads the clock and the random source.

use crate::error::{Error, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use std::time::{Duration, Instant};

/// OWASP's minimum for Argon2id: 19 MiB of memory, 2 iterations, 1 lane.
pub const ARGON2_MEMORY_KIB: u32 = 19_456;
pub const ARGON2_ITERATIONS: u32 = 2;
pub const ARGON2_LANES: u32 = 1;

/// Shortest passphrase accepted (NIST SP 800-63B's minimum for a memorised secret).
pub const PASSPHRASE_MIN_CHARS: usize = 8;
/// Longest passphrase accepted; longer input is refused rather than hashed.
pub const PASSPHRASE_MAX_CHARS: usize = 256;

/// The longest wait between attempts, however many have failed.
pub const MAX_DELAY: Duration = Duration::from_secs(300);

/// Passwords everyone tries first (one per line, `#` comments), from the published breach lists.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Letters and digits only, lowercased: "Dana Reyes!" and "danareyes" compare equal.
fn folded(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// True for a password from the common list, also with digits or punctuation added at the end
/// ("Password123!") or with spaces between its words.
fn is_common(passphrase: &str) -> bool {
    let lower = passphrase.trim().to_lowercase();
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let joined: String = lower.split_whitespace().collect();
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|common| common == lower || common == stem || common == joined)
}

/// True when the passphrase is the person's own name, or a part of it, with at most digits
/// and punctuation added ("Dana Reyes", "reyes2026", "danareyes!").
fn is_own_name(passphrase: &str, name: &str) -> bool {
    let typed = folded(passphrase.trim_end_matches(|c: char| c.is_ascii_digit()));
    let typed = typed.trim_end_matches(|c: char| c.is_ascii_digit());
    if typed.is_empty() {
        return false;
    }
    let whole = folded(name);
    typed == whole
        || name
            .split_whitespace()
            .map(folded)
            .any(|part| part.chars().count() >= 3 && typed == part)
}

/// A new passphrase must be long enough, not too long, free of control characters, not one of
/// the most common passwords and not the clinician's own name (NIST SP 800-63B, 5.1.1.2).
pub fn check_new_passphrase(passphrase: &str, own_name: &str) -> Result<()> {
    let chars = passphrase.chars().count();
    if chars < PASSPHRASE_MIN_CHARS {
        return Err(Error::invalid(format!(
            "a passphrase needs at least {PASSPHRASE_MIN_CHARS} characters (a few words are easiest to remember)"
        )));
    }
    if chars > PASSPHRASE_MAX_CHARS {
        return Err(Error::invalid(format!(
            "a passphrase may have at most {PASSPHRASE_MAX_CHARS} characters"
        )));
    }
    if passphrase.chars().any(char::is_control) {
        return Err(Error::invalid(
            "a passphrase must not contain control characters",
        ));
    }
    if is_common(passphrase) {
        return Err(Error::invalid(
            "that passphrase is one of the most common passwords, the first an attacker tries; \
             choose a few words of your own",
        ));
    }
    if is_own_name(passphrase, own_name) {
        return Err(Error::invalid(
            "a passphrase must not be your own name; choose a few words of your own",
        ));
    }
    Ok(())
}

fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_LANES, None)
        .map_err(|e| Error::Database(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The Argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for a passphrase and
/// a random 16-byte salt.
pub fn hash_passphrase(passphrase: &str, salt: &[u8; 16]) -> Result<String> {
    let salt = SaltString::encode_b64(salt)
        .map_err(|e| Error::Database(format!("passphrase salt: {e}")))?;
    let hash = hasher()?
        .hash_password(passphrase.as_bytes(), &salt)
        .map_err(|e| Error::Database(format!("passphrase hashing failed: {e}")))?;
    Ok(hash.to_string())
}

/// True when `passphrase` matches the stored PHC string (with the parameters stored in it).
/// A malformed stored string matches nothing.
pub fn passphrase_matches(stored: &str, passphrase: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(passphrase.as_bytes(), &parsed)
        .is_ok()
}

/// The wait imposed after `failures` failed attempts in a row: none after the first two, then
/// 1, 2, 4, 8 … seconds, capped at [`MAX_DELAY`].
pub fn delay_after(failures: u32) -> Duration {
    if failures < 3 {
        return Duration::ZERO;
    }
    let exponent = (failures - 3).min(16);
    Duration::from_secs(1u64 << exponent).min(MAX_DELAY)
}

/// A clinician's run of failed logins, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Throttle {
    pub failures: u32,
    pub last_failure: Option<DateTime<Utc>>,
}

impl Throttle {
    /// How long until the next attempt may be made, or `None` when it may be made now. A clock
    /// that went backwards never makes the wait longer than the delay itself.
    pub fn retry_after(&self, now: DateTime<Utc>) -> Option<Duration> {
        let last = self.last_failure?;
        let delay = delay_after(self.failures);
        if delay.is_zero() {
            return None;
        }
        let elapsed = (now - last).to_std().unwrap_or(Duration::ZERO);
        let left = delay.saturating_sub(elapsed);
        (!left.is_zero()).then_some(left)
    }

    /// The state after one more failure at `now`.
    pub fn failed(self, now: DateTime<Utc>) -> Throttle {
        Throttle {
            failures: self.failures.saturating_add(1),
            last_failure: Some(now),
        }
    }
}

/// True when the screen should lock: `idle_minutes` have passed since the last activity.
/// Only real input counts as activity (see [`Stimulus::is_activity`]); the TUI calls this on
/// every tick with a monotonic clock.
pub fn should_lock(last_activity: Instant, now: Instant, idle_minutes: u32) -> bool {
    let idle = Duration::from_secs(u64::from(idle_minutes.max(1)) * 60);
    now.saturating_duration_since(last_activity) >= idle
}

/// What the TUI received, as far as idleness is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stimulus {
    Key,
    Mouse,
    Paste,
    Resize,
    Tick,
    FocusGained,
    FocusLost,
}

impl Stimulus {
    /// A person acted: keys, mouse and paste. A resize, a timer tick or a focus change is not
    /// activity and never postpones the lock.
    pub fn is_activity(self) -> bool {
        matches!(self, Stimulus::Key | Stimulus::Mouse | Stimulus::Paste)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHash;

    #[test]
    fn hashing_uses_argon2id_with_at_least_owasp_parameters() {
        let phc = hash_passphrase("correct horse battery", &[7; 16]).unwrap();
        let parsed = PasswordHash::new(&phc).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let params = Params::try_from(&parsed).unwrap();
        assert!(params.m_cost() >= 19_456);
        assert!(params.t_cost() >= 2);
        assert!(params.p_cost() >= 1);
        assert!(passphrase_matches(&phc, "correct horse battery"));
        assert!(!passphrase_matches(&phc, "correct horse batterY"));
        assert!(!passphrase_matches("not a hash", "anything"));
        let other_salt = hash_passphrase("correct horse battery", &[8; 16]).unwrap();
        assert_ne!(phc, other_salt);
    }

    #[test]
    fn new_passphrases_are_checked() {
        let check = |p: &str| check_new_passphrase(p, "Dana Reyes");
        assert!(check("short").is_err());
        assert!(check("seven c").is_err());
        assert!(check("eight ch").is_ok());
        assert!(check(&"x".repeat(256)).is_ok());
        assert!(check(&"x".repeat(257)).is_err());
        assert!(check("tab\there ok?").is_err());
    }

    #[test]
    fn common_passwords_are_refused_however_dressed() {
        for p in [
            "password",
            "Password1",
            "PASSWORD123!",
            "12345678",
            "qwertyuiop",
            "i love you",
        ] {
            let e = check_new_passphrase(p, "Dana Reyes")
                .unwrap_err()
                .to_string();
            assert!(e.contains("most common"), "{p}: {e}");
        }
        for p in ["password river", "harbor light 42", "passwords are long"] {
            assert!(check_new_passphrase(p, "Dana Reyes").is_ok(), "{p}");
        }
    }

    #[test]
    fn the_clinicians_own_name_is_refused() {
        for p in [
            "Dana Reyes",
            "danareyes",
            "DANA-REYES!",
            "reyes2026",
            "Reyes!!!!",
        ] {
            let e = check_new_passphrase(p, "Dana Reyes")
                .unwrap_err()
                .to_string();
            assert!(e.contains("own name"), "{p}: {e}");
        }
        // Another's name, or the name inside a longer phrase, is the person's choice.
        assert!(check_new_passphrase("Dana Reyes", "Sam Okafor").is_ok());
        assert!(check_new_passphrase("dana walks the harbor", "Dana Reyes").is_ok());
        // A one- or two-letter name part is not a name to match on.
        assert!(check_new_passphrase("Li12345678", "Jo Li").is_ok());
    }

    #[test]
    fn delays_grow_and_are_capped() {
        let delays: Vec<u64> = (0..14).map(|n| delay_after(n).as_secs()).collect();
        assert_eq!(
            delays,
            [0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
        );
        assert_eq!(delay_after(u32::MAX), MAX_DELAY);
    }

    #[test]
    fn throttle_waits_from_the_last_failure() {
        let t0: DateTime<Utc> = "2026-03-01T10:00:00Z".parse().unwrap();
        let secs = |s: i64| t0 + chrono::Duration::seconds(s);
        let mut t = Throttle::default();
        assert_eq!(t.retry_after(t0), None);
        t = t.failed(t0).failed(t0);
        assert_eq!(t.retry_after(t0), None, "two failures cost nothing");
        t = t.failed(t0);
        assert_eq!(t.retry_after(t0), Some(Duration::from_secs(1)));
        assert_eq!(t.retry_after(secs(1)), None);
        t = t.failed(secs(1)).failed(secs(1));
        assert_eq!(t.failures, 5);
        assert_eq!(t.retry_after(secs(2)), Some(Duration::from_secs(3)));
        assert_eq!(t.retry_after(secs(5)), None);
        // A clock set back an hour does not turn 4 s into an hour.
        assert_eq!(t.retry_after(secs(-3600)), Some(Duration::from_secs(4)));
    }

    #[test]
    fn idle_lock_fires_at_the_configured_minute_and_only_real_input_counts() {
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert!(!should_lock(t0, at(299), 5));
        assert!(should_lock(t0, at(300), 5));
        assert!(should_lock(t0, at(61), 1));
        assert!(!should_lock(at(10), t0, 5), "a clock behind is not idle");
        // A simulated session: ticks and a resize do not postpone the lock, a key does.
        let mut last = t0;
        let events = [
            (60, Stimulus::Key),
            (200, Stimulus::Resize),
            (250, Stimulus::Tick),
            (359, Stimulus::FocusGained),
        ];
        for (s, e) in events {
            if e.is_activity() {
                last = at(s);
            }
        }
        assert!(!should_lock(last, at(359), 5));
        assert!(should_lock(last, at(360), 5));
    }
}
