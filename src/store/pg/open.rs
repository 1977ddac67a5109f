//! A practice on a PostgreSQL server opened as a [`Store`]: connect (one line for each way that
//! fails), bring the schema up to date under the migration lock, and hand the session to the
//! store's engine facade (`store::db`). What only a SQLite file has — a path, a practice key,
//! checkpoints, a second reader — a store on a server has none of.

use super::{Server, migrate};
use crate::error::Result;
use crate::store::{Actor, Store, checkpoint, db, pair};

impl Store {
    /// Opens the practice at `server`, creating caseload's schema in an empty database.
    pub fn open_server(server: &Server) -> Result<Store> {
        let mut client = server.connect()?;
        migrate::migrate(&mut client, server)?;
        Ok(Store {
            checkpointer: checkpoint::Checkpointer::default(),
            second: pair::SecondReader::default(),
            conn: db::PgSession::new(client)?.into(),
            path: None,
            actor: Actor::unnamed(),
            created: false,
            key: None,
            chain: None,
            file_id: None,
            server: Some(server.clone()),
        })
    }

    /// True when the practice lives on a PostgreSQL server.
    pub fn on_server(&self) -> bool {
        self.conn.is_server()
    }
}
