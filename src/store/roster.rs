//! Roster imports in the store: the practice as a roster meets it (clients by member id and their
//! attributions to the contract, read with a handful of queries whatever the roster's size), a
//! plan applied inside the caller's one transaction, and the rosters kept for reconciliation.
//! The comparison itself is `domain::roster_plan`'s; nothing here decides who is terminated.

use super::Tx;
use super::audit::timestamp;
use super::bulk::{self, BulkClient};
use super::row::iso;
use crate::domain::roster_plan::{
    Category, Current, Known, MemberChange, RosterMember, RosterPlan, Span, SpanChange,
};
use crate::domain::x12::Kind;
use crate::domain::{ClientId, ClientStatus, ClinicianId, Contract, ContractId, Tier};
use crate::error::Result;
use crate::store::db::{Connection, OptionalExtension, params};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// Reads every client with a member id and every attribution to `contract`.
pub fn current(conn: &Connection, contract: ContractId) -> Result<Current> {
    let mut spans: HashMap<i64, Vec<Span>> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, client_id, start_date, end_date FROM live_attributions
             WHERE contract_id = ?1 ORDER BY client_id, start_date, id",
        )?;
        let rows = stmt.query_map([contract.0], |r| {
            Ok((
                r.get::<_, i64>(1)?,
                Span {
                    id: r.get(0)?,
                    start: r.get(2)?,
                    end: r.get(3)?,
                },
            ))
        })?;
        for row in rows {
            let (client, span) = row?;
            spans.entry(client).or_default().push(span);
        }
    }
    let mut by_member = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT id, external_id, name, dob FROM clients WHERE external_id IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get(3)?,
        ))
    })?;
    for row in rows {
        let (id, member_id, name, dob) = row?;
        by_member.insert(
            member_id,
            Known {
                client_id: ClientId(id),
                name,
                dob,
                spans: spans.remove(&id).unwrap_or_default(),
            },
        );
    }
    // What is left belongs to clients without a member id.
    let mut unmatched: Vec<(ClientId, Vec<Span>)> =
        spans.into_iter().map(|(id, s)| (ClientId(id), s)).collect();
    unmatched.sort_by_key(|(id, _)| *id);
    Ok(Current {
        by_member,
        unmatched,
    })
}

/// A roster import as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterImport {
    pub id: i64,
    pub contract_id: ContractId,
    pub as_of: NaiveDate,
    pub imported_at: String,
    pub file_hash: String,
    pub members: i64,
    /// The 834 the roster was read from; `None` for a CSV roster.
    pub x12: Option<X12Source>,
}

/// Which 834 an import was read from: BGN02, BGN03 and whether it was a full roster or a
/// change file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X12Source {
    pub reference: String,
    pub date: NaiveDate,
    pub kind: Kind,
}

/// The latest import for `contract` describing a day on or before `on`.
pub fn latest_import(
    conn: &Connection,
    contract: ContractId,
    on: NaiveDate,
) -> Result<Option<RosterImport>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, contract_id, as_of, imported_at, file_hash, members,
                    x12_reference, x12_date, x12_kind
             FROM roster_imports
             WHERE contract_id = ?1 AND as_of <= ?2 ORDER BY as_of DESC, id DESC LIMIT 1",
        )?
        .query_row(params![contract, on], |r| {
            let x12 = match (r.get::<_, Option<String>>(6)?, r.get(7)?) {
                (Some(reference), Some(date)) => Some(X12Source {
                    reference,
                    date,
                    kind: match r.get::<_, Option<String>>(8)?.as_deref() {
                        Some("change") => Kind::Change,
                        _ => Kind::Full,
                    },
                }),
                _ => None,
            };
            Ok(RosterImport {
                id: r.get(0)?,
                contract_id: r.get(1)?,
                as_of: r.get(2)?,
                imported_at: r.get(3)?,
                file_hash: r.get(4)?,
                members: r.get(5)?,
                x12,
            })
        })
        .optional()?)
}

/// Notes on a recorded import the 834 it was read from.
pub fn note_x12(tx: &Tx, import_id: i64, source: &X12Source) -> Result<()> {
    tx.prepare_cached(
        "UPDATE roster_imports SET x12_reference = ?1, x12_date = ?2, x12_kind = ?3 WHERE id = ?4",
    )?
    .execute(params![
        source.reference,
        source.date,
        source.kind.as_str(),
        import_id
    ])?;
    Ok(())
}

/// True when a file with this digest was already recorded for the contract as of this date.
pub fn hash_recorded(
    conn: &Connection,
    contract: ContractId,
    as_of: NaiveDate,
    file_hash: &str,
) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM roster_imports WHERE contract_id = ?1 AND as_of = ?2 AND file_hash = ?3",
        )?
        .query_row(params![contract, as_of, file_hash], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The members a recorded roster listed, by member id.
pub fn members_of(conn: &Connection, import_id: i64) -> Result<Vec<RosterMember>> {
    let mut stmt = conn.prepare_cached(
        "SELECT member_id, start_date, end_date FROM roster_members WHERE import_id = ?1
         ORDER BY member_id",
    )?;
    let rows = stmt.query_map([import_id], |r| {
        Ok(RosterMember {
            member_id: r.get(0)?,
            start: r.get(1)?,
            end: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// True when the last roster recorded for the contract has the same date and the same members
/// with the same dates: importing it again is not a new event worth a record.
pub fn already_recorded(
    conn: &Connection,
    contract: ContractId,
    as_of: NaiveDate,
    members: &[RosterMember],
) -> Result<bool> {
    let last: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT id, as_of FROM roster_imports WHERE contract_id = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([contract.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((id, last_as_of)) = last else {
        return Ok(false);
    };
    if last_as_of != iso(as_of) {
        return Ok(false);
    }
    let mut recorded = members_of(conn, id)?;
    let mut given = members.to_vec();
    recorded.sort_by(|a, b| a.member_id.cmp(&b.member_id));
    given.sort_by(|a, b| a.member_id.cmp(&b.member_id));
    Ok(recorded == given)
}

fn until(end: Option<NaiveDate>) -> String {
    end.map_or("open".to_string(), |e| e.to_string())
}

/// Applies one member's change: creates the client if new, renames, sets the date of birth,
/// and inserts, moves or withdraws attributions. One audit row per change, naming no one; a new
/// client and their attribution share one row (a first roster of 100,000 members writes
/// 100,000 rows, not 200,000).
fn apply_change(
    tx: &Tx,
    contract: &Contract,
    change: &MemberChange,
    as_of: NaiveDate,
    default_clinician: Option<ClinicianId>,
) -> Result<ClientId> {
    let why = change.category.as_str();
    let client = match change.client_id {
        Some(id) => id,
        None => {
            let since = change
                .attribution()
                .map(|(start, _)| start)
                .unwrap_or(as_of);
            let id = bulk::client(
                tx,
                &BulkClient {
                    external_id: Some(&change.member_id),
                    name: &change.name,
                    dob: change.dob,
                    tier: Tier::Moderate,
                    status: ClientStatus::Active,
                    since,
                    discharged_on: None,
                    diagnosis: None,
                    clinician_id: default_clinician,
                },
            )?;
            // One row for a new member: the client and their attribution together.
            let attributed = change
                .attribution()
                .map(|(start, end)| {
                    format!("; contract {} from {start} to {}", contract.id, until(end))
                })
                .unwrap_or_default();
            tx.audit(
                "client.add",
                Some(id),
                &format!("tier moderate (roster import: new){attributed}"),
            )?;
            id
        }
    };
    if change.client_id.is_some() {
        if let Some(name) = &change.rename {
            tx.prepare_cached("UPDATE clients SET name = ?1 WHERE id = ?2")?
                .execute(params![name, client])?;
            tx.audit("client.rename", Some(client), "name from roster import")?;
        }
        if let Some(dob) = change.dob {
            tx.prepare_cached("UPDATE clients SET dob = ?1 WHERE id = ?2")?
                .execute(params![dob, client])?;
            tx.audit(
                "client.dob",
                Some(client),
                "date of birth from roster import",
            )?;
        }
    }
    let k = contract.id;
    for span in &change.spans {
        match *span {
            SpanChange::Insert { start, end } => {
                bulk::attribution(tx, client, k, start, end)?;
                if change.client_id.is_none() {
                    continue;
                }
                tx.audit(
                    "attribution.add",
                    Some(client),
                    &format!(
                        "contract {k} from {start} to {} (roster: {why})",
                        until(end)
                    ),
                )?;
            }
            SpanChange::Update {
                id,
                old_start,
                old_end,
                start,
                end,
            } => {
                tx.prepare_cached(
                    "UPDATE attributions SET start_date = ?1, end_date = ?2
                     WHERE id = ?3 AND client_id = ?4 AND contract_id = ?5",
                )?
                .execute(params![start, end.map(iso), id, client, k.0])?;
                let retro = if change.retroactive {
                    ", retroactive"
                } else {
                    ""
                };
                tx.audit(
                    if change.category == Category::Terminated {
                        "attribution.end"
                    } else {
                        "attribution.change"
                    },
                    Some(client),
                    &format!(
                        "contract {k}: {old_start} to {} -> {start} to {} (roster: {why}{retro})",
                        until(old_end),
                        until(end)
                    ),
                )?;
            }
            SpanChange::Withdraw { id, start, end } => {
                tx.prepare_cached(
                    "DELETE FROM attributions WHERE id = ?1 AND client_id = ?2 AND contract_id = ?3",
                )?
                .execute(params![id, client, k.0])?;
                tx.audit(
                    "attribution.withdraw",
                    Some(client),
                    &format!(
                        "contract {k}: {start} to {} had not begun and left the roster",
                        until(end)
                    ),
                )?;
            }
        }
    }
    Ok(client)
}

/// Applies a plan and records the roster, inside the caller's transaction. New clients get the
/// practice's only clinician as primary clinician when there is exactly one (as `client add`
/// does), otherwise none. `progress(done, total)` is called as members are written.
pub fn apply(
    tx: &Tx,
    contract: &Contract,
    plan: &RosterPlan,
    file_hash: &str,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<i64> {
    let only: Vec<ClinicianId> = tx
        .prepare_cached("SELECT id FROM clinicians ORDER BY id LIMIT 2")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let default_clinician = match only.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    let total = plan.changes.len() + plan.members.len();
    let step = (total / 100).max(1);
    let mut done = 0;
    for change in &plan.changes {
        apply_change(tx, contract, change, plan.as_of, default_clinician)?;
        done += 1;
        if done % step == 0 {
            progress(done, total);
        }
    }
    tx.prepare_cached(
        "INSERT INTO roster_imports (contract_id, as_of, imported_at, file_hash, members)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        contract.id,
        plan.as_of,
        timestamp(now),
        file_hash,
        plan.members.len() as i64
    ])?;
    let import = tx.last_insert_rowid()?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO roster_members (import_id, member_id, start_date, end_date)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for m in &plan.members {
            insert.execute(params![
                import,
                m.member_id,
                m.start.map(iso),
                m.end.map(iso)
            ])?;
            done += 1;
            if done % step == 0 {
                progress(done, total);
            }
        }
    }
    progress(total, total);
    tx.audit(
        "roster.import",
        None,
        &format!(
            "contract {} as of {}: {} new, {} continuing, {} terminated ({} retroactive), {} reinstated, {} changed; import {import}, file {}",
            contract.id,
            plan.as_of,
            plan.count(Category::New),
            plan.count(Category::Continuing),
            plan.count(Category::Terminated),
            plan.retroactive(),
            plan.count(Category::Reinstated),
            plan.count(Category::Changed),
            &file_hash[..file_hash.len().min(16)]
        ),
    )?;
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::roster::parse;
    use crate::domain::roster_plan::plan;
    use crate::domain::{ContractModel, Money, Percent, Proration, parse_date};
    use crate::store::{Store, attributions, clients, contracts};

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn import(store: &mut Store, contract: &Contract, text: &str, as_of: &str) -> RosterPlan {
        let roster = parse(text.as_bytes(), &[], d("2026-12-31")).unwrap();
        assert!(roster.problems.is_empty(), "{:?}", roster.problems);
        store
            .write(|tx| {
                let cur = current(tx, contract.id)?;
                let (p, problems) = plan(&roster.rows, &cur, contract, d(as_of));
                assert!(problems.is_empty(), "{problems:?}");
                if !(p.is_noop() && already_recorded(tx, contract.id, p.as_of, &p.members)?) {
                    apply(tx, contract, &p, "hash", Utc::now(), &mut |_, _| {})?;
                }
                Ok(p)
            })
            .unwrap()
    }

    #[test]
    fn a_roster_sequence_round_trips_through_the_store() {
        let mut store = Store::open_in_memory().unwrap();
        let contract = store
            .write(|tx| {
                let id = contracts::insert(
                    tx,
                    &contracts::NewContract {
                        name: "Harbor".into(),
                        model: ContractModel::Capitation,
                        rate: Money(4500),
                        withhold: Percent(0),
                        proration: Proration::FirstOfMonth,
                        payer: None,
                    },
                )?;
                let c = contracts::by_name(tx, "Harbor")?;
                assert_eq!(c.id, id);
                Ok(c)
            })
            .unwrap();
        let jan = "member id,name,effective\nA,Ann Lee,2026-01-01\nB,Bo Diaz,2026-01-01\n";
        let p = import(&mut store, &contract, jan, "2026-01-01");
        assert_eq!(p.count(Category::New), 2);
        assert_eq!(clients::count(store.conn()).unwrap(), 2);
        let again = import(&mut store, &contract, jan, "2026-01-01");
        assert!(again.is_noop());
        let imports: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM roster_imports", [], |r| r.get(0))
            .unwrap();
        assert_eq!(imports, 1, "the same roster twice is recorded once");
        // February: Bo is gone, Ann is renamed.
        let feb = "member id,name,effective\nA,Ann Lee-Park,2026-01-01\n";
        let p = import(&mut store, &contract, feb, "2026-02-01");
        assert_eq!(p.count(Category::Terminated), 1);
        let bo = clients::resolve(store.conn(), "B").unwrap();
        let spans = attributions::for_client(store.conn(), bo.id).unwrap();
        assert_eq!(spans[0].end, Some(d("2026-01-31")));
        let ann = clients::resolve(store.conn(), "A").unwrap();
        assert_eq!(ann.name, "Ann Lee-Park");
        let last = latest_import(store.conn(), contract.id, d("2026-02-15"))
            .unwrap()
            .unwrap();
        assert_eq!(last.members, 1);
        assert_eq!(members_of(store.conn(), last.id).unwrap()[0].member_id, "A");
        let first = latest_import(store.conn(), contract.id, d("2026-01-31"))
            .unwrap()
            .unwrap();
        assert_eq!(first.members, 2);
    }

    #[test]
    fn an_import_notes_its_834_and_a_recorded_file_is_known_by_its_hash() {
        let mut store = Store::open_in_memory().unwrap();
        let contract = store
            .write(|tx| {
                contracts::insert(
                    tx,
                    &contracts::NewContract {
                        name: "Harbor".into(),
                        model: ContractModel::Capitation,
                        rate: Money(4500),
                        withhold: Percent(0),
                        proration: Proration::FirstOfMonth,
                        payer: None,
                    },
                )?;
                contracts::by_name(tx, "Harbor")
            })
            .unwrap();
        import(
            &mut store,
            &contract,
            "member id,name\nA,Ann Lee\n",
            "2026-03-01",
        );
        let csv = latest_import(store.conn(), contract.id, d("2026-03-31"))
            .unwrap()
            .unwrap();
        assert_eq!(csv.x12, None, "a CSV roster notes no 834");
        let source = X12Source {
            reference: "CHG-7".into(),
            date: d("2026-02-27"),
            kind: Kind::Change,
        };
        store.write(|tx| note_x12(tx, csv.id, &source)).unwrap();
        let noted = latest_import(store.conn(), contract.id, d("2026-03-31"))
            .unwrap()
            .unwrap();
        assert_eq!(noted.x12, Some(source));
        let known = |as_of: &str, hash: &str| {
            hash_recorded(store.conn(), contract.id, d(as_of), hash).unwrap()
        };
        assert!(known("2026-03-01", "hash"));
        assert!(
            !known("2026-03-02", "hash"),
            "another date is another roster"
        );
        assert!(!known("2026-03-01", "other"));
    }
}
