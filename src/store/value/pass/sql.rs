//! The SQL of a value pass: each statement reads rows dated in the span through an index that
//! starts with the client (see `pass` for which index each one uses).

use crate::domain::EncounterKind;

pub(super) const MEASURED_SQL: &str =
    "SELECT c.id, m.date FROM clients c CROSS JOIN live_measurements m
     WHERE m.client_id = c.id AND m.date >= ?1 AND m.date <= ?2
       AND c.status = 'active' AND (?3 IS NULL OR c.clinician_id = ?3)";

pub(super) const PHQ9_SQL: &str =
    "SELECT c.id, m.id, m.date, m.total FROM clients c CROSS JOIN live_measurements m
     WHERE m.client_id = c.id AND m.instrument = 'phq9' AND m.date >= ?1 AND m.date <= ?2
       AND c.status = 'active' AND (?3 IS NULL OR c.clinician_id = ?3)";

pub(super) const SRS_SQL: &str =
    "SELECT m.date, m.total, c.id FROM clients c CROSS JOIN live_measurements m
     WHERE m.client_id = c.id AND m.instrument = 'srs' AND m.date >= ?1 AND m.date <= ?2
       AND (?3 IS NULL OR c.clinician_id = ?3)";

/// A contract's members over a span (?1 contract, ?2 span start, ?3 span end): the clients with
/// an attribution to it covering any day of the span.
pub(super) const MEMBERS_SQL: &str = "SELECT DISTINCT a.client_id FROM live_attributions a
     WHERE a.contract_id = ?1 AND a.start_date <= ?3 AND (a.end_date IS NULL OR a.end_date >= ?2)";

/// The clients statement: ?1 span start, ?2 clinician, ?3 PHQ-9 caseness, ?4 the audit's end
/// (NULL: no audit).
pub(super) fn clients_sql() -> String {
    let kinds = EncounterKind::CONTACT_KINDS_SQL;
    let phq9 = |when: &str, order: &str, bound: &str| {
        format!(
            "CASE WHEN {when} THEN
               (SELECT m.id FROM live_measurements m
                WHERE m.client_id = c.id AND m.instrument = 'phq9' {bound}
                ORDER BY m.date {order}, m.id {order} LIMIT 1) END"
        )
    };
    let attempt = |when: &str, offset: u8| {
        format!(
            "CASE WHEN {when} THEN
               (SELECT e.id FROM live_encounters e
                WHERE e.client_id = c.id AND e.kind IN {kinds} AND e.date <= ?4
                ORDER BY e.date DESC, e.id DESC LIMIT 1 OFFSET {offset}) END"
        )
    };
    format!(
        "SELECT c.id, c.status = 'active', c.since,
            (SELECT min(e.date) FROM live_encounters e WHERE e.client_id = c.id AND {contact}),
            pb.id, pb.date, pb.total, pp.id, pp.date, pp.total,
            c.tier, c.status, c.discharged_on, a1.date, a1.status, a2.date, a2.status
         FROM clients c
         LEFT JOIN live_measurements pb ON pb.id = {baseline}
         LEFT JOIN live_measurements pp ON pp.id = {before}
         LEFT JOIN live_encounters a1 ON a1.id = {a1}
         LEFT JOIN live_encounters a2 ON a2.id = {a2}
         WHERE ?2 IS NULL OR c.clinician_id = ?2",
        contact = contact("e"),
        baseline = phq9("c.status = 'active' OR ?4 IS NOT NULL", "ASC", ""),
        // Only a baseline at caseness before the span can need it (the outcome measures
        // ignore the rest).
        before = phq9(
            "c.status = 'active' AND pb.total >= ?3 AND pb.date < ?1",
            "DESC",
            "AND m.date < ?1"
        ),
        a1 = attempt("?4 IS NOT NULL AND c.status = 'active'", 0),
        a2 = attempt("a1.status <> 'completed'", 1),
    )
}

/// The contact-kind encounters statement (?1 span start, ?2 span end, ?3 clinician).
pub(super) fn attempts_sql() -> String {
    format!(
        "SELECT c.id, e.date, e.status = 'completed'
         FROM clients c CROSS JOIN live_encounters e
         WHERE e.client_id = c.id AND e.kind IN {kinds} AND e.date >= ?1 AND e.date <= ?2
           AND (?3 IS NULL OR c.clinician_id = ?3)",
        kinds = EncounterKind::CONTACT_KINDS_SQL
    )
}

/// The audit's minutes (?1 its start, ?2 its end, ?3 clinician).
pub(super) const MINUTES_SQL: &str =
    "SELECT c.id, e.date, e.minutes FROM clients c CROSS JOIN live_encounters e
     WHERE e.client_id = c.id AND e.date >= ?1 AND e.date <= ?2
       AND (?3 IS NULL OR c.clinician_id = ?3)";

/// The events statement (?1 span start, ?2 span end, ?3 clinician).
pub(super) fn events_sql() -> String {
    format!(
        "SELECT v.date, (SELECT min(e.date) FROM live_encounters e
                         WHERE e.client_id = v.client_id AND {contact} AND e.date > v.date),
            v.client_id
         FROM live_events v JOIN clients c ON c.id = v.client_id
         WHERE v.date >= ?1 AND v.date <= ?2 AND (?3 IS NULL OR c.clinician_id = ?3)",
        contact = contact("e")
    )
}

/// Every statement of a pass, by name, for checking their plans.
#[cfg(test)]
pub fn statements() -> Vec<(&'static str, String)> {
    vec![
        ("clients", clients_sql()),
        ("contact-kind encounters", attempts_sql()),
        ("minutes", MINUTES_SQL.to_string()),
        ("measured", MEASURED_SQL.to_string()),
        ("PHQ-9", PHQ9_SQL.to_string()),
        ("SRS", SRS_SQL.to_string()),
        ("events", events_sql()),
    ]
}

use crate::store::row::is_contact as contact;
