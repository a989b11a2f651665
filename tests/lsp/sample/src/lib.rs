//! The LSP tests' flawed file: `print_for` serves one card holder and prints the head
//! of the shared queue (taken in `helpers.rs`). The take's line has non-ASCII text
//! before the finding, so UTF-8 and UTF-16 columns differ there.
mod helpers;

use std::collections::VecDeque;
use std::sync::Mutex;

pub struct PrintImage {
    pub applicant: u64,
    pub pdf: Vec<u8>,
}

pub struct PrintServer {
    queue: Mutex<VecDeque<PrintImage>>,
    printer: Printer,
}

impl PrintServer {
    pub fn print_for(&self, card: u64) -> Result<(), PrintError> {
        let img = /* 受付🎫 */ helpers::next_image(&self.queue).ok_or(PrintError::Empty)?;
        self.printer.print(&img.pdf)
    }
}
