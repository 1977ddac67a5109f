//! The window's statements read their order off an index (EXPLAIN QUERY PLAN).
use super::*;
use crate::domain::ClinicianId;
use crate::store::Store;

/// A page in every order is read straight off the order's index, forwards and backwards,
/// without sorting the window: the first screen of 100,000 clients stays a few index
/// entries (the minutes order sorts only runs of clients tied on the same minutes).
#[test]
fn a_page_reads_its_order_off_an_index() {
    let store = Store::open_in_memory().unwrap();
    let conn = store.conn();
    let today = crate::domain::parse_date("2026-11-23").unwrap();
    for order in [
        PanelOrder::Priority,
        PanelOrder::Name,
        PanelOrder::LastContact,
    ] {
        for clinician in [None, Some(ClinicianId(1))] {
            for flag in [None, Some(FlagKind::Safety)] {
                let window = PanelWindow {
                    panel: PanelQuery {
                        clinician,
                        include_inactive: false,
                    },
                    order,
                    flag,
                    name: "an".into(),
                };
                let sql = Sql::new(&window, today);
                let backwards: Vec<String> =
                    sql.order.iter().map(|t| format!("{t} DESC")).collect();
                for order_terms in [sql.order.clone(), backwards] {
                    let statement = page_statement(&sql, &order_terms);
                    let plan = plan_of(conn, &sql, sql.uses_month, &statement);
                    assert!(plan.contains("COVERING INDEX"), "{window:?}: {plan}");
                    assert!(!plan.contains("TEMP B-TREE"), "{window:?}: {plan}");
                }
                // The minutes order: its clients with minutes off the month's summary
                // most minutes first (only each run of ties sorted), the others off the
                // priority index.
                let minutes = PanelWindow {
                    order: PanelOrder::Minutes,
                    ..window.clone()
                };
                let sql = Sql::new(&minutes, today);
                for backwards in [false, true] {
                    let [with, without] = super::minutes::parts(&sql, backwards);
                    for (part, (rows, order)) in [("with", with), ("without", without)] {
                        let statement =
                            format!("{rows} ORDER BY {order} LIMIT :limit OFFSET :offset");
                        let plan = plan_of(conn, &sql, true, &statement);
                        let sorts = plan.contains("TEMP B-TREE FOR ORDER BY");
                        assert!(!sorts, "{part} {minutes:?}: {plan}");
                        if part == "with" {
                            assert!(plan.contains("month_minutes_order"), "{minutes:?}: {plan}");
                        }
                    }
                }
            }
        }
    }
}

/// SQLite's plan for a page statement of `sql` (a first page of 40), its steps joined.
fn plan_of(conn: &Connection, sql: &Sql, month: bool, statement: &str) -> String {
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {statement}"))
        .unwrap();
    let mut params = sql.params(month);
    params.push((":limit", &40));
    params.push((":offset", &0));
    let plan: Vec<String> = stmt
        .query_map(params.as_slice(), |r| r.get::<_, String>(3))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    plan.join("; ")
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
    for order in [
        PanelOrder::Priority,
        PanelOrder::Name,
        PanelOrder::LastContact,
        PanelOrder::Minutes,
    ] {
        for clinician in [None, Some(ClinicianId(1))] {
            for flag in [None, Some(FlagKind::Safety)] {
                let window = PanelWindow {
                    panel: PanelQuery {
                        clinician,
                        include_inactive: false,
                    },
                    order,
                    flag,
                    name: "an".into(),
                };
                let sql = Sql::new(&window, today);
                let mut statements = Vec::new();
                if order == PanelOrder::Minutes {
                    for backwards in [false, true] {
                        for (rows, order) in super::minutes::parts(&sql, backwards) {
                            statements.push(format!(
                                "{rows} ORDER BY {order} LIMIT :limit OFFSET :offset"
                            ));
                        }
                    }
                } else {
                    let backwards: Vec<String> =
                        sql.order.iter().map(|t| format!("{t} DESC")).collect();
                    for order_terms in [sql.order.clone(), backwards] {
                        statements.push(page_statement(&sql, &order_terms));
                    }
                }
                for statement in statements {
                    let plan = server_plan_of(conn, &sql, sql.uses_month, &statement);
                    assert!(plan.contains("Index"), "{window:?}: {plan}");
                    // A sort node reads `Sort` alone (`Incremental Sort` sorts runs of ties only).
                    let full_sort = plan
                        .lines()
                        .any(|l| l.trim_start().trim_start_matches("->").trim() == "Sort");
                    assert!(!full_sort, "{window:?}: {plan}");
                }
            }
        }
    }
}

/// PostgreSQL's plan for a page statement of `sql` (a first page of 40), one node a line.
fn server_plan_of(conn: &Connection, sql: &Sql, month: bool, statement: &str) -> String {
    let mut stmt = conn
        .prepare(&format!("EXPLAIN (COSTS OFF) {statement}"))
        .unwrap();
    let mut params = sql.params(month);
    params.push((":limit", &40));
    params.push((":offset", &0));
    let plan: Vec<String> = stmt
        .query_map(params.as_slice(), |r| r.get::<_, String>(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    plan.join("\n")
}
