//! The store's statements on a PostgreSQL server: each is rewritten from the store's SQL
//! (`dialect`) and prepared once per session, bound from the same values as on SQLite (each
//! value converted to the type the server inferred for its parameter), and its rows read back
//! as the values SQLite would hold (integers, reals, text, blobs; a boolean as 0 or 1). A
//! server's failure becomes rusqlite's error type carrying the server's error, so callers
//! handle one error type. Nothing here knows a table.

use super::binds::Bound;
use super::dialect::{self, Placeholders};
use postgres::types::{ToSql as PgToSql, Type};
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
}

struct Prepared {
    statement: postgres::Statement,
    placeholders: Placeholders,
}

/// A statement prepared on a session.
pub struct Statement<'s> {
    session: &'s PgSession,
    prepared: Arc<Prepared>,
}

/// A server's failure, as the error type every store function returns.
pub(super) fn failed(e: postgres::Error) -> Error {
    Error::ToSqlConversionFailure(Box::new(e))
}

impl PgSession {
    pub fn new(client: postgres::Client) -> PgSession {
        PgSession {
            client: RefCell::new(client),
            prepared: RefCell::new(HashMap::new()),
            in_transaction: Cell::new(false),
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
        let statement = self.client()?.prepare(&text).map_err(failed)?;
        let prepared = Arc::new(Prepared {
            statement,
            placeholders,
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

    pub(super) fn begin(&self) -> Result<()> {
        self.client()?
            .batch_execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
            .map_err(failed)?;
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
        let values = self.values(bound)?;
        let refs: Vec<&(dyn PgToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        self.session
            .client()?
            .query(&self.prepared.statement, &refs)
            .map_err(failed)
    }

    pub(super) fn execute(&mut self, bound: &Bound) -> Result<usize> {
        let values = self.values(bound)?;
        let refs: Vec<&(dyn PgToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        let n = self
            .session
            .client()?
            .execute(&self.prepared.statement, &refs)
            .map_err(failed)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub(super) fn column_count(&self) -> usize {
        self.prepared.statement.columns().len()
    }

    pub(super) fn has_parameter(&self, name: &str) -> bool {
        matches!(&self.prepared.placeholders, Placeholders::Named(names) if names.iter().any(|n| n == name))
    }

    pub(super) fn parameter_count(&self) -> usize {
        self.prepared.statement.params().len()
    }

    /// The bound values in the server's parameter order, each as the type it inferred.
    fn values(&self, bound: &Bound) -> Result<Vec<Box<dyn PgToSql + Sync>>> {
        let types = self.prepared.statement.params();
        let in_order: Vec<&ToSqlOutput> = match (bound, &self.prepared.placeholders) {
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
        };
        in_order
            .into_iter()
            .zip(types)
            .map(|(value, ty)| to_server(value, ty))
            .collect()
    }
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
    let got = |e: postgres::Error| failed(e);
    Ok(if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(idx)
            .map_err(got)?
            .map_or(ValueRef::Null, ValueRef::Integer)
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(idx)
            .map_err(got)?
            .map_or(ValueRef::Null, |i| ValueRef::Integer(i.into()))
    } else if *ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(idx)
            .map_err(got)?
            .map_or(ValueRef::Null, |i| ValueRef::Integer(i.into()))
    } else if *ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(idx)
            .map_err(got)?
            .map_or(ValueRef::Null, |b| ValueRef::Integer(b.into()))
    } else if *ty == Type::FLOAT8 {
        row.try_get::<_, Option<f64>>(idx)
            .map_err(got)?
            .map_or(ValueRef::Null, ValueRef::Real)
    } else if *ty == Type::FLOAT4 {
        row.try_get::<_, Option<f32>>(idx)
            .map_err(got)?
            .map_or(ValueRef::Null, |f| ValueRef::Real(f.into()))
    } else if *ty == Type::BYTEA {
        row.try_get::<_, Option<&[u8]>>(idx)
            .map_err(got)?
            .map_or(ValueRef::Null, ValueRef::Blob)
    } else {
        // Text of any kind; another type is refused by the client, naming it.
        row.try_get::<_, Option<&str>>(idx)
            .map_err(got)?
            .map_or(ValueRef::Null, |s| ValueRef::Text(s.as_bytes()))
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
