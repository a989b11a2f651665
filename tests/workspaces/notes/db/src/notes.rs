use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Clone)]
pub struct Note {
    pub owner_id: u64,
    pub text: String,
}

pub struct Store {
    pub notes: Mutex<HashMap<u64, Note>>,
}

/// The note stored under `id`, whoever owns it: callers check the owner.
pub fn by_id(store: &Store, id: u64) -> Option<Note> {
    store.notes.lock().unwrap().get(&id).cloned()
}

/// The note stored under `id` if `user_id` owns it.
pub fn by_id_for(store: &Store, id: u64, user_id: u64) -> Option<Note> {
    let note = store.notes.lock().unwrap().get(&id).cloned()?;
    if note.owner_id != user_id {
        return None;
    }
    Some(note)
}
