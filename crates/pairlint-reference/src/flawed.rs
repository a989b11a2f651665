//! The flawed issuance server: a reconstruction of the design behind the March 2023
//! certificate mix-ups, written as ordinary code. Every rendered image waits in one
//! spool in creation order. A kiosk without a ticket is given the oldest image (Z); the
//! timeout handler releases the applicant's lock instead of deleting the image (Y);
//! when a resident's own image is not found, the next image is printed (X); and no
//! print path checks that the image belongs to the resident at the kiosk.
//!
//! pairlint lints this very file in its self-test (through `FLAWED_SOURCE`): each of
//! the four sites carries an expectation comment naming the rule that must report it,
//! and nothing else here may be reported. Keep the four sites on their own lines.

use std::collections::VecDeque;

use super::domain::{
    ApplyError, CardId, CertificateKind, IssuanceServer, Pin, PrintCommand, PrintImage, PrintOutcome, PrintPath,
    Registry, Ticket,
};

/// The print server as it was: one spool of images, oldest first.
#[derive(Debug)]
pub struct FlawedServer {
    registry: Registry,
    next_ticket: u64,
    /// Rendered images, oldest first. An image stays locked to its applicant until the
    /// applicant's print command claims it.
    queue: VecDeque<PrintImage>,
    last_path: Option<PrintPath>,
}

impl FlawedServer {
    /// A server with no image yet, authenticating against `registry`.
    pub fn new(registry: Registry) -> FlawedServer {
        FlawedServer { registry, next_ticket: 0, queue: VecDeque::new(), last_path: None }
    }
}

impl IssuanceServer for FlawedServer {
    fn apply(&mut self, card: CardId, pin: Pin, kind: CertificateKind) -> Result<Ticket, ApplyError> {
        self.registry.authenticate(card, pin)?;
        self.next_ticket += 1;
        let ticket = Ticket(self.next_ticket);
        self.queue.push_back(PrintImage::new(ticket, card, kind));
        Ok(ticket)
    }

    fn print(&mut self, cmd: PrintCommand) -> PrintOutcome {
        if cmd.ticket.is_none() {
            // Kiosks on the old firmware send no ticket. Images are rendered in the order
            // residents reach the kiosks, so the oldest one is this resident's.
            self.last_path = Some(PrintPath::Oldest);
            let oldest = self.queue.pop_front(); //~ PL001
            return match oldest {
                Some(image) => PrintOutcome::Printed(image),
                None => PrintOutcome::Expired,
            };
        }
        // The resident's own image is the one still locked under their ticket.
        match self.queue.iter().position(|queued| queued.locked_by.is_some() && Some(queued.ticket) == cmd.ticket) {
            Some(at) => {
                self.last_path = Some(PrintPath::OwnTicket);
                let image = self.queue.remove(at).expect("position() is in bounds");
                PrintOutcome::Printed(image) //~ PL003
            }
            None => {
                // Not found: print the next image rather than leave the kiosk waiting.
                self.last_path = Some(PrintPath::NextInQueue);
                let next = self.queue.pop_front(); //~ PL004
                match next {
                    Some(image) => PrintOutcome::Printed(image),
                    None => PrintOutcome::Expired,
                }
            }
        }
    }

    fn on_timeout(&mut self, ticket: Ticket) {
        // The print command did not come in time: unlock the image so the spool moves on.
        if let Some(image) = self.queue.iter_mut().find(|queued| queued.ticket == ticket) {
            image.locked_by = None; //~ PL002
        }
    }

    fn pending(&self) -> usize {
        self.queue.len()
    }

    fn last_print_path(&self) -> Option<PrintPath> {
        self.last_path
    }
}
