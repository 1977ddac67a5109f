//! The command line describing itself, through the real binary: every command's `--help` ends
//! with examples, `completions` prints a script for each shell, `man` a man page, and
//! `config show` is `config list`. None of these needs (or creates) a database.
#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test, with its message.

mod common;
use clap::CommandFactory;
use common::Practice;

/// Every command path: `[]` for caseload itself, `["client", "add"]`, …
fn paths(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(path.clone());
    for sub in cmd.get_subcommands() {
        let mut next = path.clone();
        next.push(sub.get_name().to_string());
        paths(sub, next, out);
    }
}

#[test]
fn every_commands_help_ends_with_examples() {
    let p = Practice::new();
    let mut all = Vec::new();
    paths(&caseload::cli::Cli::command(), Vec::new(), &mut all);
    assert!(all.len() > 50, "{} commands", all.len());
    for path in all {
        let mut args = path.clone();
        args.push("--help".into());
        let out = p.cmd().args(&args).output().unwrap();
        assert!(out.status.success(), "{path:?}");
        let help = String::from_utf8(out.stdout).unwrap();
        let (_, examples) = help
            .split_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("no Examples section in `{}`:\n{help}", args.join(" ")));
        let lines: Vec<&str> = examples.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(
            (1..=2).contains(&lines.len()),
            "{path:?}: {lines:?} (one or two examples, last)"
        );
        // Each example runs the command it documents.
        let command = format!("caseload {}", path.join(" "));
        for line in lines {
            assert!(
                line.trim_start().starts_with(command.trim_end())
                    || line.contains(&format!(" {}", path.join(" "))),
                "{path:?}: {line}"
            );
        }
    }
    assert!(!p.db.exists(), "help opens no database");
}

#[test]
fn completions_for_each_shell_and_a_man_page() {
    let p = Practice::new();
    for (shell, marker) in [
        ("bash", "_caseload()"),
        ("zsh", "#compdef caseload"),
        ("fish", "complete -c caseload"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = p.ok(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: {script:.300}");
        assert!(
            script.contains("discharge"),
            "{shell} completes subcommands"
        );
    }
    let out = p.cmd().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
    let page = p.ok(&["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH caseload"),
        "{page:.300}"
    );
    assert!(
        page.contains("SUBCOMMANDS") || page.contains("caseload\\-today"),
        "{page:.2000}"
    );
    assert!(!p.db.exists(), "neither opens a database");
}

#[test]
fn config_show_is_config_list() {
    let p = Practice::new();
    assert_eq!(p.ok(&["config", "show"]), p.ok(&["config", "list"]));
    assert_eq!(
        p.ok(&["config", "show", "--json"]),
        p.ok(&["config", "list", "--json"])
    );
}
