//! The values a statement is run with, in the shapes rusqlite takes them (`params![…]`, `[]`,
//! `[a, b]`, `&[(":name", &v)]`, [`params_from_iter`]), turned into one list both engines bind
//! from: by position (`?1`, `?`) or by name (`:today`). Values are borrowed where rusqlite's
//! `ToSql` lends them; nothing is converted twice.

use rusqlite::types::{ToSql, ToSqlOutput};
use rusqlite::{Error, Result};

/// The values of one run of a statement.
pub enum Bound<'a> {
    Positional(Vec<ToSqlOutput<'a>>),
    Named(Vec<(&'a str, ToSqlOutput<'a>)>),
}

/// What a statement can be run with.
pub trait Binds {
    fn bound(&self) -> Result<Bound<'_>>;
}

impl Bound<'_> {
    /// Binds the values to a SQLite statement, checking that they fit it.
    pub(super) fn bind_lite(&self, stmt: &mut rusqlite::Statement) -> Result<()> {
        match self {
            Bound::Positional(values) => {
                let expected = stmt.parameter_count();
                if values.len() != expected {
                    return Err(Error::InvalidParameterCount(values.len(), expected));
                }
                for (i, value) in values.iter().enumerate() {
                    stmt.raw_bind_parameter(i + 1, value)?;
                }
            }
            Bound::Named(values) => {
                for (name, value) in values {
                    let Some(i) = stmt.parameter_index(name)? else {
                        return Err(Error::InvalidParameterName((*name).to_string()));
                    };
                    stmt.raw_bind_parameter(i, value)?;
                }
            }
        }
        Ok(())
    }
}

fn positional<'a>(values: impl Iterator<Item = &'a dyn ToSql>) -> Result<Bound<'a>> {
    Ok(Bound::Positional(
        values.map(|v| v.to_sql()).collect::<Result<_>>()?,
    ))
}

impl Binds for [&(dyn ToSql + Send + Sync); 0] {
    fn bound(&self) -> Result<Bound<'_>> {
        Ok(Bound::Positional(Vec::new()))
    }
}

impl Binds for &[&dyn ToSql] {
    fn bound(&self) -> Result<Bound<'_>> {
        positional(self.iter().copied())
    }
}

impl<T: ToSql> Binds for &[(&str, T)] {
    fn bound(&self) -> Result<Bound<'_>> {
        Ok(Bound::Named(
            self.iter()
                .map(|(name, v)| Ok((*name, v.to_sql()?)))
                .collect::<Result<_>>()?,
        ))
    }
}

impl<T: ToSql, const N: usize> Binds for &[(&str, T); N] {
    fn bound(&self) -> Result<Bound<'_>> {
        Ok(Bound::Named(
            self.iter()
                .map(|(name, v)| Ok((*name, v.to_sql()?)))
                .collect::<Result<_>>()?,
        ))
    }
}

macro_rules! arrays {
    ($($n:literal)+) => {$(
        impl<T: ToSql> Binds for [T; $n] {
            fn bound(&self) -> Result<Bound<'_>> {
                positional(self.iter().map(|v| v as &dyn ToSql))
            }
        }
    )+};
}

arrays!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);

/// Any number of values of one type, by position (`IN (?, ?, …)` built to their number).
pub struct ParamsFromIter<I>(I);

pub fn params_from_iter<I>(values: I) -> ParamsFromIter<I>
where
    I: IntoIterator + Clone,
    I::Item: ToSql,
{
    ParamsFromIter(values)
}

impl<I> Binds for ParamsFromIter<I>
where
    I: IntoIterator + Clone,
    I::Item: ToSql,
{
    fn bound(&self) -> Result<Bound<'_>> {
        // Owned, since the iterator yields its values by value.
        let values = self.0.clone().into_iter().map(|v| {
            Ok(match v.to_sql()? {
                ToSqlOutput::Borrowed(r) => {
                    ToSqlOutput::Owned(rusqlite::types::Value::try_from(r)?)
                }
                ToSqlOutput::Owned(v) => ToSqlOutput::Owned(v),
                other => other_owned(other)?,
            })
        });
        Ok(Bound::Positional(values.collect::<Result<_>>()?))
    }
}

/// A value rusqlite hands out in a form of its own (a zero blob, an array): not one the
/// store binds.
fn other_owned(_: ToSqlOutput) -> Result<ToSqlOutput<'static>> {
    Err(Error::ToSqlConversionFailure(
        "a parameter of a kind the store does not bind".into(),
    ))
}

macro_rules! tuples {
    ($(($($t:ident $i:tt),+))+) => {$(
        impl<$($t: ToSql),+> Binds for ($($t,)+) {
            fn bound(&self) -> Result<Bound<'_>> {
                positional([$(&self.$i as &dyn ToSql),+].into_iter())
            }
        }
    )+};
}

tuples!(
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
);
