//! Moving SQLite's WAL checkpoints off the write path. By default the connection that commits
//! the write crossing 1000 WAL pages copies those pages into the database file and syncs it,
//! inside that write: at 100,000 clients a write dirties ~50 pages of the kept tables, so
//! every twentieth write took 15–20 ms instead of 2. Here the writer's connection only notes
//! how long the WAL is (`sqlite3_wal_hook`, which also turns the automatic checkpoint off),
//! and a short-lived thread with its own connection runs a PASSIVE checkpoint — one that
//! never blocks a writer or a reader. This module decides when and where a checkpoint runs;
//! it must not touch the store's own connection or any table.

use super::cipher;
use crate::domain::keyslot::PracticeKey;
use rusqlite::{Connection, OpenFlags};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

/// SQLite's own default threshold (`wal_autocheckpoint`), in pages.
pub(super) const WAL_PAGES_BEFORE_CHECKPOINT: i32 = 1000;

thread_local! {
    /// The WAL's length in pages after the last commit on this thread. The hook is a plain
    /// function (no state of its own) and runs inside `COMMIT` on the committing thread, so
    /// a thread-local hands its figure to the `Store::write` that called that commit.
    static WAL_PAGES: Cell<i32> = const { Cell::new(0) };
}

/// Installs the hook on a file database's connection: commits no longer checkpoint.
pub(super) fn take_over(conn: &Connection) {
    conn.wal_hook(Some(note_wal_length));
}

fn note_wal_length(_wal: &rusqlite::hooks::Wal, pages: std::ffi::c_int) -> rusqlite::Result<()> {
    WAL_PAGES.with(|p| p.set(pages));
    Ok(())
}

/// The WAL length the last commit on this thread left (0 when none was noted since).
pub(super) fn take_wal_pages() -> i32 {
    WAL_PAGES.with(|p| p.replace(0))
}

/// The checkpoint thread of one store: at most one runs at a time.
#[derive(Default)]
pub(super) struct Checkpointer {
    running: Option<JoinHandle<()>>,
    /// How many checkpoints this store has started (tests read it).
    pub(super) started: usize,
    /// The threshold, changed by tests.
    pub(super) threshold: Option<i32>,
    /// The WAL length the last commit left, in pages (tests read it).
    pub(super) last_wal_pages: i32,
}

impl Checkpointer {
    /// After a commit that left `pages` in the WAL: starts a checkpoint of the file at `path`
    /// when the WAL is long enough and none is running. A failure to start one only leaves
    /// the WAL longer until the next try (or until the last connection closes, which
    /// checkpoints); the write has already succeeded.
    pub(super) fn after_commit(&mut self, pages: i32, path: &Path, key: Option<&PracticeKey>) {
        self.last_wal_pages = pages;
        if pages < self.threshold.unwrap_or(WAL_PAGES_BEFORE_CHECKPOINT) {
            return;
        }
        if self.running.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        self.settle();
        let path: PathBuf = path.to_path_buf();
        let key = key.cloned();
        let spawned = std::thread::Builder::new()
            .name("caseload-checkpoint".into())
            .spawn(move || checkpoint(&path, key.as_ref()));
        if let Ok(handle) = spawned {
            self.running = Some(handle);
            self.started += 1;
        }
    }

    /// Waits for a running checkpoint: before the store's file is rewritten or closed.
    pub(super) fn settle(&mut self) {
        if let Some(handle) = self.running.take() {
            // A panic in the thread would only mean no checkpoint: nothing to report.
            let _ = handle.join();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.settle();
    }
}

/// One PASSIVE checkpoint through a connection of its own, closed afterwards, so nothing is
/// left holding the file (an `encrypt` needs it alone). Errors are dropped: a checkpoint that
/// does not happen now happens at a later one.
fn checkpoint(path: &Path, key: Option<&PracticeKey>) {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let Ok(conn) = Connection::open_with_flags(path, flags) else {
        return;
    };
    if cipher::apply_key(&conn, key, "").is_err() {
        return;
    }
    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    /// About 1300 pages of WAL in one write.
    fn big_write(store: &mut Store) {
        store
            .write(|tx| {
                tx.execute_batch(
                    "CREATE TABLE IF NOT EXISTS filler (b BLOB);
                     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
                     INSERT INTO filler SELECT randomblob(3000) FROM n;",
                )?;
                Ok(())
            })
            .unwrap();
    }

    fn small_write(store: &mut Store) {
        store
            .write(|tx| {
                tx.execute("INSERT INTO filler VALUES (x'00')", [])?;
                Ok(())
            })
            .unwrap();
    }

    /// The committing connection leaves the WAL as long as it is: the next write appends to
    /// it rather than starting it again, which it would after SQLite's own checkpoint.
    #[test]
    fn a_commit_does_not_checkpoint_on_the_writers_thread() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("p.db")).unwrap();
        store.checkpointer.threshold = Some(i32::MAX);
        big_write(&mut store);
        let after_big = store.checkpointer.last_wal_pages;
        assert!(after_big > 1000, "{after_big} pages");
        small_write(&mut store);
        assert!(store.checkpointer.last_wal_pages > after_big);
        assert_eq!(store.checkpointer.started, 0);
    }

    /// Past the threshold a checkpoint runs on its own thread and copies the whole WAL back,
    /// so the write after it starts the WAL again from its first page.
    #[test]
    fn past_the_threshold_a_checkpoint_runs_beside_the_writes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("p.db")).unwrap();
        big_write(&mut store);
        assert_eq!(store.checkpointer.started, 1);
        store.checkpointer.settle();
        small_write(&mut store);
        let pages = store.checkpointer.last_wal_pages;
        assert!(pages < 100, "the WAL started again: {pages} pages");
        assert_eq!(store.checkpointer.started, 1, "below the threshold again");
    }

    /// An encrypted practice's checkpoint opens the file with the practice key: without it
    /// the checkpoint could not read the file and the WAL would only grow.
    #[test]
    fn an_encrypted_practice_is_checkpointed_with_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let key = crate::store::keyfile::fresh_key().unwrap();
        let path = dir.path().join("p.db");
        let mut store = Store::open_keyed(&path, Some(key), &mut |_, _| {}).unwrap();
        assert!(store.encrypted());
        // SQLCipher's pages are larger: the filler is fewer of them than 1000.
        store.checkpointer.threshold = Some(100);
        big_write(&mut store);
        assert_eq!(
            store.checkpointer.started, 1,
            "{} pages",
            store.checkpointer.last_wal_pages
        );
        store.checkpointer.settle();
        small_write(&mut store);
        let pages = store.checkpointer.last_wal_pages;
        assert!(pages < 100, "the WAL started again: {pages} pages");
    }

    /// The checkpoint's connection is closed when it ends, so nothing else holds the file:
    /// `encrypt` can still take it alone, and the data is all there on a fresh open.
    #[test]
    fn the_checkpoint_leaves_nothing_holding_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        let mut store = Store::open(&path).unwrap();
        big_write(&mut store);
        store.checkpointer.settle();
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete", "no other connection is open");
        drop(store);
        let reopened = rusqlite::Connection::open(&path).unwrap();
        let rows: i64 = reopened
            .query_row("SELECT count(*) FROM filler", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1200);
    }
}
