//! `caseload encrypt` and `caseload decrypt`: an admin turns encryption at rest on or off. The
//! file work (export into a new file, rename, key slots) is `store::cipher`'s; this checks who
//! asks and says what happened.

use super::Context;
use crate::domain::access::Action;
use crate::domain::text::sanitize;
use crate::error::{Error, Result};
use crate::store::{Store, audit, cipher};
use clap::Args;

#[derive(Debug, Args)]
#[command(after_help = "\
encrypt: the practice must use passphrases; every clinician with one gets a key slot in \
<db>.keys beside the database and opens the practice with their own passphrase (--as NAME). \
The whole database is rewritten encrypted (SQLCipher, AES-256 with an HMAC on every page) into a \
new file that replaces the old one; close other caseload windows first. Plaintext backups made \
before stay plaintext: destroy them, and have every clinician change their passphrase, since an \
old backup's passphrase hashes open the key slots made from them. decrypt turns it off again.")]
pub struct EncryptArgs {}

/// `encrypt` (on = true) or `decrypt`.
pub fn run(ctx: &mut Context, on: bool) -> Result<()> {
    if on && !ctx.guarded() {
        return Err(Error::invalid(
            "the practice has no passphrases: set them first (`caseload clinician passphrase NAME`), \
             since a clinician's passphrase is what opens an encrypted practice",
        ));
    }
    if on == ctx.store.encrypted() {
        return Err(Error::invalid(if on {
            "the practice is already encrypted"
        } else {
            "the practice is not encrypted"
        }));
    }
    ctx.require(Action::CopyPractice, None)?;
    let placeholder = Store::open_in_memory()?;
    let store = std::mem::replace(&mut ctx.store, placeholder);
    let actor = store.actor().clone();
    let reopened = if on {
        cipher::encrypt(store, ctx.now)
    } else {
        cipher::decrypt(store, ctx.now)
    };
    // On a refusal the practice is as it was, and nothing after this needs the store.
    let mut store = reopened?;
    store.set_actor(actor);
    let head = store.read(|c| audit::head(c))?.unwrap_or_default();
    let path = store
        .path()
        .map(|p| sanitize(&p.display().to_string()))
        .unwrap_or_default();
    ctx.store = store;
    if on {
        outln!("Encrypted the practice at {path}; its key slots are in {path}.keys.");
        outln!(
            "Every clinician with a passphrase opens it with --as NAME and their own passphrase."
        );
    } else {
        outln!("Decrypted the practice at {path}: it is a plaintext SQLite file again.");
    }
    outln!(
        "The audit chain head is now {}:{} — keep it somewhere else for `audit verify --expect`.",
        head.0,
        head.1
    );
    Ok(())
}
