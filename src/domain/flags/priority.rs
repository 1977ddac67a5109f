//! The panel's priority order (SPEC section 4): worst severity first, then the largest days
//! overdue of any of the client's flags, then name; ties broken by client id so the order is
//! total and the same on every run.

use super::{Flag, Severity};
use crate::domain::ClientId;
use std::cmp::{Ordering, Reverse};

/// A client's place in the priority order, computed from their flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priority {
    /// The worst severity of any flag; `None` (no flags) sorts after `Info`.
    pub worst: Option<Severity>,
    /// The largest `days_overdue` of any flag (0 without flags).
    pub most_overdue: i64,
    /// The name, lower-cased, then as written: "ann" and "Ann" sort together.
    pub name_folded: String,
    pub name: String,
    pub client: ClientId,
}

impl Priority {
    pub fn of(flags: &[Flag], name: &str, client: ClientId) -> Priority {
        Priority {
            worst: super::worst(flags),
            most_overdue: flags.iter().map(|f| f.days_overdue).max().unwrap_or(0),
            name_folded: name.to_lowercase(),
            name: name.to_string(),
            client,
        }
    }

    fn key(&self) -> (u8, Reverse<i64>, &str, &str, ClientId) {
        let rank = self.worst.map_or(Severity::ALL.len() as u8, |s| s as u8);
        (
            rank,
            Reverse(self.most_overdue),
            &self.name_folded,
            &self.name,
            self.client,
        )
    }
}

impl Ord for Priority {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for Priority {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Sorts anything that carries flags, a name and a client id into priority order.
pub fn sort_by_priority<T>(items: &mut [T], priority: impl Fn(&T) -> Priority) {
    items.sort_by_cached_key(priority);
}
