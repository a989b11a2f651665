//! Table lookups, one family at a time: what a call takes, and what it gives back.

use super::builder::model;
use crate::types::std_model::{call_effect, CallEffect, CallName, Effect, Source, StdModel, APIS, FAMILIES};
use crate::types::ty::Type;
use Effect::*;

fn method(receiver: &str, name: &str, args: usize) -> Option<CallEffect> {
    call_effect(&model(receiver), CallName::Method(name), args)
}

/// The effect and result type of `receiver.name(args)`.
fn effect_of(receiver: &str, name: &str, args: usize) -> (Effect, Type) {
    let found = method(receiver, name, args).unwrap_or_else(|| panic!("no entry for {receiver}.{name}/{args}"));
    (found.effect, found.result)
}

// The table is data checked at startup; this proves every entry's type text parses and
// names only declared families, so `StdModel::get` never panics.
#[test]
fn every_entry_parses_and_names_only_declared_families() {
    StdModel::build().unwrap();
    let mut keys: Vec<&str> = FAMILIES.iter().map(|(k, _)| *k).collect();
    keys.sort_unstable();
    let before = keys.len();
    keys.dedup();
    assert_eq!(before, keys.len(), "family keys are unique");
    let mut paths: Vec<&str> = FAMILIES.iter().flat_map(|(_, p)| p.iter().copied()).collect();
    paths.sort_unstable();
    let before = paths.len();
    paths.dedup();
    assert_eq!(before, paths.len(), "a path names one family");
    assert!(APIS.len() >= 200, "{} entries", APIS.len());
}

#[test]
fn positional_takes_give_the_element_by_position() {
    assert_eq!(effect_of("VecDeque<J>", "pop_front", 0), (TakesPositional, model("Option<J>")));
    assert_eq!(effect_of("VecDeque<J>", "front", 0), (TakesPositional, model("Option<&J>")));
    assert_eq!(effect_of("VecDeque<J>", "remove", 1), (TakesPositional, model("Option<J>")));
    assert_eq!(effect_of("Vec<J>", "remove", 1), (TakesPositional, model("J")));
    assert_eq!(effect_of("Vec<J>", "swap_remove", 1), (TakesPositional, model("J")));
    assert_eq!(effect_of("Vec<J>", "pop", 0), (TakesPositional, model("Option<J>")));
    // `first`/`last`/`get` are slice methods, reached through Vec's deref.
    assert_eq!(effect_of("Vec<J>", "first", 0), (TakesPositional, model("Option<&J>")));
    assert_eq!(effect_of("Vec<J>", "last", 0), (TakesPositional, model("Option<&J>")));
    assert_eq!(effect_of("[J]", "get", 1), (TakesPositional, model("Option<&J>")));
    assert_eq!(effect_of("Vec<J>", "[]", 1), (TakesPositional, model("J")));
    assert_eq!(effect_of("BinaryHeap<J>", "peek", 0), (TakesPositional, model("Option<&J>")));
    assert_eq!(effect_of("Iter<J>", "next", 0), (TakesPositional, model("Option<J>")));
    assert_eq!(effect_of("Iter<J>", "nth", 1), (TakesPositional, model("Option<J>")));
    assert_eq!(effect_of("BTreeMap<U, J>", "pop_first", 0), (TakesPositional, model("Option<(U, J)>")));
}

#[test]
fn channels_receive_by_position_and_send_outputs_the_argument() {
    assert_eq!(effect_of("std::mpsc::Receiver<J>", "recv", 0), (TakesPositional, model("Result<J, ?>")));
    assert_eq!(effect_of("std::mpsc::Receiver<J>", "recv_timeout", 1), (TakesPositional, model("Result<J, ?>")));
    assert_eq!(effect_of("tokio::mpsc::Receiver<J>", "recv", 0), (TakesPositional, model("Future<Option<J>>")));
    assert_eq!(effect_of("tokio::mpsc::UnboundedReceiver<J>", "try_recv", 0).0, TakesPositional);
    assert_eq!(
        effect_of("tokio::broadcast::Receiver<J>", "recv", 0),
        (TakesPositional, model("Future<Result<J, tokio::broadcast::RecvError>>"))
    );
    assert_eq!(
        effect_of("tokio::oneshot::Receiver<J>", ".await", 0),
        (TakesPositional, model("Result<J, tokio::oneshot::RecvError>"))
    );
    assert_eq!(effect_of("crossbeam::Receiver<J>", "try_recv", 0), (TakesPositional, model("Result<J, ?>")));
    assert_eq!(effect_of("flume::Receiver<J>", "recv", 0), (TakesPositional, model("Result<J, ?>")));
    assert_eq!(
        effect_of("async_channel::Receiver<J>", "recv", 0),
        (TakesPositional, model("Future<Result<J, async_channel::RecvError>>"))
    );
    assert_eq!(effect_of("crossbeam::SegQueue<J>", "pop", 0), (TakesPositional, model("Option<J>")));
    // A watch channel has no queue: `borrow` sees the current value.
    assert_eq!(effect_of("tokio::watch::Receiver<J>", "borrow", 0).0, LookThrough);
    assert!(method("tokio::watch::Receiver<J>", "recv", 0).is_none());

    let send = method("std::mpsc::Sender<J>", "send", 1).unwrap();
    assert_eq!((send.effect, send.from), (Output, Source::Arg(0)));
    assert_eq!(send.result, model("Result<(), std::mpsc::SendError<J>>"));
    assert_eq!(
        effect_of("tokio::mpsc::Sender<J>", "send", 1).1,
        model("Future<Result<(), tokio::mpsc::SendError<J>>>")
    );
    assert_eq!(effect_of("tokio::oneshot::Sender<J>", "send", 1), (Output, model("Result<(), J>")));
}

#[test]
fn keyed_takes_give_the_value_by_key() {
    assert_eq!(effect_of("HashMap<U, J>", "get", 1), (TakesKeyed, model("Option<&J>")));
    assert_eq!(effect_of("HashMap<U, J>", "get_mut", 1), (TakesKeyed, model("Option<&mut J>")));
    assert_eq!(effect_of("BTreeMap<U, J>", "remove", 1), (TakesKeyed, model("Option<J>")));
    assert_eq!(effect_of("HashMap<U, J>", "entry", 1), (TakesKeyed, model("Entry<U, J>")));
    assert_eq!(effect_of("Entry<U, J>", "or_insert", 1), (LookThrough, model("&mut J")));
    assert_eq!(effect_of("HashMap<U, J>", "[]", 1), (TakesKeyed, model("J")));
    assert_eq!(effect_of("dashmap::DashMap<U, J>", "get", 1), (TakesKeyed, model("Option<dashmap::Ref<U, J>>")));
    assert_eq!(effect_of("dashmap::DashMap<U, J>", "remove", 1), (TakesKeyed, model("Option<(U, J)>")));
    // A dashmap guard derefs to the value.
    assert_eq!(StdModel::get().deref(&model("dashmap::Ref<U, J>")), Some(model("J")));
    assert_eq!(effect_of("HashSet<J>", "take", 1), (TakesKeyed, model("Option<J>")));
    let insert = method("HashMap<U, J>", "insert", 2).unwrap();
    assert_eq!((insert.effect, insert.from), (Stores, Source::Arg(1)));
}

#[test]
fn predicates_select_an_element_and_position_gives_an_index() {
    assert_eq!(effect_of("Iter<&J>", "find", 1), (SelectsByPredicate, model("Option<&J>")));
    assert_eq!(effect_of("Iter<J>", "filter", 1), (SelectsByPredicate, model("Iter<J>")));
    assert_eq!(effect_of("Iter<J>", "max_by_key", 1), (SelectsByPredicate, model("Option<J>")));
    assert_eq!(effect_of("Iter<J>", "min_by", 1), (SelectsByPredicate, model("Option<J>")));
    assert_eq!(effect_of("Iter<J>", "position", 1), (IndexOfSelected, model("Option<usize>")));
    // The closure a predicate gets sees a reference to the element.
    let matched = StdModel::get().method(&model("Iter<&J>"), "filter", 1).unwrap();
    assert_eq!(matched.closure_params(0), Some(vec![model("&&J")]));
}

#[test]
fn look_through_calls_keep_the_value() {
    let queue = "VecDeque<J>";
    assert_eq!(
        effect_of(&format!("std::Mutex<{queue}>"), "lock", 0),
        (LookThrough, model(&format!("Result<std::MutexGuard<{queue}>, std::PoisonError<std::MutexGuard<{queue}>>>")))
    );
    // Through `Arc`'s deref, as a method call autoderefs.
    assert_eq!(effect_of(&format!("Arc<std::Mutex<{queue}>>"), "lock", 0).0, LookThrough);
    assert_eq!(
        effect_of(&format!("parking_lot::Mutex<{queue}>"), "lock", 0),
        (LookThrough, model(&format!("parking_lot::MutexGuard<{queue}>")))
    );
    assert_eq!(
        effect_of(&format!("tokio::Mutex<{queue}>"), "lock", 0),
        (LookThrough, model(&format!("Future<tokio::MutexGuard<{queue}>>")))
    );
    assert_eq!(
        effect_of(&format!("tokio::RwLock<{queue}>"), "write", 0).1,
        model(&format!("Future<tokio::RwLockWriteGuard<{queue}>>"))
    );
    assert_eq!(effect_of(&format!("std::RwLock<{queue}>"), "read", 0).0, LookThrough);
    // A guard's method call reaches the guarded queue.
    assert_eq!(effect_of(&format!("std::MutexGuard<{queue}>"), "pop_front", 0), (TakesPositional, model("Option<J>")));
    assert_eq!(effect_of("Result<J, U>", "unwrap", 0), (LookThrough, model("J")));
    assert_eq!(effect_of("Result<J, U>", "map_err", 1), (LookThrough, model("Result<J, ?>")));
    assert_eq!(effect_of("Result<J, U>", "ok", 0), (LookThrough, model("Option<J>")));
    assert_eq!(effect_of("Option<J>", "expect", 1), (LookThrough, model("J")));
    assert_eq!(effect_of("Option<&J>", "cloned", 0), (LookThrough, model("Option<J>")));
    assert_eq!(effect_of("Option<J>", "as_ref", 0), (LookThrough, model("Option<&J>")));
    assert_eq!(effect_of("Option<J>", "ok_or", 1), (LookThrough, model("Result<J, ?>")));
    // Arity tells `Option::take()` from `Iterator::take(n)`.
    assert_eq!(effect_of("Option<J>", "take", 0), (LookThrough, model("Option<J>")));
    assert!(method("Option<J>", "take", 1).is_none());
    assert_eq!(effect_of("&J", "clone", 0), (LookThrough, model("J")));
    // A family's own entry beats the any-receiver one of the same name.
    assert_eq!(effect_of("RefCell<J>", "borrow", 0), (LookThrough, model("Ref<J>")));
    assert_eq!(effect_of("tokio::watch::Receiver<J>", "borrow", 0).1, model("tokio::watch::Ref<J>"));
    assert_eq!(effect_of("J", "borrow", 0).1, model("&J"));
    assert_eq!(effect_of("Arc<J>", "clone", 0), (LookThrough, model("Arc<J>")));
}

#[test]
fn fresh_values_are_never_the_item() {
    assert_eq!(effect_of("Iter<J>", "count", 0), (Fresh, model("usize")));
    assert_eq!(effect_of("Iter<J>", "any", 1), (Fresh, model("bool")));
    assert_eq!(effect_of("VecDeque<J>", "len", 0), (Fresh, model("usize")));
    assert_eq!(effect_of("Vec<J>", "is_empty", 0), (Fresh, model("bool")));
    assert_eq!(effect_of("Option<J>", "is_some", 0), (Fresh, model("bool")));
    assert_eq!(effect_of("HashMap<U, J>", "keys", 0), (Fresh, model("Iter<&U>")));
}

#[test]
fn path_fns_by_canonical_path() {
    let model_ = StdModel::get();
    let take = call_effect(&Type::Unknown, CallName::Path("std::mem::take"), 1).unwrap();
    assert_eq!((take.effect, take.from), (LookThrough, Source::Arg(0)));
    assert_eq!(call_effect(&Type::Unknown, CallName::Path("core::mem::swap"), 2).unwrap().effect, Swaps);
    let replace = call_effect(&Type::Unknown, CallName::Path("std::mem::replace"), 2).unwrap();
    assert_eq!((replace.effect, replace.from), (LookThrough, Source::Arg(0)));
    // `timeout(d, fut)`: the future's output, or `Elapsed`.
    let timeout = model_.function("tokio::time::timeout", 2).unwrap().finish(&[model("Duration"), model("Future<J>")]);
    assert_eq!(timeout.result, model("Future<Result<J, tokio::Elapsed>>"));
    assert_eq!(timeout.from, Source::Arg(1));
    assert_eq!(model_.fn_key("std::sync::Arc::new"), "Arc::new");
    assert!(call_effect(&Type::Unknown, CallName::Path("Arc::new"), 1).is_some());
}

// Without an import, `Mutex` may be std's, parking_lot's or tokio's: all three lock
// by looking through, but their results differ, so the result is unknown.
#[test]
fn an_unresolved_name_answers_only_where_its_families_agree() {
    let mutex = Type::Unresolved { name: "Mutex".into(), args: vec![model("J")] };
    let lock = call_effect(&mutex, CallName::Method("lock"), 0).unwrap();
    assert_eq!((lock.effect, lock.result), (LookThrough, Type::Unknown));
    let receiver = Type::Unresolved { name: "Receiver".into(), args: vec![model("J")] };
    let recv = call_effect(&receiver, CallName::Method("recv"), 0).unwrap();
    assert_eq!((recv.effect, recv.result), (TakesPositional, Type::Unknown));
    let unknown = Type::Unresolved { name: "Printer".into(), args: vec![] };
    assert!(call_effect(&unknown, CallName::Method("pop_front"), 0).is_none());
    assert!(call_effect(&Type::Unknown, CallName::Method("pop_front"), 0).is_none());
}
