//! `import roster --json`: the roster plan as machine-readable JSON, the same for a CSV roster
//! and an 834 (which adds its BGN). Formats `domain::roster_plan`; decides nothing.

use crate::domain::roster_plan::{Category, RosterPlan, SpanChange};
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Serialize)]
struct DatesJson {
    start: NaiveDate,
    end: Option<NaiveDate>,
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    line: Option<u64>,
    member_id: &'a str,
    client_id: Option<i64>,
    name: &'a str,
    category: &'a str,
    retroactive: bool,
    rename: Option<&'a str>,
    dob: Option<NaiveDate>,
    /// The attribution before and after (null: none).
    before: Option<DatesJson>,
    after: Option<DatesJson>,
    settled_gross_cents: i64,
    settled_net_cents: i64,
}

#[derive(Serialize)]
struct CountsJson {
    new: usize,
    continuing: usize,
    terminated: usize,
    retroactive: usize,
    reinstated: usize,
    changed: usize,
}

#[derive(Serialize)]
struct MonthJson {
    month: String,
    member_months_before: f64,
    member_months_after: f64,
    gross_cents_before: i64,
    gross_cents_after: i64,
}

#[derive(Serialize)]
pub(super) struct RosterJson<'a> {
    contract: &'a str,
    as_of: NaiveDate,
    dry_run: bool,
    applied: bool,
    import_id: Option<i64>,
    file_hash: &'a str,
    members: usize,
    counts: CountsJson,
    month: MonthJson,
    clawed_back_cents: i64,
    restored_cents: i64,
    changes: Vec<ChangeJson<'a>>,
    unmatched_client_ids: Vec<i64>,
    /// The 834 the roster was read from (absent for a CSV roster).
    #[serde(skip_serializing_if = "Option::is_none")]
    x12: Option<X12Json<'a>>,
}

/// An 834's BGN and what its members said.
#[derive(Serialize)]
pub(super) struct X12Json<'a> {
    pub reference: &'a str,
    pub date: NaiveDate,
    pub kind: &'a str,
    pub action: &'a str,
    pub maintenance: crate::domain::x12::Summary,
}

impl<'a> RosterJson<'a> {
    pub(super) fn new(
        contract: &'a str,
        plan: &'a RosterPlan,
        dry_run: bool,
        import: Option<i64>,
        file_hash: &'a str,
        members: usize,
        x12: Option<X12Json<'a>>,
    ) -> RosterJson<'a> {
        let changes = plan
            .changes
            .iter()
            .map(|c| {
                let first = c.spans.first();
                let before = first
                    .and_then(|s| match *s {
                        SpanChange::Update {
                            old_start, old_end, ..
                        } => Some((old_start, old_end)),
                        SpanChange::Withdraw { start, end, .. } => Some((start, end)),
                        SpanChange::Insert { .. } => None,
                    })
                    .map(|(start, end)| DatesJson { start, end });
                ChangeJson {
                    line: c.line,
                    member_id: &c.member_id,
                    client_id: c.client_id.map(|i| i.0),
                    name: &c.name,
                    category: c.category.as_str(),
                    retroactive: c.retroactive,
                    rename: c.rename.as_deref(),
                    dob: c.dob,
                    before,
                    after: c.attribution().map(|(start, end)| DatesJson { start, end }),
                    settled_gross_cents: c.settled.gross.round().cents(),
                    settled_net_cents: c.settled.net.round().cents(),
                }
            })
            .collect();
        RosterJson {
            contract,
            as_of: plan.as_of,
            dry_run,
            applied: import.is_some(),
            import_id: import,
            file_hash,
            members,
            counts: CountsJson {
                new: plan.count(Category::New),
                continuing: plan.count(Category::Continuing),
                terminated: plan.count(Category::Terminated),
                retroactive: plan.retroactive(),
                reinstated: plan.count(Category::Reinstated),
                changed: plan.count(Category::Changed),
            },
            month: MonthJson {
                month: plan.month.to_string(),
                member_months_before: plan.before.member_months.as_f64(),
                member_months_after: plan.after.member_months.as_f64(),
                gross_cents_before: plan.before.gross.round().cents(),
                gross_cents_after: plan.after.gross.round().cents(),
            },
            clawed_back_cents: plan.clawed_back().cents(),
            restored_cents: plan.restored().cents(),
            changes,
            unmatched_client_ids: plan.unmatched.iter().map(|c| c.0).collect(),
            x12,
        }
    }
}
