//! Two readers of one state: a read that splits into two independent halves runs them on the
//! machine's two cores, the second half on a thread of its own through a second, read-only
//! connection to the same file. The halves must see the same committed state, so the second
//! connection's snapshot is only used when no commit happened between just before the first
//! snapshot began and just after the second began (its `data_version` is unchanged across
//! that interval); otherwise, and for a database in memory, a small file or a read inside a
//! write, both halves run one after the other on the store's own connection. This module
//! decides where a half runs; it must not write, and it knows nothing of what the halves
//! compute.

use super::db::Connection;
use super::{Snapshot, Store, cipher, data_version, file_id};
use crate::error::{Error, Result};

/// Below this size a practice file is read on one connection: opening a second one and
/// starting a thread (about 2 ms) costs more than reading side by side saves (a 250-client
/// practice is 2.6 MB, its check-in 12 ms; 100,000 clients are 880 MB).
const SIDE_BY_SIDE_FROM_BYTES: u64 = 16 << 20;

/// The second reader's connection, opened on first use and kept for the store's life.
pub(super) struct SecondReader {
    conn: std::cell::RefCell<Option<Connection>>,
    /// The file size from which reads go side by side (tests lower it).
    pub(super) from_bytes: std::cell::Cell<u64>,
    /// How many reads ran their halves side by side (tests read it).
    pub(super) side_by_side: std::cell::Cell<usize>,
    /// Run between the first snapshot and the second (tests commit something there).
    #[cfg(test)]
    pub(super) between: std::cell::RefCell<Option<Box<dyn FnMut() + Send>>>,
}

impl Default for SecondReader {
    fn default() -> SecondReader {
        SecondReader {
            conn: Default::default(),
            from_bytes: std::cell::Cell::new(SIDE_BY_SIDE_FROM_BYTES),
            side_by_side: Default::default(),
            #[cfg(test)]
            between: Default::default(),
        }
    }
}

impl SecondReader {
    /// Closes the second connection: before the store's file is rewritten or replaced.
    pub(super) fn close(&self) {
        self.conn.borrow_mut().take();
    }
}

impl Store {
    /// `first` and `second` on one state of the practice: side by side when the store is a
    /// file (see the module), else one after the other. Each half reads only; `second` must
    /// not need anything `first` computes.
    pub fn read_pair<A, B>(
        &self,
        first: impl FnOnce(&Snapshot) -> Result<A>,
        second: impl FnOnce(&Snapshot) -> Result<B> + Send,
    ) -> Result<(A, B)>
    where
        B: Send,
    {
        let mut slot = self.second.conn.borrow_mut();
        let helper = if self.conn.is_autocommit() {
            self.second_connection(&mut slot)
        } else {
            None
        };
        let Some(helper) = helper else {
            return self.read(|snap| Ok((first(snap)?, second(snap)?)));
        };
        // A panic in an earlier `first` left the second snapshot open: release it.
        if !helper.is_autocommit() {
            helper.execute_batch("ROLLBACK")?;
        }
        // Read outside a transaction, so it counts every commit up to now.
        let before = data_version(helper)?;
        self.read(|snap| {
            #[cfg(test)]
            if let Some(between) = self.second.between.borrow_mut().as_mut() {
                between();
            }
            helper.execute_batch("BEGIN")?;
            // Inside the transaction this takes the second snapshot, and counts the commits
            // made before it began.
            if data_version(helper)? != before {
                helper.execute_batch("ROLLBACK")?;
                return Ok((first(snap)?, second(snap)?));
            }
            self.second
                .side_by_side
                .set(self.second.side_by_side.get() + 1);
            // The thread is its caller's helper: it carries the caller's name, so a panic hook
            // that leaves one thread's panics alone (the TUI's loader) leaves these alone too,
            // and a panic in it is resumed on the caller's thread, as if `second` ran there.
            let name = std::thread::current()
                .name()
                .unwrap_or("caseload-reader")
                .to_string();
            let (a, b) = std::thread::scope(|scope| {
                let conn: &mut Connection = &mut *helper;
                let handle = std::thread::Builder::new()
                    .name(name)
                    .spawn_scoped(scope, move || second(&Snapshot { conn }));
                match handle {
                    Ok(handle) => (first(snap), handle.join()),
                    Err(e) => (first(snap), Ok(Err(Error::Io(e)))),
                }
            });
            helper.execute_batch("ROLLBACK")?;
            let b = b.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            Ok((a?, b?))
        })
    }

    /// The second connection, opened now if need be; `None` when there is no file, or the
    /// path no longer names the file this store opened, or it cannot be opened (the halves
    /// then run one after the other).
    fn second_connection<'s>(
        &self,
        slot: &'s mut Option<Connection>,
    ) -> Option<&'s mut Connection> {
        if slot.is_none() {
            let path = self.path.as_deref()?;
            let size = std::fs::metadata(path).map_or(0, |m| m.len());
            if size < self.second.from_bytes.get() {
                return None;
            }
            // The file at the path before and after opening is the one this store has open.
            let same_file = || self.file_id.is_some() && file_id(path) == self.file_id;
            if !same_file() {
                return None;
            }
            let conn = cipher::open_read_only(path, self.key.as_ref()).ok()?;
            super::reader_settings(&conn).ok()?;
            if !same_file() {
                return None;
            }
            *slot = Some(conn.into());
        }
        slot.as_mut()
    }
}

/// For tests elsewhere in the crate: where reads go side by side, and how many did.
#[cfg(test)]
impl Store {
    /// Reads go side by side from this file size on (0: on any file).
    pub(crate) fn pair_from_bytes(&self, bytes: u64) {
        self.second.from_bytes.set(bytes);
    }

    /// How many reads ran their halves side by side.
    pub(crate) fn pairs_side_by_side(&self) -> usize {
        self.second.side_by_side.get()
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{Snapshot, Store};
    use std::path::Path;

    fn rows(snap: &Snapshot) -> crate::error::Result<i64> {
        Ok(snap.query_row("SELECT count(*) FROM filler", [], |r| r.get(0))?)
    }

    /// A store on a new file with an empty table to count.
    fn practice(path: &Path, key: Option<crate::domain::keyslot::PracticeKey>) -> Store {
        let mut store = Store::open_keyed(path, key, &mut |_, _| {}).unwrap();
        store.second.from_bytes.set(0);
        store
            .write(|tx| Ok(tx.execute_batch("CREATE TABLE filler (b INTEGER)")?))
            .unwrap();
        store
    }

    /// A commit through another connection.
    fn add_row(other: &mut Store) {
        other
            .write(|tx| Ok(tx.execute_batch("INSERT INTO filler VALUES (1)")?))
            .unwrap();
    }

    /// On a file, both halves see the same state and run side by side; a later commit is seen
    /// by both (the kept second connection does not go stale).
    #[test]
    fn on_a_file_the_halves_run_side_by_side_on_one_state() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        let store = practice(&path, None);
        let mut other = Store::open(&path).unwrap();
        add_row(&mut other);
        assert_eq!(store.read_pair(rows, rows).unwrap(), (1, 1));
        assert_eq!(store.second.side_by_side.get(), 1);
        add_row(&mut other);
        assert_eq!(store.read_pair(rows, rows).unwrap(), (2, 2));
        assert_eq!(store.second.side_by_side.get(), 2);
    }

    /// A commit between the two snapshots keeps both halves on the store's connection, so
    /// both read the first snapshot's state; the next read goes side by side again.
    #[test]
    fn a_commit_between_the_snapshots_keeps_both_halves_on_one_connection() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        let store = practice(&path, None);
        let mut other = Store::open(&path).unwrap();
        *store.second.between.borrow_mut() = Some(Box::new(move || add_row(&mut other)));
        assert_eq!(store.read_pair(rows, rows).unwrap(), (0, 0));
        assert_eq!(store.second.side_by_side.get(), 0);
        store.second.between.borrow_mut().take();
        assert_eq!(store.read_pair(rows, rows).unwrap(), (1, 1));
        assert_eq!(store.second.side_by_side.get(), 1);
    }

    /// A panic in either half reaches the caller as a panic (the TUI's loader turns it into a
    /// line), and the next read is answered as before.
    #[test]
    fn a_panic_in_either_half_reaches_the_caller_and_the_next_read_works() {
        let dir = tempfile::tempdir().unwrap();
        let store = practice(&dir.path().join("p.db"), None);
        let panics = |r: std::thread::Result<_>| r.is_err();
        let second = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store.read_pair(rows, |_| -> crate::error::Result<i64> { panic!("second") })
        }));
        assert!(panics(second));
        let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store.read_pair(|_| -> crate::error::Result<i64> { panic!("first") }, rows)
        }));
        assert!(panics(first));
        assert_eq!(store.read_pair(rows, rows).unwrap(), (0, 0));
        assert_eq!(store.second.side_by_side.get(), 3);
    }

    /// A small practice file is read on one connection.
    #[test]
    fn a_small_practice_is_read_on_one_connection() {
        let dir = tempfile::tempdir().unwrap();
        let store = practice(&dir.path().join("p.db"), None);
        store.second.from_bytes.set(super::SIDE_BY_SIDE_FROM_BYTES);
        assert_eq!(store.read_pair(rows, rows).unwrap(), (0, 0));
        assert_eq!(store.second.side_by_side.get(), 0);
        store.second.from_bytes.set(0);
        assert_eq!(store.read_pair(rows, rows).unwrap(), (0, 0));
        assert_eq!(store.second.side_by_side.get(), 1);
    }

    /// In memory there is no second connection: the halves run one after the other.
    #[test]
    fn in_memory_the_halves_run_one_after_the_other() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(|tx| Ok(tx.execute_batch("CREATE TABLE filler (b INTEGER)")?))
            .unwrap();
        assert_eq!(store.read_pair(rows, rows).unwrap(), (0, 0));
        assert_eq!(store.second.side_by_side.get(), 0);
    }

    /// An encrypted practice's second reader opens the file with the practice key, and is
    /// closed before the file is rewritten (`decrypt` takes it alone).
    #[test]
    fn an_encrypted_practice_is_read_side_by_side_and_can_still_be_decrypted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        let key = crate::store::keyfile::fresh_key().unwrap();
        let mut store = practice(&path, Some(key));
        add_row(&mut store);
        assert_eq!(store.read_pair(rows, rows).unwrap(), (1, 1));
        assert_eq!(store.second.side_by_side.get(), 1);
        let store = crate::store::cipher::decrypt(store, chrono::Utc::now()).unwrap();
        assert!(!store.encrypted());
        assert_eq!(store.read_pair(rows, rows).unwrap(), (1, 1));
    }
}
