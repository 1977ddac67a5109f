//! TEMPORARY stand-in for the panel loader (issue 3 replaces this file with bulk aggregates
//! and the flag rules). Same types as the real one; no flags.

use crate::domain::flags::{ClientFacts, Flag};
use crate::domain::{Client, ClientStatus, ClinicianId, Instrument, Month};
use crate::error::Result;
use crate::store::{clients, encounters, measurements};
use chrono::NaiveDate;
use rusqlite::Connection;

pub struct PanelQuery {
    pub clinician: Option<ClinicianId>,
    pub include_inactive: bool,
}

#[derive(Debug, Clone)]
pub struct ScoreTrend {
    pub latest: i64,
    pub latest_date: NaiveDate,
    pub previous: Option<i64>,
    pub baseline: i64,
}

#[derive(Debug, Clone)]
pub struct PanelEntry {
    pub client: Client,
    pub facts: ClientFacts,
    pub flags: Vec<Flag>,
    pub last_contact: Option<NaiveDate>,
    pub last_measured: Option<NaiveDate>,
    pub phq9: Option<ScoreTrend>,
    pub gad7: Option<ScoreTrend>,
    pub minutes_this_month: i64,
}

pub fn load(conn: &Connection, query: &PanelQuery, today: NaiveDate) -> Result<Vec<PanelEntry>> {
    let filter = clients::ClientFilter {
        status: (!query.include_inactive).then_some(ClientStatus::Active),
        clinician: query.clinician,
    };
    let month = Month::of(today);
    let mut out = Vec::new();
    for client in clients::list(conn, &filter)? {
        let enc = encounters::for_client(conn, client.id)?;
        let meas = measurements::for_client(conn, client.id)?;
        let trend = |inst: Instrument| {
            let of: Vec<_> = meas.iter().filter(|m| m.instrument == inst).collect();
            let last = of.last()?;
            Some(ScoreTrend {
                latest: last.total,
                latest_date: last.date,
                previous: of.len().checked_sub(2).map(|i| of[i].total),
                baseline: of[0].total,
            })
        };
        out.push(PanelEntry {
            last_contact: enc
                .iter()
                .find(|e| crate::domain::is_contact(e.kind, e.status))
                .map(|e| e.date),
            last_measured: meas.iter().map(|m| m.date).max(),
            phq9: trend(Instrument::Phq9),
            gad7: trend(Instrument::Gad7),
            minutes_this_month: enc
                .iter()
                .filter(|e| Month::of(e.date) == month)
                .map(|e| e.minutes)
                .sum(),
            client,
            facts: ClientFacts,
            flags: Vec::new(),
        });
    }
    Ok(out)
}
