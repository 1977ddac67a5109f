//! The cryptography of encryption at rest, as pure functions: the practice key, a clinician's
//! key slot (the practice key wrapped with XChaCha20-Poly1305 under a key that Argon2id derives
//! from their passphrase, with the passphrase hash's parameters), and the keys derived from the
//! practice key for the audit chain. Randomness (salts, nonces, the key itself) is handed in;
//! nothing here reads files, the clock or the random source.

use crate::error::{Error, Result};
use argon2::{Algorithm, Argon2, Params, Version};
use blake2::Blake2bMac;
use blake2::digest::consts::U32;
use blake2::digest::{FixedOutput, KeyInit as MacInit, Update};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// The practice key: 256 random bits, the raw SQLCipher key of the database.
#[derive(Clone, PartialEq, Eq)]
pub struct PracticeKey(pub [u8; 32]);

// Never printed: a Debug that showed the key would put it in a log or a panic message.
impl std::fmt::Debug for PracticeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PracticeKey(…)")
    }
}

impl PracticeKey {
    /// The `PRAGMA key` value that hands SQLCipher this raw key (no KDF of its own per open).
    pub fn pragma_value(&self) -> String {
        format!("x'{}'", hex(&self.0))
    }

    /// The key of the audit chain's MAC: derived one way, so disclosing it (when the practice is
    /// decrypted) says nothing about the practice key.
    pub fn chain_key(&self) -> ChainKey {
        ChainKey(mac(&self.0, &[b"caseload-audit-chain-key-v1"]))
    }
}

/// The audit chain's MAC key, derived from the practice key.
#[derive(Clone, PartialEq, Eq)]
pub struct ChainKey(pub [u8; 32]);

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainKey(…)")
    }
}

impl ChainKey {
    /// A public name for the key (so the chain can say which key seals it without holding it).
    pub fn id(&self) -> String {
        hex(&mac(&self.0, &[b"caseload-audit-key-id-v1"])[..16])
    }

    pub fn hex(&self) -> String {
        hex(&self.0)
    }

    pub fn from_hex(text: &str) -> Option<ChainKey> {
        unhex(text)?.try_into().ok().map(ChainKey)
    }
}

/// One clinician's slot: everything needed to unwrap the practice key with their passphrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The Argon2id salt (16 bytes for new slots; a passphrase hash's own salt, 8 to 64 bytes,
    /// for the slots `encrypt` makes from the hashes).
    pub salt: Vec<u8>,
    pub nonce: [u8; 24],
    /// The practice key encrypted and authenticated (32 bytes + a 16-byte tag).
    pub wrapped: Vec<u8>,
}

/// The key that wraps the practice key in a slot: Argon2id of the passphrase with the
/// passphrase hash's parameters (19 MiB, 2 passes, 1 lane) and the slot's own salt.
fn wrapping_key(passphrase: &str, salt: &[u8]) -> Result<[u8; 32]> {
    let params = Params::new(
        super::auth::ARGON2_MEMORY_KIB,
        super::auth::ARGON2_ITERATIONS,
        super::auth::ARGON2_LANES,
        Some(32),
    )
    .map_err(|e| Error::Database(format!("argon2 parameters: {e}")))?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut out)
        .map_err(|e| Error::Database(format!("key derivation failed: {e}")))?;
    Ok(out)
}

/// The slot's associated data: binds a slot to its clinician, so a slot copied onto another
/// clinician's entry does not open.
fn slot_aad(clinician_id: i64) -> Vec<u8> {
    format!("caseload-key-slot-v1:{clinician_id}").into_bytes()
}

/// Wraps `key` for `clinician_id` under `passphrase`. Slow on purpose (Argon2id).
pub fn wrap(
    key: &PracticeKey,
    clinician_id: i64,
    passphrase: &str,
    salt: [u8; 16],
    nonce: [u8; 24],
) -> Result<Slot> {
    let kek = wrapping_key(passphrase, &salt)?;
    wrap_with(key, clinician_id, &kek, salt.to_vec(), nonce)
}

/// Wraps `key` for the clinician whose passphrase hash is `phc`, without the passphrase: the
/// raw Argon2id output in a PHC string with our parameters *is* the wrapping key for its salt.
/// `encrypt` uses it to give every clinician a slot; `None` when the hash has other parameters
/// (that clinician must set their passphrase again first).
pub fn wrap_from_hash(
    key: &PracticeKey,
    clinician_id: i64,
    phc: &str,
    nonce: [u8; 24],
) -> Result<Option<Slot>> {
    use argon2::password_hash::PasswordHash;
    let Ok(parsed) = PasswordHash::new(phc) else {
        return Ok(None);
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return Ok(None);
    };
    let ours = parsed.algorithm.as_str() == "argon2id"
        && parsed.version == Some(0x13)
        && params.m_cost() == super::auth::ARGON2_MEMORY_KIB
        && params.t_cost() == super::auth::ARGON2_ITERATIONS
        && params.p_cost() == super::auth::ARGON2_LANES;
    let (Some(salt), Some(hash)) = (parsed.salt, parsed.hash) else {
        return Ok(None);
    };
    let mut buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut buf) else {
        return Ok(None);
    };
    let Ok(kek) = <[u8; 32]>::try_from(hash.as_bytes()) else {
        return Ok(None);
    };
    if !ours || salt.len() < 8 {
        return Ok(None);
    }
    wrap_with(key, clinician_id, &kek, salt.to_vec(), nonce).map(Some)
}

fn wrap_with(
    key: &PracticeKey,
    clinician_id: i64,
    kek: &[u8; 32],
    salt: Vec<u8>,
    nonce: [u8; 24],
) -> Result<Slot> {
    let cipher = XChaCha20Poly1305::new_from_slice(kek)
        .map_err(|_| Error::Database("key slot cipher".into()))?;
    let aad = slot_aad(clinician_id);
    let wrapped = cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: &key.0,
                aad: &aad,
            },
        )
        .map_err(|_| Error::Database("key slot encryption failed".into()))?;
    Ok(Slot {
        salt,
        nonce,
        wrapped,
    })
}

/// The practice key from a slot, or `None` when the passphrase (or the slot) is wrong.
pub fn unwrap(slot: &Slot, clinician_id: i64, passphrase: &str) -> Result<Option<PracticeKey>> {
    let kek = wrapping_key(passphrase, &slot.salt)?;
    let cipher = XChaCha20Poly1305::new_from_slice(&kek)
        .map_err(|_| Error::Database("key slot cipher".into()))?;
    let aad = slot_aad(clinician_id);
    let Ok(plain) = cipher.decrypt(
        &XNonce::from(slot.nonce),
        Payload {
            msg: &slot.wrapped,
            aad: &aad,
        },
    ) else {
        return Ok(None);
    };
    Ok(plain.try_into().ok().map(PracticeKey))
}

/// BLAKE2b-256 keyed with `key` over length-prefixed parts. The 32-byte key goes in as a
/// zero-padded 64-byte block, the form whose construction cannot fail.
pub fn mac(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let mut m = <Blake2bMac<U32> as MacInit>::new(&block.into());
    for part in parts {
        Update::update(&mut m, &(part.len() as u64).to_le_bytes());
        Update::update(&mut m, part);
    }
    m.finalize_fixed().into()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_opens_with_its_passphrase_and_clinician_only() {
        let key = PracticeKey([9; 32]);
        let slot = wrap(&key, 3, "river stone lamp", [1; 16], [2; 24]).unwrap();
        assert_eq!(slot.wrapped.len(), 48);
        assert!(!slot.wrapped.windows(32).any(|w| w == key.0));
        assert_eq!(unwrap(&slot, 3, "river stone lamp").unwrap(), Some(key));
        assert_eq!(unwrap(&slot, 3, "river stone lamP").unwrap(), None);
        assert_eq!(unwrap(&slot, 4, "river stone lamp").unwrap(), None);
        let mut flipped = slot.clone();
        flipped.wrapped[0] ^= 1;
        assert_eq!(unwrap(&flipped, 3, "river stone lamp").unwrap(), None);
    }

    #[test]
    fn a_slot_made_from_the_passphrase_hash_opens_with_the_passphrase() {
        let key = PracticeKey([9; 32]);
        let phc = super::super::auth::hash_passphrase("river stone lamp", &[4; 16]).unwrap();
        let slot = wrap_from_hash(&key, 2, &phc, [3; 24]).unwrap().unwrap();
        assert_eq!(
            unwrap(&slot, 2, "river stone lamp").unwrap(),
            Some(key.clone())
        );
        assert_eq!(unwrap(&slot, 2, "river stone lam").unwrap(), None);
        let foreign = "$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA";
        assert_eq!(wrap_from_hash(&key, 2, foreign, [3; 24]).unwrap(), None);
    }

    #[test]
    fn derived_keys_differ_from_the_practice_key_and_hex_round_trips() {
        let key = PracticeKey([7; 32]);
        let chain = key.chain_key();
        assert_ne!(chain.0, key.0);
        assert_eq!(chain.id().len(), 32);
        assert_eq!(ChainKey::from_hex(&chain.hex()), Some(chain.clone()));
        assert_ne!(PracticeKey([8; 32]).chain_key(), chain);
        assert_eq!(key.pragma_value().len(), 3 + 64);
        assert_eq!(format!("{key:?}"), "PracticeKey(…)");
        assert_eq!(unhex("0aff"), Some(vec![10, 255]));
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("abc"), None);
    }
}
