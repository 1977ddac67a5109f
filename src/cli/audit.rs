//! `caseload audit verify|head|report`: check the hash chain (also against heads written down
//! before), print its head, and read who viewed or changed which record. Reading the trail is
//! an admin's task and is itself audited.

use super::args::AuditCommand;
use super::table::{Table, or_dash};
use super::{Context, print_json};
use crate::domain::access::Action;
use crate::domain::{parse_date, text::count};
use crate::error::{Error, Result};
use crate::store::{audit, clients, clinicians};

pub fn run(ctx: &mut Context, command: AuditCommand) -> Result<()> {
    match command {
        AuditCommand::Verify { expect } => verify(ctx, &expect),
        AuditCommand::Head => {
            ctx.require(Action::ReviewAudit, None)?;
            let Some((seq, hash)) = ctx.store.read(|c| audit::head(c))? else {
                return Err(Error::Database(
                    "the audit trail is broken: its chain head is missing".into(),
                ));
            };
            outln!("{seq}:{hash}");
            Ok(())
        }
        AuditCommand::Report {
            from,
            to,
            clinician,
            client,
            json,
        } => {
            let filter = audit::ReportFilter {
                from: from.as_deref().map(parse_date).transpose()?,
                to: to.as_deref().map(parse_date).transpose()?,
                clinician: None,
                client: None,
            };
            if let (Some(f), Some(t)) = (filter.from, filter.to)
                && f > t
            {
                return Err(Error::invalid(format!("--from {f} is after --to {t}")));
            }
            ctx.require(Action::ReviewAudit, None)?;
            let (filter, rows) = ctx.store.read(|conn| {
                let filter = audit::ReportFilter {
                    clinician: clinician
                        .as_deref()
                        .map(|n| clinicians::by_name(conn, n))
                        .transpose()?
                        .map(|c| c.id),
                    client: client
                        .as_deref()
                        .map(|r| clients::resolve(conn, r))
                        .transpose()?
                        .map(|c| c.id),
                    ..filter
                };
                let rows = audit::report(conn, &filter)?;
                Ok((filter, rows))
            })?;
            let mut said = count(rows.len(), "row", "rows");
            for (what, value) in [
                ("from", filter.from.map(|d| d.to_string())),
                ("to", filter.to.map(|d| d.to_string())),
                ("clinician", filter.clinician.map(|c| c.to_string())),
                ("client", filter.client.map(|c| c.to_string())),
            ] {
                if let Some(value) = value {
                    said.push_str(&format!(", {what} {value}"));
                }
            }
            if json {
                said.push_str(", json");
            }
            ctx.store
                .write(|tx| tx.audit("audit.report", filter.client, &said))?;
            if json {
                return print_json(&rows);
            }
            let mut table = Table::new(&[
                ">seq",
                "at (UTC)",
                "clinician",
                "action",
                ">client",
                "detail",
            ]);
            for r in &rows {
                table.row(vec![
                    r.seq.to_string(),
                    r.at.clone(),
                    r.actor.clone(),
                    r.action.clone(),
                    or_dash(r.client_id),
                    r.detail.clone(),
                ]);
            }
            if table.is_empty() {
                outln!("No audit rows match.");
            } else {
                table.print()?;
                outln!("{}", count(rows.len(), "row", "rows"));
            }
            Ok(())
        }
    }
}

/// A head as `audit head` prints it: `SEQ:HASH`.
fn parse_head(text: &str) -> Result<(i64, String)> {
    let bad = || {
        Error::Usage(format!(
            "--expect {}: give a head as `audit head` prints it, SEQ:HASH",
            crate::domain::text::sanitize(text)
        ))
    };
    let (seq, hash) = text.trim().split_once(':').ok_or_else(bad)?;
    let seq: i64 = seq.parse().map_err(|_| bad())?;
    if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) || seq < 0 {
        return Err(bad());
    }
    Ok((seq, hash.to_ascii_lowercase()))
}

fn verify(ctx: &mut Context, expect: &[String]) -> Result<()> {
    let mut expected = expect
        .iter()
        .map(|e| parse_head(e))
        .collect::<Result<Vec<_>>>()?;
    let recorded = ctx.store.recorded_head()?;
    expected.extend(recorded);
    match ctx
        .store
        .read(|c| audit::verify_with(c, ctx.store.chain_key(), &expected))?
    {
        Ok(ok) => {
            outln!(
                "The audit trail is intact: {}, chain head at sequence {} (hash {}).",
                count(ok.rows, "row", "rows"),
                ok.head_seq,
                ok.head_hash
            );
            outln!(
                "Keep the head's hash somewhere else to prove later that nothing was rewritten."
            );
            Ok(())
        }
        Err(broken) => Err(Error::Database(broken.to_string())),
    }
}
