//! Encryption at rest's cost: opening a practice and running its first query, and loading the
//! panel of a demo practice, each plaintext and encrypted (SQLCipher, raw key, so no KDF per
//! open). Run with `cargo bench --bench crypt -- [CLIENTS]` (default 2000; try 100000). The
//! issue asks the encrypted panel to stay within 1.2× of the plaintext one.

use caseload::domain::keyslot::PracticeKey;
use caseload::store::Store;
use caseload::store::panel::{self, PanelQuery};
use std::path::Path;
use std::time::{Duration, Instant};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Open (pragmas, key, version check, migrations) and count the clients.
fn open_and_query(path: &Path, key: Option<&PracticeKey>) -> Duration {
    let started = Instant::now();
    let store = Store::open_keyed(path, key.cloned(), &mut |_, _| {}).expect("open");
    let n: i64 = store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM clients", [], |r| r.get(0))?))
        .expect("query");
    assert!(n > 0);
    started.elapsed()
}

fn panel_load(path: &Path, key: Option<&PracticeKey>, today: chrono::NaiveDate) -> Duration {
    let store = Store::open_keyed(path, key.cloned(), &mut |_, _| {}).expect("open");
    let started = Instant::now();
    let rows = store
        .read(|c| panel::load(c, &PanelQuery::default(), today))
        .expect("panel");
    assert!(!rows.is_empty());
    started.elapsed()
}

/// Exports `from` into a new file `to` keyed with `key` ('' for plaintext), once.
fn export(from: &Path, to: &Path, key: &str) {
    if to.exists() {
        return;
    }
    let conn = rusqlite::Connection::open(from).expect("open");
    conn.execute(
        "ATTACH DATABASE ?1 AS enc KEY ?2",
        rusqlite::params![to.to_string_lossy(), key],
    )
    .expect("attach");
    if !key.is_empty() {
        conn.execute_batch(&format!(
            "PRAGMA enc.cipher_page_size = {};",
            caseload::store::cipher::CIPHER_PAGE_SIZE
        ))
        .expect("page size");
    }
    conn.query_row("SELECT sqlcipher_export('enc')", [], |_| Ok(()))
        .expect("export");
    let version: i64 = conn
        .query_row("PRAGMA main.user_version", [], |r| r.get(0))
        .expect("version");
    let app: i64 = conn
        .query_row("PRAGMA main.application_id", [], |r| r.get(0))
        .expect("id");
    conn.execute_batch(&format!(
        "PRAGMA enc.user_version = {version}; PRAGMA enc.application_id = {app}; DETACH enc;"
    ))
    .expect("detach");
}

fn main() {
    let clients: u32 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2000);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date");
    let dir = std::env::temp_dir().join(format!("caseload-bench-crypt-{clients}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let demo = dir.join("demo.db");
    let plain = dir.join("plain.db");
    let encrypted = dir.join("encrypted.db");
    let key = PracticeKey([0x5a; 32]);
    if !demo.exists() {
        let mut store = Store::open(&demo).expect("open");
        caseload::demo::generate(&mut store, clients, 7, today, &mut |_, _| {}).expect("demo");
    }
    // Both sides are exported from the demo the same way (as `caseload encrypt` and `decrypt`
    // do), so they have the same compact page layout and only the cipher differs.
    export(&demo, &plain, "");
    export(&demo, &encrypted, &key.pragma_value());
    let rounds = 20;

    let open_plain = median((0..rounds).map(|_| open_and_query(&plain, None)).collect());
    let open_enc = median(
        (0..rounds)
            .map(|_| open_and_query(&encrypted, Some(&key)))
            .collect(),
    );
    println!(
        "{clients} clients: open + first query: plaintext {open_plain:.2?}, encrypted {open_enc:.2?} ({:.2}×)",
        open_enc.as_secs_f64() / open_plain.as_secs_f64()
    );
    let rounds = 5;
    let panel_plain = median(
        (0..rounds)
            .map(|_| panel_load(&plain, None, today))
            .collect(),
    );
    let panel_enc = median(
        (0..rounds)
            .map(|_| panel_load(&encrypted, Some(&key), today))
            .collect(),
    );
    println!(
        "{clients} clients: panel load: plaintext {panel_plain:.2?}, encrypted {panel_enc:.2?} ({:.2}×)",
        panel_enc.as_secs_f64() / panel_plain.as_secs_f64()
    );
}
