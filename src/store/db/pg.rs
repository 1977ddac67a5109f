//! The store's statements on a PostgreSQL server: each is rewritten from the store's SQL
//! (`dialect`) and prepared once per session, bound from the same values as on SQLite (each
//! value converted to the type the server inferred for its parameter), and its rows read back
//! as the values SQLite would hold (integers, reals, text, blobs; a boolean as 0 or 1). A
//! server's failure becomes rusqlite's error type carrying the server's error, so callers
//! handle one error type. Nothing here knows a table.

use super::binds::Bound;
use super::dialect::{self, Placeholders};
use postgres::error::SqlState;
use postgres::types::{Kind, ToSql as PgToSql, Type};
use rusqlite::types::{FromSqlError, ToSqlOutput, ValueRef};
use rusqlite::{Error, Result};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;

/// One session with a server: its client and the statements prepared on it.
pub struct PgSession {
    client: RefCell<postgres::Client>,
    prepared: RefCell<HashMap<String, Arc<Prepared>>>,
    in_transaction: Cell<bool>,
    /// Change notices (`CHANGES`) from other sessions: counted once the session listens.
    changes: Changes,
}

/// The channel every committed write notifies, so a session that listens (the TUI) sees
/// another machine's change within its next poll, as SQLite's `data_version` shows another
/// connection's commit.
const CHANGES: &str = "caseload_changes";

/// How many changes other sessions committed, as this session has been told of them.
#[derive(Default)]
struct Changes {
    /// This session's server process once it listens: its own notices are not changes.
    listening_as: Cell<Option<i32>>,
    counted: Cell<i64>,
    /// The count as the current read transaction began: what its snapshot includes.
    at_begin: Cell<i64>,
}

struct Prepared {
    text: String,
    placeholders: Placeholders,
    /// The statement with the types the server gave its parameters; `None` when it could not
    /// tell one from the text alone (a parameter only compared with NULL): each run is then
    /// typed by its values, as SQLite takes them (`by_values`).
    statement: Option<postgres::Statement>,
    by_values: std::sync::Mutex<HashMap<Vec<u32>, postgres::Statement>>,
}

/// A statement prepared on a session.
pub struct Statement<'s> {
    session: &'s PgSession,
    prepared: Arc<Prepared>,
}

/// A server's failure, as the error type every store function returns: the server's own
/// message (never the statement's values) and its SQLSTATE, for callers that retry.
pub(super) fn failed(e: postgres::Error) -> Error {
    Error::ToSqlConversionFailure(Box::new(ServerError {
        message: crate::store::pg::describe(&e),
        code: e.code().cloned(),
    }))
}

/// What the server said when a statement failed.
#[derive(Debug)]
pub struct ServerError {
    pub message: String,
    /// The SQLSTATE, for telling a serialization failure (retried) from the rest.
    pub code: Option<postgres::error::SqlState>,
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the PostgreSQL server said: {}", self.message)
    }
}

impl std::error::Error for ServerError {}

impl PgSession {
    /// A session on `client`, with SQLite's functions the store calls made for it.
    pub fn new(mut client: postgres::Client) -> Result<PgSession> {
        client
            .batch_execute(dialect::SESSION_FUNCTIONS)
            .map_err(failed)?;
        Ok(PgSession {
            client: RefCell::new(client),
            prepared: RefCell::new(HashMap::new()),
            in_transaction: Cell::new(false),
            changes: Changes::default(),
        })
    }

    /// Starts counting other sessions' committed writes (`data_version`). Outside a
    /// transaction only: a LISTEN in one takes effect at its commit, and a read rolls back.
    pub(super) fn listen(&self) -> Result<()> {
        if self.changes.listening_as.get().is_some() {
            return Ok(());
        }
        if !self.is_autocommit() {
            return Err(Error::ToSqlConversionFailure(
                "listening for changes needs to be outside a transaction".into(),
            ));
        }
        let mut client = self.client()?;
        client
            .batch_execute(&format!("LISTEN {CHANGES}"))
            .map_err(failed)?;
        let row = client
            .query_one("SELECT pg_backend_pid()", &[])
            .map_err(failed)?;
        self.changes
            .listening_as
            .set(Some(row.try_get(0).map_err(failed)?));
        Ok(())
    }

    /// Counts the notices that arrived (without waiting for any): each from another session
    /// is one change. Before a snapshot is taken, so every change counted is in it.
    fn count_changes(&self) -> Result<i64> {
        use postgres::fallible_iterator::FallibleIterator;
        let Some(own) = self.changes.listening_as.get() else {
            return Ok(self.changes.counted.get());
        };
        let mut client = self.client()?;
        // A round trip: the server sends every notice it holds before answering, and the
        // client reads what the socket has only while it waits for an answer; without one a
        // notice can sit unread in the socket however often this polls.
        client.batch_execute("").map_err(failed)?;
        let mut notices = client.notifications();
        let mut pending = notices.iter();
        let mut counted = self.changes.counted.get();
        while let Some(notice) = pending.next().map_err(failed)? {
            if notice.process_id() != own {
                counted += 1;
            }
        }
        self.changes.counted.set(counted);
        Ok(counted)
    }

    /// The changes other sessions committed that this session has seen: in a read
    /// transaction, those its snapshot includes; outside one, all told of so far. Never
    /// less than the truth as of the snapshot (a change may be counted a poll late, never
    /// missed); always 0 on a session that does not listen.
    pub(super) fn data_version(&self) -> Result<i64> {
        if self.is_autocommit() {
            self.count_changes()
        } else {
            Ok(self.changes.at_begin.get())
        }
    }

    pub(super) fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        if let Some(prepared) = self.prepared.borrow().get(sql) {
            return Ok(Statement {
                session: self,
                prepared: Arc::clone(prepared),
            });
        }
        let (text, placeholders) = dialect::to_postgres(sql);
        let in_transaction = !self.is_autocommit();
        let statement = attempt(&mut *self.client()?, &text, &[], in_transaction)?;
        let prepared = Arc::new(Prepared {
            text,
            placeholders,
            statement,
            by_values: Default::default(),
        });
        self.prepared
            .borrow_mut()
            .insert(sql.to_string(), Arc::clone(&prepared));
        Ok(Statement {
            session: self,
            prepared,
        })
    }

    fn client(&self) -> Result<std::cell::RefMut<'_, postgres::Client>> {
        self.client
            .try_borrow_mut()
            .map_err(|_| Error::ToSqlConversionFailure("a statement is still running".into()))
    }

    pub(super) fn execute_batch(&self, sql: &str) -> Result<()> {
        let text = dialect::batch_to_postgres(sql);
        self.client()?.batch_execute(&text).map_err(failed)?;
        // Transactions are begun through `begin` and ended by these words alone.
        match sql.trim().to_ascii_uppercase().as_str() {
            "COMMIT" | "ROLLBACK" | "END" => self.in_transaction.set(false),
            _ => {}
        }
        Ok(())
    }

    /// A write is serializable (a concurrent write it conflicts with makes it fail, and the
    /// store runs it again); a read is one snapshot, which never fails so.
    /// A write also notifies every listening session, when (and only if) it commits.
    pub(super) fn begin(&self, write: bool) -> Result<()> {
        let begin = if write {
            // NOTIFY inside the transaction is sent at its commit, never on a rollback.
            format!("BEGIN ISOLATION LEVEL SERIALIZABLE; NOTIFY {CHANGES}")
        } else {
            let counted = self.count_changes()?;
            self.changes.at_begin.set(counted);
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY".to_string()
        };
        self.client()?.batch_execute(&begin).map_err(failed)?;
        self.in_transaction.set(true);
        Ok(())
    }

    pub(super) fn is_autocommit(&self) -> bool {
        !self.in_transaction.get()
    }

    /// The id the last insert's identity column gave, in this session.
    pub(super) fn last_insert_id(&self) -> Result<i64> {
        let row = self
            .client()?
            .query_one("SELECT lastval()", &[])
            .map_err(failed)?;
        row.try_get(0).map_err(failed)
    }
}

impl Statement<'_> {
    pub(super) fn query(&mut self, bound: &Bound) -> Result<Vec<postgres::Row>> {
        let (statement, values) = self.run(bound)?;
        let refs: Vec<&(dyn PgToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        self.session
            .client()?
            .query(&statement, &refs)
            .map_err(failed)
    }

    pub(super) fn execute(&mut self, bound: &Bound) -> Result<usize> {
        let (statement, values) = self.run(bound)?;
        let refs: Vec<&(dyn PgToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        let n = self
            .session
            .client()?
            .execute(&statement, &refs)
            .map_err(failed)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// The statement's columns; for one typed by its values, 0 until it has run once (a
    /// caller reading rows asks the row instead).
    pub(super) fn column_count(&self) -> usize {
        match &self.prepared.statement {
            Some(statement) => statement.columns().len(),
            None => self
                .prepared
                .by_values
                .lock()
                .ok()
                .and_then(|typed| typed.values().next().map(|s| s.columns().len()))
                .unwrap_or(0),
        }
    }

    pub(super) fn has_parameter(&self, name: &str) -> bool {
        matches!(&self.prepared.placeholders, Placeholders::Named(names) if names.iter().any(|n| n == name))
    }

    pub(super) fn parameter_count(&self) -> usize {
        match &self.prepared.placeholders {
            Placeholders::Positional(n) => *n,
            Placeholders::Named(names) => names.len(),
        }
    }

    /// The statement to run with `bound`, and the values as its parameters' types.
    fn run(&self, bound: &Bound) -> Result<(postgres::Statement, Vec<Box<dyn PgToSql + Sync>>)> {
        let in_order = self.in_order(bound)?;
        let statement = match &self.prepared.statement {
            Some(statement) => statement.clone(),
            None => self.typed_by(&in_order)?,
        };
        let values = in_order
            .into_iter()
            .zip(statement.params())
            .map(|(value, ty)| to_server(value, ty))
            .collect::<Result<_>>()?;
        Ok((statement, values))
    }

    /// The statement typed by these values: a NULL's parameter is left to the server, then
    /// tried as an integer, then as text, until the statement prepares.
    fn typed_by(&self, values: &[&ToSqlOutput]) -> Result<postgres::Statement> {
        let mut types: Vec<Type> = values.iter().map(|v| type_of(v)).collect();
        let key: Vec<u32> = types.iter().map(Type::oid).collect();
        let poisoned = || Error::ToSqlConversionFailure("a statement cache was poisoned".into());
        if let Some(statement) = self
            .prepared
            .by_values
            .lock()
            .map_err(|_| poisoned())?
            .get(&key)
        {
            return Ok(statement.clone());
        }
        let in_transaction = !self.session.is_autocommit();
        let mut client = self.session.client()?;
        let nulls: Vec<usize> = (0..key.len()).filter(|&k| key[k] == 0).collect();
        for _ in 0..=2 * nulls.len() {
            match attempt(&mut client, &self.prepared.text, &types, in_transaction) {
                Ok(Some(statement)) => {
                    self.prepared
                        .by_values
                        .lock()
                        .map_err(|_| poisoned())?
                        .insert(key, statement.clone());
                    return Ok(statement);
                }
                // A parameter is still untyped: the first NULL's becomes an integer.
                Ok(None) => match nulls.iter().find(|&&k| types[k].oid() == 0) {
                    Some(&k) => types[k] = Type::INT8,
                    None => break,
                },
                // An integer where text was meant: the last NULL tried so becomes text.
                Err(e) => match nulls.iter().rev().find(|&&k| types[k] == Type::INT8) {
                    Some(&k) => types[k] = Type::TEXT,
                    None => return Err(e),
                },
            }
        }
        Err(Error::ToSqlConversionFailure(
            "the server cannot tell the type of a parameter".into(),
        ))
    }

    /// The bound values in the order of the statement's `$n`.
    fn in_order<'b>(&self, bound: &'b Bound) -> Result<Vec<&'b ToSqlOutput<'b>>> {
        Ok(match (bound, &self.prepared.placeholders) {
            (Bound::Positional(values), Placeholders::Positional(n)) => {
                if values.len() != *n {
                    return Err(Error::InvalidParameterCount(values.len(), *n));
                }
                values.iter().collect()
            }
            (Bound::Named(values), Placeholders::Named(names)) => names
                .iter()
                .map(|name| {
                    values
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, v)| v)
                        .ok_or_else(|| Error::InvalidParameterName(name.clone()))
                })
                .collect::<Result<_>>()?,
            (Bound::Positional(values), Placeholders::Named(_)) => {
                return Err(Error::InvalidParameterCount(values.len(), 0));
            }
            (Bound::Named(values), Placeholders::Positional(_)) => {
                let name = values.first().map_or("", |(n, _)| n);
                return Err(Error::InvalidParameterName(name.to_string()));
            }
        })
    }
}

/// Prepares `text` with `types` for its first parameters (OID 0: the server's to infer);
/// `None` when the server cannot tell a parameter's type. Inside a transaction the attempt
/// is undone alone when it fails (a failed statement would abort the transaction).
fn attempt(
    client: &mut postgres::Client,
    text: &str,
    types: &[Type],
    in_transaction: bool,
) -> Result<Option<postgres::Statement>> {
    if in_transaction {
        client
            .batch_execute("SAVEPOINT caseload_prepare")
            .map_err(failed)?;
    }
    let outcome = client.prepare_typed(text, types);
    if in_transaction {
        let end = if outcome.is_ok() {
            "RELEASE SAVEPOINT caseload_prepare"
        } else {
            "ROLLBACK TO SAVEPOINT caseload_prepare; RELEASE SAVEPOINT caseload_prepare"
        };
        client.batch_execute(end).map_err(failed)?;
    }
    match outcome {
        Ok(statement) => Ok(Some(statement)),
        Err(e) if untyped_parameter(&e).is_some() => Ok(None),
        Err(e) => Err(failed(e)),
    }
}

/// The parameter (from 1) whose type the server could not tell, if that is the failure.
fn untyped_parameter(e: &postgres::Error) -> Option<usize> {
    let code = e.code()?;
    if *code != SqlState::INDETERMINATE_DATATYPE && *code != SqlState::AMBIGUOUS_PARAMETER {
        return None;
    }
    e.as_db_error()?
        .message()
        .rsplit('$')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// A parameter's type as its value's (SQLite's storage classes); OID 0 for NULL.
fn type_of(value: &ToSqlOutput) -> Type {
    let value = match value {
        ToSqlOutput::Borrowed(v) => *v,
        ToSqlOutput::Owned(v) => ValueRef::from(v),
        _ => ValueRef::Null,
    };
    match value {
        ValueRef::Integer(_) => Type::INT8,
        ValueRef::Real(_) => Type::FLOAT8,
        ValueRef::Text(_) => Type::TEXT,
        ValueRef::Blob(_) => Type::BYTEA,
        ValueRef::Null => unspecified(),
    }
}

fn unspecified() -> Type {
    Type::new("unspecified".into(), 0, Kind::Pseudo, "pg_catalog".into())
}

/// A value as the server's type for its parameter.
fn to_server(value: &ToSqlOutput, ty: &Type) -> Result<Box<dyn PgToSql + Sync>> {
    let value = match value {
        ToSqlOutput::Borrowed(v) => *v,
        ToSqlOutput::Owned(v) => ValueRef::from(v),
        _ => return Err(mismatch(ty)),
    };
    let text = |bytes: &[u8]| {
        std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|e| Error::Utf8Error(0, e))
    };
    Ok(match (value, ty) {
        (ValueRef::Null, t) if *t == Type::INT8 => Box::new(None::<i64>),
        (ValueRef::Null, t) if *t == Type::INT4 => Box::new(None::<i32>),
        (ValueRef::Null, t) if *t == Type::INT2 => Box::new(None::<i16>),
        (ValueRef::Null, t) if *t == Type::FLOAT8 => Box::new(None::<f64>),
        (ValueRef::Null, t) if *t == Type::BOOL => Box::new(None::<bool>),
        (ValueRef::Null, t) if *t == Type::BYTEA => Box::new(None::<Vec<u8>>),
        (ValueRef::Null, _) => Box::new(None::<String>),
        (ValueRef::Integer(i), t) if *t == Type::INT8 => Box::new(i),
        (ValueRef::Integer(i), t) if *t == Type::INT4 => {
            Box::new(i32::try_from(i).map_err(|_| Error::IntegralValueOutOfRange(0, i))?)
        }
        (ValueRef::Integer(i), t) if *t == Type::INT2 => {
            Box::new(i16::try_from(i).map_err(|_| Error::IntegralValueOutOfRange(0, i))?)
        }
        (ValueRef::Integer(i), t) if *t == Type::FLOAT8 => Box::new(i as f64),
        (ValueRef::Integer(i), t) if *t == Type::BOOL => Box::new(i != 0),
        (ValueRef::Integer(i), t) if *t == Type::TEXT || *t == Type::VARCHAR => {
            Box::new(i.to_string())
        }
        (ValueRef::Real(f), t) if *t == Type::FLOAT8 => Box::new(f),
        (ValueRef::Text(bytes), t)
            if *t == Type::TEXT || *t == Type::VARCHAR || *t == Type::UNKNOWN =>
        {
            Box::new(text(bytes)?)
        }
        (ValueRef::Blob(bytes), t) if *t == Type::BYTEA => Box::new(bytes.to_vec()),
        _ => return Err(mismatch(ty)),
    })
}

fn mismatch(ty: &Type) -> Error {
    Error::ToSqlConversionFailure(format!("a value the server cannot take as {ty}").into())
}

/// Column `idx` of a server's row as SQLite would hold it.
pub(super) fn value_ref(row: &postgres::Row, idx: usize) -> Result<ValueRef<'_>> {
    let Some(column) = row.columns().get(idx) else {
        return Err(Error::InvalidColumnIndex(idx));
    };
    let ty = column.type_();
    let value = if *ty == Type::INT8 {
        get::<i64>(row, idx)?.map(ValueRef::Integer)
    } else if *ty == Type::INT4 {
        get::<i32>(row, idx)?.map(|i| ValueRef::Integer(i.into()))
    } else if *ty == Type::INT2 {
        get::<i16>(row, idx)?.map(|i| ValueRef::Integer(i.into()))
    } else if *ty == Type::BOOL {
        get::<bool>(row, idx)?.map(|b| ValueRef::Integer(b.into()))
    } else if *ty == Type::FLOAT8 {
        get::<f64>(row, idx)?.map(ValueRef::Real)
    } else if *ty == Type::FLOAT4 {
        get::<f32>(row, idx)?.map(|f| ValueRef::Real(f.into()))
    } else if *ty == Type::NUMERIC {
        // `sum` of integers is NUMERIC on a server; SQLite's is an integer.
        get::<Numeric>(row, idx)?.map(|n| n.0)
    } else if *ty == Type::BYTEA {
        get::<&[u8]>(row, idx)?.map(ValueRef::Blob)
    } else {
        // Text of any kind; another type is refused by the client, naming it.
        get::<&str>(row, idx)?.map(|s| ValueRef::Text(s.as_bytes()))
    };
    Ok(value.unwrap_or(ValueRef::Null))
}

/// Column `idx` of a server's row as a `T`, or `None` for NULL.
fn get<'r, T: postgres::types::FromSql<'r>>(
    row: &'r postgres::Row,
    idx: usize,
) -> Result<Option<T>> {
    row.try_get::<_, Option<T>>(idx).map_err(|e| {
        let name = row.columns().get(idx).map_or("?", |c| c.name());
        Error::ToSqlConversionFailure(Box::new(ServerError {
            message: format!("column {idx} ({name}) cannot be read: {e}"),
            code: None,
        }))
    })
}

/// A value that is not the type asked for, as rusqlite says it.
pub(super) fn conversion(idx: usize, value: ValueRef, e: FromSqlError) -> Error {
    match e {
        FromSqlError::InvalidType => {
            Error::InvalidColumnType(idx, idx.to_string(), value.data_type())
        }
        FromSqlError::OutOfRange(i) => Error::IntegralValueOutOfRange(idx, i),
        FromSqlError::Other(err) => Error::FromSqlConversionFailure(idx, value.data_type(), err),
        other => Error::FromSqlConversionFailure(idx, value.data_type(), Box::new(other)),
    }
}

/// A NUMERIC as SQLite would hold the number: an integer when it has no fraction and fits,
/// else a real.
struct Numeric(ValueRef<'static>);

impl<'a> postgres::types::FromSql<'a> for Numeric {
    fn from_sql(
        _: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Numeric, Box<dyn std::error::Error + Sync + Send>> {
        // The binary form: digit count, weight (of the first base-10000 digit), sign, display
        // scale, then the digits, each a big-endian u16.
        let word =
            |i: usize| -> std::result::Result<u16, Box<dyn std::error::Error + Sync + Send>> {
                raw.get(i * 2..i * 2 + 2)
                    .map(|b| u16::from_be_bytes([b[0], b[1]]))
                    .ok_or_else(|| "a NUMERIC cut short".into())
            };
        let (ndigits, weight, sign, scale) = (word(0)?, word(1)? as i16, word(2)?, word(3)?);
        if sign == 0xC000 {
            return Ok(Numeric(ValueRef::Real(f64::NAN)));
        }
        let negative = sign == 0x4000;
        let mut whole: i128 = 0;
        let mut real = 0f64;
        let mut fits = scale == 0;
        for k in 0..usize::from(ndigits) {
            let digit = word(4 + k)?;
            let power = i32::from(weight) - k as i32;
            real += f64::from(digit) * 10000f64.powi(power);
            if power >= 0 {
                let place = 10000i128.checked_pow(power as u32);
                match place.and_then(|p| p.checked_mul(i128::from(digit))) {
                    Some(v) => whole += v,
                    None => fits = false,
                }
            } else if digit != 0 {
                fits = false;
            }
        }
        let whole = if negative { -whole } else { whole };
        Ok(Numeric(match i64::try_from(whole) {
            Ok(i) if fits => ValueRef::Integer(i),
            _ => ValueRef::Real(if negative { -real } else { real }),
        }))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}
