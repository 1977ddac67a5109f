//! Roster columns recognised or mapped, payer dates, names reordered, rows checked.

use super::*;

fn today() -> NaiveDate {
    super::super::parse_date("2026-03-15").unwrap()
}

fn d(s: &str) -> NaiveDate {
    super::super::parse_date(s).unwrap()
}

fn headers(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| s.to_string()).collect()
}

#[test]
fn common_header_names_are_recognised() {
    let h = headers(&[
        "Subscriber ID",
        "Member ID",
        "Last Name",
        "First Name",
        "DOB",
        "Eff Date",
        "Term Date",
        "Plan",
    ]);
    let c = map_columns(&h, &[]).unwrap();
    assert_eq!(c.member_id, 1, "member id beats subscriber id");
    assert_eq!(
        (
            c.last_name,
            c.first_name,
            c.dob,
            c.start,
            c.end,
            c.full_name
        ),
        (Some(2), Some(3), Some(4), Some(5), Some(6), None)
    );
    let c = map_columns(
        &headers(&["member_id", "name", "start_date", "end_date"]),
        &[],
    )
    .unwrap();
    assert_eq!((c.full_name, c.start, c.end), (Some(1), Some(2), Some(3)));
}

#[test]
fn maps_override_and_ambiguity_is_refused() {
    let h = headers(&["Mbr", "Patient", "Begins"]);
    assert!(map_columns(&h, &[]).is_err());
    let maps: Vec<Mapping> = ["Mbr=member_id", "patient=name", "BEGINS=start"]
        .iter()
        .map(|m| m.parse().unwrap())
        .collect();
    let c = map_columns(&h, &maps).unwrap();
    assert_eq!((c.member_id, c.full_name, c.start), (0, Some(1), Some(2)));
    let twice = headers(&["id", "ID", "name"]);
    let err = map_columns(&twice, &[]).unwrap_err().to_string();
    assert!(err.contains("--map"), "{err}");
    let maps = vec!["#2=ignore".parse::<Mapping>().unwrap()];
    assert_eq!(map_columns(&twice, &maps).unwrap().member_id, 0);
    assert!("nonsense".parse::<Mapping>().is_err());
    assert!("a=shoe size".parse::<Mapping>().is_err());
    let missing = vec!["Nope=name".parse::<Mapping>().unwrap()];
    assert!(map_columns(&h, &missing).is_err());
    assert!(
        map_columns(&headers(&["member id", "dob"]), &[])
            .unwrap_err()
            .to_string()
            .contains("no name column")
    );
}

#[test]
fn payer_dates() {
    assert_eq!(parse_payer_date("2026-03-01"), Some(d("2026-03-01")));
    assert_eq!(parse_payer_date("03/01/2026"), Some(d("2026-03-01")));
    assert_eq!(parse_payer_date("3/1/2026"), Some(d("2026-03-01")));
    assert_eq!(parse_payer_date("20260301"), Some(d("2026-03-01")));
    for bad in [
        "2026-02-30",
        "13/01/2026",
        "3/1/26",
        "March 1",
        "2026-3-1",
        "",
    ] {
        assert_eq!(parse_payer_date(bad), None, "{bad}");
    }
}

#[test]
fn rows_are_checked_and_every_problem_kept() {
    let text = "Member ID,First Name,Last Name,Effective,Term\n\
                M-1,Ann,Lee,2026-01-01,\n\
                ,Bo,Diaz,2026-01-01,\n\
                M-3,Cy,Young,2026-02-30,\n\
                M-1,Ann,Again,2026-01-01,\n\
                M-5,Di,Ng,2026-03-01,2026-02-01\n\
                M-6,Ed,Oh,2026-01-01,12/31/9999\n";
    let r = parse(text.as_bytes(), &[], today()).unwrap();
    let got: Vec<(u64, &str)> = r
        .problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert_eq!(got[0], (3, "missing member id"));
    assert_eq!(got[1].0, 4);
    assert!(
        got[1]
            .1
            .starts_with("bad date '2026-02-30' in column 'Effective'")
    );
    assert_eq!(got[2], (5, "duplicate member id 'M-1' (first on line 2)"));
    assert_eq!(got[3].0, 6);
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.rows[0].name, "Ann Lee");
    assert_eq!(r.rows[1].end, None, "9999-12-31 is an open end");
}

#[test]
fn a_name_in_last_first_form_is_stored_first_last() {
    assert_eq!(natural_order("Lee, Ann"), "Ann Lee");
    assert_eq!(
        natural_order("  Lee-Park ,  Ann Marie "),
        "Ann Marie Lee-Park"
    );
    assert_eq!(natural_order("Ann Lee"), "Ann Lee");
    assert_eq!(natural_order("Ann Lee, Jr."), "Ann Lee, Jr.");
    assert_eq!(natural_order("Ann Lee, III"), "Ann Lee, III");
    assert_eq!(
        natural_order("Lee, Ann, Jr."),
        "Lee, Ann, Jr.",
        "two commas: kept"
    );
    assert_eq!(natural_order("Lee,"), "Lee,");
    assert_eq!(natural_order(", Ann"), ", Ann");
    let text = "Member ID,Member Name,First Name\nM-1,\"Lee, Ann\",\nM-2,,\"Diaz, Bo\"\n";
    let r = parse(text.as_bytes(), &[], today()).unwrap();
    assert_eq!(r.rows[0].name, "Ann Lee");
    assert_eq!(
        r.rows[1].name, "Diaz, Bo",
        "only a one-column name is reordered"
    );
}

#[test]
fn a_header_without_members_is_refused() {
    let err = parse(b"member id,name\n", &[], today()).unwrap_err();
    assert!(err.to_string().contains("no members"));
    assert!(
        parse(b"", &[], today())
            .unwrap_err()
            .to_string()
            .contains("empty")
    );
}

#[test]
fn an_unclosed_quote_refuses_the_roster_at_its_line() {
    let err = parse(
        b"Member ID,Name\nM1,Ann Lee\nM2,\"Ray, Bob\nM3,Dee Cy\n",
        &[],
        today(),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        err,
        "roster refused: line 3: a quoted field is never closed (a \" opens it and no \" ends it before the end of the file)"
    );
}

#[test]
fn control_characters_in_member_ids_and_names_refuse_the_row() {
    let text = "Member ID,First Name,Last Name\n\
                M-1,Ann,Lee\n\
                M-2\u{1b}[2J,Bo,Diaz\n\
                M-3,\"Cy\nJr\",Young\n\
                M-4,Di\u{202e},Ng\n\
                M-5,E\u{85}d,Oh\n\
                M-6,Fa\tX,Ru\n\
                \u{0}M-7,Gi,Po\n";
    let r = parse(text.as_bytes(), &[], today()).unwrap();
    let got: Vec<(u64, &str)> = r
        .problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    let tail = "; names and ids cannot hold control or text-direction characters";
    assert_eq!(
        got,
        vec![
            (
                3,
                format!("member id holds an escape character (U+001B){tail}").as_str()
            ),
            (
                4,
                format!("name holds a line break (U+000A){tail}").as_str()
            ),
            (
                6,
                format!("name holds a text-direction character (U+202E){tail}").as_str()
            ),
            (
                7,
                format!("name holds a control character (U+0085){tail}").as_str()
            ),
            (8, format!("name holds a tab (U+0009){tail}").as_str()),
            (
                9,
                format!("member id holds a NUL character (U+0000){tail}").as_str()
            ),
        ]
    );
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0].member_id, "M-1");
    // Surrounding white space (a trailing line break in a quoted cell) is trimmed, not refused.
    let r = parse(b"Member ID,Name\n\" M-1\t\",\"Ann Lee\n\"\n", &[], today()).unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(
        (r.rows[0].member_id.as_str(), r.rows[0].name.as_str()),
        ("M-1", "Ann Lee")
    );
}
