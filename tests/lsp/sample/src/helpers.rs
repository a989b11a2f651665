//! Queue helpers: `next_image` takes whatever image is at the head of the queue.
use crate::PrintImage;
use std::collections::VecDeque;
use std::sync::Mutex;

pub(crate) fn next_image(queue: &Mutex<VecDeque<PrintImage>>) -> Option<PrintImage> {
    queue.lock().unwrap().pop_front()
}
