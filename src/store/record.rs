//! One client's whole record (details, attributions, encounters, measurements, events), loaded
//! together for `client show` and the TUI's client screen.

use super::{attributions, clients, encounters, events, measurements};
use crate::domain::{Attribution, Client, ClientId, Encounter, Event, Measurement};
use crate::error::Result;
use rusqlite::Connection;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ClientRecord {
    pub client: Client,
    pub attributions: Vec<Attribution>,
    /// Newest first.
    pub encounters: Vec<Encounter>,
    /// Oldest first.
    pub measurements: Vec<Measurement>,
    /// Oldest first.
    pub events: Vec<Event>,
}

pub fn load(conn: &Connection, id: ClientId) -> Result<ClientRecord> {
    Ok(ClientRecord {
        client: clients::get(conn, id)?,
        attributions: attributions::for_client(conn, id)?,
        encounters: encounters::for_client(conn, id)?,
        measurements: measurements::for_client(conn, id)?,
        events: events::for_client(conn, id)?,
    })
}
