//! The bundled reference service under simulated load: the fixed server never prints a
//! certificate for the wrong resident and tells residents whose image expired; the
//! flawed one mis-prints at the demo load, through each of the mechanisms X, Y and Z;
//! runs are reproducible and every request is accounted for.

use pairlint::reference::domain::{
    CardId, CertificateKind, IssuanceServer, Pin, PrintCommand, PrintOutcome, Registry, Ticket,
};
use pairlint::reference::fixed::FixedServer;
use pairlint::reference::flawed::FlawedServer;
use pairlint::reference::sim::{run, Mechanism, SimParams, SimReport, Variant};

/// A shorter day than the demo, with more late commands so each run has some.
fn small(seed: u64) -> SimParams {
    SimParams {
        seed,
        requests: 300,
        kiosks: 12,
        legacy_kiosks: 1,
        late_fraction: 0.05,
        crossed_ticket_fraction: 0.01,
        ..SimParams::default()
    }
}

fn assert_consistent(report: &SimReport) {
    assert_eq!(report.accounted(), report.requests, "every request ends in one outcome: {report:?}");
    assert_eq!(
        report.wrong_by_mechanism.iter().sum::<u64>(),
        report.printed_wrong,
        "every wrong print is attributed once: {report:?}"
    );
    assert!(report.printed_wrong <= report.printed);
    assert!(report.late_told <= report.late_commands);
}

#[test]
fn fixed_never_prints_for_the_wrong_resident_and_reports_expiry() {
    let mut late = 0;
    let mut told = 0;
    let mut denied = 0;
    for seed in 0..200 {
        let report = run(&small(seed), Variant::Fixed);
        assert_consistent(&report);
        assert_eq!(report.printed_wrong, 0, "seed {seed}: {report}");
        assert_eq!(report.wrong_by_mechanism, [0; 4], "seed {seed}");
        // Every command that came after its timeout was told its image expired.
        assert_eq!(report.late_told, report.late_commands, "seed {seed}: {report}");
        assert!(report.expired_reported >= report.late_commands, "seed {seed}: {report}");
        // Printed or deleted: the fixed server keeps nothing once the day is over.
        assert_eq!(report.images_left, 0, "seed {seed}: {report}");
        late += report.late_commands;
        told += report.late_told;
        denied += report.denied;
    }
    assert!(late > 0, "the runs must include late print commands");
    assert_eq!(told, late);
    // Some crossed tickets named an image still waiting: the print-time check refused it.
    assert!(denied > 0, "the runs must exercise the applicant check");
}

#[test]
fn flawed_misprints_over_many_seeds() {
    let mut flawed_wrong = 0;
    for seed in 0..50 {
        let flawed = run(&small(seed), Variant::Flawed);
        assert_consistent(&flawed);
        flawed_wrong += flawed.printed_wrong;
    }
    assert!(flawed_wrong > 0);
}

#[test]
fn flawed_misprints_at_the_demo_load_through_x_y_and_z() {
    let params = SimParams::default();
    let flawed = run(&params, Variant::Flawed);
    let fixed = run(&params, Variant::Fixed);
    assert_consistent(&flawed);
    assert_consistent(&fixed);
    assert!(flawed.printed_wrong > 0, "{flawed}");
    for mechanism in [Mechanism::X, Mechanism::Y, Mechanism::Z] {
        assert!(flawed.wrong_by(mechanism) > 0, "no wrong print through {mechanism:?}: {flawed}");
    }
    assert_eq!(fixed.printed_wrong, 0, "{fixed}");
    assert!(fixed.expired_reported > 0, "{fixed}");
    // Same residents, same network: the fixed server tells the late ones, the flawed
    // one mostly prints something for them instead.
    assert_eq!(flawed.requests, fixed.requests);
    assert_eq!(flawed.rejected_pin, fixed.rejected_pin);
    assert_eq!(fixed.late_told, fixed.late_commands);
    assert!(flawed.late_told < fixed.late_told, "{flawed}\n{fixed}");
}

#[test]
fn quiet_day_without_late_legacy_or_crossed_commands_is_correct_even_on_the_flawed_server() {
    let params = SimParams {
        requests: 3_000,
        legacy_kiosks: 0,
        late_fraction: 0.0,
        crossed_ticket_fraction: 0.0,
        ..SimParams::default()
    };
    let flawed = run(&params, Variant::Flawed);
    assert_consistent(&flawed);
    assert_eq!(flawed.printed_wrong, 0, "{flawed}");
}

#[test]
fn trace_records_the_first_wrong_prints() {
    let params = SimParams { trace_limit: 5, ..SimParams::default() };
    let flawed = run(&params, Variant::Flawed);
    assert_eq!(flawed.trace.len() as u64, flawed.printed_wrong.min(5));
    for wrong in &flawed.trace {
        assert_ne!(wrong.printed_for, wrong.image_of);
    }
    // Tracing does not change the run.
    let untraced = run(&SimParams::default(), Variant::Flawed);
    assert_eq!(untraced.printed_wrong, flawed.printed_wrong);
    assert_eq!(untraced.wrong_by_mechanism, flawed.wrong_by_mechanism);
}

#[test]
fn same_seed_same_report() {
    for variant in Variant::ALL {
        let params = small(7);
        assert_eq!(run(&params, variant), run(&params, variant));
    }
    let a = run(&small(1), Variant::Flawed);
    let b = run(&small(2), Variant::Flawed);
    assert_ne!(a, b, "different seeds should give different days");
}

#[test]
fn hundred_thousand_requests_are_all_accounted_for() {
    let params = SimParams { requests: 100_000, ..SimParams::default() };
    for variant in Variant::ALL {
        let report = run(&params, variant);
        assert_eq!(report.requests, 100_000);
        assert_consistent(&report);
        assert_eq!(report.printed, report.printed_right() + report.printed_wrong);
        if variant == Variant::Fixed {
            assert_eq!(report.printed_wrong, 0);
        }
    }
}

#[test]
fn servers_by_hand() {
    let alice = CardId(1);
    let bob = CardId(2);
    let mut registry = Registry::new();
    registry.enrol(alice, Pin(1111));
    registry.enrol(bob, Pin(2222));

    // Fixed: wrong PIN refused, own image printed, someone else's ticket denied,
    // an expired image reported and never printed.
    let mut fixed = FixedServer::new(registry.clone());
    assert!(fixed.apply(alice, Pin(2222), CertificateKind::Residence).is_err());
    let a = fixed.apply(alice, Pin(1111), CertificateKind::Residence).unwrap();
    let b = fixed.apply(bob, Pin(2222), CertificateKind::Tax).unwrap();
    let crossed = PrintCommand { ticket: Some(a), card_id: bob };
    assert_eq!(fixed.print(crossed), PrintOutcome::Denied);
    fixed.on_timeout(b);
    let late = PrintCommand { ticket: Some(b), card_id: bob };
    assert_eq!(fixed.print(late), PrintOutcome::Expired);
    let legacy = PrintCommand { ticket: None, card_id: alice };
    match fixed.print(legacy) {
        PrintOutcome::Printed(image) => assert_eq!(image.applicant, alice),
        other => panic!("expected alice's image, got {other:?}"),
    }
    assert_eq!(fixed.pending(), 0);

    // Flawed: Bob's image is unlocked at its timeout, his late command misses it and
    // is given the oldest image in the spool: Alice's.
    let mut flawed = FlawedServer::new(registry);
    let a = flawed.apply(alice, Pin(1111), CertificateKind::Residence).unwrap();
    let b = flawed.apply(bob, Pin(2222), CertificateKind::Tax).unwrap();
    assert_eq!(a, Ticket(1));
    flawed.on_timeout(b);
    match flawed.print(PrintCommand { ticket: Some(b), card_id: bob }) {
        PrintOutcome::Printed(image) => assert_eq!(image.applicant, alice),
        other => panic!("expected the flawed server to print alice's image, got {other:?}"),
    }
}
