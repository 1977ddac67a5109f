//! Timing of the value report's parts on a practice database, without printing: the measures
//! for one period, for a period and the previous one (one pass), the 12 monthly values of the
//! value tab, the value tab's overview, the fairness self-audit, the report's one pass and the
//! end-of-day summary. Each is the fastest of five runs, wall clock and CPU. Run with
//! `cargo bench --bench value -- PATH [YYYY-MM-DD]` on a demo made by `caseload demo`.

use caseload::domain::value::Period;
use caseload::store::Store;
use caseload::store::value::{self, ValueQuery};
use std::time::{Duration, Instant};

/// CPU time of this process (user + system) from /proc, when there is one: steadier than the
/// wall clock on a shared machine.
fn cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The fastest of `runs` runs, wall clock and CPU.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Timing, T) {
    let mut fastest = Timing {
        wall: Duration::MAX,
        cpu: None,
    };
    let mut last = None;
    for _ in 0..runs {
        let (started, cpu_before) = (Instant::now(), cpu());
        last = Some(f());
        let wall = started.elapsed();
        if wall < fastest.wall {
            fastest = Timing {
                wall,
                cpu: cpu().zip(cpu_before).map(|(a, b)| a - b),
            };
        }
    }
    (fastest, last.expect("at least one run"))
}

struct Timing {
    wall: Duration,
    cpu: Option<Duration>,
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.cpu {
            Some(cpu) => write!(f, "{:>9.2?} (cpu {:.2?})", self.wall, cpu),
            None => write!(f, "{:>9.2?}", self.wall),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: cargo bench --bench value -- PATH [YYYY-MM-DD]");
        std::process::exit(2);
    };
    let today = args
        .get(1)
        .map(|t| caseload::domain::parse_date(t).expect("a date"))
        .unwrap_or_else(|| chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date"));
    let store = Store::open(std::path::Path::new(path)).expect("open");
    store
        .read(|conn| {
            bench(conn, today);
            Ok(())
        })
        .expect("read");
}

fn bench(conn: &caseload::store::Connection, today: chrono::NaiveDate) {
    if let Ok(pragmas) = std::env::var("BENCH_PRAGMAS") {
        conn.execute_batch(&pragmas).expect("pragmas");
    }
    let query = ValueQuery::default();
    let period = Period::default_ending(today);
    let runs = 5;

    let (t, _) = best(runs, || {
        value::measures(conn, period, query).expect("measures")
    });
    println!("measures, one 90-day period:          {t}");
    let (t, _) = best(runs, || {
        value::measures_for(conn, &[period, period.previous()], query).expect("measures")
    });
    println!("measures, period and previous (1 pass): {t}");
    let (t, months) = best(runs, || {
        value::monthly(conn, today, query).expect("monthly")
    });
    println!(
        "monthly, 12 months (1 pass):          {t} ({} months)",
        months.len()
    );
    let (t, _) = best(runs, || {
        value::overview(conn, period, today, query).expect("overview")
    });
    println!("overview: period, previous, 12 months: {t}");
    let (t, _) = best(runs, || {
        caseload::store::fairness::audit(conn, period, query).expect("fairness")
    });
    println!("fairness alone, one 90-day period:    {t}");
    let (t, _) = best(runs, || value::report(conn, period, query).expect("report"));
    println!("report: period, previous, fairness:   {t}");
    let (t, _) = best(runs, || {
        caseload::store::today::load(conn, today, None).expect("today")
    });
    println!("today::load, whole practice:          {t}");
}
