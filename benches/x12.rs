//! The 834 reader against the CSV roster reader on the same members: a generated roster of
//! 100,000 members (override with `-- N`) as a full 834 and as a CSV, each read (best of five),
//! then read, planned and applied into a fresh database in one transaction as `import roster`
//! does (best of three). Wall clock and CPU. Run with `cargo bench --bench x12 [-- N [DIR]]`; a
//! DIR also gets both files, for timing the binary on them.

use caseload::domain::roster_plan::{self, RosterPlan};
use caseload::domain::{ContractModel, Money, Percent, Proration, roster, x12};
use caseload::store::{Store, contracts, roster as store_roster};
use chrono::{NaiveDate, Utc};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// CPU time of this process (user + system) from /proc, when there is one.
fn cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
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

/// The fastest of `runs` runs of `f`, each after `setup`.
fn best<S, T>(runs: usize, mut setup: impl FnMut() -> S, mut f: impl FnMut(S) -> T) -> Timing {
    let mut fastest = Timing {
        wall: Duration::MAX,
        cpu: None,
    };
    for _ in 0..runs {
        let s = setup();
        let (started, cpu_before) = (Instant::now(), cpu());
        std::hint::black_box(f(s));
        let wall = started.elapsed();
        if wall < fastest.wall {
            fastest = Timing {
                wall,
                cpu: cpu().zip(cpu_before).map(|(a, b)| a - b),
            };
        }
    }
    fastest
}

fn date(i: usize) -> String {
    format!("2025{:02}{:02}", i % 12 + 1, i % 28 + 1)
}

/// The same members as a full 834 (one set, the segments a payer's file has around them) and as
/// a CSV roster.
fn files(members: usize) -> (String, String) {
    let mut body = vec![
        "BGN*00*BENCH-1*20260225*0930****4".to_string(),
        "N1*P5*HARBOR HEALTH PLAN*FI*931234567".into(),
        "N1*IN*HARBOR HEALTH PLAN*FI*931234567".into(),
    ];
    let mut csv = String::from("member id,first name,last name,dob,effective date,term date\n");
    for i in 0..members {
        let id = format!("M-{i:06}");
        let (first, last, dob, start) = (
            format!("FIRST{i}"),
            format!("LAST{i}"),
            format!("19{:02}{:02}{:02}", 40 + i % 60, i % 12 + 1, i % 28 + 1),
            date(i),
        );
        let end = (i % 10 == 0).then(|| "20261231".to_string());
        body.extend([
            "INS*Y*18*030*XN*A***FT".to_string(),
            format!("REF*0F*{id}"),
            "REF*1L*HBR-BH".into(),
            format!("NM1*IL*1*{last}*{first}"),
            "N3*12 ALDER ST".into(),
            "N4*PORTLAND*OR*97201".into(),
            format!("DMG*D8*{dob}*F"),
            "HD*030**HLT*BH-CAP*IND".into(),
            format!("DTP*348*D8*{start}"),
        ]);
        if let Some(end) = &end {
            body.push(format!("DTP*349*D8*{end}"));
        }
        let _ = writeln!(
            csv,
            "{id},{first},{last},{dob},{start},{}",
            end.as_deref().unwrap_or("")
        );
    }
    let mut segs = vec![
        "ISA*00*          *00*          *ZZ*HARBORPLAN     *ZZ*BRIGHTPATH     *260225*0930*^*00501*000000001*0*P*:".to_string(),
        "GS*BE*HARBORPLAN*BRIGHTPATH*20260225*0930*1*X*005010X220A1".into(),
        "ST*834*0001*005010X220A1".into(),
    ];
    let count = body.len() + 2;
    segs.extend(body);
    segs.extend([
        format!("SE*{count}*0001"),
        "GE*1*1".into(),
        "IEA*1*000000001".into(),
    ]);
    let mut x12 = segs.join("~\n");
    x12.push_str("~\n");
    (x12, csv)
}

/// A fresh practice database with one clinician and the capitation contract.
fn practice(dir: &std::path::Path, n: usize) -> (Store, caseload::domain::Contract) {
    let path = dir.join(format!("bench-{n}.db"));
    let _ = std::fs::remove_file(&path);
    let mut store = Store::open(&path).expect("open");
    let contract = store
        .write(|tx| {
            tx.execute(
                "INSERT INTO clinicians (name, role, hourly_cost_cents, created_at)
                 VALUES ('Dana Reyes', 'admin', 9000, '2026-01-01 00:00:00')",
                [],
            )?;
            contracts::insert(
                tx,
                &contracts::NewContract {
                    name: "Harbor".into(),
                    model: ContractModel::Capitation,
                    rate: Money(4500),
                    withhold: Percent(0),
                    proration: Proration::FirstOfMonth,
                    payer: None,
                },
            )?;
            contracts::by_name(tx, "Harbor")
        })
        .expect("contract");
    (store, contract)
}

/// Plans `plan` against the store and applies it in one transaction, as `import roster` does.
fn apply(
    store: &mut Store,
    contract: &caseload::domain::Contract,
    plan: impl Fn(&roster_plan::Current) -> RosterPlan,
) -> i64 {
    store
        .write(|tx| {
            let current = store_roster::current(tx, contract.id)?;
            let plan = plan(&current);
            store_roster::apply(tx, contract, &plan, "bench", Utc::now(), &mut |_, _| {})
        })
        .expect("apply")
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let members: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date");
    let as_of = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date");
    let (x12_text, csv_text) = files(members);
    if let Some(dir) = args.get(1) {
        let dir = std::path::Path::new(dir);
        std::fs::write(dir.join("roster.x12"), &x12_text).expect("write the 834");
        std::fs::write(dir.join("roster.csv"), &csv_text).expect("write the CSV");
    }
    println!(
        "{members} members: 834 {:.1} MB, CSV {:.1} MB",
        x12_text.len() as f64 / 1e6,
        csv_text.len() as f64 / 1e6
    );
    // Both readers must agree before either is timed.
    let e = x12::read(x12_text.as_bytes(), today).expect("the 834 reads");
    let r = roster::parse(csv_text.as_bytes(), &[], today).expect("the CSV reads");
    assert!(e.problems.is_empty() && r.problems.is_empty());
    assert_eq!(e.members.len(), r.rows.len());
    for (m, row) in e.members.iter().zip(&r.rows) {
        assert_eq!(
            (&m.member_id, m.dob, m.start, m.end),
            (&row.member_id, row.dob, row.start, row.end)
        );
    }

    let t = best(
        5,
        || (),
        |()| x12::read(x12_text.as_bytes(), today).expect("834"),
    );
    println!("read the 834 (x12::read)                 {t}");
    let t = best(
        5,
        || (),
        |()| roster::parse(csv_text.as_bytes(), &[], today).expect("csv"),
    );
    println!("read the CSV (roster::parse)             {t}");

    let scratch = tempfile::tempdir().expect("a scratch folder");
    let dir = scratch.path().to_path_buf();
    let t = best(
        3,
        || practice(&dir, members),
        |(mut store, contract)| {
            let e = x12::read(x12_text.as_bytes(), today).expect("834");
            apply(&mut store, &contract, |current| {
                x12::plan(&e, current, &contract, as_of, None).plan
            })
        },
    );
    println!("import the 834 (read, plan, apply)       {t}");
    let t = best(
        3,
        || practice(&dir, members),
        |(mut store, contract)| {
            let r = roster::parse(csv_text.as_bytes(), &[], today).expect("csv");
            apply(&mut store, &contract, |current| {
                roster_plan::plan(&r.rows, current, &contract, as_of).0
            })
        },
    );
    println!("import the CSV (read, plan, apply)       {t}");
}
