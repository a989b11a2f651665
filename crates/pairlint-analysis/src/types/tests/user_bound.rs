//! Owner fields by word segments, identity newtypes by type, and which types carry
//! the item.

use super::builder::*;
use crate::types::facts::ScopeId;
use crate::types::infer::infer_body;
use crate::types::tables::TypeTables;
use crate::types::ty::Type;
use crate::types::user_bound::{is_user_bound, is_user_bound_item, OwnerVocab};
use pairlint_base::ir::{BodyId, FileIr, Operand, Rvalue};
use pairlint_base::vocab::Vocabulary;

fn words() -> OwnerVocab {
    OwnerVocab::new(&Vocabulary::default())
}

#[test]
fn owner_fields_match_by_word_segments() {
    let words = words();
    for name in [
        "owner_uuid",
        "author_id",
        "created_by",
        "holder_id",
        "recipient_id",
        "held_by",
        "applicant",
        "locked_by",
        "user_id",
    ] {
        assert!(words.is_owner_field(name), "{name} is an owner field");
    }
    for name in ["ownerUuid", "current_holder", "issued_to", "AuthorId"] {
        assert!(words.is_owner_field(name), "{name} is an owner field");
    }
    // `owners_count` is a number about owners, not an owner: the role must end the
    // name or be followed by an identity suffix only (and `owners` is not `owner`).
    for name in ["owners_count", "owner_count", "auth_code", "id", "chart_id", "user_agent", "sorted_by", "ownership"] {
        assert!(!words.is_owner_field(name), "{name} is not an owner field");
    }
}

fn tables_with(structs: &[(&str, &[(&str, &str)])]) -> TypeTables {
    let mut sigs = kiosk_sigs();
    for (name, fields) in structs {
        sigs.structs.push(strukt(name, fields));
    }
    sigs.scopes[0].push(import("tokio_util::sync::CancellationToken"));
    TypeTables::build(&sigs)
}

fn crate_ty(name: &str) -> Type {
    Type::named(&format!("crate::{name}"), vec![])
}

#[test]
fn identity_newtype_fields_make_an_item_user_bound() {
    let tables = tables_with(&[
        ("AccountId", &[("0", "u64")]),
        ("Ticket", &[("who", "UserId"), ("pages", "u32")]),
        ("Claim", &[("claim", "Option<AccountId>")]),
        ("Account", &[("id", "AccountId"), ("balance", "u64")]),
        ("Task", &[("cancel", "CancellationToken"), ("chart_id", "u64")]),
        ("Chart", &[("id", "u64"), ("auth_code", "String"), ("owners_count", "usize")]),
    ]);
    let words = words();
    assert!(is_user_bound_item(&crate_ty("Ticket"), &tables, &words), "who: UserId");
    assert!(is_user_bound_item(&crate_ty("Claim"), &tables, &words), "claim: Option<AccountId>");
    assert!(is_user_bound_item(&crate_ty("Job"), &tables, &words), "owner: UserId");
    // An item's own key is not its owner; a cancellation token is not a person.
    assert!(!is_user_bound_item(&crate_ty("Account"), &tables, &words));
    assert!(!is_user_bound_item(&crate_ty("Task"), &tables, &words));
    assert!(!is_user_bound_item(&crate_ty("Chart"), &tables, &words));
}

#[test]
fn wrappers_carry_the_item_and_numbers_never_do() {
    let tables = kiosk();
    let words = words();
    for carrier in [
        "J",
        "Option<J>",
        "&J",
        "Arc<J>",
        "Box<J>",
        "std::MutexGuard<J>",
        "Arc<std::Mutex<J>>",
        "Result<J, U>",
        "Future<J>",
        "(usize, &J)",
        "dashmap::Ref<U, J>",
    ] {
        assert!(is_user_bound(&model(carrier), &tables, &words), "{carrier} carries a Job");
    }
    for other in ["usize", "bool", "Result<(), J>", "Vec<J>", "VecDeque<J>", "Iter<J>", "U", "Option<u64>"] {
        assert!(!is_user_bound(&model(other), &tables, &words), "{other} is not the item");
    }
    // The `Slot` holds a job but is not one; unknown is not the item.
    assert!(!is_user_bound(&crate_ty("Slot"), &tables, &words));
    assert!(!is_user_bound(&Type::Unknown, &tables, &words));
}

// The three: `slot.id`, `count()` and a `Result<(), E>` are never the item,
// while the popped job is.
#[test]
fn slot_id_count_and_unit_results_are_never_the_item() {
    let mut sigs = kiosk_sigs();
    sigs.fns.push(sig("print", None, &[("j", "&Job")], "Result<(), std::io::Error>"));
    let tables = TypeTables::build(&sigs);
    let mut b = BodyBuilder::method_of("Server", "f");
    let this = b.param("self", None);
    let slot = b.param("slot", Some(fact_ty("Slot")));
    let id = b.let_("id", Rvalue::Use(Operand::Place(field(local(slot), "id"))));
    let iter = b.let_("iter", method(Operand::Place(field(local(this), "jobs")), "iter", vec![]));
    let count = b.let_("count", method(op(iter), "count", vec![]));
    let popped = b.let_("popped", method(Operand::Place(field(local(this), "jobs")), "pop", vec![]));
    let printed = b.let_("printed", path_call("print", vec![op(popped)]));
    let types = infer_body(&FileIr { bodies: vec![b.build()] }, BodyId(0), &tables, ScopeId(0)).locals;
    let words = words();
    assert_eq!(types[id as usize], model("u64"));
    assert_eq!(types[count as usize], model("usize"));
    // An unmodelled library type keeps its written path.
    assert_eq!(
        types[printed as usize],
        Type::named("Result", vec![Type::unit(), Type::named("std::io::Error", vec![])])
    );
    for local in [id, count, printed] {
        assert!(!is_user_bound(&types[local as usize], &tables, &words), "{}", types[local as usize]);
    }
    assert!(is_user_bound(&types[popped as usize], &tables, &words));
}
