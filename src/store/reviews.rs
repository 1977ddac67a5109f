//! Reviews of flags (SPEC section 11): recorded with the clinician, the note and, for a
//! sign-off, the PHQ-9 it was made for; read back per client for the panel, which silences the
//! flags they cover (`domain::flags::reviews`).

use super::Tx;
use super::panel;
use super::row::iso;
use crate::domain::ClientId;
use crate::domain::flags::FlagKind;
use crate::domain::flags::reviews::{self, Review, Reviewed};
use crate::domain::text::sanitize;
use crate::error::{Error, Result};
use crate::store::db::{Connection, OptionalExtension, params};
use chrono::NaiveDate;
use std::collections::HashMap;

fn kind_of(text: &str) -> rusqlite::Result<FlagKind> {
    FlagKind::ALL
        .into_iter()
        .find(|k| k.as_str() == text)
        .ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                1,
                rusqlite::types::Type::Text,
                format!("unknown flag kind {text}").into(),
            )
        })
}

/// Every review dated on or before `today` (of every client, or only `client`), by client,
/// oldest first.
pub fn by_client(
    conn: &Connection,
    today: NaiveDate,
    client: Option<ClientId>,
) -> Result<HashMap<ClientId, Vec<Review>>> {
    match client {
        Some(c) => for_clients(conn, today, Some(&[c])),
        None => for_clients(conn, today, None),
    }
}

/// [`by_client`] for the clients `ids` (every client with `None`): the rows a page shows.
pub fn for_clients(
    conn: &Connection,
    today: NaiveDate,
    ids: Option<&[ClientId]>,
) -> Result<HashMap<ClientId, Vec<Review>>> {
    let listed = ids.map(super::row::id_list).transpose()?;
    let only = if listed.is_some() {
        "AND client_id IN (SELECT value FROM json_each(:ids))"
    } else {
        ""
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT client_id, flag, date, until, measurement_id, clinician, note FROM reviews
         WHERE date <= :today {only} ORDER BY client_id, date, id"
    ))?;
    let mut params: Vec<(&str, &dyn rusqlite::ToSql)> = vec![(":today", &today)];
    if let Some(list) = &listed {
        params.push((":ids", list));
    }
    let rows = stmt.query_map(params.as_slice(), |r| {
        Ok((
            r.get(0)?,
            Review {
                kind: kind_of(&r.get::<_, String>(1)?)?,
                date: r.get(2)?,
                until: r.get(3)?,
                measurement_id: r.get(4)?,
                by: r.get(5)?,
                note: r.get(6)?,
            },
        ))
    })?;
    let mut out: HashMap<ClientId, Vec<Review>> = HashMap::new();
    for row in rows {
        let (client, review) = row?;
        out.entry(client).or_default().push(review);
    }
    Ok(out)
}

/// The client's latest live PHQ-9 dated on or before `day`: what a sign-off is for.
pub fn latest_phq9(conn: &Connection, client: ClientId, day: NaiveDate) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM live_measurements WHERE client_id = ?1 AND instrument = 'phq9'
               AND date <= ?2 ORDER BY date DESC, id DESC LIMIT 1",
        )?
        .query_row(params![client, day], |r| r.get(0))
        .optional()?)
}

/// Records a review; audited with the flag and the dates (the note stays in the review).
pub fn insert(tx: &Tx, client: ClientId, review: &Review) -> Result<i64> {
    if review.kind == FlagKind::PostDischarge {
        return Err(Error::invalid(
            "post-discharge follow-up cannot be reviewed",
        ));
    }
    tx.prepare_cached(
        "INSERT INTO reviews (client_id, flag, date, until, measurement_id, clinician, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        client,
        review.kind.as_str(),
        review.date,
        review.until.map(iso),
        review.measurement_id,
        review.by,
        review.note
    ])?;
    let id = tx.last_insert_rowid()?;
    let until = review
        .until
        .map_or(String::new(), |u| format!(", silent through {u}"));
    let phq9 = review
        .measurement_id
        .map_or(String::new(), |m| format!(" for PHQ-9 measurement {m}"));
    tx.audit(
        "flag.review",
        Some(client),
        &format!("{} reviewed on {}{phq9}{until}", review.kind, review.date),
    )?;
    Ok(id)
}

/// A review as a clinician asks for it, before the store ties it to a PHQ-9.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequest {
    pub kind: FlagKind,
    pub date: NaiveDate,
    /// A snooze's last silent day (required for a snooze, refused for a sign-off).
    pub until: Option<NaiveDate>,
    pub note: String,
    /// Who reviewed it, as the audit trail and `flags --all` name them.
    pub by: String,
}

/// Reviews a flag of one client (SPEC section 11), as `caseload review` and the TUI's review
/// form both do: the dates checked (`domain::flags::reviews::check`), refused unless the client
/// carries the flag on the review date (reviewed already or not), a sign-off tied to the
/// latest PHQ-9 on or before that date, then recorded. `name` is how the client is named in a
/// refusal (the TUI passes initials in privacy mode).
pub fn record(tx: &Tx, client: ClientId, name: &str, request: &ReviewRequest) -> Result<Review> {
    let (kind, date) = (request.kind, request.date);
    reviews::check(kind, date, request.until)?;
    let entry = panel::for_client(tx, client, date)?;
    let carries = entry
        .flags
        .iter()
        .chain(entry.reviewed.iter().map(|(f, _)| f))
        .any(|f| f.kind == kind);
    if !carries {
        return Err(Error::invalid(format!(
            "{} does not carry the {kind} flag on {date}; nothing to review",
            sanitize(name)
        )));
    }
    let measurement_id = match reviews::how(kind)? {
        Reviewed::SignOff => latest_phq9(tx, client, date)?,
        Reviewed::Snooze => None,
    };
    let review = Review {
        kind,
        date,
        by: request.by.clone(),
        note: request.note.clone(),
        until: request.until,
        measurement_id,
    };
    insert(tx, client, &review)?;
    Ok(review)
}
