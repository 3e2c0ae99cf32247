//! `actas official add/list` and the report's comparison of added bulletins with the actas.

mod report_support;

use report_support::{actas, copy_data, fails, initialised, json_report, ok, v1_data};

/// A bulletin the authority might have published later (invented figures).
const THIRD: &[&str] = &[
    "official",
    "add",
    "--name",
    "CNE boletín 3",
    "--date",
    "2024-08-10",
    "--votes",
    "NM=6600000,EG=5500000",
    "--others",
    "650000",
    "--tables-fraction",
    "1",
];

#[test]
fn an_added_bulletin_is_compared_with_the_actas_in_the_report() {
    let Some(v1) = v1_data() else { return };
    let data = copy_data(v1, "report-official-v1");
    let out = ok(actas(&data, THIRD));
    assert!(out.contains("recorded bulletin \"CNE boletín 3\""), "{out}");

    let list = ok(actas(&data, &["official", "list"]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 4, "header and three bulletins:\n{list}");
    assert!(lines[1].starts_with("def") && lines[1].contains("CNE boletín 1"));
    assert!(lines[3].contains("CNE boletín 3") && lines[3].contains("NM 6600000, EG 5500000"));
    assert!(lines[3].contains("100.00 %") && lines[3].contains("others 650000"));

    let r = json_report(&data);
    let off = r["official"].as_array().unwrap();
    let names: Vec<&str> = off.iter().map(|b| b["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["CNE boletín 1", "CNE boletín 2", "CNE boletín 3"]);
    let b = &off[2];
    // Actas: NM 3,241,461, EG 7,156,462 (forensics-reference-v1.json, v1_totals).
    assert_eq!(b["diff_bulletin_minus_actas"]["NM"], 6_600_000 - 3_241_461);
    assert_eq!(b["diff_bulletin_minus_actas"]["EG"], 5_500_000 - 7_156_462);
    assert_eq!(b["bulletin_top"], "NM");
    assert_eq!(b["actas_leader_minus_bulletin_top"], 7_156_462 - 6_600_000);
    assert_eq!(b["per_table"]["tables_fraction"], 1.0);
    let rd = &b["round_decimal"];
    assert_eq!(rd["total"], 12_750_000);
    let nm = rd["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "NM")
        .unwrap();
    assert_eq!(nm["exact_pct"], "51.7647059");

    let html = ok(actas(&data, &["report", "--quick"]));
    assert!(html.contains("CNE boletín 3"));
}

#[test]
fn adding_the_same_bulletin_again_changes_nothing() {
    let data = initialised("report-official-again");
    ok(actas(&data, THIRD));
    let out = ok(actas(&data, THIRD));
    assert!(out.contains("already recorded as record"), "{out}");
    let list: serde_json::Value =
        serde_json::from_str(&ok(actas(&data, &["official", "list", "--format", "json"]))).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert_eq!(list[2]["bulletin"]["name"], "CNE boletín 3");
    assert_eq!(list[0]["seq"], 0);
}

#[test]
fn inconsistent_figures_are_recorded_with_a_note() {
    let data = initialised("report-official-note");
    let out = actas(
        &data,
        &[
            "official",
            "add",
            "--name",
            "Boletín raro",
            "--date",
            "2024-08-01",
            "--votes",
            "NM=10,EG=5",
            "--valid",
            "12",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    ok(out);
    assert!(
        stderr.contains("note: the candidates' votes add up to 15, more than the 12 valid votes"),
        "{stderr}"
    );
}

/// Each bad input fails with a message naming the field, and nothing is recorded.
#[test]
fn bad_official_input_is_refused_with_the_field_named() {
    let data = initialised("report-official-bad");
    let with = |field: &str, value: &str| -> Vec<String> {
        let mut args: Vec<String> = THIRD.iter().map(|s| s.to_string()).collect();
        let i = args.iter().position(|a| a == field).unwrap();
        args[i + 1] = value.to_string();
        args
    };
    for (args, says) in [
        (
            with("--votes", "NM=1,XX=2"),
            "votes: unknown candidate id \"XX\" (this election's ids: NM, LM",
        ),
        (
            with("--votes", "NM=1,EG=abc"),
            "'--votes <ID=N,...>': EG: not a whole number",
        ),
        (
            with("--votes", "NM=1,EG=2,NM=3"),
            "'--votes <ID=N,...>': candidate NM appears twice",
        ),
        (
            with("--votes", "NM=5.150.092"),
            "NM: write whole numbers without separators, e.g. 5150092",
        ),
        (with("--votes", "NM"), "\"NM\" is not ID=N"),
        (
            with("--others", "mucho"),
            "'--others <N>': not a whole number",
        ),
        (
            with("--date", "10/08/2024"),
            "date \"10/08/2024\": expected a calendar date YYYY-MM-DD",
        ),
        (
            with("--tables-fraction", "80"),
            "'--tables-fraction <SHARE>': a share between 0 and 1 is expected; for 80 % write 0.8",
        ),
        (
            with("--tables-fraction", "0"),
            "tables_fraction 0: expected the share",
        ),
        (with("--name", " "), "name: empty"),
        (
            with("--name", "CNE boletín 1"),
            "a different bulletin named \"CNE boletín 1\" is already recorded in the election definition",
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = fails(actas(&data, &args));
        assert!(err.contains(says), "{args:?}\nexpected: {says}\ngot: {err}");
    }
    let list: serde_json::Value =
        serde_json::from_str(&ok(actas(&data, &["official", "list", "--format", "json"]))).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2, "nothing was recorded");
}
