//! `--help` teaches: every command's arguments are described, and the layout file that
//! `actas import csv --help` prints is valid as printed.

use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_actas"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "actas {args:?} --help");
    String::from_utf8(out.stdout).unwrap()
}

/// The names listed under `Commands:`.
fn subcommands(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // A command's line is indented by two spaces; a wrapped description, by more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// The arguments under `Arguments:` that have no description.
fn undescribed(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut inside = false;
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("Arguments:") {
            inside = true;
            continue;
        }
        if inside && !l.starts_with(' ') {
            inside = false;
        }
        if inside && l.trim_start().starts_with('<') {
            let same_line = l
                .trim()
                .split_once("  ")
                .map(|(_, d)| d.trim())
                .unwrap_or("");
            let next = lines.get(i + 1).map(|n| n.trim()).unwrap_or("");
            if same_line.is_empty() && (next.is_empty() || next.starts_with('<')) {
                out.push(l.trim().to_string());
            }
        }
    }
    out
}

#[test]
fn every_argument_of_every_command_is_described() {
    let mut todo: Vec<Vec<String>> = subcommands(&help(&[]))
        .into_iter()
        .map(|c| vec![c])
        .collect();
    let mut checked = 0;
    let mut missing = Vec::new();
    while let Some(cmd) = todo.pop() {
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let text = help(&args);
        checked += 1;
        for a in undescribed(&text) {
            missing.push(format!("actas {}: {a}", cmd.join(" ")));
        }
        for sub in subcommands(&text) {
            let mut next = cmd.clone();
            next.push(sub);
            todo.push(next);
        }
    }
    assert!(checked > 20, "{checked} commands found");
    assert!(
        missing.is_empty(),
        "undescribed arguments:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_layout_example_is_valid_as_printed() {
    let text = help(&["import", "csv"]);
    let toml: String = text
        .lines()
        .skip_while(|l| !l.starts_with("A layout file"))
        .skip(1)
        .take_while(|l| !l.starts_with("Examples:"))
        .map(|l| l.strip_prefix("  ").unwrap_or(l).to_string() + "\n")
        .collect();
    let layout = actas_import::layout::from_toml(&toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    assert_eq!(layout.name, "mine");
    assert_eq!(layout.candidates.len(), 10);
    assert_eq!(layout.image_url.as_deref(), Some("foto"));
}
