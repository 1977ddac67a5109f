//! The window's statements read their order off an index (EXPLAIN QUERY PLAN on SQLite,
//! EXPLAIN on PostgreSQL).
use super::*;
use crate::domain::ClinicianId;
use crate::store::Store;

/// Every kind of window: each order, for everyone and for one clinician, with and without a
/// flag filter, all with a name filter.
fn every_window() -> Vec<PanelWindow> {
    let mut windows = Vec::new();
    for order in [
        PanelOrder::Priority,
        PanelOrder::Name,
        PanelOrder::LastContact,
        PanelOrder::Minutes,
    ] {
        for clinician in [None, Some(ClinicianId(1))] {
            for flag in [None, Some(FlagKind::Safety)] {
                windows.push(PanelWindow {
                    panel: PanelQuery {
                        clinician,
                        include_inactive: false,
                    },
                    order,
                    flag,
                    name: "an".into(),
                });
            }
        }
    }
    windows
}

/// A window's page statements, forwards and backwards: for the minutes order its two parts
/// (clients with minutes this month, named "with", then the others), else the one statement.
fn page_statements(sql: &Sql, order: PanelOrder) -> Vec<(&'static str, String)> {
    let mut statements = Vec::new();
    if order == PanelOrder::Minutes {
        for backwards in [false, true] {
            let [with, without] = super::minutes::parts(sql, backwards);
            for (part, (rows, order)) in [("with", with), ("without", without)] {
                let statement = format!("{rows} ORDER BY {order} LIMIT :limit OFFSET :offset");
                statements.push((part, statement));
            }
        }
    } else {
        let backwards: Vec<String> = sql.order.iter().map(|t| format!("{t} DESC")).collect();
        for order_terms in [sql.order.clone(), backwards] {
            statements.push(("page", page_statement(sql, &order_terms)));
        }
    }
    statements
}

/// A page in every order is read straight off the order's index, forwards and backwards,
/// without sorting the window: the first screen of 100,000 clients stays a few index
/// entries (the minutes order sorts only runs of clients tied on the same minutes: its
/// clients with minutes come off the month's summary most minutes first, the others off the
/// priority index).
#[test]
fn a_page_reads_its_order_off_an_index() {
    let store = Store::open_in_memory().unwrap();
    let conn = store.conn();
    let today = crate::domain::parse_date("2026-11-23").unwrap();
    for window in every_window() {
        let sql = Sql::new(&window, today);
        for (part, statement) in page_statements(&sql, window.order) {
            let plan = plan_of(conn, &sql, "EXPLAIN QUERY PLAN", 3, &statement);
            assert!(
                !plan.contains("TEMP B-TREE FOR ORDER BY"),
                "{window:?}: {plan}"
            );
            match part {
                "page" => {
                    assert!(plan.contains("COVERING INDEX"), "{window:?}: {plan}");
                    assert!(!plan.contains("TEMP B-TREE"), "{window:?}: {plan}");
                }
                "with" => assert!(plan.contains("month_minutes_order"), "{window:?}: {plan}"),
                _ => {}
            }
        }
    }
}

/// On PostgreSQL the same statements (hints dropped by the dialect) can read every order off
/// an index: with sequential scans and sorts priced out, the planner still finds a plan with
/// no full sort (the minutes order may sort each run of ties, an incremental sort), so an
/// index holds the order. Runs when `CASELOAD_TEST_POSTGRES` names a server.
#[test]
fn on_a_server_a_page_reads_its_order_off_an_index() {
    let Some(db) = crate::store::pg::scratch::ScratchDb::new() else {
        return;
    };
    let store = Store::open_server(&db.server()).unwrap();
    let conn = store.conn();
    conn.execute_batch("SET enable_seqscan = off; SET enable_sort = off")
        .unwrap();
    let today = crate::domain::parse_date("2026-11-23").unwrap();
    for window in every_window() {
        let sql = Sql::new(&window, today);
        for (_, statement) in page_statements(&sql, window.order) {
            let plan = plan_of(conn, &sql, "EXPLAIN (COSTS OFF)", 0, &statement);
            assert!(plan.contains("Index"), "{window:?}: {plan}");
            // A sort node reads `Sort` alone (`Incremental Sort` sorts runs of ties only).
            let full_sort = plan
                .lines()
                .any(|l| l.trim_start().trim_start_matches("->").trim() == "Sort");
            assert!(!full_sort, "{window:?}: {plan}");
        }
    }
}

/// The engine's plan for a page statement of `sql` (a first page of 40) as `explain` words
/// it, the text of each step in column `column`, one step a line.
fn plan_of(conn: &Connection, sql: &Sql, explain: &str, column: usize, statement: &str) -> String {
    let mut stmt = conn.prepare(&format!("{explain} {statement}")).unwrap();
    let mut params = sql.params(sql.uses_month);
    params.push((":limit", &40));
    params.push((":offset", &0));
    let plan: Vec<String> = stmt
        .query_map(params.as_slice(), |r| r.get::<_, String>(column))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    plan.join("\n")
}
