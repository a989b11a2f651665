//! Domain types shared by both reference servers and by the load simulation: residents'
//! cards and PINs, tickets, print images, print commands and their outcomes, and the
//! [`IssuanceServer`] trait that the flawed and the fixed server both implement.

use std::collections::HashMap;
use std::fmt;

/// The number on a resident's identity card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CardId(pub u32);

/// The four-digit PIN a resident types at the kiosk.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pin(pub u16);

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

/// The number the server gives an application; the kiosk quotes it in its print command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ticket(pub u64);

/// What a resident can ask the kiosk for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertificateKind {
    /// Copy of the resident record.
    ResidentRecord,
    /// Certificate of residence.
    Residence,
    /// Seal registration certificate.
    SealRegistration,
    /// Income and tax certificate.
    Tax,
}

impl CertificateKind {
    /// Every kind, in a fixed order.
    pub const ALL: [CertificateKind; 4] = [
        CertificateKind::ResidentRecord,
        CertificateKind::Residence,
        CertificateKind::SealRegistration,
        CertificateKind::Tax,
    ];
}

/// A rendered certificate waiting to be printed: it belongs to one resident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintImage {
    /// The application this image was rendered for.
    pub ticket: Ticket,
    /// The resident the certificate is about, and the only one who may receive it.
    pub applicant: CardId,
    /// What the certificate certifies.
    pub kind: CertificateKind,
    /// Who may print the image: the applicant from the moment it is rendered; `None`
    /// once the lock has been released.
    pub locked_by: Option<CardId>,
}

impl PrintImage {
    /// A freshly rendered image, locked to its applicant.
    pub fn new(ticket: Ticket, applicant: CardId, kind: CertificateKind) -> PrintImage {
        PrintImage { ticket, applicant, kind, locked_by: Some(applicant) }
    }
}

/// A kiosk asking the server to print: the ticket of the application (kiosks on the
/// old firmware send none) and the card of the resident standing at the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintCommand {
    /// The ticket the server returned for the application, if the kiosk sends one.
    pub ticket: Option<Ticket>,
    /// The card inserted in the kiosk that sends the command.
    pub card_id: CardId,
}

/// What the server answers a print command with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintOutcome {
    /// This image goes to the kiosk's printer.
    Printed(PrintImage),
    /// No image for this application any more: "expired, please apply again".
    Expired,
    /// The image exists but is not the requesting resident's.
    Denied,
}

/// Why an application was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyError {
    /// The card is not registered.
    UnknownCard,
    /// The PIN does not match the card.
    WrongPin,
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::UnknownCard => f.write_str("unknown card"),
            ApplyError::WrongPin => f.write_str("wrong PIN"),
        }
    }
}

impl std::error::Error for ApplyError {}

/// Which code path of a server chose the image it printed (for the simulation's trace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintPath {
    /// The image found under the command's own ticket.
    OwnTicket,
    /// The oldest image in the spool, for a command without a ticket.
    Oldest,
    /// The next image in the spool, after the command's own image was not found.
    NextInQueue,
}

/// The card registry: card numbers and their PINs. Authentication is modelled as
/// nothing more than "the PIN typed matches the card's".
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pins: HashMap<CardId, Pin>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers a card with its PIN (replacing any previous PIN).
    pub fn enrol(&mut self, card: CardId, pin: Pin) {
        self.pins.insert(card, pin);
    }

    /// Checks a card and the PIN typed with it.
    pub fn authenticate(&self, card: CardId, pin: Pin) -> Result<(), ApplyError> {
        match self.pins.get(&card) {
            None => Err(ApplyError::UnknownCard),
            Some(registered) if *registered == pin => Ok(()),
            Some(_) => Err(ApplyError::WrongPin),
        }
    }

    /// How many cards are registered.
    pub fn len(&self) -> usize {
        self.pins.len()
    }

    /// Whether no card is registered.
    pub fn is_empty(&self) -> bool {
        self.pins.is_empty()
    }
}

/// A certificate issuance server, as the kiosks see it.
pub trait IssuanceServer {
    /// A resident at a kiosk authenticates (card and PIN) and applies for a certificate;
    /// the server renders its print image and answers with the application's ticket.
    fn apply(&mut self, card: CardId, pin: Pin, kind: CertificateKind) -> Result<Ticket, ApplyError>;

    /// A kiosk asks for the image to print for the resident at it.
    fn print(&mut self, cmd: PrintCommand) -> PrintOutcome;

    /// The application's time to print is up (its print command did not come in time).
    fn on_timeout(&mut self, ticket: Ticket);

    /// How many images the server still holds.
    fn pending(&self) -> usize;

    /// Which path chose the image of the last `Printed` outcome, if the server says.
    fn last_print_path(&self) -> Option<PrintPath> {
        None
    }
}
