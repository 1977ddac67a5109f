//! Tests of the command line's shape: every argument documented, every command parsed.

use super::Cli;
use clap::CommandFactory;

/// Every argument of every command says what it is in `--help`: no bare `<REF>` or `--json`.
#[test]
fn every_argument_has_help_text() {
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if matches!(id, "help" | "version") {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("{path} {id}"));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut missing = Vec::new();
    walk(&Cli::command(), "caseload", &mut missing);
    assert!(missing.is_empty(), "arguments without help: {missing:#?}");
}

/// The options every command shares come under their own heading, after the command's own.
#[test]
fn global_options_have_their_own_heading() {
    let mut cmd = Cli::command();
    cmd.build();
    let help = cmd
        .find_subcommand_mut("log")
        .unwrap()
        .render_help()
        .to_string();
    let global = help.find("Global options:").expect(&help);
    let own = help.find("--kind").unwrap();
    let db = help.find("--db").unwrap();
    assert!(own < global && global < db, "{help}");
}
