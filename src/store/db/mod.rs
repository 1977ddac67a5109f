//! The one place the store meets a database engine (issue 20): a connection is SQLite's (the
//! embedded default) or a PostgreSQL server's, and the store's functions run the same SQL
//! through the same calls on either — `prepare_cached`, `query`, `query_map`, `query_row`,
//! `execute` — with rusqlite's `params!`, `ToSql`, `FromSql` and `Result`, which name values,
//! not engines. SQLite's calls go straight to rusqlite; a server's go through `pg`, whose
//! statements `dialect` rewrites from the store's SQL once, when first prepared. Nothing here
//! knows a table; the domain and the UI never see which engine they run on.

mod binds;
pub(crate) mod dialect;
mod pg;

pub use binds::{Binds, Bound, ParamsFromIter, params_from_iter};
pub use pg::PgSession;
pub use rusqlite::types::{FromSql, ToSql, Value, ValueRef};
pub use rusqlite::{Error, OptionalExtension, Result, params};

/// True for a server's failure that running the whole transaction again can cure: a
/// serialization failure or a deadlock between concurrent writers.
pub fn must_retry(e: &crate::error::Error) -> bool {
    use postgres::error::SqlState;
    let crate::error::Error::Sqlite(Error::ToSqlConversionFailure(inner)) = e else {
        return false;
    };
    inner
        .downcast_ref::<pg::ServerError>()
        .and_then(|s| s.code.as_ref())
        .is_some_and(|c| {
            *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
        })
}

/// The wait before try `n` of a write again: doubling from 4 ms to at most about 256 ms, plus
/// a part of that which differs from process to process and moment to moment, so writers that
/// collided do not collide again in step.
pub fn retry_wait(n: u32) -> std::time::Duration {
    let base = 4u64 << n.min(6);
    let noise = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()))
        ^ u64::from(std::process::id()).wrapping_mul(2_654_435_761);
    std::time::Duration::from_millis(base + noise % base)
}

/// A connection to the practice's database.
pub struct Connection {
    engine: Engine,
}

enum Engine {
    Lite(rusqlite::Connection),
    Pg(PgSession),
}

impl From<rusqlite::Connection> for Connection {
    fn from(conn: rusqlite::Connection) -> Connection {
        Connection {
            engine: Engine::Lite(conn),
        }
    }
}

impl From<PgSession> for Connection {
    fn from(session: PgSession) -> Connection {
        Connection {
            engine: Engine::Pg(session),
        }
    }
}

impl Connection {
    /// A plain SQLite connection to the file at `path` (tests build databases with it).
    #[cfg(test)]
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Connection> {
        Ok(rusqlite::Connection::open(path)?.into())
    }

    /// The SQLite connection underneath, for what only SQLite has (its pragmas, keys, backups
    /// and checkpoints); `None` on a server.
    pub fn lite(&self) -> Option<&rusqlite::Connection> {
        match &self.engine {
            Engine::Lite(conn) => Some(conn),
            Engine::Pg(_) => None,
        }
    }

    /// [`Connection::lite`], mutably (SQLite's migrations take the connection).
    pub fn lite_mut(&mut self) -> Option<&mut rusqlite::Connection> {
        match &mut self.engine {
            Engine::Lite(conn) => Some(conn),
            Engine::Pg(_) => None,
        }
    }

    /// The SQLite connection, given back (to close it and see the error); `None` on a server.
    pub fn into_lite(self) -> Option<rusqlite::Connection> {
        match self.engine {
            Engine::Lite(conn) => Some(conn),
            Engine::Pg(_) => None,
        }
    }

    /// True on a PostgreSQL server.
    pub fn is_server(&self) -> bool {
        matches!(self.engine, Engine::Pg(_))
    }

    /// A statement kept prepared for the connection's life (the SQL text is the key).
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        Ok(Statement {
            inner: match &self.engine {
                Engine::Lite(conn) => Inner::Cached(conn.prepare_cached(sql)?),
                Engine::Pg(session) => Inner::Pg(session.prepare(sql)?),
            },
        })
    }

    /// A statement prepared for one use.
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        Ok(Statement {
            inner: match &self.engine {
                Engine::Lite(conn) => Inner::Plain(conn.prepare(sql)?),
                Engine::Pg(session) => Inner::Pg(session.prepare(sql)?),
            },
        })
    }

    /// Runs one statement; how many rows it changed.
    pub fn execute<P: Binds>(&self, sql: &str, params: P) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    /// The first row of one statement, through `f`; `Error::QueryReturnedNoRows` without one.
    pub fn query_row<T, P: Binds>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// Runs statements separated by semicolons, without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.engine {
            Engine::Lite(conn) => conn.execute_batch(sql),
            Engine::Pg(session) => session.execute_batch(sql),
        }
    }

    /// The row id the last insert on this connection gave.
    pub fn last_insert_rowid(&self) -> Result<i64> {
        match &self.engine {
            Engine::Lite(conn) => Ok(conn.last_insert_rowid()),
            Engine::Pg(session) => session.last_insert_id(),
        }
    }

    /// True outside a transaction.
    pub fn is_autocommit(&self) -> bool {
        match &self.engine {
            Engine::Lite(conn) => conn.is_autocommit(),
            Engine::Pg(session) => session.is_autocommit(),
        }
    }

    /// Changes whenever another connection commits (SQLite's `data_version`; on a server,
    /// the count of other sessions' commits notified to this one once it [`listen`]s). In a
    /// read transaction, as of its snapshot.
    ///
    /// [`listen`]: Connection::listen_for_changes
    pub fn data_version(&self) -> Result<i64> {
        match &self.engine {
            Engine::Lite(conn) => conn.query_row("PRAGMA data_version", [], |r| r.get(0)),
            Engine::Pg(session) => session.data_version(),
        }
    }

    /// Makes [`Connection::data_version`] follow other machines' commits on a server (outside
    /// a transaction); SQLite's always does.
    pub fn listen_for_changes(&self) -> Result<()> {
        match &self.engine {
            Engine::Lite(_) => Ok(()),
            Engine::Pg(session) => session.listen(),
        }
    }

    /// The version of caseload's schema the database holds.
    pub fn schema_version(&self) -> Result<i64> {
        let sql = match &self.engine {
            Engine::Lite(_) => "PRAGMA user_version",
            Engine::Pg(_) => "SELECT version FROM caseload_schema",
        };
        self.query_row(sql, [], |r| r.get(0))
    }

    /// The practice's tables by name (the engine's own and caseload's version table left out).
    pub fn table_names(&self) -> Result<Vec<String>> {
        let sql = match &self.engine {
            Engine::Lite(_) => {
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                 ORDER BY name"
            }
            Engine::Pg(_) => {
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
                   AND table_name <> 'caseload_schema'
                 ORDER BY table_name::text COLLATE \"C\""
            }
        };
        self.prepare(sql)?.query_map([], |r| r.get(0))?.collect()
    }

    /// A table's columns, in order.
    pub fn column_names(&self, table: &str) -> Result<Vec<String>> {
        let sql = match &self.engine {
            Engine::Lite(_) => "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
            Engine::Pg(_) => {
                "SELECT column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name::text = ?1
                 ORDER BY ordinal_position"
            }
        };
        self.prepare(sql)?
            .query_map([table], |r| r.get(0))?
            .collect()
    }

    /// Starts a transaction that is rolled back when the guard is dropped uncommitted:
    /// `immediate` is a write (SQLite's `BEGIN IMMEDIATE` takes the write lock at once; on a
    /// server it is serializable), else a read of one snapshot.
    pub fn begin(&self, immediate: bool) -> Result<Transaction<'_>> {
        match &self.engine {
            Engine::Lite(conn) => conn.execute_batch(if immediate {
                "BEGIN IMMEDIATE"
            } else {
                "BEGIN"
            })?,
            Engine::Pg(session) => session.begin(immediate)?,
        }
        Ok(Transaction {
            conn: self,
            open: true,
        })
    }
}

/// A transaction on a [`Connection`]: committed by [`Transaction::commit`], else rolled back
/// when dropped (an early return or a panic leaves nothing behind).
pub struct Transaction<'c> {
    conn: &'c Connection,
    open: bool,
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Transaction<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        self.conn.execute_batch("COMMIT")
    }

    pub fn rollback(mut self) -> Result<()> {
        self.open = false;
        self.conn.execute_batch("ROLLBACK")
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing better to do with a failed rollback while unwinding: the connection
            // then reports it on its next statement.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// A prepared statement of either engine.
pub struct Statement<'c> {
    inner: Inner<'c>,
}

enum Inner<'c> {
    Cached(rusqlite::CachedStatement<'c>),
    Plain(rusqlite::Statement<'c>),
    Pg(pg::Statement<'c>),
}

impl Statement<'_> {
    /// Runs the statement; its rows, one at a time.
    pub fn query<P: Binds>(&mut self, params: P) -> Result<Rows<'_>> {
        let bound = params.bound()?;
        match &mut self.inner {
            Inner::Cached(stmt) => {
                bound.bind_lite(stmt)?;
                Ok(Rows::Lite(stmt.raw_query()))
            }
            Inner::Plain(stmt) => {
                bound.bind_lite(stmt)?;
                Ok(Rows::Lite(stmt.raw_query()))
            }
            Inner::Pg(stmt) => Ok(Rows::Pg(stmt.query(&bound)?.into_iter(), None)),
        }
    }

    /// Runs the statement and maps each row through `f`.
    pub fn query_map<T, P: Binds, F: FnMut(&Row) -> Result<T>>(
        &mut self,
        params: P,
        f: F,
    ) -> Result<MappedRows<'_, F>> {
        Ok(MappedRows {
            rows: self.query(params)?,
            f,
        })
    }

    /// The first row through `f`; `Error::QueryReturnedNoRows` without one.
    pub fn query_row<T, P: Binds>(
        &mut self,
        params: P,
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        let mut rows = self.query(params)?;
        match rows.next()? {
            Some(row) => f(&row),
            None => Err(Error::QueryReturnedNoRows),
        }
    }

    /// Runs a statement that returns no rows; how many rows it changed.
    pub fn execute<P: Binds>(&mut self, params: P) -> Result<usize> {
        let bound = params.bound()?;
        match &mut self.inner {
            Inner::Cached(stmt) => {
                bound.bind_lite(stmt)?;
                stmt.raw_execute()
            }
            Inner::Plain(stmt) => {
                bound.bind_lite(stmt)?;
                stmt.raw_execute()
            }
            Inner::Pg(stmt) => stmt.execute(&bound),
        }
    }

    pub fn column_count(&self) -> usize {
        match &self.inner {
            Inner::Cached(stmt) => stmt.column_count(),
            Inner::Plain(stmt) => stmt.column_count(),
            Inner::Pg(stmt) => stmt.column_count(),
        }
    }

    /// True when the statement has the named parameter (`:name`).
    pub fn has_parameter(&self, name: &str) -> bool {
        match &self.inner {
            Inner::Cached(stmt) => matches!(stmt.parameter_index(name), Ok(Some(_))),
            Inner::Plain(stmt) => matches!(stmt.parameter_index(name), Ok(Some(_))),
            Inner::Pg(stmt) => stmt.has_parameter(name),
        }
    }

    pub fn parameter_count(&self) -> usize {
        match &self.inner {
            Inner::Cached(stmt) => stmt.parameter_count(),
            Inner::Plain(stmt) => stmt.parameter_count(),
            Inner::Pg(stmt) => stmt.parameter_count(),
        }
    }
}

/// The rows of a running statement.
pub enum Rows<'s> {
    Lite(rusqlite::Rows<'s>),
    /// A server's rows arrive whole; the current one is kept for the row handed out.
    Pg(std::vec::IntoIter<postgres::Row>, Option<postgres::Row>),
}

impl Rows<'_> {
    /// The next row, or `None` after the last.
    #[allow(clippy::should_implement_trait)] // rusqlite's name: a row borrows the rows
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match self {
            Rows::Lite(rows) => Ok(rows.next()?.map(Row::Lite)),
            Rows::Pg(rows, current) => {
                *current = rows.next();
                Ok(current.as_ref().map(Row::Pg))
            }
        }
    }
}

/// The rows of a running statement, each mapped through a function.
pub struct MappedRows<'s, F> {
    rows: Rows<'s>,
    f: F,
}

impl<T, F: FnMut(&Row) -> Result<T>> Iterator for MappedRows<'_, F> {
    type Item = Result<T>;
    fn next(&mut self) -> Option<Result<T>> {
        let f = &mut self.f;
        match self.rows.next() {
            Ok(Some(row)) => Some(f(&row)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// One row of either engine.
#[derive(Clone, Copy)]
pub enum Row<'r> {
    Lite(&'r rusqlite::Row<'r>),
    Pg(&'r postgres::Row),
}

impl Row<'_> {
    /// Column `idx` (from 0) as a `T`.
    pub fn get<I: ColumnIndex, T: FromSql>(&self, idx: I) -> Result<T> {
        let idx = idx.index();
        match self {
            Row::Lite(row) => row.get(idx),
            Row::Pg(row) => {
                let value = pg::value_ref(row, idx)?;
                T::column_result(value).map_err(|e| pg::conversion(idx, value, e))
            }
        }
    }

    /// How many columns the row has (on a server, known for certain only once a statement
    /// typed by its values has run: ask the row rather than the statement).
    pub fn column_count(&self) -> usize {
        match self {
            Row::Lite(row) => row.as_ref().column_count(),
            Row::Pg(row) => row.columns().len(),
        }
    }

    /// Column `idx` (from 0) as it is stored, read in place.
    pub fn get_ref<I: ColumnIndex>(&self, idx: I) -> Result<ValueRef<'_>> {
        let idx = idx.index();
        match self {
            Row::Lite(row) => row.get_ref(idx),
            Row::Pg(row) => pg::value_ref(row, idx),
        }
    }
}

/// A column's place in a row, from 0 (rusqlite's calls take the index's type first).
pub trait ColumnIndex {
    fn index(self) -> usize;
}

impl ColumnIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// For tests of the store's statements: `EXPLAIN QUERY PLAN` of `sql`, every parameter bound
/// to `arg`, one line per step.
#[cfg(test)]
pub(crate) fn explain(conn: &Connection, sql: &str, arg: &str) -> String {
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .expect("a statement to explain");
    let n = stmt.parameter_count();
    let plan: Vec<String> = stmt
        .query_map(params_from_iter(vec![arg; n]), |r| r.get(3))
        .and_then(|rows| rows.collect())
        .expect("its plan");
    plan.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each wait doubles from 4 ms up to 256 ms, plus less than as much again.
    #[test]
    fn a_retried_write_waits_longer_each_time_within_bounds() {
        for n in 0..12 {
            let base = 4u64 << n.min(6);
            let wait = retry_wait(n).as_millis() as u64;
            assert!(base <= wait && wait < 2 * base, "{n}: {wait}");
        }
    }

    /// Only a server's serialization failure or deadlock is retried.
    #[test]
    fn only_a_serialization_failure_or_a_deadlock_is_retried() {
        use postgres::error::SqlState;
        let server = |code: SqlState| {
            crate::error::Error::Sqlite(Error::ToSqlConversionFailure(Box::new(pg::ServerError {
                message: "x".into(),
                code: Some(code),
            })))
        };
        assert!(must_retry(&server(SqlState::T_R_SERIALIZATION_FAILURE)));
        assert!(must_retry(&server(SqlState::T_R_DEADLOCK_DETECTED)));
        assert!(!must_retry(&server(SqlState::UNIQUE_VIOLATION)));
        assert!(!must_retry(&crate::error::Error::Sqlite(
            Error::QueryReturnedNoRows
        )));
        assert!(!must_retry(&crate::error::Error::invalid("no")));
    }
}
