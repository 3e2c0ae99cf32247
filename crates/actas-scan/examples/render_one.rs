//! Render one synthetic acta. Usage: render_one KIND SEED OUT.jpg [PAYLOAD]
//! KIND: clean, jpeg, blur, noise, rotation, perspective, lowcontrast, combined.
use actas_core::ve2024;
use actas_scan::render::{Ballot, Degradation, DegradationKind, render_acta};

const DEFAULT: &str = "240111020.01.1.0001!149,6,9,3,13,2,0,2,11,4,1,1,3,1,0,0,1,1,0,0,1,0,0,1,1,0,0,0,0,0,0,0,0,8,23,334,2,2!0!0";

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 4 {
        eprintln!("usage: render_one KIND SEED OUT.jpg [PAYLOAD]");
        std::process::exit(2);
    }
    let kind = DegradationKind::from_name(&a[1]).expect("unknown degradation kind");
    let seed: u64 = a[2].parse().expect("SEED");
    let payload = a.get(4).map_or(DEFAULT, String::as_str);
    let d = Degradation::of_kind(kind, seed);
    eprintln!("{d:?}");
    let election = ve2024::election();
    let ballot = Ballot::new(&election, &ve2024::CARD_CODES);
    std::fs::write(&a[3], render_acta(ballot, payload, seed, d)).expect("write");
}
