//! The change counter the TUI polls to stay live, on PostgreSQL (issue 20): a store that
//! watches for changes sees every other machine's committed write, and nothing else — not a
//! write that rolled back, not its own writes — and a read sees the count as of its snapshot.
//! Runs when `CASELOAD_TEST_POSTGRES` names a server.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod support_pg;

use caseload::domain::{Money, Role};
use caseload::error::Error;
use caseload::store::pg::Server;
use caseload::store::{Store, clinicians};
use support_pg::FreshDb;

fn open(url: &str) -> Store {
    Store::open_server(&Server::parse(url).unwrap()).unwrap()
}

fn add_clinician(store: &mut Store, name: &str) {
    store
        .write(|tx| clinicians::insert(tx, name, Role::Clinician, Money(0)))
        .unwrap();
}

#[test]
fn a_watching_store_counts_other_machines_commits_and_only_those() {
    let Some(admin) = support_pg::server() else {
        return;
    };
    let db = FreshDb::new(&admin);
    let url = db.url();
    let mut watching = open(&url);
    let mut other = open(&url);
    watching.watch_changes().unwrap();
    let start = watching.data_version().unwrap();
    assert_eq!(watching.data_version().unwrap(), start, "nothing happened");

    add_clinician(&mut other, "Dana Reyes");
    let after_one = watching.data_version().unwrap();
    assert_ne!(after_one, start, "another machine's commit is seen at once");
    assert_eq!(
        watching.data_version().unwrap(),
        after_one,
        "and counted once"
    );

    let refused: caseload::error::Result<()> = other.write(|tx| {
        clinicians::insert(tx, "Never Kept", Role::Clinician, Money(0))?;
        Err(Error::Denied("refused".into()))
    });
    assert!(refused.is_err());
    assert_eq!(
        watching.data_version().unwrap(),
        after_one,
        "a write that rolled back changed nothing"
    );

    add_clinician(&mut watching, "Own Write");
    assert_eq!(
        watching.data_version().unwrap(),
        after_one,
        "the store's own write is not another machine's change"
    );

    // A read's count is its snapshot's: a commit landing during it is the next poll's.
    let in_read = watching
        .read(|snap| {
            let before = snap.data_version()?;
            add_clinician(&mut other, "During The Read");
            assert_eq!(snap.data_version()?, before);
            Ok(before)
        })
        .unwrap();
    assert_eq!(in_read, after_one);
    assert_ne!(watching.data_version().unwrap(), after_one);
}
