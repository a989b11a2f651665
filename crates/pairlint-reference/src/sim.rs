//! A deterministic, seeded discrete-event simulation of a busy day at the city's
//! certificate kiosks, driving either reference server through [`IssuanceServer`].
//!
//! Residents arrive in bursts and queue at randomly chosen kiosks (a few of which run
//! the old firmware that sends no ticket). At a kiosk a resident inserts their card,
//! types their PIN (sometimes wrongly) and picks a certificate; the kiosk applies, gets
//! a ticket back and at once sends the print command. Every message crosses a network
//! whose latency has jitter, grows with the number of applications in flight, and now
//! and then is held back by a retransmission, so messages overtake one another. A
//! fraction of print commands is held up beyond the server's timeout, and a very few
//! carry another application's ticket (a kiosk gateway crossing two sessions). The
//! server's timer fires `timeout_ms` after each application.
//!
//! Events sit in a binary heap ordered by time, then by the order they were scheduled,
//! and all randomness comes from one seeded generator per concern, so a seed always
//! gives the same report. Each certificate printed for the wrong resident is
//! attributed to the defect that handed it over (see [`Mechanism`]).

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;

use super::domain::{
    CardId, CertificateKind, IssuanceServer, Pin, PrintCommand, PrintOutcome, PrintPath, Registry, Ticket,
};
use super::fixed::FixedServer;
use super::flawed::FlawedServer;

/// Which reference server to drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// [`FlawedServer`]: the design behind the incident.
    Flawed,
    /// [`FixedServer`]: images by ticket, delete on timeout, check before printing.
    Fixed,
}

impl Variant {
    /// Both variants, flawed first.
    pub const ALL: [Variant; 2] = [Variant::Flawed, Variant::Fixed];

    /// `"flawed"` or `"fixed"`.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Flawed => "flawed",
            Variant::Fixed => "fixed",
        }
    }
}

/// The defect that put a certificate in the wrong resident's hands.
///
/// Attribution is by the code site that made the printed image reachable: an image
/// that the timeout handler had released is counted under [`Mechanism::Y`] whichever
/// path then printed it (it should no longer have existed); otherwise the path that
/// chose it decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// X: the resident's own image was not found and the next image in the spool was
    /// printed instead (the PL004 site).
    X,
    /// Y: the timeout handler had released the image's lock instead of deleting it,
    /// and a later command took it (the PL002 site).
    Y,
    /// Z: a command without a ticket was given the oldest image in the spool (the
    /// PL001 site).
    Z,
    /// The image found under the command's ticket was printed without checking whose
    /// it is (the PL003 site); only a crossed ticket reaches it.
    Unchecked,
}

impl Mechanism {
    /// Every mechanism, in the order of [`SimReport::wrong_by_mechanism`].
    pub const ALL: [Mechanism; 4] = [Mechanism::X, Mechanism::Y, Mechanism::Z, Mechanism::Unchecked];

    /// Index in [`SimReport::wrong_by_mechanism`].
    pub fn index(self) -> usize {
        match self {
            Mechanism::X => 0,
            Mechanism::Y => 1,
            Mechanism::Z => 2,
            Mechanism::Unchecked => 3,
        }
    }

    /// Short label: `"X"`, `"Y"`, `"Z"` or `"unchecked"`.
    pub fn label(self) -> &'static str {
        match self {
            Mechanism::X => "X",
            Mechanism::Y => "Y",
            Mechanism::Z => "Z",
            Mechanism::Unchecked => "unchecked",
        }
    }

    /// The pairlint rule that reports this mechanism's code site in the flawed server.
    pub fn rule(self) -> &'static str {
        match self {
            Mechanism::X => "PL004",
            Mechanism::Y => "PL002",
            Mechanism::Z => "PL001",
            Mechanism::Unchecked => "PL003",
        }
    }

    /// One line saying what happened.
    pub fn describe(self) -> &'static str {
        match self {
            Mechanism::X => "own image missing, the next image in the spool was printed",
            Mechanism::Y => "image unlocked at its timeout instead of deleted, then taken by another command",
            Mechanism::Z => "command without a ticket was given the oldest image in the spool",
            Mechanism::Unchecked => "image found under a crossed ticket printed without checking whose it is",
        }
    }
}

/// The load and the network. All durations are in milliseconds of simulated time.
#[derive(Debug, Clone, PartialEq)]
pub struct SimParams {
    /// Seed of every random choice; the same parameters give the same report.
    pub seed: u64,
    /// Residents who come to a kiosk (each makes one application).
    pub requests: u32,
    /// Kiosks in the city.
    pub kiosks: u32,
    /// How many of the kiosks run the old firmware, which sends no ticket.
    pub legacy_kiosks: u32,
    /// Registered residents the visitors are drawn from.
    pub residents: u32,
    /// Mean number of residents arriving in one burst.
    pub burst_mean: u32,
    /// Mean time between bursts (exponentially distributed).
    pub burst_gap_ms: u64,
    /// The residents of a burst arrive within this span.
    pub burst_spread_ms: u64,
    /// Shortest time at the kiosk before it applies (card, PIN, choosing, paying).
    pub session_min_ms: u64,
    /// Longest time at the kiosk before it applies.
    pub session_max_ms: u64,
    /// Time to print a certificate and leave the kiosk.
    pub printing_ms: u64,
    /// Time the server gives a print command after the application.
    pub timeout_ms: u64,
    /// Mean one-way network latency between a kiosk and the server.
    pub mean_latency_ms: u64,
    /// Each one-way latency varies by up to this much either side of the mean.
    pub jitter_ms: u64,
    /// Extra latency per application in flight (the server slows down under load).
    pub load_latency_ms: u64,
    /// Fraction of messages held back by a retransmission (200 ms to about 1 s more).
    pub reorder_fraction: f64,
    /// Fraction of print commands held up beyond the timeout.
    pub late_fraction: f64,
    /// Fraction of residents who type a wrong PIN.
    pub pin_error_fraction: f64,
    /// Fraction of print commands that carry the previous application's ticket.
    pub crossed_ticket_fraction: f64,
    /// Record up to this many wrong prints in [`SimReport::trace`].
    pub trace_limit: usize,
}

impl Default for SimParams {
    /// A busy working day in a mid-sized city: 20,000 residents at 60 kiosks (3 on the
    /// old firmware) over about 8.5 simulated hours, kiosks about 80% busy, arrivals in
    /// bursts, 1% of print commands held up beyond the 30 s timeout.
    fn default() -> SimParams {
        SimParams {
            seed: 2023,
            requests: 20_000,
            kiosks: 60,
            legacy_kiosks: 3,
            residents: 150_000,
            burst_mean: 4,
            burst_gap_ms: 6_000,
            burst_spread_ms: 20_000,
            session_min_ms: 30_000,
            session_max_ms: 90_000,
            printing_ms: 15_000,
            timeout_ms: 30_000,
            mean_latency_ms: 120,
            jitter_ms: 80,
            load_latency_ms: 40,
            reorder_fraction: 0.03,
            late_fraction: 0.01,
            pin_error_fraction: 0.02,
            crossed_ticket_fraction: 0.001,
            trace_limit: 0,
        }
    }
}

/// One certificate printed for the wrong resident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrongPrint {
    /// Simulated time of the print, in ms from the start.
    pub at_ms: u64,
    /// The kiosk that printed it.
    pub kiosk: u32,
    /// The card in that kiosk.
    pub printed_for: CardId,
    /// The resident the certificate is about.
    pub image_of: CardId,
    /// The ticket of the printed image.
    pub image_ticket: Ticket,
    /// The defect that handed it over.
    pub mechanism: Mechanism,
}

/// What happened in one run. Every request ends in exactly one of `rejected_pin`,
/// `printed`, `expired_reported` or `denied`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimReport {
    /// The server driven.
    pub variant: Variant,
    /// The seed of the run.
    pub seed: u64,
    /// Residents who came to a kiosk.
    pub requests: u64,
    /// Applications refused at authentication (wrong PIN); the resident was told.
    pub rejected_pin: u64,
    /// Certificates printed, for the right resident or not.
    pub printed: u64,
    /// Certificates printed for a resident other than the one they are about.
    pub printed_wrong: u64,
    /// Print commands answered "expired, please apply again".
    pub expired_reported: u64,
    /// Print commands refused because the image was someone else's.
    pub denied: u64,
    /// Print commands that reached the server after the application's timeout.
    pub late_commands: u64,
    /// Late print commands whose resident was told (expired or denied).
    pub late_told: u64,
    /// Wrong prints by mechanism, indexed by [`Mechanism::index`]: X, Y, Z, unchecked.
    pub wrong_by_mechanism: [u64; 4],
    /// Images the server still held when the day was over.
    pub images_left: u64,
    /// Most applications in flight at once.
    pub peak_in_flight: u64,
    /// Simulated time of the last event, in ms.
    pub duration_ms: u64,
    /// The first `trace_limit` wrong prints.
    pub trace: Vec<WrongPrint>,
}

impl SimReport {
    /// Certificates printed for the resident they are about.
    pub fn printed_right(&self) -> u64 {
        self.printed - self.printed_wrong
    }

    /// Wrong prints attributed to `mechanism`.
    pub fn wrong_by(&self, mechanism: Mechanism) -> u64 {
        self.wrong_by_mechanism[mechanism.index()]
    }

    /// Requests accounted for by an outcome; equals `requests` after a run.
    pub fn accounted(&self) -> u64 {
        self.rejected_pin + self.printed + self.expired_reported + self.denied
    }
}

impl fmt::Display for SimReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} server, seed {}: {} requests over {:.1} h",
            self.variant.name(),
            self.seed,
            self.requests,
            self.duration_ms as f64 / 3_600_000.0
        )?;
        writeln!(
            f,
            "  printed {} ({} for the wrong resident), expired and reported {}, denied {}, wrong PIN {}",
            self.printed, self.printed_wrong, self.expired_reported, self.denied, self.rejected_pin
        )?;
        writeln!(
            f,
            "  late print commands {} (told {}), images left {}, peak in flight {}",
            self.late_commands, self.late_told, self.images_left, self.peak_in_flight
        )?;
        write!(f, "  wrong prints by mechanism:")?;
        for mechanism in Mechanism::ALL {
            write!(f, " {} {}", mechanism.label(), self.wrong_by(mechanism))?;
        }
        Ok(())
    }
}

/// Runs one simulated day against a fresh server of `variant`.
pub fn run(params: &SimParams, variant: Variant) -> SimReport {
    let (visits, registry) = populate(params);
    match variant {
        Variant::Flawed => simulate(params, variant, FlawedServer::new(registry), visits),
        Variant::Fixed => simulate(params, variant, FixedServer::new(registry), visits),
    }
}

/// Card numbers start here.
const FIRST_CARD: u32 = 1_000_000;
/// Time to show a message ("wrong PIN", "expired") and leave the kiosk.
const NOTICE_MS: u64 = 3_000;
/// Mixed into each visit's own network stream.
const NETWORK_STREAM: u64 = 0x6E65_7477_6F72_6B21;

/// splitmix64: small, fast and good enough for a simulation.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n); 0 when n is 0.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [lo, hi] (just `lo` when `hi < lo`).
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

/// One resident's visit to a kiosk.
#[derive(Debug, Clone)]
struct Visit {
    arrival: u64,
    kiosk: usize,
    card: CardId,
    typed_pin: Pin,
    kind: CertificateKind,
    /// Time at the kiosk before it applies.
    session_ms: u64,
    /// The print command is held up this long beyond the timeout.
    late_by_ms: Option<u64>,
    /// The print command carries the previous application's ticket.
    crossed: bool,
    /// The visit's own latencies, so that both variants see the same network.
    net: Rng,
    /// Set when the server accepts the application.
    ticket: Option<Ticket>,
}

/// The registered PIN of a card (derived from the seed, so nothing needs storing).
fn registered_pin(seed: u64, number: u32) -> Pin {
    let mut mix = Rng(seed ^ (u64::from(number) << 20));
    Pin((mix.next_u64() % 10_000) as u16)
}

/// The day's visitors in bursts, and the registry of their cards.
fn populate(params: &SimParams) -> (Vec<Visit>, Registry) {
    let mut rng = Rng(params.seed);
    let wanted = params.requests as usize;
    let kiosks = u64::from(params.kiosks.max(1));
    let population = u64::from(params.residents.max(1));
    let mut visits = Vec::with_capacity(wanted);
    let mut registry = Registry::new();
    let mut clock = 0u64;
    while visits.len() < wanted {
        clock += rng.exponential(params.burst_gap_ms as f64) as u64;
        let burst = rng.between(1, 2 * u64::from(params.burst_mean.max(1)) - 1);
        for _ in 0..burst.min((wanted - visits.len()) as u64) {
            let number = FIRST_CARD + rng.below(population) as u32;
            let card = CardId(number);
            let pin = registered_pin(params.seed, number);
            registry.enrol(card, pin);
            let typed_pin = if rng.chance(params.pin_error_fraction) {
                Pin(((u64::from(pin.0) + rng.between(1, 9_999)) % 10_000) as u16)
            } else {
                pin
            };
            let net = Rng(params.seed ^ NETWORK_STREAM ^ (visits.len() as u64).wrapping_mul(0xA24B_AED4_963E_E407));
            visits.push(Visit {
                arrival: clock + rng.below(params.burst_spread_ms + 1),
                kiosk: rng.below(kiosks) as usize,
                card,
                typed_pin,
                kind: CertificateKind::ALL[rng.below(4) as usize],
                session_ms: rng.between(params.session_min_ms, params.session_max_ms),
                late_by_ms: rng.chance(params.late_fraction).then(|| rng.between(1, params.timeout_ms / 2)),
                crossed: rng.chance(params.crossed_ticket_fraction),
                net,
                ticket: None,
            });
        }
    }
    (visits, registry)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    /// A resident joins a kiosk's line.
    Arrive(usize),
    /// A kiosk's application reaches the server.
    ApplyAtServer(usize),
    /// A kiosk's print command reaches the server.
    PrintAtServer(usize),
    /// The server's timer for an application fires.
    HoldTimer(Ticket),
    /// A kiosk is free for the next resident in its line.
    KioskFree(usize),
}

#[derive(Debug, PartialEq, Eq)]
struct Scheduled {
    at: u64,
    seq: u64,
    event: Event,
}

impl Ord for Scheduled {
    /// Reversed, so that the max-heap pops the earliest event (first scheduled first).
    fn cmp(&self, other: &Scheduled) -> Ordering {
        other.at.cmp(&self.at).then_with(|| other.seq.cmp(&self.seq))
    }
}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Scheduled) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The event heap.
#[derive(Debug, Default)]
struct Agenda {
    heap: BinaryHeap<Scheduled>,
    scheduled: u64,
}

impl Agenda {
    fn at(&mut self, at: u64, event: Event) {
        self.scheduled += 1;
        self.heap.push(Scheduled { at, seq: self.scheduled, event });
    }

    fn next_event(&mut self) -> Option<(u64, Event)> {
        self.heap.pop().map(|next| (next.at, next.event))
    }
}

#[derive(Debug, Default)]
struct Kiosk {
    legacy: bool,
    busy: bool,
    line: VecDeque<usize>,
}

/// One message's trip between a kiosk and the server.
fn one_way(params: &SimParams, rng: &mut Rng, in_flight: u64) -> u64 {
    let jitter = params.jitter_ms as f64 * (rng.unit() + rng.unit() - 1.0);
    let load = (params.load_latency_ms * in_flight) as f64;
    let mut ms = (params.mean_latency_ms as f64 + jitter + load).max(1.0) as u64;
    if rng.chance(params.reorder_fraction) {
        ms += rng.between(200, 1_000);
    }
    ms
}

/// The defect a wrong print is attributed to (see [`Mechanism`]).
fn attribute(released: bool, path: Option<PrintPath>) -> Mechanism {
    if released {
        return Mechanism::Y;
    }
    match path {
        Some(PrintPath::Oldest) => Mechanism::Z,
        Some(PrintPath::NextInQueue) => Mechanism::X,
        Some(PrintPath::OwnTicket) | None => Mechanism::Unchecked,
    }
}

fn simulate<S: IssuanceServer>(
    params: &SimParams,
    variant: Variant,
    mut server: S,
    mut visits: Vec<Visit>,
) -> SimReport {
    let mut agenda = Agenda::default();
    let mut kiosks: Vec<Kiosk> =
        (0..params.kiosks.max(1)).map(|k| Kiosk { legacy: k < params.legacy_kiosks, ..Kiosk::default() }).collect();
    let mut report = SimReport {
        variant,
        seed: params.seed,
        requests: visits.len() as u64,
        rejected_pin: 0,
        printed: 0,
        printed_wrong: 0,
        expired_reported: 0,
        denied: 0,
        late_commands: 0,
        late_told: 0,
        wrong_by_mechanism: [0; 4],
        images_left: 0,
        peak_in_flight: 0,
        duration_ms: 0,
        trace: Vec::new(),
    };
    let mut in_flight = 0u64;
    for (v, visit) in visits.iter().enumerate() {
        agenda.at(visit.arrival, Event::Arrive(v));
    }
    while let Some((clock, event)) = agenda.next_event() {
        report.duration_ms = clock;
        match event {
            Event::Arrive(v) => {
                let visit = &mut visits[v];
                let kiosk = &mut kiosks[visit.kiosk];
                if kiosk.busy {
                    kiosk.line.push_back(v);
                } else {
                    kiosk.busy = true;
                    let trip = visit.session_ms + one_way(params, &mut visit.net, in_flight);
                    agenda.at(clock + trip, Event::ApplyAtServer(v));
                }
            }
            Event::KioskFree(k) => match kiosks[k].line.pop_front() {
                Some(v) => {
                    let visit = &mut visits[v];
                    let trip = visit.session_ms + one_way(params, &mut visit.net, in_flight);
                    agenda.at(clock + trip, Event::ApplyAtServer(v));
                }
                None => kiosks[k].busy = false,
            },
            Event::ApplyAtServer(v) => {
                let visit = &mut visits[v];
                match server.apply(visit.card, visit.typed_pin, visit.kind) {
                    Ok(issued) => {
                        visit.ticket = Some(issued);
                        agenda.at(clock + params.timeout_ms, Event::HoldTimer(issued));
                        in_flight += 1;
                        report.peak_in_flight = report.peak_in_flight.max(in_flight);
                        // The ticket goes back to the kiosk, which sends the print command at once.
                        let mut trip =
                            one_way(params, &mut visit.net, in_flight) + one_way(params, &mut visit.net, in_flight);
                        if let Some(late_by) = visit.late_by_ms {
                            trip += params.timeout_ms + late_by;
                        }
                        agenda.at(clock + trip, Event::PrintAtServer(v));
                    }
                    Err(_) => {
                        report.rejected_pin += 1;
                        let back = one_way(params, &mut visit.net, in_flight);
                        agenda.at(clock + back + NOTICE_MS, Event::KioskFree(visit.kiosk));
                    }
                }
            }
            Event::PrintAtServer(v) => {
                in_flight -= 1;
                let visit = &mut visits[v];
                let late = visit.late_by_ms.is_some();
                let sent = match visit.ticket {
                    _ if kiosks[visit.kiosk].legacy => None,
                    Some(Ticket(n)) if n > 1 && visit.crossed => Some(Ticket(n - 1)),
                    issued => issued,
                };
                let outcome = server.print(PrintCommand { ticket: sent, card_id: visit.card });
                report.late_commands += u64::from(late);
                let stay = match outcome {
                    PrintOutcome::Printed(image) => {
                        report.printed += 1;
                        if image.applicant != visit.card {
                            report.printed_wrong += 1;
                            let mechanism = attribute(image.locked_by.is_none(), server.last_print_path());
                            report.wrong_by_mechanism[mechanism.index()] += 1;
                            if report.trace.len() < params.trace_limit {
                                report.trace.push(WrongPrint {
                                    at_ms: clock,
                                    kiosk: visit.kiosk as u32,
                                    printed_for: visit.card,
                                    image_of: image.applicant,
                                    image_ticket: image.ticket,
                                    mechanism,
                                });
                            }
                        }
                        params.printing_ms
                    }
                    PrintOutcome::Expired => {
                        report.expired_reported += 1;
                        report.late_told += u64::from(late);
                        NOTICE_MS
                    }
                    PrintOutcome::Denied => {
                        report.denied += 1;
                        report.late_told += u64::from(late);
                        NOTICE_MS
                    }
                };
                let back = one_way(params, &mut visit.net, in_flight);
                agenda.at(clock + back + stay, Event::KioskFree(visit.kiosk));
            }
            Event::HoldTimer(issued) => server.on_timeout(issued),
        }
    }
    report.images_left = server.pending() as u64;
    report
}
