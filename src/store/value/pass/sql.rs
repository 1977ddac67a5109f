//! The SQL of a value pass: the clients in scope with their kept histories (one row each, by
//! the clients' primary key), and a contract's members.

/// A contract's members over a span (?1 contract, ?2 span start, ?3 span end): the clients with
/// an attribution to it covering any day of the span.
pub(super) const MEMBERS_SQL: &str = "SELECT DISTINCT a.client_id FROM live_attributions a
     WHERE a.contract_id = ?1 AND a.start_date <= ?3 AND (a.end_date IS NULL OR a.end_date >= ?2)";

/// Every client of the scope (?1 clinician, or NULL for the practice) with their kept history
/// (NULL when none is kept).
pub(super) const CLIENTS_SQL: &str =
    "SELECT c.id, c.status = 'active', c.since, c.tier, c.status, c.discharged_on, h.history
     FROM clients c LEFT JOIN client_histories h ON h.client_id = c.id
     WHERE ?1 IS NULL OR c.clinician_id = ?1";

/// Every statement of a pass, by name, for checking their plans.
#[cfg(test)]
pub fn statements() -> Vec<(&'static str, String)> {
    vec![("clients", CLIENTS_SQL.to_string())]
}
