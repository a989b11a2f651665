//! The fixed issuance server: images are kept by ticket, never paired by order; the
//! timeout handler deletes the image; a missing image is reported to the resident
//! ("expired, please apply again") instead of being replaced by another one; and the
//! image is checked to be the requesting resident's before it is printed.
//!
//! pairlint must report nothing in this file.

use std::collections::HashMap;

use super::domain::{
    ApplyError, CardId, CertificateKind, IssuanceServer, Pin, PrintCommand, PrintImage, PrintOutcome, Registry, Ticket,
};

/// The print server as it should be: images by ticket.
#[derive(Debug)]
pub struct FixedServer {
    registry: Registry,
    next_ticket: u64,
    /// Rendered images by ticket. An image leaves the map when printed or expired.
    images: HashMap<Ticket, PrintImage>,
}

impl FixedServer {
    /// A server with no image yet, authenticating against `registry`.
    pub fn new(registry: Registry) -> FixedServer {
        FixedServer { registry, next_ticket: 0, images: HashMap::new() }
    }
}

impl IssuanceServer for FixedServer {
    fn apply(&mut self, card: CardId, pin: Pin, kind: CertificateKind) -> Result<Ticket, ApplyError> {
        self.registry.authenticate(card, pin)?;
        self.next_ticket += 1;
        let ticket = Ticket(self.next_ticket);
        self.images.insert(ticket, PrintImage::new(ticket, card, kind));
        Ok(ticket)
    }

    fn print(&mut self, cmd: PrintCommand) -> PrintOutcome {
        let ticket = match cmd.ticket {
            Some(ticket) => ticket,
            // Kiosks on the old firmware send no ticket: look for this resident's own
            // image (their oldest), never for "the next" one.
            None => {
                let own = self.images.values().filter(|held| held.applicant == cmd.card_id);
                match own.map(|held| held.ticket).min() {
                    Some(ticket) => ticket,
                    None => return PrintOutcome::Expired,
                }
            }
        };
        let Some(image) = self.images.remove(&ticket) else {
            // Deleted at its timeout (or never rendered): tell the resident.
            return PrintOutcome::Expired;
        };
        if image.applicant != cmd.card_id {
            // Someone else's image: leave it, untouched, for its applicant.
            self.images.insert(ticket, image);
            return PrintOutcome::Denied;
        }
        PrintOutcome::Printed(image)
    }

    fn on_timeout(&mut self, ticket: Ticket) {
        // Delete, never unlock: an expired image must not be printable by anyone.
        self.images.remove(&ticket);
    }

    fn pending(&self) -> usize {
        self.images.len()
    }
}
