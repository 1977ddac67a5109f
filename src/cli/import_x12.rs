//! `caseload import roster FILE` for an X12 834 enrollment file: read by `domain::x12`, planned
//! by `domain::x12::plan` against the practice and the previous roster, then applied, printed and
//! recorded by the same path as a CSV roster. This file only reads the store's facts and prints.

use super::import::{RosterArgs, RosterJson, X12Json, file_hash, print_roster};
use super::roster_import::{Naming, RosterJob, plan_and_apply, roster_contract};
use super::{Context, print_json};
use crate::domain::text::{count, sanitize};
use crate::domain::x12::{self, Enrollment, Kind, Summary};
use crate::error::{Error, Result};
use crate::store::roster::{self as store_roster, X12Source};
use chrono::NaiveDate;

pub(super) fn roster(
    ctx: &mut Context,
    args: &RosterArgs,
    as_of: NaiveDate,
    bytes: &[u8],
) -> Result<()> {
    if !args.map.is_empty() {
        return Err(Error::invalid(
            "--map names the columns of a CSV roster; an 834 has none (its members come from INS, REF*0F, NM1*IL, DMG and DTP segments)",
        ));
    }
    let enrollment = x12::read(bytes, ctx.today)
        .map_err(|r| Error::invalid(format!("834 refused, nothing was written: {r}")))?;
    let contract = roster_contract(ctx, &args.contract)?;
    let hash = file_hash(bytes);
    let source = X12Source {
        reference: enrollment.reference.clone(),
        date: enrollment.date,
        kind: enrollment.kind,
    };
    let job = RosterJob {
        contract: &contract,
        as_of,
        file_hash: &hash,
        dry_run: args.dry_run,
        naming: Naming::X12,
        problems: enrollment.problems.clone(),
        members: enrollment.members.len(),
        x12: Some(&source),
    };
    let (plan, import, (summary, first)) = plan_and_apply(ctx, job, |conn, current| {
        // A change file changes the roster recorded before it; a full file is a roster itself.
        let previous = match enrollment.kind {
            Kind::Full => None,
            Kind::Change => match store_roster::latest_import(conn, contract.id, as_of)? {
                Some(i) => Some((i.as_of, store_roster::members_of(conn, i.id)?)),
                None => None,
            },
        };
        let planned = x12::plan(
            &enrollment,
            current,
            &contract,
            as_of,
            previous.as_ref().map(|(d, m)| (*d, m.as_slice())),
        );
        let first = enrollment.kind == Kind::Change && previous.is_none();
        Ok((planned.plan, planned.problems, (planned.summary, first)))
    })?;
    if args.json {
        return print_json(&RosterJson::new(
            &contract.name,
            &plan,
            args.dry_run,
            import,
            &hash,
            enrollment.members.len(),
            Some(X12Json {
                reference: &enrollment.reference,
                date: enrollment.date,
                kind: enrollment.kind.as_str(),
                action: &enrollment.action,
                maintenance: summary,
            }),
        ));
    }
    let mut heading = heading(&enrollment, &summary, plan.members.len());
    if first {
        heading.push_str(
            "; no earlier roster is recorded for this contract, so the one kept for reconciliation holds only these members (import the payer's full file first)",
        );
    }
    print_roster(
        &contract.name,
        &plan,
        &heading,
        &Naming::X12,
        args.dry_run,
        import,
    )
}

/// "4 members (834 full roster REF-0042 of 2026-02-25, BGN08 4)", or for a change file what its
/// members said: "834 change file CHG-7 of 2026-03-14 lists 6 members: 1 addition, …".
fn heading(e: &Enrollment, s: &Summary, roster: usize) -> String {
    let file = format!("{} of {}", sanitize(&e.reference), e.date);
    if e.kind == Kind::Full {
        return format!(
            "{} (834 full roster {file}, BGN08 {})",
            count(roster, "member", "members"),
            sanitize(&e.action)
        );
    }
    let said: Vec<String> = [
        (s.additions, "addition", "additions"),
        (s.changes, "change", "changes"),
        (s.reinstatements, "reinstatement", "reinstatements"),
        (s.terminations, "termination", "terminations"),
        (s.audits, "audit", "audits"),
    ]
    .iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| count(*n, one, many))
    .collect();
    let listed = count(e.members.len(), "member", "members");
    let mut out = if said.is_empty() {
        format!("834 change file {file} lists no members")
    } else {
        format!("834 change file {file} lists {listed}: {}", said.join(", "))
    };
    if s.left_alone > 0 {
        out.push_str(&format!(
            "; {} nothing to end (not attributed to this contract, or already ended by then)",
            match s.left_alone {
                1 => "1 termination found".to_string(),
                n => format!("{n} terminations found"),
            }
        ));
    }
    out
}
