//! Handlers: each serves one requester (`user_id`) and reads notes through `db`.
use db::notes::{by_id, by_id_for};
use db::Store;

/// Positive: the note fetched by the path's id is returned without an owner check.
pub fn get_note(store: &Store, user_id: u64, note_id: u64) -> Option<String> {
    let _ = user_id;
    let note = by_id(store, note_id)?;
    Some(note.text) //~ PL003
}

/// Negative: the same fetch, with the owner compared before the note is returned.
pub fn get_note_checked(store: &Store, user_id: u64, note_id: u64) -> Option<String> {
    let note = db::notes::by_id(store, note_id)?;
    if note.owner_id != user_id {
        return None;
    }
    Some(note.text)
}

/// Negative: the repository's lookup filters by owner itself.
pub fn get_own_note(store: &Store, user_id: u64, note_id: u64) -> Option<String> {
    let note = by_id_for(store, note_id, user_id)?;
    Some(note.text)
}
