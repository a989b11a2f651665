//! The typed model of library APIs: std, tokio, parking_lot, crossbeam, flume,
//! async-channel and dashmap, as ONE data table ([`FAMILIES`], [`PRELUDE`], [`APIS`]).
//! It is the only place in pairlint-analysis's type model where a library type, method
//! or fn is named.
//!
//! Why a `static` slice and not a TOML file: the entries are checked when the crate
//! compiles (an effect that does not exist is a build error, not a startup error), the
//! table cannot be edited by users (unlike the vocabulary, it states facts about
//! libraries, not a project's words), and there is nothing to locate or parse at run
//! time except the entries' type text, which [`StdModel::get`] parses once; the test
//! `every_entry_parses_and_names_only_declared_families` proves all of it parses.
//!
//! An entry says: on a receiver matching `on` (patterns over the receiver's type
//! arguments: single capital letters and `Self` are variables), the method `name` with
//! `args.len()` arguments returns `ret`, with an [`Effect`] on the operand `from`.
//! Free and associated fns have no `on`; their name is a full path (`std::mem::take`)
//! or a family key and the fn (`Arc::new`). Three pseudo-methods keep the language's
//! own operations in the same table: `*` (what a type derefs to), `[]` (what indexing
//! gives) and `.await` (what awaiting gives).
//!
//! Names in patterns are family keys (`VecDeque`, `tokio::Mutex`) or primitives; a
//! family lists the paths that name it, which is how `use tokio::sync::Mutex` reaches
//! `tokio::Mutex`. `Iter<T>` stands for every iterator yielding `T` (adapters included)
//! and `Future<T>` for every future with output `T`: pairlint needs the element and
//! output types, not the adapter types.

use super::facts::WrittenTy;
use super::ty::{Bindings, Type};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What a call does to the value it is about (its `from` operand), as far as pairing
/// is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Takes an element by its position (`pop_front`, `recv`, `first`, `[0]`, `next`).
    TakesPositional,
    /// Takes an element by key (`get(&k)`, `remove(&k)`, `entry(k)`).
    TakesKeyed,
    /// Selects an element with a predicate or comparison (`find`, `max_by_key`,
    /// `filter`): the closure decides which element.
    SelectsByPredicate,
    /// The index of an element picked by a predicate (`position`): a number, never the
    /// item, but it leads to one.
    IndexOfSelected,
    /// The same value seen through a wrapper (`lock`, `unwrap`, `clone`, `as_ref`, deref,
    /// `Option::take`, `mem::take`, iterator sources and order-keeping adapters).
    LookThrough,
    /// The receiver's value, or (when it is `None`/`Err`) the argument's, which was
    /// computed before the call either way (`unwrap_or(x)`, `or(x)`).
    Or,
    /// The receiver's value, or (when it is `None`/`Err`, and only then) what the
    /// closure argument returns (`unwrap_or_else(|| ..)`, `or_else`, `or_insert_with`).
    OrElse,
    /// What the closure argument makes of the receiver's value (`Option::map`,
    /// `and_then`): the dataflow reads it through the closure's body.
    MapsValue,
    /// A value unrelated to the items (`len`, `count`, `is_some`, `any`, `keys`).
    Fresh,
    /// The `from` argument leaves the program (`send`).
    Output,
    /// The `from` argument is stored into the receiver (`push_back`, `insert`).
    Stores,
    /// The two `&mut` arguments exchange their values (`mem::swap`).
    Swaps,
    /// The model knows the types but not the relation (`map`: the closure decides).
    Unknown,
}

/// The operand an [`Effect`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Receiver,
    Arg(u8),
}

/// One library API.
#[derive(Debug, Clone, Copy)]
pub struct Api {
    /// Receiver patterns; empty for free and associated fns.
    pub on: &'static [&'static str],
    pub name: &'static str,
    pub args: &'static [&'static str],
    pub ret: &'static str,
    pub effect: Effect,
    pub from: Source,
}

/// A library type: its key in patterns and the paths that name it.
pub type Family = (&'static str, &'static [&'static str]);

const fn method(
    on: &'static [&'static str],
    name: &'static str,
    args: &'static [&'static str],
    ret: &'static str,
    effect: Effect,
) -> Api {
    Api { on, name, args, ret, effect, from: Source::Receiver }
}

/// A method whose effect is about an argument (`send(item)`, `insert(k, v)`).
const fn method_on_arg(
    on: &'static [&'static str],
    name: &'static str,
    args: &'static [&'static str],
    ret: &'static str,
    effect: Effect,
    arg: u8,
) -> Api {
    Api { on, name, args, ret, effect, from: Source::Arg(arg) }
}

const fn path_fn(name: &'static str, args: &'static [&'static str], ret: &'static str, effect: Effect, arg: u8) -> Api {
    Api { on: &[], name, args, ret, effect, from: Source::Arg(arg) }
}

use Effect::*;

/// Every library type the model knows, with the paths that name it. `core::` and
/// `alloc::` paths are read as `std::`.
pub static FAMILIES: &[Family] = &[
    ("Option", &["std::option::Option"]),
    ("Result", &["std::result::Result"]),
    ("String", &["std::string::String"]),
    ("Vec", &["std::vec::Vec"]),
    ("VecDeque", &["std::collections::VecDeque", "std::collections::vec_deque::VecDeque"]),
    ("LinkedList", &["std::collections::LinkedList", "std::collections::linked_list::LinkedList"]),
    ("BinaryHeap", &["std::collections::BinaryHeap", "std::collections::binary_heap::BinaryHeap"]),
    ("HashMap", &["std::collections::HashMap", "std::collections::hash_map::HashMap"]),
    ("BTreeMap", &["std::collections::BTreeMap", "std::collections::btree_map::BTreeMap"]),
    ("HashSet", &["std::collections::HashSet", "std::collections::hash_set::HashSet"]),
    ("BTreeSet", &["std::collections::BTreeSet", "std::collections::btree_set::BTreeSet"]),
    ("Entry", &["std::collections::hash_map::Entry", "std::collections::btree_map::Entry"]),
    ("Box", &["std::boxed::Box"]),
    ("Rc", &["std::rc::Rc"]),
    ("Arc", &["std::sync::Arc"]),
    // Lazily initialised statics deref to their value.
    ("LazyLock", &["std::sync::LazyLock"]),
    ("LazyCell", &["std::cell::LazyCell"]),
    ("once_cell::Lazy", &["once_cell::sync::Lazy", "once_cell::unsync::Lazy"]),
    ("Cell", &["std::cell::Cell"]),
    ("RefCell", &["std::cell::RefCell"]),
    ("Ref", &["std::cell::Ref"]),
    ("RefMut", &["std::cell::RefMut"]),
    ("Duration", &["std::time::Duration"]),
    ("Ordering", &["std::cmp::Ordering"]),
    // Traits that give element, output and deref types when they bound a parameter or
    // an `impl`/`dyn` type.
    ("Iter", &["std::iter::Iterator", "std::iter::IntoIterator", "std::iter::DoubleEndedIterator"]),
    ("Future", &["std::future::Future", "std::future::IntoFuture"]),
    ("Deref", &["std::ops::Deref", "std::ops::DerefMut"]),
    ("std::Mutex", &["std::sync::Mutex"]),
    ("std::Condvar", &["std::sync::Condvar"]),
    ("std::WaitTimeoutResult", &["std::sync::WaitTimeoutResult"]),
    ("std::MutexGuard", &["std::sync::MutexGuard"]),
    ("std::RwLock", &["std::sync::RwLock"]),
    ("std::RwLockReadGuard", &["std::sync::RwLockReadGuard"]),
    ("std::RwLockWriteGuard", &["std::sync::RwLockWriteGuard"]),
    ("std::PoisonError", &["std::sync::PoisonError"]),
    ("std::TryLockError", &["std::sync::TryLockError"]),
    ("std::mpsc::Receiver", &["std::sync::mpsc::Receiver"]),
    ("std::mpsc::Sender", &["std::sync::mpsc::Sender"]),
    ("std::mpsc::SyncSender", &["std::sync::mpsc::SyncSender"]),
    ("std::mpsc::RecvError", &["std::sync::mpsc::RecvError"]),
    ("std::mpsc::TryRecvError", &["std::sync::mpsc::TryRecvError"]),
    ("std::mpsc::RecvTimeoutError", &["std::sync::mpsc::RecvTimeoutError"]),
    ("std::mpsc::SendError", &["std::sync::mpsc::SendError"]),
    ("std::mpsc::TrySendError", &["std::sync::mpsc::TrySendError"]),
    ("parking_lot::Mutex", &["parking_lot::Mutex"]),
    ("parking_lot::MutexGuard", &["parking_lot::MutexGuard"]),
    ("parking_lot::RwLock", &["parking_lot::RwLock"]),
    ("parking_lot::RwLockReadGuard", &["parking_lot::RwLockReadGuard"]),
    ("parking_lot::RwLockWriteGuard", &["parking_lot::RwLockWriteGuard"]),
    ("tokio::Mutex", &["tokio::sync::Mutex"]),
    ("tokio::MutexGuard", &["tokio::sync::MutexGuard"]),
    ("tokio::RwLock", &["tokio::sync::RwLock"]),
    ("tokio::RwLockReadGuard", &["tokio::sync::RwLockReadGuard"]),
    ("tokio::RwLockWriteGuard", &["tokio::sync::RwLockWriteGuard"]),
    ("tokio::TryLockError", &["tokio::sync::TryLockError"]),
    ("tokio::mpsc::Receiver", &["tokio::sync::mpsc::Receiver"]),
    ("tokio::mpsc::UnboundedReceiver", &["tokio::sync::mpsc::UnboundedReceiver"]),
    ("tokio::mpsc::Sender", &["tokio::sync::mpsc::Sender"]),
    ("tokio::mpsc::UnboundedSender", &["tokio::sync::mpsc::UnboundedSender"]),
    ("tokio::mpsc::SendError", &["tokio::sync::mpsc::error::SendError"]),
    ("tokio::mpsc::TryRecvError", &["tokio::sync::mpsc::error::TryRecvError"]),
    ("tokio::mpsc::TrySendError", &["tokio::sync::mpsc::error::TrySendError"]),
    ("tokio::broadcast::Receiver", &["tokio::sync::broadcast::Receiver"]),
    ("tokio::broadcast::Sender", &["tokio::sync::broadcast::Sender"]),
    ("tokio::broadcast::RecvError", &["tokio::sync::broadcast::error::RecvError"]),
    ("tokio::broadcast::TryRecvError", &["tokio::sync::broadcast::error::TryRecvError"]),
    ("tokio::broadcast::SendError", &["tokio::sync::broadcast::error::SendError"]),
    ("tokio::oneshot::Receiver", &["tokio::sync::oneshot::Receiver"]),
    ("tokio::oneshot::Sender", &["tokio::sync::oneshot::Sender"]),
    ("tokio::oneshot::RecvError", &["tokio::sync::oneshot::error::RecvError"]),
    ("tokio::oneshot::TryRecvError", &["tokio::sync::oneshot::error::TryRecvError"]),
    ("tokio::watch::Receiver", &["tokio::sync::watch::Receiver"]),
    ("tokio::watch::Sender", &["tokio::sync::watch::Sender"]),
    ("tokio::watch::Ref", &["tokio::sync::watch::Ref"]),
    ("tokio::watch::RecvError", &["tokio::sync::watch::error::RecvError"]),
    ("tokio::watch::SendError", &["tokio::sync::watch::error::SendError"]),
    ("tokio::Elapsed", &["tokio::time::error::Elapsed"]),
    ("crossbeam::Receiver", &["crossbeam::channel::Receiver", "crossbeam_channel::Receiver"]),
    ("crossbeam::Sender", &["crossbeam::channel::Sender", "crossbeam_channel::Sender"]),
    ("crossbeam::RecvError", &["crossbeam::channel::RecvError", "crossbeam_channel::RecvError"]),
    ("crossbeam::TryRecvError", &["crossbeam::channel::TryRecvError", "crossbeam_channel::TryRecvError"]),
    ("crossbeam::RecvTimeoutError", &["crossbeam::channel::RecvTimeoutError", "crossbeam_channel::RecvTimeoutError"]),
    ("crossbeam::SendError", &["crossbeam::channel::SendError", "crossbeam_channel::SendError"]),
    ("crossbeam::ArrayQueue", &["crossbeam::queue::ArrayQueue", "crossbeam_queue::ArrayQueue"]),
    ("crossbeam::SegQueue", &["crossbeam::queue::SegQueue", "crossbeam_queue::SegQueue"]),
    ("flume::Receiver", &["flume::Receiver"]),
    ("flume::Sender", &["flume::Sender"]),
    ("flume::RecvError", &["flume::RecvError"]),
    ("flume::TryRecvError", &["flume::TryRecvError"]),
    ("flume::RecvTimeoutError", &["flume::RecvTimeoutError"]),
    ("flume::SendError", &["flume::SendError"]),
    ("async_channel::Receiver", &["async_channel::Receiver"]),
    ("async_channel::Sender", &["async_channel::Sender"]),
    ("async_channel::RecvError", &["async_channel::RecvError"]),
    ("async_channel::TryRecvError", &["async_channel::TryRecvError"]),
    ("async_channel::SendError", &["async_channel::SendError"]),
    ("dashmap::DashMap", &["dashmap::DashMap"]),
    ("dashmap::Ref", &["dashmap::mapref::one::Ref"]),
    ("dashmap::RefMut", &["dashmap::mapref::one::RefMut"]),
    ("dashmap::RefMulti", &["dashmap::mapref::multiple::RefMulti"]),
];

/// What every module sees without a `use` (the std prelude, edition 2021, plus
/// `Future`/`IntoFuture` from 2024's): short name to full path.
pub static PRELUDE: &[(&str, &str)] = &[
    ("Option", "std::option::Option"),
    ("Result", "std::result::Result"),
    ("String", "std::string::String"),
    ("Vec", "std::vec::Vec"),
    ("Box", "std::boxed::Box"),
    ("Iterator", "std::iter::Iterator"),
    ("IntoIterator", "std::iter::IntoIterator"),
    ("DoubleEndedIterator", "std::iter::DoubleEndedIterator"),
    ("Future", "std::future::Future"),
    ("IntoFuture", "std::future::IntoFuture"),
];

/// Primitive type names: never resolved through imports.
pub static PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
    "f32", "f64",
];

const OPTION: &[&str] = &["Option<T>"];
const RESULT: &[&str] = &["Result<T, E>"];
const POSITIONAL_DEQUES: &[&str] = &["VecDeque<T>", "LinkedList<T>"];
const MAPS: &[&str] = &["HashMap<K, V>", "BTreeMap<K, V>"];
const SETS: &[&str] = &["HashSet<T>", "BTreeSet<T>"];
const SIZED_COLLECTIONS: &[&str] = &[
    "[T]",
    "Vec<T>",
    "VecDeque<T>",
    "LinkedList<T>",
    "BinaryHeap<T>",
    "HashMap<T, V>",
    "BTreeMap<T, V>",
    "HashSet<T>",
    "BTreeSet<T>",
    "dashmap::DashMap<T, V>",
    "crossbeam::ArrayQueue<T>",
    "crossbeam::SegQueue<T>",
    "String",
    "str",
];
const ITER: &[&str] = &["Iter<T>"];
const POINTERS: &[&str] = &["Box<T>", "Rc<T>", "Arc<T>", "LazyLock<T>", "LazyCell<T>", "once_cell::Lazy<T>"];
const GUARDS: &[&str] = &[
    "std::MutexGuard<T>",
    "std::RwLockReadGuard<T>",
    "std::RwLockWriteGuard<T>",
    "parking_lot::MutexGuard<T>",
    "parking_lot::RwLockReadGuard<T>",
    "parking_lot::RwLockWriteGuard<T>",
    "tokio::MutexGuard<T>",
    "tokio::RwLockReadGuard<T>",
    "tokio::RwLockWriteGuard<T>",
    "Ref<T>",
    "RefMut<T>",
    "tokio::watch::Ref<T>",
];
const SYNC_RECEIVERS: &[&str] = &["std::mpsc::Receiver<T>", "crossbeam::Receiver<T>", "flume::Receiver<T>"];
const SYNC_SENDERS: &[&str] =
    &["std::mpsc::Sender<T>", "std::mpsc::SyncSender<T>", "crossbeam::Sender<T>", "flume::Sender<T>"];
const TOKIO_MPSC: &[&str] = &["tokio::mpsc::Receiver<T>", "tokio::mpsc::UnboundedReceiver<T>"];
const DASH_REFS: &[&str] = &["dashmap::Ref<K, V>", "dashmap::RefMut<K, V>", "dashmap::RefMulti<K, V>"];

/// The library APIs. Earlier entries win when several match the same receiver.
pub static APIS: &[Api] = &[
    // The language's own operations.
    method(POINTERS, "*", &[], "T", LookThrough),
    method(GUARDS, "*", &[], "T", LookThrough),
    method(&["Vec<T>"], "*", &[], "[T]", LookThrough),
    method(&["String"], "*", &[], "str", LookThrough),
    method(DASH_REFS, "*", &[], "V", LookThrough),
    method(&["[T]", "VecDeque<T>"], "[]", &["usize"], "T", TakesPositional),
    method(MAPS, "[]", &["&K"], "V", TakesKeyed),
    method(&["Future<T>"], ".await", &[], "T", LookThrough),
    method(&["tokio::oneshot::Receiver<T>"], ".await", &[], "Result<T, tokio::oneshot::RecvError>", TakesPositional),
    // Anything.
    method(&["&T"], "clone", &[], "T", LookThrough),
    method(&["Self"], "clone", &[], "Self", LookThrough),
    method(&["&T"], "to_owned", &[], "T", LookThrough),
    method(&["Self"], "borrow", &[], "&Self", LookThrough),
    method(&["Self"], "to_string", &[], "String", Fresh),
    method(&["Self"], "eq", &["&Self"], "bool", Fresh),
    method(&["Self"], "ne", &["&Self"], "bool", Fresh),
    // Sizes and membership: never an item.
    method(SIZED_COLLECTIONS, "len", &[], "usize", Fresh),
    method(SIZED_COLLECTIONS, "is_empty", &[], "bool", Fresh),
    method(
        &["[T]", "Vec<T>", "VecDeque<T>", "LinkedList<T>", "HashSet<T>", "BTreeSet<T>"],
        "contains",
        &["&T"],
        "bool",
        Fresh,
    ),
    method(&["HashMap<K, V>", "BTreeMap<K, V>", "dashmap::DashMap<K, V>"], "contains_key", &["&K"], "bool", Fresh),
    method(SIZED_COLLECTIONS, "clear", &[], "()", Fresh),
    // Positional takes.
    method(POSITIONAL_DEQUES, "pop_front", &[], "Option<T>", TakesPositional),
    method(POSITIONAL_DEQUES, "pop_back", &[], "Option<T>", TakesPositional),
    method(POSITIONAL_DEQUES, "front", &[], "Option<&T>", TakesPositional),
    method(POSITIONAL_DEQUES, "back", &[], "Option<&T>", TakesPositional),
    method(POSITIONAL_DEQUES, "front_mut", &[], "Option<&mut T>", TakesPositional),
    method(POSITIONAL_DEQUES, "back_mut", &[], "Option<&mut T>", TakesPositional),
    method(&["VecDeque<T>"], "get", &["usize"], "Option<&T>", TakesPositional),
    method(&["VecDeque<T>"], "get_mut", &["usize"], "Option<&mut T>", TakesPositional),
    method(&["VecDeque<T>"], "remove", &["usize"], "Option<T>", TakesPositional),
    method(&["VecDeque<T>"], "swap_remove_back", &["usize"], "Option<T>", TakesPositional),
    method(&["VecDeque<T>"], "swap_remove_front", &["usize"], "Option<T>", TakesPositional),
    method(&["Vec<T>", "BinaryHeap<T>"], "pop", &[], "Option<T>", TakesPositional),
    method(&["Vec<T>"], "remove", &["usize"], "T", TakesPositional),
    method(&["Vec<T>"], "swap_remove", &["usize"], "T", TakesPositional),
    method(&["[T]"], "first", &[], "Option<&T>", TakesPositional),
    method(&["[T]"], "last", &[], "Option<&T>", TakesPositional),
    method(&["[T]"], "first_mut", &[], "Option<&mut T>", TakesPositional),
    method(&["[T]"], "last_mut", &[], "Option<&mut T>", TakesPositional),
    method(&["[T]"], "get", &["usize"], "Option<&T>", TakesPositional),
    method(&["[T]"], "get_mut", &["usize"], "Option<&mut T>", TakesPositional),
    method(&["BinaryHeap<T>"], "peek", &[], "Option<&T>", TakesPositional),
    method(&["BTreeSet<T>"], "pop_first", &[], "Option<T>", TakesPositional),
    method(&["BTreeSet<T>"], "pop_last", &[], "Option<T>", TakesPositional),
    method(&["BTreeSet<T>"], "first", &[], "Option<&T>", TakesPositional),
    method(&["BTreeSet<T>"], "last", &[], "Option<&T>", TakesPositional),
    method(&["BTreeMap<K, V>"], "pop_first", &[], "Option<(K, V)>", TakesPositional),
    method(&["BTreeMap<K, V>"], "pop_last", &[], "Option<(K, V)>", TakesPositional),
    method(&["BTreeMap<K, V>"], "first_key_value", &[], "Option<(&K, &V)>", TakesPositional),
    method(&["BTreeMap<K, V>"], "last_key_value", &[], "Option<(&K, &V)>", TakesPositional),
    method(&["crossbeam::ArrayQueue<T>", "crossbeam::SegQueue<T>"], "pop", &[], "Option<T>", TakesPositional),
    // Keyed takes.
    method(MAPS, "get", &["&K"], "Option<&V>", TakesKeyed),
    method(MAPS, "get_mut", &["&K"], "Option<&mut V>", TakesKeyed),
    method(MAPS, "remove", &["&K"], "Option<V>", TakesKeyed),
    method(MAPS, "get_key_value", &["&K"], "Option<(&K, &V)>", TakesKeyed),
    method(MAPS, "remove_entry", &["&K"], "Option<(K, V)>", TakesKeyed),
    method(MAPS, "entry", &["K"], "Entry<K, V>", TakesKeyed),
    method(SETS, "get", &["&T"], "Option<&T>", TakesKeyed),
    method(SETS, "take", &["&T"], "Option<T>", TakesKeyed),
    method(SETS, "remove", &["&T"], "bool", Fresh),
    method(&["Entry<K, V>"], "or_insert", &["V"], "&mut V", LookThrough),
    method(&["Entry<K, V>"], "or_insert_with", &["|| V"], "&mut V", OrElse),
    method(&["Entry<K, V>"], "or_default", &[], "&mut V", LookThrough),
    method(&["Entry<K, V>"], "and_modify", &["|&mut V| ()"], "Entry<K, V>", LookThrough),
    method(&["Entry<K, V>"], "key", &[], "&K", Fresh),
    method(&["dashmap::DashMap<K, V>"], "get", &["&K"], "Option<dashmap::Ref<K, V>>", TakesKeyed),
    method(&["dashmap::DashMap<K, V>"], "get_mut", &["&K"], "Option<dashmap::RefMut<K, V>>", TakesKeyed),
    method(&["dashmap::DashMap<K, V>"], "remove", &["&K"], "Option<(K, V)>", TakesKeyed),
    method(&["dashmap::DashMap<K, V>"], "iter", &[], "Iter<dashmap::RefMulti<K, V>>", LookThrough),
    method(DASH_REFS, "value", &[], "&V", LookThrough),
    method(DASH_REFS, "key", &[], "&K", Fresh),
    method_on_arg(&["dashmap::DashMap<K, V>"], "insert", &["K", "V"], "Option<V>", Stores, 1),
    // Storing into a collection.
    method_on_arg(&["VecDeque<T>", "LinkedList<T>"], "push_back", &["T"], "()", Stores, 0),
    // The guard given back is the one given in: the same locked value.
    method_on_arg(
        &["std::Condvar"],
        "wait_timeout",
        &["std::MutexGuard<T>", "Duration"],
        "Result<(std::MutexGuard<T>, std::WaitTimeoutResult), ?>",
        LookThrough,
        0,
    ),
    method_on_arg(&["VecDeque<T>", "LinkedList<T>"], "push_front", &["T"], "()", Stores, 0),
    method_on_arg(&["Vec<T>", "BinaryHeap<T>"], "push", &["T"], "()", Stores, 0),
    method_on_arg(&["crossbeam::ArrayQueue<T>"], "push", &["T"], "Result<(), T>", Stores, 0),
    method_on_arg(&["crossbeam::SegQueue<T>"], "push", &["T"], "()", Stores, 0),
    method_on_arg(&["Vec<T>", "VecDeque<T>"], "insert", &["usize", "T"], "()", Stores, 1),
    method_on_arg(MAPS, "insert", &["K", "V"], "Option<V>", Stores, 1),
    method_on_arg(SETS, "insert", &["T"], "bool", Stores, 0),
    // Iterator sources: the elements of the receiver.
    method(&["[T]"], "iter", &[], "Iter<&T>", LookThrough),
    method(&["[T]"], "iter_mut", &[], "Iter<&mut T>", LookThrough),
    method(
        &["VecDeque<T>", "LinkedList<T>", "BinaryHeap<T>", "HashSet<T>", "BTreeSet<T>"],
        "iter",
        &[],
        "Iter<&T>",
        LookThrough,
    ),
    method(&["VecDeque<T>", "LinkedList<T>"], "iter_mut", &[], "Iter<&mut T>", LookThrough),
    method(
        &["&Vec<T>", "&[T]", "&VecDeque<T>", "&HashSet<T>", "&BTreeSet<T>"],
        "into_iter",
        &[],
        "Iter<&T>",
        LookThrough,
    ),
    method(
        &["Vec<T>", "VecDeque<T>", "LinkedList<T>", "BinaryHeap<T>", "HashSet<T>", "BTreeSet<T>", "Option<T>"],
        "into_iter",
        &[],
        "Iter<T>",
        LookThrough,
    ),
    method(&["Vec<T>", "VecDeque<T>"], "drain", &["_"], "Iter<T>", LookThrough),
    method(&["BinaryHeap<T>", "HashSet<T>"], "drain", &[], "Iter<T>", LookThrough),
    method(MAPS, "iter", &[], "Iter<(&K, &V)>", LookThrough),
    method(MAPS, "iter_mut", &[], "Iter<(&K, &mut V)>", LookThrough),
    method(&["&HashMap<K, V>", "&BTreeMap<K, V>"], "into_iter", &[], "Iter<(&K, &V)>", LookThrough),
    method(MAPS, "into_iter", &[], "Iter<(K, V)>", LookThrough),
    method(MAPS, "values", &[], "Iter<&V>", LookThrough),
    method(MAPS, "values_mut", &[], "Iter<&mut V>", LookThrough),
    method(MAPS, "into_values", &[], "Iter<V>", LookThrough),
    method(&["HashMap<K, V>"], "drain", &[], "Iter<(K, V)>", LookThrough),
    method(MAPS, "keys", &[], "Iter<&K>", Fresh),
    method(MAPS, "into_keys", &[], "Iter<K>", Fresh),
    method(&["Option<T>"], "iter", &[], "Iter<&T>", LookThrough),
    method(SYNC_RECEIVERS, "iter", &[], "Iter<T>", LookThrough),
    method(SYNC_RECEIVERS, "try_iter", &[], "Iter<T>", LookThrough),
    method(ITER, "into_iter", &[], "Iter<T>", LookThrough),
    method(ITER, "by_ref", &[], "Iter<T>", LookThrough),
    // Iterator adapters: the output elements against the input elements.
    method(ITER, "map", &["|T| U"], "Iter<U>", Unknown),
    method(ITER, "filter", &["|&T| bool"], "Iter<T>", SelectsByPredicate),
    method(ITER, "filter_map", &["|T| Option<U>"], "Iter<U>", SelectsByPredicate),
    method(ITER, "skip_while", &["|&T| bool"], "Iter<T>", SelectsByPredicate),
    method(ITER, "take_while", &["|&T| bool"], "Iter<T>", SelectsByPredicate),
    method(ITER, "enumerate", &[], "Iter<(usize, T)>", LookThrough),
    method(ITER, "rev", &[], "Iter<T>", LookThrough),
    method(ITER, "skip", &["usize"], "Iter<T>", LookThrough),
    method(ITER, "take", &["usize"], "Iter<T>", LookThrough),
    method(ITER, "step_by", &["usize"], "Iter<T>", LookThrough),
    method(&["Iter<&T>"], "cloned", &[], "Iter<T>", LookThrough),
    method(&["Iter<&T>"], "copied", &[], "Iter<T>", LookThrough),
    method(ITER, "peekable", &[], "Iter<T>", LookThrough),
    method(ITER, "fuse", &[], "Iter<T>", LookThrough),
    method(ITER, "inspect", &["|&T| ()"], "Iter<T>", LookThrough),
    method(ITER, "chain", &["Iter<T>"], "Iter<T>", LookThrough),
    method(ITER, "zip", &["Iter<U>"], "Iter<(T, U)>", LookThrough),
    method(ITER, "flatten", &[], "Iter<?>", Unknown),
    method(ITER, "flat_map", &["|T| U"], "Iter<?>", Unknown),
    // Iterator terminals.
    method(ITER, "next", &[], "Option<T>", TakesPositional),
    method(ITER, "next_back", &[], "Option<T>", TakesPositional),
    method(ITER, "peek", &[], "Option<&T>", TakesPositional),
    method(ITER, "last", &[], "Option<T>", TakesPositional),
    method(ITER, "nth", &["usize"], "Option<T>", TakesPositional),
    method(ITER, "find", &["|&T| bool"], "Option<T>", SelectsByPredicate),
    method(ITER, "find_map", &["|T| Option<U>"], "Option<U>", SelectsByPredicate),
    method(ITER, "min_by_key", &["|&T| U"], "Option<T>", SelectsByPredicate),
    method(ITER, "max_by_key", &["|&T| U"], "Option<T>", SelectsByPredicate),
    method(ITER, "min_by", &["|&T, &T| Ordering"], "Option<T>", SelectsByPredicate),
    method(ITER, "max_by", &["|&T, &T| Ordering"], "Option<T>", SelectsByPredicate),
    method(ITER, "min", &[], "Option<T>", SelectsByPredicate),
    method(ITER, "max", &[], "Option<T>", SelectsByPredicate),
    method(ITER, "position", &["|T| bool"], "Option<usize>", IndexOfSelected),
    method(ITER, "rposition", &["|T| bool"], "Option<usize>", IndexOfSelected),
    method(ITER, "any", &["|T| bool"], "bool", Fresh),
    method(ITER, "all", &["|T| bool"], "bool", Fresh),
    method(ITER, "count", &[], "usize", Fresh),
    method(ITER, "sum", &[], "?", Fresh),
    method(ITER, "product", &[], "?", Fresh),
    // `collect`'s type is the destination's (a written type or a turbofish).
    method(ITER, "collect", &[], "?", LookThrough),
    method(ITER, "fold", &["B", "|B, T| B"], "B", Unknown),
    method(ITER, "for_each", &["|T| ()"], "()", Unknown),
    // Option.
    method(OPTION, "unwrap", &[], "T", LookThrough),
    method(OPTION, "expect", &["&str"], "T", LookThrough),
    method(OPTION, "unwrap_or", &["T"], "T", Or),
    method(OPTION, "unwrap_or_else", &["|| T"], "T", OrElse),
    method(OPTION, "unwrap_or_default", &[], "T", LookThrough),
    method(OPTION, "take", &[], "Option<T>", LookThrough),
    method(OPTION, "replace", &["T"], "Option<T>", LookThrough),
    method(OPTION, "as_ref", &[], "Option<&T>", LookThrough),
    method(OPTION, "as_mut", &[], "Option<&mut T>", LookThrough),
    method(OPTION, "as_deref", &[], "Option<&?>", LookThrough),
    method(&["Option<&T>"], "cloned", &[], "Option<T>", LookThrough),
    method(&["Option<&T>"], "copied", &[], "Option<T>", LookThrough),
    method(OPTION, "ok_or", &["E"], "Result<T, E>", LookThrough),
    method(OPTION, "ok_or_else", &["|| E"], "Result<T, E>", LookThrough),
    method(OPTION, "filter", &["|&T| bool"], "Option<T>", LookThrough),
    method(OPTION, "or", &["Option<T>"], "Option<T>", Or),
    method(OPTION, "or_else", &["|| Option<T>"], "Option<T>", OrElse),
    method(OPTION, "get_or_insert_with", &["|| T"], "&mut T", OrElse),
    method(OPTION, "insert", &["T"], "&mut T", LookThrough),
    method(OPTION, "map", &["|T| U"], "Option<U>", MapsValue),
    method(OPTION, "and_then", &["|T| Option<U>"], "Option<U>", MapsValue),
    method(OPTION, "is_some", &[], "bool", Fresh),
    method(OPTION, "is_none", &[], "bool", Fresh),
    method(OPTION, "is_some_and", &["|T| bool"], "bool", Fresh),
    // Result.
    method(RESULT, "unwrap", &[], "T", LookThrough),
    method(RESULT, "expect", &["&str"], "T", LookThrough),
    method(RESULT, "unwrap_or", &["T"], "T", Or),
    method(RESULT, "unwrap_or_else", &["|E| T"], "T", OrElse),
    method(RESULT, "unwrap_or_default", &[], "T", LookThrough),
    method(RESULT, "map_err", &["|E| F"], "Result<T, F>", LookThrough),
    method(RESULT, "ok", &[], "Option<T>", LookThrough),
    method(RESULT, "as_ref", &[], "Result<&T, &E>", LookThrough),
    method(RESULT, "as_mut", &[], "Result<&mut T, &mut E>", LookThrough),
    method(RESULT, "err", &[], "Option<E>", Unknown),
    method(RESULT, "unwrap_err", &[], "E", Unknown),
    method(RESULT, "map", &["|T| U"], "Result<U, E>", MapsValue),
    method(RESULT, "and_then", &["|T| Result<U, E>"], "Result<U, E>", MapsValue),
    method(RESULT, "is_ok", &[], "bool", Fresh),
    method(RESULT, "is_err", &[], "bool", Fresh),
    // Locks: the guarded value, seen through.
    method(
        &["std::Mutex<T>"],
        "lock",
        &[],
        "Result<std::MutexGuard<T>, std::PoisonError<std::MutexGuard<T>>>",
        LookThrough,
    ),
    method(
        &["std::Mutex<T>"],
        "try_lock",
        &[],
        "Result<std::MutexGuard<T>, std::TryLockError<std::MutexGuard<T>>>",
        LookThrough,
    ),
    method(
        &["std::RwLock<T>"],
        "read",
        &[],
        "Result<std::RwLockReadGuard<T>, std::PoisonError<std::RwLockReadGuard<T>>>",
        LookThrough,
    ),
    method(
        &["std::RwLock<T>"],
        "write",
        &[],
        "Result<std::RwLockWriteGuard<T>, std::PoisonError<std::RwLockWriteGuard<T>>>",
        LookThrough,
    ),
    method(&["std::Mutex<T>", "std::RwLock<T>"], "into_inner", &[], "Result<T, std::PoisonError<T>>", LookThrough),
    method(
        &["std::Mutex<T>", "std::RwLock<T>"],
        "get_mut",
        &[],
        "Result<&mut T, std::PoisonError<&mut T>>",
        LookThrough,
    ),
    method(&["parking_lot::Mutex<T>"], "lock", &[], "parking_lot::MutexGuard<T>", LookThrough),
    method(&["parking_lot::Mutex<T>"], "try_lock", &[], "Option<parking_lot::MutexGuard<T>>", LookThrough),
    method(&["parking_lot::RwLock<T>"], "read", &[], "parking_lot::RwLockReadGuard<T>", LookThrough),
    method(&["parking_lot::RwLock<T>"], "write", &[], "parking_lot::RwLockWriteGuard<T>", LookThrough),
    method(
        &["parking_lot::Mutex<T>", "parking_lot::RwLock<T>", "tokio::Mutex<T>", "tokio::RwLock<T>"],
        "into_inner",
        &[],
        "T",
        LookThrough,
    ),
    method(
        &["parking_lot::Mutex<T>", "parking_lot::RwLock<T>", "tokio::Mutex<T>", "tokio::RwLock<T>"],
        "get_mut",
        &[],
        "&mut T",
        LookThrough,
    ),
    method(&["tokio::Mutex<T>"], "lock", &[], "Future<tokio::MutexGuard<T>>", LookThrough),
    method(&["tokio::Mutex<T>"], "try_lock", &[], "Result<tokio::MutexGuard<T>, tokio::TryLockError>", LookThrough),
    method(&["tokio::Mutex<T>"], "blocking_lock", &[], "tokio::MutexGuard<T>", LookThrough),
    method(&["tokio::RwLock<T>"], "read", &[], "Future<tokio::RwLockReadGuard<T>>", LookThrough),
    method(&["tokio::RwLock<T>"], "write", &[], "Future<tokio::RwLockWriteGuard<T>>", LookThrough),
    method(&["RefCell<T>"], "borrow", &[], "Ref<T>", LookThrough),
    method(&["RefCell<T>"], "borrow_mut", &[], "RefMut<T>", LookThrough),
    method(&["RefCell<T>", "Cell<T>"], "take", &[], "T", LookThrough),
    method(&["Cell<T>"], "get", &[], "T", LookThrough),
    method(POINTERS, "as_ref", &[], "&T", LookThrough),
    // Channels: receiving takes the oldest message, by position.
    method(SYNC_RECEIVERS, "recv", &[], "Result<T, ?>", TakesPositional),
    method(SYNC_RECEIVERS, "try_recv", &[], "Result<T, ?>", TakesPositional),
    method(SYNC_RECEIVERS, "recv_timeout", &["Duration"], "Result<T, ?>", TakesPositional),
    method(&["flume::Receiver<T>"], "recv_async", &[], "Future<Result<T, flume::RecvError>>", TakesPositional),
    method(TOKIO_MPSC, "recv", &[], "Future<Option<T>>", TakesPositional),
    method(TOKIO_MPSC, "try_recv", &[], "Result<T, tokio::mpsc::TryRecvError>", TakesPositional),
    method(TOKIO_MPSC, "blocking_recv", &[], "Option<T>", TakesPositional),
    method(
        &["tokio::broadcast::Receiver<T>"],
        "recv",
        &[],
        "Future<Result<T, tokio::broadcast::RecvError>>",
        TakesPositional,
    ),
    method(
        &["tokio::broadcast::Receiver<T>"],
        "try_recv",
        &[],
        "Result<T, tokio::broadcast::TryRecvError>",
        TakesPositional,
    ),
    method(
        &["tokio::oneshot::Receiver<T>"],
        "try_recv",
        &[],
        "Result<T, tokio::oneshot::TryRecvError>",
        TakesPositional,
    ),
    method(
        &["tokio::oneshot::Receiver<T>"],
        "blocking_recv",
        &[],
        "Result<T, tokio::oneshot::RecvError>",
        TakesPositional,
    ),
    method(&["tokio::watch::Receiver<T>"], "borrow", &[], "tokio::watch::Ref<T>", LookThrough),
    method(&["tokio::watch::Receiver<T>"], "borrow_and_update", &[], "tokio::watch::Ref<T>", LookThrough),
    method(&["tokio::watch::Receiver<T>"], "changed", &[], "Future<Result<(), tokio::watch::RecvError>>", Fresh),
    method(
        &["async_channel::Receiver<T>"],
        "recv",
        &[],
        "Future<Result<T, async_channel::RecvError>>",
        TakesPositional,
    ),
    method(&["async_channel::Receiver<T>"], "try_recv", &[], "Result<T, async_channel::TryRecvError>", TakesPositional),
    method(
        &["async_channel::Receiver<T>"],
        "recv_blocking",
        &[],
        "Result<T, async_channel::RecvError>",
        TakesPositional,
    ),
    // Channels: sending outputs the argument.
    method_on_arg(
        &["std::mpsc::Sender<T>", "std::mpsc::SyncSender<T>"],
        "send",
        &["T"],
        "Result<(), std::mpsc::SendError<T>>",
        Output,
        0,
    ),
    method_on_arg(
        &["std::mpsc::SyncSender<T>"],
        "try_send",
        &["T"],
        "Result<(), std::mpsc::TrySendError<T>>",
        Output,
        0,
    ),
    method_on_arg(&["crossbeam::Sender<T>"], "send", &["T"], "Result<(), crossbeam::SendError<T>>", Output, 0),
    method_on_arg(&["flume::Sender<T>"], "send", &["T"], "Result<(), flume::SendError<T>>", Output, 0),
    method_on_arg(&["flume::Sender<T>"], "send_async", &["T"], "Future<Result<(), flume::SendError<T>>>", Output, 0),
    method_on_arg(SYNC_SENDERS, "try_send", &["T"], "Result<(), ?>", Output, 0),
    method_on_arg(
        &["tokio::mpsc::Sender<T>"],
        "send",
        &["T"],
        "Future<Result<(), tokio::mpsc::SendError<T>>>",
        Output,
        0,
    ),
    method_on_arg(
        &["tokio::mpsc::Sender<T>"],
        "try_send",
        &["T"],
        "Result<(), tokio::mpsc::TrySendError<T>>",
        Output,
        0,
    ),
    method_on_arg(
        &["tokio::mpsc::Sender<T>"],
        "blocking_send",
        &["T"],
        "Result<(), tokio::mpsc::SendError<T>>",
        Output,
        0,
    ),
    method_on_arg(
        &["tokio::mpsc::UnboundedSender<T>"],
        "send",
        &["T"],
        "Result<(), tokio::mpsc::SendError<T>>",
        Output,
        0,
    ),
    method_on_arg(
        &["tokio::broadcast::Sender<T>"],
        "send",
        &["T"],
        "Result<usize, tokio::broadcast::SendError<T>>",
        Output,
        0,
    ),
    method_on_arg(&["tokio::oneshot::Sender<T>"], "send", &["T"], "Result<(), T>", Output, 0),
    method_on_arg(&["tokio::watch::Sender<T>"], "send", &["T"], "Result<(), tokio::watch::SendError<T>>", Output, 0),
    method_on_arg(
        &["async_channel::Sender<T>"],
        "send",
        &["T"],
        "Future<Result<(), async_channel::SendError<T>>>",
        Output,
        0,
    ),
    method_on_arg(&["async_channel::Sender<T>"], "try_send", &["T"], "Result<(), ?>", Output, 0),
    method_on_arg(
        &["async_channel::Sender<T>"],
        "send_blocking",
        &["T"],
        "Result<(), async_channel::SendError<T>>",
        Output,
        0,
    ),
    // Free and associated fns.
    path_fn("std::mem::take", &["&mut T"], "T", LookThrough, 0),
    path_fn("std::mem::replace", &["&mut T", "T"], "T", LookThrough, 0),
    path_fn("std::mem::swap", &["&mut T", "&mut T"], "()", Swaps, 0),
    path_fn("std::mem::drop", &["T"], "()", Fresh, 0),
    path_fn("tokio::time::timeout", &["Duration", "Future<T>"], "Future<Result<T, tokio::Elapsed>>", LookThrough, 1),
    path_fn("Arc::new", &["T"], "Arc<T>", LookThrough, 0),
    path_fn("Rc::new", &["T"], "Rc<T>", LookThrough, 0),
    path_fn("Box::new", &["T"], "Box<T>", LookThrough, 0),
    path_fn("Arc::clone", &["&Arc<T>"], "Arc<T>", LookThrough, 0),
    path_fn("Rc::clone", &["&Rc<T>"], "Rc<T>", LookThrough, 0),
    path_fn("std::Mutex::new", &["T"], "std::Mutex<T>", LookThrough, 0),
    path_fn("std::RwLock::new", &["T"], "std::RwLock<T>", LookThrough, 0),
    path_fn("parking_lot::Mutex::new", &["T"], "parking_lot::Mutex<T>", LookThrough, 0),
    path_fn("parking_lot::RwLock::new", &["T"], "parking_lot::RwLock<T>", LookThrough, 0),
    path_fn("tokio::Mutex::new", &["T"], "tokio::Mutex<T>", LookThrough, 0),
    path_fn("tokio::RwLock::new", &["T"], "tokio::RwLock<T>", LookThrough, 0),
    path_fn("RefCell::new", &["T"], "RefCell<T>", LookThrough, 0),
    path_fn("Vec::new", &[], "Vec<?>", Fresh, 0),
    path_fn("VecDeque::new", &[], "VecDeque<?>", Fresh, 0),
    path_fn("HashMap::new", &[], "HashMap<?, ?>", Fresh, 0),
    path_fn("BTreeMap::new", &[], "BTreeMap<?, ?>", Fresh, 0),
];

/// The payloads of std enum variants: `Some(T)`, `Ok(T)`, `Err(E)`.
pub static VARIANTS: &[(&str, &str, &[&str])] =
    &[("Option<T>", "Some", &["T"]), ("Result<T, E>", "Ok", &["T"]), ("Result<T, E>", "Err", &["E"])];

/// The value `None` (a constant, not a call).
pub static NONE_VARIANT: (&str, &str) = ("Option<T>", "None");

/// What a timing API's value means, for PL002's timeout region (`flows::release`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// A result that is `Err` (or reports `timed_out()`) when the time ran out:
    /// `timeout(..).await`, `recv_timeout`, `Condvar::wait_timeout`.
    Timeout,
    /// A future that completes when time has passed: `sleep`, `sleep_until`,
    /// `Interval::tick`, `Delay`.
    Timer,
    /// The current time.
    Now,
    /// How much time has passed (it only grows): `Instant::elapsed`.
    Elapsed,
    /// A flag that is `true` when the time ran out: `WaitTimeoutResult::timed_out`.
    TimedOut,
}

/// Timing fns by full path (after `use` resolution); a call matches an entry whose
/// path ends with the call's resolved path (at least two segments of it).
pub static TIMING_FNS: &[(&str, Timing)] = &[
    ("tokio::time::timeout", Timing::Timeout),
    ("tokio::time::timeout_at", Timing::Timeout),
    ("async_std::future::timeout", Timing::Timeout),
    ("async_std::io::timeout", Timing::Timeout),
    ("tokio::time::sleep", Timing::Timer),
    ("tokio::time::sleep_until", Timing::Timer),
    ("async_std::task::sleep", Timing::Timer),
    ("futures_timer::Delay::new", Timing::Timer),
    ("std::time::Instant::now", Timing::Now),
    ("std::time::SystemTime::now", Timing::Now),
    ("tokio::time::Instant::now", Timing::Now),
    ("chrono::Utc::now", Timing::Now),
];

/// Timing methods: (receiver type names, method, meaning, whether the name alone
/// decides when the receiver's type is unknown).
pub static TIMING_METHODS: &[(&[&str], &str, Timing, bool)] = &[
    (&["Receiver"], "recv_timeout", Timing::Timeout, true),
    (&["Condvar"], "wait_timeout", Timing::Timeout, true),
    (&["Condvar"], "wait_timeout_while", Timing::Timeout, true),
    (&["Condvar"], "wait_timeout_ms", Timing::Timeout, true),
    (&["Interval"], "tick", Timing::Timer, false),
    (&["Instant", "SystemTime"], "elapsed", Timing::Elapsed, true),
    (&["WaitTimeoutResult"], "timed_out", Timing::TimedOut, true),
];

/// Web frameworks' request-extractor traits, with the method an impl defines. A type
/// the crate implements one of them for is built by the framework from each request
/// (an authentication guard such as a `Headers` or `AuthUser` that reads a token), so
/// a value of it belongs to the request that made it: never state shared between
/// requesters, and, when it says who is asking, the requester's identity.
/// rocket, actix-web, axum and poem call their trait `FromRequest`; axum's parts-only
/// extractors implement `FromRequestParts` (and `OptionalFromRequestParts` since 0.8).
pub static REQUEST_EXTRACTOR_TRAITS: &[(&str, &str)] = &[
    ("FromRequest", "from_request"),
    ("FromRequestParts", "from_request_parts"),
    ("OptionalFromRequestParts", "from_request_parts"),
    ("OptionalFromRequest", "from_request"),
];

/// Types whose values are points or spans of time.
pub static TIME_TYPES: &[&str] = &["Instant", "SystemTime", "Duration", "DateTime"];

/// The timing meaning of a fn called by its resolved path.
pub fn timing_fn(path: &str) -> Option<Timing> {
    let segments = path.split("::").count();
    TIMING_FNS
        .iter()
        .find(|(full, _)| *full == path || (segments >= 2 && full.ends_with(&format!("::{path}"))))
        .map(|(_, t)| *t)
}

/// The timing meaning of a method on a receiver whose type's last segment is
/// `receiver` (`None`: unknown).
pub fn timing_method(receiver: Option<&str>, name: &str) -> Option<Timing> {
    TIMING_METHODS
        .iter()
        .find(|(types, method, _, by_name)| *method == name && receiver.map_or(*by_name, |r| types.contains(&r)))
        .map(|(_, _, t, _)| *t)
}

/// An entry with its type text parsed.
#[derive(Debug)]
pub struct CompiledApi {
    pub on: Vec<Type>,
    pub args: Vec<Type>,
    pub ret: Type,
    pub api: &'static Api,
}

/// The parsed table, indexed: built once ([`StdModel::get`]).
#[derive(Debug)]
pub struct StdModel {
    /// Full path (`tokio::sync::Mutex`) to family key (`tokio::Mutex`).
    by_path: HashMap<&'static str, &'static str>,
    /// Last path segment (`Mutex`) to the keys it may mean.
    by_last_segment: HashMap<&'static str, Vec<&'static str>>,
    methods: HashMap<&'static str, Vec<CompiledApi>>,
    fns: HashMap<&'static str, Vec<CompiledApi>>,
}

/// What a call does, for the dataflow's call model: the effect, the operand it is
/// about, and the result type (partly [`Type::Unknown`] where the table leaves it open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEffect {
    pub effect: Effect,
    pub from: Source,
    pub result: Type,
}

/// What is called: a method by name, or a fn by its canonical path (`std::mem::take`,
/// `Arc::new`: see [`StdModel::fn_key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallName<'a> {
    Method(&'a str),
    Path(&'a str),
}

/// How many deref steps a method lookup follows: real receivers need two or three.
const AUTODEREF_LIMIT: usize = 8;

/// A type in the table's own notation (family keys, capital-letter variables), for
/// callers and tests that speak it: `model_type("VecDeque<T>")`.
pub fn model_type(text: &str) -> Result<Type, String> {
    pattern(text)
}

/// A pattern's text as a [`Type`]: single capital letters and `Self` are variables,
/// `?` is unknown, other names must be family keys or primitives.
fn pattern(text: &str) -> Result<Type, String> {
    let written = if text == "?" {
        WrittenTy::Infer
    } else {
        WrittenTy::parse(&text.replace('?', "_")).map_err(|e| format!("`{text}`: {e}"))?
    };
    pattern_of(&written).map_err(|name| format!("`{text}`: `{name}` is neither a family nor a primitive"))
}

fn pattern_of(written: &WrittenTy) -> Result<Type, String> {
    let all = |items: &[WrittenTy]| items.iter().map(pattern_of).collect::<Result<Vec<_>, _>>();
    Ok(match written {
        WrittenTy::Path { segments, args, .. } => {
            let name = segments.join("::");
            let is_variable = name == "Self" || (name.len() == 1 && name.chars().all(|c| c.is_ascii_uppercase()));
            if is_variable {
                Type::Param(name)
            } else if FAMILIES.iter().any(|(key, _)| *key == name) || PRIMITIVES.contains(&name.as_str()) {
                Type::Named { name, args: all(args)? }
            } else {
                return Err(name);
            }
        }
        WrittenTy::Ref { mutable, inner } => Type::Ref { mutable: *mutable, inner: Box::new(pattern_of(inner)?) },
        WrittenTy::Slice(inner) => Type::Slice(Box::new(pattern_of(inner)?)),
        WrittenTy::Tuple(items) => Type::Tuple(all(items)?),
        WrittenTy::Never => Type::Never,
        WrittenTy::Fn { params, ret } => Type::Fn { params: all(params)?, ret: Box::new(pattern_of(ret)?) },
        WrittenTy::Infer => Type::Unknown,
        WrittenTy::Dyn(_) | WrittenTy::Impl(_) => return Err("impl/dyn".into()),
    })
}

fn compile(api: &'static Api) -> Result<CompiledApi, String> {
    Ok(CompiledApi {
        on: api.on.iter().map(|t| pattern(t)).collect::<Result<_, _>>()?,
        args: api.args.iter().map(|t| pattern(t)).collect::<Result<_, _>>()?,
        ret: pattern(api.ret)?,
        api,
    })
}

/// A matched entry: the bindings its receiver pattern gave.
#[derive(Debug, Clone)]
pub struct Matched<'m> {
    pub api: &'m CompiledApi,
    pub bindings: Bindings,
    /// Candidate families agreed on the effect but not on the result type.
    pub result_unknown: bool,
}

impl Matched<'_> {
    /// The parameter types a closure passed as argument `index` receives, as far as
    /// the receiver fixes them (`iter().filter(|j| ..)` gives `j: &T`).
    pub fn closure_params(&self, index: usize) -> Option<Vec<Type>> {
        match self.api.args.get(index)? {
            Type::Fn { params, .. } => Some(params.iter().map(|p| p.substitute(&self.bindings)).collect()),
            _ => None,
        }
    }

    /// The call's effect, binding the argument patterns to `args` (unknown types bind
    /// nothing; a closure's type binds its return, which is how `map` learns `U`).
    pub fn finish(mut self, args: &[Type]) -> CallEffect {
        for (pattern, actual) in self.api.args.iter().zip(args) {
            let mut trial = self.bindings.clone();
            if pattern.bind(actual, &mut trial) {
                self.bindings = trial;
            }
        }
        let result = if self.result_unknown { Type::Unknown } else { self.api.ret.substitute(&self.bindings) };
        CallEffect { effect: self.api.api.effect, from: self.api.api.from, result }
    }
}

impl StdModel {
    /// The model, parsed on first use.
    pub fn get() -> &'static StdModel {
        static MODEL: OnceLock<StdModel> = OnceLock::new();
        MODEL.get_or_init(|| StdModel::build().unwrap_or_else(|e| panic!("std model entry does not parse: {e}")))
    }

    /// Parses and indexes the table; an error names the entry that does not parse.
    pub(crate) fn build() -> Result<StdModel, String> {
        let mut by_path = HashMap::new();
        let mut by_last_segment: HashMap<&str, Vec<&str>> = HashMap::new();
        for (key, paths) in FAMILIES {
            for path in *paths {
                by_path.insert(*path, *key);
                let last = path.rsplit("::").next().unwrap_or(path);
                let keys = by_last_segment.entry(last).or_default();
                if !keys.contains(key) {
                    keys.push(key);
                }
            }
        }
        let mut methods: HashMap<&str, Vec<CompiledApi>> = HashMap::new();
        let mut fns: HashMap<&str, Vec<CompiledApi>> = HashMap::new();
        for api in APIS {
            let compiled = compile(api)?;
            let index = if api.on.is_empty() { &mut fns } else { &mut methods };
            index.entry(api.name).or_default().push(compiled);
        }
        Ok(StdModel { by_path, by_last_segment, methods, fns })
    }

    /// The family key of a full path (`std::sync::Mutex` gives `std::Mutex`);
    /// `core::`/`alloc::` read as `std::`.
    pub fn family_of_path(&self, path: &str) -> Option<&'static str> {
        let normalized = match path.split_once("::") {
            Some(("core" | "alloc", rest)) => format!("std::{rest}"),
            _ => path.to_string(),
        };
        self.by_path.get(normalized.as_str()).copied()
    }

    /// The families a bare, unresolved name may mean (`Mutex`: std, parking_lot, tokio).
    pub fn families_named(&self, last_segment: &str) -> &[&'static str] {
        self.by_last_segment.get(last_segment).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The canonical name of a fn path for [`CallName::Path`]: a free fn keeps its
    /// full path (`std::mem::take`); an associated fn is its family key and name
    /// (`std::sync::Arc::new` gives `Arc::new`).
    pub fn fn_key(&self, full_path: &str) -> String {
        if let Some((ty, name)) = full_path.rsplit_once("::") {
            if let Some(key) = self.family_of_path(ty).or_else(|| self.is_key(ty).then_some(ty)) {
                return format!("{key}::{name}");
            }
        }
        match full_path.split_once("::") {
            Some(("core" | "alloc", rest)) => format!("std::{rest}"),
            _ => full_path.to_string(),
        }
    }

    /// The name is a family key (a library type the model knows).
    pub fn is_family(&self, name: &str) -> bool {
        self.is_key(name)
    }

    fn is_key(&self, name: &str) -> bool {
        FAMILIES.iter().any(|(key, _)| *key == name)
    }

    /// `impl`/`dyn` types and bounded parameters read as the family their bound names:
    /// `impl Iterator<Item = X>` is `Iter<X>`, `impl Future<Output = X>` is `Future<X>`.
    fn normalize(&self, ty: &Type) -> Type {
        let Type::Opaque { bounds, .. } = ty else {
            return ty.clone();
        };
        for bound in bounds {
            let element = match bound.trait_name.as_str() {
                "Iter" => bound.binding("Item"),
                "Future" => bound.binding("Output"),
                _ => continue,
            };
            return Type::named(&bound.trait_name, vec![element.cloned().unwrap_or(Type::Unknown)]);
        }
        ty.clone()
    }

    /// What `ty` derefs to, one step: a reference's pointee, the table's `*` entries,
    /// a `Deref<Target = X>` bound's target.
    pub fn deref(&self, ty: &Type) -> Option<Type> {
        match ty {
            Type::Ref { inner, .. } => Some((**inner).clone()),
            Type::Opaque { bounds, .. } => bounds
                .iter()
                .find(|b| b.trait_name == "Deref")
                .map(|b| b.binding("Target").cloned().unwrap_or(Type::Unknown)),
            _ => self.lookup_here(ty, "*", 0).map(|m| m.finish(&[]).result),
        }
    }

    /// The entry for `name` with `arity` arguments whose receiver pattern matches
    /// `ty` itself (no deref).
    fn lookup_here(&self, ty: &Type, name: &str, arity: usize) -> Option<Matched<'_>> {
        let entries = self.methods.get(name)?;
        let ty = self.normalize(ty);
        // Entries for any receiver (`Self`: `clone`, `borrow`) only answer when no
        // entry names the receiver's family (`RefCell::borrow` gives a `Ref`).
        let is_wildcard = |on: &Type| matches!(on, Type::Param(_));
        let find = |wildcard: bool| {
            entries.iter().filter(|e| e.args.len() == arity).find_map(|entry| {
                entry.on.iter().filter(|on| is_wildcard(on) == wildcard).find_map(|on| {
                    let mut bindings = Bindings::new();
                    on.bind(&ty, &mut bindings).then_some(Matched { api: entry, bindings, result_unknown: false })
                })
            })
        };
        find(false).or_else(|| find(true))
    }

    /// Method lookup with autoderef: the first deref step of `receiver` with an entry.
    /// A name no import resolved (`Mutex`) is tried as each family it may mean; the
    /// candidates that have the method must agree on entry shape, else nothing.
    pub fn method(&self, receiver: &Type, name: &str, arity: usize) -> Option<Matched<'_>> {
        let mut step = receiver.clone();
        for _ in 0..AUTODEREF_LIMIT {
            if step.is_unknown() {
                return None;
            }
            if let Some(found) = self.lookup_candidates(&step, name, arity) {
                return Some(found);
            }
            step = self.deref_candidates(&step)?;
        }
        None
    }

    /// The type read as each family an unresolved name may mean (none when no family
    /// has that name), or itself when it is resolved.
    fn candidates(&self, ty: &Type) -> Vec<Type> {
        match ty {
            Type::Unresolved { name, args } => {
                self.families_named(name).iter().map(|key| Type::named(key, args.clone())).collect()
            }
            _ => vec![ty.clone()],
        }
    }

    /// The entry for `name` on `ty` itself, no deref (an unresolved name tried as each
    /// family it may mean). Callers interleaving crate methods use this and
    /// [`StdModel::deref_step`] instead of [`StdModel::method`].
    pub fn method_here(&self, ty: &Type, name: &str, arity: usize) -> Option<Matched<'_>> {
        self.lookup_candidates(ty, name, arity)
    }

    /// One autoderef step, when every family an unresolved name may mean agrees.
    pub fn deref_step(&self, ty: &Type) -> Option<Type> {
        self.deref_candidates(ty)
    }

    fn lookup_candidates(&self, ty: &Type, name: &str, arity: usize) -> Option<Matched<'_>> {
        let found: Vec<Matched<'_>> =
            self.candidates(ty).iter().filter_map(|c| self.lookup_here(c, name, arity)).collect();
        let first = found.first()?;
        let agree =
            found.iter().all(|m| m.api.api.effect == first.api.api.effect && m.api.api.from == first.api.api.from);
        if !agree {
            return None;
        }
        if found.len() == 1 {
            return found.into_iter().next();
        }
        // Several families agree on the effect; the result type is kept only where
        // they agree too, so `Mutex::lock` on an unresolved `Mutex` is a look-through
        // of unknown type (std's returns a Result, parking_lot's a guard).
        let results: Vec<Type> = found.iter().map(|m| m.api.ret.substitute(&m.bindings)).collect();
        let mut chosen = found.into_iter().next()?;
        chosen.result_unknown = results.iter().any(|r| r != &results[0]);
        Some(chosen)
    }

    fn deref_candidates(&self, ty: &Type) -> Option<Type> {
        let derefs: Vec<Type> = self.candidates(ty).iter().filter_map(|c| self.deref(c)).collect();
        let first = derefs.first()?;
        derefs.iter().all(|d| d == first).then(|| first.clone())
    }

    /// The payload types of a std variant of `ty` (`Some` of `Option<Job>` gives
    /// `[Job]`).
    pub fn variant_payload(&self, ty: &Type, variant: &str) -> Option<Vec<Type>> {
        self.candidates(ty).iter().find_map(|candidate| {
            VARIANTS.iter().filter(|(_, v, _)| *v == variant).find_map(|(on, _, payload)| {
                let mut bindings = Bindings::new();
                let on = pattern(on).ok()?;
                on.bind(candidate, &mut bindings)
                    .then(|| payload.iter().filter_map(|p| pattern(p).ok()).map(|p| p.substitute(&bindings)).collect())
            })
        })
    }

    /// The type a std variant built from `payload` has (`Some(job)` is `Option<Job>`,
    /// `Ok(x)` is `Result<X, ?>`, `None` is `Option<?>`).
    pub fn variant_type(&self, variant: &str, payload: &[Type]) -> Option<Type> {
        let (on, payload_patterns): (&str, &[&str]) = if variant == NONE_VARIANT.1 {
            (NONE_VARIANT.0, &[])
        } else {
            VARIANTS.iter().find(|(_, v, _)| *v == variant).map(|(on, _, p)| (*on, *p))?
        };
        let mut bindings = Bindings::new();
        for (pattern_text, actual) in payload_patterns.iter().zip(payload) {
            pattern(pattern_text).ok()?.bind(actual, &mut bindings);
        }
        Some(pattern(on).ok()?.substitute(&bindings))
    }

    /// A free or associated fn by its key (see [`StdModel::fn_key`]).
    pub fn function(&self, key: &str, arity: usize) -> Option<Matched<'_>> {
        let entry = self.fns.get(key)?.iter().find(|e| e.args.len() == arity)?;
        Some(Matched { api: entry, bindings: Bindings::new(), result_unknown: false })
    }

    /// The effect and result type of a call, knowing only the receiver's type and
    /// the argument count (what the dataflow's call model asks). `receiver` is ignored
    /// for [`CallName::Path`].
    pub fn call_effect(&self, receiver: &Type, name: CallName<'_>, arg_count: usize) -> Option<CallEffect> {
        let matched = match name {
            CallName::Method(method) => self.method(receiver, method, arg_count)?,
            CallName::Path(path) => self.function(&self.fn_key(path), arg_count)?,
        };
        Some(matched.finish(&[]))
    }
}

/// [`StdModel::call_effect`] on the shared model.
pub fn call_effect(receiver: &Type, name: CallName<'_>, arg_count: usize) -> Option<CallEffect> {
    StdModel::get().call_effect(receiver, name, arg_count)
}
