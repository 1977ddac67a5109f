//! One or two examples at the end of every command's `--help`, kept in one table beside the
//! clap definitions rather than in them, so the definitions stay readable. `command()` is the
//! command line caseload parses, completes and documents: the derived one with these added.

use clap::CommandFactory;

/// The command line with every command's examples appended to its help.
pub fn command() -> clap::Command {
    with_examples(super::Cli::command(), "")
}

fn with_examples(mut cmd: clap::Command, path: &str) -> clap::Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    for name in names {
        let sub_path = format!("{path} {name}").trim().to_string();
        cmd = cmd.mut_subcommand(&name, |sub| with_examples(sub, &sub_path));
    }
    let Some(examples) = examples(path) else {
        return cmd;
    };
    let mut text = match cmd.get_after_help() {
        Some(before) => format!("{before}\n\n"),
        None => String::new(),
    };
    text.push_str("Examples:");
    for line in examples {
        text.push_str("\n  ");
        text.push_str(line);
    }
    cmd.after_help(text)
}

/// The examples of the command at `path` ("" for caseload itself, "client add").
fn examples(path: &str) -> Option<&'static [&'static str]> {
    EXAMPLES.iter().find(|(p, _)| *p == path).map(|(_, e)| *e)
}

/// Command path → examples. One line per command: this is a table, read as one.
#[rustfmt::skip]
const EXAMPLES: &[(&str, &[&str])] = &[
    ("", &["caseload --demo", "caseload today"]),
    ("clinician", &["caseload clinician add \"Dana Reyes\" --role admin --hourly-cost 95", "caseload clinician list"]),
    ("clinician add", &["caseload clinician add \"Dana Reyes\" --role admin --hourly-cost 95", "caseload clinician add Sam --hourly-cost 60"]),
    ("clinician list", &["caseload clinician list", "caseload clinician list --json"]),
    ("clinician passphrase", &["caseload clinician passphrase \"Dana Reyes\"", "caseload --as Dana clinician passphrase Sam"]),
    ("contract", &["caseload contract add Harbor --model capitation --rate 45 --withhold 5", "caseload contract show Harbor"]),
    ("contract add", &["caseload contract add Harbor --model capitation --rate 45 --withhold 5", "caseload contract add EAP --model case-rate --rate 600"]),
    ("contract list", &["caseload contract list", "caseload contract list --json"]),
    ("contract rate", &["caseload contract rate Harbor --rate 48 --from 2026-07-01", "caseload contract rate EAP --rate 800 --from 2026-01-01 --diagnosis F32.2"]),
    ("contract show", &["caseload contract show Harbor", "caseload contract show Harbor --json"]),
    ("contract target", &["caseload contract target Harbor --measure contacted --at-least 75 --weight 2", "caseload contract target Harbor --measure measured --remove"]),
    ("client", &["caseload client add \"Ann Lee\" --tier high --contract Harbor", "caseload client show ann"]),
    ("client add", &["caseload client add \"Ann Lee\" --external-id M-1002 --tier high --contract Harbor", "caseload client add \"Bo Diaz\" --clinician Sam --since 2026-09-01"]),
    ("client list", &["caseload client list", "caseload client list --status discharged --json"]),
    ("client show", &["caseload client show ann", "caseload client show M-1002 --json"]),
    ("client discharge", &["caseload client discharge ann --date 2026-11-20", "caseload client discharge bo --force   # despite a critical flag"]),
    ("client status", &["caseload client status ann on-hold", "caseload client status ann active   # readmits"]),
    ("client edit", &["caseload client edit ann --name \"Ann Li\" --dob 1990-04-01", "caseload client edit ann --diagnosis F33.1"]),
    ("client tier", &["caseload client tier ann high"]),
    ("attribute", &["caseload attribute ann --contract Harbor --from 2026-09-01", "caseload attribute ann --contract Harbor --end 2026-12-31"]),
    ("log", &["caseload log ann --kind session   # the usual 50 minutes", "caseload log ann --kind phone --minutes 10 --status no-show --date 2026-11-20"]),
    ("measure", &["caseload measure ann --instrument phq9 --items 1,2,1,0,2,1,1,0,0", "caseload measure ann --instrument gad7 --score 9 --date 2026-11-20"]),
    ("event", &["caseload event ann --kind ed-visit --date 2026-11-10", "caseload event ann --kind inpatient-discharge"]),
    ("amend", &["caseload amend encounter 12 --minutes 50 --reason \"typed an extra zero\"", "caseload amend event 4 --date 2026-11-09 --reason \"the summary says the 9th\""]),
    ("amend encounter", &["caseload amend encounter 12 --minutes 50 --reason \"typed an extra zero\"", "caseload amend encounter 12 --kind telehealth --reason \"it was by video\""]),
    ("amend measurement", &["caseload amend measurement 31 --items 1,1,1,1,1,1,1,1,0 --reason \"item 9 was 0\""]),
    ("amend event", &["caseload amend event 4 --date 2026-11-09 --reason \"the discharge summary says the 9th\""]),
    ("book", &["caseload book ann --date 2026-12-02 --time 10:00", "caseload book bo --date 2026-12-03 --time 14:00 --every 7 --count 6"]),
    ("appointments", &["caseload appointments", "caseload appointments --from 2026-12-01 --to 2026-12-07 --json"]),
    ("appointment", &["caseload appointment move 12 --date 2026-12-04 --time 09:30", "caseload appointment cancel 12 --reason \"client asked\""]),
    ("appointment cancel", &["caseload appointment cancel 12 --reason \"client asked\""]),
    ("appointment move", &["caseload appointment move 12 --date 2026-12-04 --time 09:30"]),
    ("review", &["caseload review bo --flag safety --note \"assessed: no plan or intent\"", "caseload review ann --flag not_improving --note \"changing approach\" --until 2027-01-15"]),
    ("void", &["caseload void encounter 13 --reason \"logged for the wrong client\"", "caseload void measurement 31 --reason \"entered twice\""]),
    ("unvoid", &["caseload unvoid encounter 13 --reason \"it was the right client after all\""]),
    ("config", &["caseload config show", "caseload config set contact-days.high 10"]),
    ("config get", &["caseload config get contact-days.high"]),
    ("config set", &["caseload config set contact-days.high 10", "caseload config set lock-minutes 10"]),
    ("config list", &["caseload config list", "caseload config list --json   # or: config show"]),
    ("flags", &["caseload flags", "caseload flags --clinician Sam --json"]),
    ("today", &["caseload today", "caseload today --clinician Sam --json"]),
    ("demo", &["caseload demo --db /tmp/demo.db", "caseload demo --clients 1000 --seed 3 --db /tmp/big.db"]),
    ("report", &["caseload report revenue --by contract", "caseload report value --html value-report.html"]),
    ("report value", &["caseload report value", "caseload report value --from 2026-07-01 --to 2026-09-30 --json"]),
    ("report revenue", &["caseload report revenue --by client", "caseload report revenue --from 2026-01 --to 2026-06 --csv"]),
    ("report contract", &["caseload report contract Harbor", "caseload report contract Harbor --from 2026-01 --to 2026-06 --json"]),
    ("audit", &["caseload audit verify", "caseload --as Dana audit report --client ann"]),
    ("audit verify", &["caseload audit verify", "caseload audit verify --expect \"$(tail -1 ~/compliance/heads.txt)\""]),
    ("audit head", &["caseload audit head", "caseload audit head >> ~/compliance/heads.txt"]),
    ("audit report", &["caseload --as Dana audit report --from 2026-03-01 --client ann", "caseload --as Dana audit report --clinician Sam --json"]),
    ("import", &["caseload import roster march.csv --contract Harbor --as-of 2026-03-01", "caseload import encounters history.csv"]),
    ("import roster", &["caseload import roster march.csv --contract Harbor --as-of 2026-03-01 --dry-run", "caseload import roster harbor-834.x12 --contract Harbor --as-of 2026-03-15"]),
    ("import encounters", &["caseload import encounters history.csv", "caseload import encounters history.csv --dry-run"]),
    ("import measurements", &["caseload import measurements scores.csv"]),
    ("reconcile", &["caseload reconcile --contract Harbor --month 2026-03", "caseload reconcile --contract Harbor --json"]),
    ("export", &["caseload export --csv ~/practice-export", "caseload export --fhir practice-fhir.json"]),
    ("backup", &["caseload backup ~/backups/practice-2026-03-31.db"]),
    ("restore", &["caseload restore ~/backups/practice-2026-03-31.db --check", "caseload restore ~/backups/practice-2026-03-31.db"]),
    ("copy", &["caseload copy --to postgresql://dana@db.practice.example/caseload", "caseload --db postgresql://dana@db.practice.example/caseload copy --to practice.db"]),
    ("completions", &["caseload completions bash > ~/.local/share/bash-completion/completions/caseload", "caseload completions zsh > ~/.zfunc/_caseload"]),
    ("man", &["caseload man > caseload.1", "caseload man | man -l -"]),
    ("encrypt", &["caseload --as Dana encrypt"]),
    ("decrypt", &["caseload --as Dana decrypt"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        out.push(path.to_string());
        for sub in cmd.get_subcommands() {
            paths(sub, format!("{path} {}", sub.get_name()).trim(), out);
        }
    }

    #[test]
    fn every_command_has_examples() {
        let mut all = Vec::new();
        paths(&super::super::Cli::command(), "", &mut all);
        let missing: Vec<&String> = all.iter().filter(|p| examples(p).is_none()).collect();
        assert!(missing.is_empty(), "no examples for {missing:#?}");
    }
}
