//! "Is this value the user-bound item?" as a question about its type.
//!
//! A struct (or enum) of the crate is **user-bound** when one of its fields ties it to
//! a person: by name (an owner-like field, matched by word segments) or by type (a
//! field holding an identity newtype such as `UserId`). A type **carries** a
//! user-bound item when the item can be reached from it as the same value: through
//! references, tuples, and every zero-argument look-through entry of the std model
//! (`Option::unwrap`, `Result::unwrap` (the `Ok` side only), `Mutex::lock`, deref of
//! `Arc`/`Box`/guards, `.await`). Collections do not carry: a `Vec<Job>` holds many
//! items, and taking one out of it is a call with its own effect. Numbers, bools,
//! `()` and `Result<(), E>` never carry, so `slot.id`, `count()` and a `send` result are
//! never the item.

use super::std_model::{Effect, StdModel, APIS};
use super::tables::TypeTables;
use super::ty::Type;
use pairlint_base::vocab::List as VocabList;
use pairlint_base::vocab::{words, Vocabulary};
use std::sync::OnceLock;

/// Owner words the default vocabulary's `owner_fields` lacks; they are kept here,
/// not added to `rules/vocabulary.toml`, because today's analysis matches that list by
/// exact name and would change behaviour. To be folded into the vocabulary when core v2
/// replaces it.
const EXTRA_OWNER_ROLES: &[&str] = &["author", "creator", "submitter", "borrower", "tenant", "buyer", "payer"];
/// Past participles that, followed by `by`/`to`/`for`, name who holds an item
/// (`created_by`, `held_by`); added to the ones `owner_fields` spells (`locked_by`).
const EXTRA_POSSESSION_VERBS: &[&str] =
    &["created", "held", "owned", "submitted", "requested", "booked", "assigned", "leased"];
/// Segments that may follow a role and still name the person: `owner_uuid`,
/// `author_id`, `recipient_email`. Anything else after the role (`owner_count`,
/// `user_agent`) names something else about the person or the item.
const IDENTITY_SUFFIXES: &[&str] = &["id", "ids", "uuid", "key", "ref", "no", "number", "email", "login"];
const PREPOSITIONS: &[&str] = &["by", "to", "for"];
/// Field names that are an item's own key, not its owner, whatever their type
/// (`struct Account { id: AccountId }` is not user-bound by its own id).
const OWN_KEY_FIELDS: &[&str] = &["id", "uuid", "key"];
/// How deep [`carries`] follows wrappers.
const CARRY_DEPTH: usize = 8;

/// The words that make a field owner-like or a type an identity, from the vocabulary.
#[derive(Debug, Clone)]
pub struct OwnerVocab {
    /// Person roles: a field ending in one (optionally then an identity suffix) is an
    /// owner field.
    roles: Vec<String>,
    /// Possession verbs: `<verb>_by`.
    verbs: Vec<String>,
    vocab: Vocabulary,
}

impl OwnerVocab {
    /// Roles and verbs read from `owner_fields`: a one-word entry (`owner`) or an
    /// entry ending in an identity suffix (`user_id`) gives its role; an entry ending
    /// in a preposition (`locked_by`) gives its verb.
    pub fn new(vocab: &Vocabulary) -> Self {
        let mut roles: Vec<String> = EXTRA_OWNER_ROLES.iter().map(|r| r.to_string()).collect();
        let mut verbs: Vec<String> = EXTRA_POSSESSION_VERBS.iter().map(|v| v.to_string()).collect();
        for entry in vocab.entries(VocabList::OwnerFields) {
            let segments = words(entry);
            match segments.as_slice() {
                [role] => roles.push(role.clone()),
                [.., role, suffix] if IDENTITY_SUFFIXES.contains(&suffix.as_str()) => roles.push(role.clone()),
                [.., verb, prep] if PREPOSITIONS.contains(&prep.as_str()) => verbs.push(verb.clone()),
                _ => {}
            }
        }
        roles.sort();
        roles.dedup();
        verbs.sort();
        verbs.dedup();
        OwnerVocab { roles, verbs, vocab: vocab.clone() }
    }

    /// The field's name says whose the item is: its segments end in a role, maybe then
    /// one identity suffix (`owner`, `owner_uuid`, `current_holder_id`), or in a
    /// possession verb and a preposition (`created_by`, `issued_to`). `owners_count`
    /// is not (a count; and `owners` is not the role `owner`), nor `auth_code`, `id`,
    /// `chart_id`.
    pub fn is_owner_field(&self, name: &str) -> bool {
        let segments = words(name);
        let is_role = |s: &String| self.roles.contains(s);
        match segments.as_slice() {
            [.., last] if is_role(last) => true,
            [.., role, suffix] if is_role(role) && IDENTITY_SUFFIXES.contains(&suffix.as_str()) => true,
            [.., verb, prep] if PREPOSITIONS.contains(&prep.as_str()) && self.verbs.contains(verb) => true,
            _ => false,
        }
    }

    /// The type's name names a person's identity (`UserId`, `AccountId`, `SessionId`)
    /// and is not one of the excluded look-alikes (`CancellationToken`).
    fn is_identity_name(&self, name: &str) -> bool {
        let last = name.rsplit("::").next().unwrap_or(name);
        self.vocab.mentions(VocabList::IdentityNames, last) && !self.vocab.is(VocabList::IdentityExcludeTypes, last)
    }
}

/// The type is a struct or enum of the crate with an owner-like field, or a field
/// whose type is an identity newtype (see the module doc).
pub fn is_user_bound_item(ty: &Type, tables: &TypeTables, owners: &OwnerVocab) -> bool {
    is_user_bound_item_keyed(ty, None, tables, owners)
}

/// [`is_user_bound_item`] for an item stored under keys of type `key`: a field of that
/// type is the item's own key (`ticket: Ticket` in a `HashMap<Ticket, Image>`), not a
/// tie to a person, whatever its type's name says.
pub fn is_user_bound_item_keyed(ty: &Type, key: Option<&Type>, tables: &TypeTables, owners: &OwnerVocab) -> bool {
    let fields: Vec<&(String, Type)> = if let Some(info) = tables.struct_info(ty) {
        info.fields.iter().collect()
    } else if let Some(info) = tables.enum_info(ty) {
        info.variants.iter().flat_map(|(_, fields)| fields).collect()
    } else {
        return false;
    };
    fields.iter().any(|(name, field_ty)| {
        owners.is_owner_field(name)
            || (!OWN_KEY_FIELDS.contains(&name.as_str())
                && key.is_none_or(|k| k.peel_refs() != field_ty.peel_refs())
                && holds_identity(field_ty, tables, owners, 0))
    })
}

/// The value of this type is, or carries, a user-bound item (see the module doc):
/// what "is this the user-bound item?" asks of a value's type.
pub fn is_user_bound(ty: &Type, tables: &TypeTables, owners: &OwnerVocab) -> bool {
    let mut seen = Vec::new();
    carries(ty, tables, owners, &mut seen, 0)
}

fn carries(ty: &Type, tables: &TypeTables, owners: &OwnerVocab, seen: &mut Vec<Type>, depth: usize) -> bool {
    if depth > CARRY_DEPTH || seen.contains(ty) {
        return false;
    }
    seen.push(ty.clone());
    match ty {
        Type::Ref { inner, .. } => carries(inner, tables, owners, seen, depth + 1),
        Type::Tuple(items) => items.iter().any(|t| carries(t, tables, owners, seen, depth + 1)),
        Type::Named { .. } | Type::Unresolved { .. } | Type::Opaque { .. } => {
            is_user_bound_item(ty, tables, owners)
                || look_through(ty).iter().any(|inner| carries(inner, tables, owners, seen, depth + 1))
        }
        Type::Param(_) | Type::Slice(_) | Type::Never | Type::Fn { .. } | Type::Unknown => false,
    }
}

/// The types a zero-argument look-through entry of the std model gives on `ty`
/// (`Option<T>::unwrap` gives `T`; `Arc<T>`'s deref gives `T`). Results of the same
/// family as the receiver (`Option::as_ref`, iterator adapters) are skipped: they hold
/// what the receiver holds, and following them only builds ever larger wrappers
/// (`Option<&&&Job>`).
fn look_through(ty: &Type) -> Vec<Type> {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut names: Vec<&str> = APIS
            .iter()
            .filter(|a| a.effect == Effect::LookThrough && a.args.is_empty() && !a.on.is_empty())
            .map(|a| a.name)
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    });
    let model = StdModel::get();
    names
        .iter()
        .filter_map(|name| model.method_here(ty, name, 0))
        .filter(|m| m.api.api.effect == Effect::LookThrough && !m.api.on.iter().any(|on| matches!(on, Type::Param(_))))
        .map(|m| m.finish(&[]).result)
        .filter(|t| !t.is_unknown() && (t.peel_refs().name().is_none() || t.peel_refs().name() != ty.name()))
        .collect()
}

/// The field type is an identity newtype, maybe wrapped (`Option<AccountId>`,
/// `Vec<UserId>`, `&UserId`): a type whose name names an identity and that is not a
/// composite item of the crate (a crate struct with at most one field, or a type from
/// outside the crate that the std model does not know; never an enum: `UserRole` is
/// about users, not one user).
fn holds_identity(ty: &Type, tables: &TypeTables, owners: &OwnerVocab, depth: usize) -> bool {
    if depth > CARRY_DEPTH {
        return false;
    }
    match ty {
        Type::Ref { inner, .. } | Type::Slice(inner) => holds_identity(inner, tables, owners, depth + 1),
        Type::Tuple(items) => items.iter().any(|t| holds_identity(t, tables, owners, depth + 1)),
        Type::Named { name, args } | Type::Unresolved { name, args } => {
            let is_newtype = match (tables.struct_info(ty), tables.enum_info(ty)) {
                (Some(info), _) => info.fields.len() <= 1,
                (None, Some(_)) => false,
                (None, None) => !StdModel::get().is_family(name),
            };
            (is_newtype && owners.is_identity_name(name))
                || args.iter().any(|a| holds_identity(a, tables, owners, depth + 1))
        }
        _ => false,
    }
}
