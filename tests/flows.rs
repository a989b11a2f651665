//! The flows layer of analysis core v2 on small crates: what it reads off the IR's
//! dataflow (takes, outputs, checks), asserted directly rather than through a rule's
//! message. (Here, not in the analysis crate: extraction needs the syntax crate.)

use pairlint::extract::extract_file;
use pairlint::flows::{CrateFlows, FnFlow, How};
use pairlint::vocab::Vocabulary;
use std::path::Path;

fn flows(src: &str) -> Vec<FnFlow> {
    let vocab = Vocabulary::default();
    let facts = extract_file(Path::new("/w/app/src/lib.rs"), src, &vocab).expect("parses");
    let files = [&facts];
    CrateFlows::new(&files, &vocab).fns
}

fn named<'a>(fns: &'a [FnFlow], name: &str) -> &'a FnFlow {
    fns.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no flow for {name}"))
}

const TYPES: &str = "
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
pub struct Job { pub owner: UserId, pub pdf: Vec<u8> }
pub struct Server { queue: Mutex<VecDeque<Job>>, jobs: Mutex<HashMap<u64, Job>> }
";

// The lock idiom does not matter: the take is from the shared queue either way.
#[test]
fn a_take_through_any_lock_idiom_is_a_shared_positional_take() {
    for lock in [".lock().unwrap()", ".lock().map_err(|_| Error)?", ".lock().unwrap_or_else(|e| e.into_inner())"] {
        let src = format!(
            "{TYPES}impl Server {{ pub fn next(&self, user: UserId) -> Result<Job, Error> {{
                let job = self.queue{lock}.pop_front().ok_or(Error)?;
                Ok(job)
            }} }}"
        );
        let fns = flows(&src);
        let f = named(&fns, "next");
        assert_eq!(f.takes.len(), 1, "{lock}: {:?}", f.takes);
        assert_eq!(f.takes[0].how, How::Positional, "{lock}");
        assert_eq!(f.takes[0].coll, "`self.queue`", "{lock}");
        assert!(f.takes[0].typed, "{lock}: the element type comes from the struct");
        assert_eq!(f.sinks.len(), 1, "{lock}: one output, the return");
        assert_eq!(f.sinks[0].items, vec![(0, false)], "{lock}: unchecked");
    }
}

// A check inside the block whose value is bound dominates the output; the same check
// on one branch only does not.
#[test]
fn a_check_in_a_bound_block_covers_what_follows_and_one_branch_does_not() {
    let checked = format!(
        "{TYPES}impl Server {{ pub fn get(&self, user: UserId, id: u64) -> Option<Job> {{
            let job = {{
                let job = self.jobs.lock().unwrap().remove(&id)?;
                if job.owner != user {{ return None; }}
                job
            }};
            Some(job)
        }} }}"
    );
    let fns = flows(&checked);
    assert_eq!(named(&fns, "get").sinks[0].items, vec![(0, true)]);

    let one_branch = format!(
        "{TYPES}impl Server {{ pub fn get(&self, user: UserId, id: u64, fast: bool) -> Option<Job> {{
            let job = self.jobs.lock().unwrap().remove(&id)?;
            if fast {{ if job.owner != user {{ return None; }} }}
            Some(job)
        }} }}"
    );
    let fns = flows(&one_branch);
    assert_eq!(named(&fns, "get").sinks[0].items, vec![(0, false)]);
}

// A helper that is called returns to its caller, not to the requester: the caller's
// flow carries the take (via the helper), the helper's return is no output.
#[test]
fn a_called_helpers_return_is_its_callers() {
    let src = format!(
        "{TYPES}impl Server {{
            fn head(&self, user: UserId) -> Option<Job> {{ self.queue.lock().unwrap().pop_front() }}
            pub fn serve(&self, user: UserId) -> Option<Job> {{ self.head(user) }}
        }}"
    );
    let fns = flows(&src);
    assert!(named(&fns, "head").sinks.is_empty(), "{:?}", named(&fns, "head").sinks);
    let serve = named(&fns, "serve");
    assert_eq!(serve.takes.len(), 1);
    assert_eq!(serve.takes[0].coll, "`self.queue` (via `head`)");
    assert!(!serve.takes[0].steps.is_empty(), "the path inside the helper is kept for labels");
}

// A value that may come from more than MAX_VALUES places widens to unknown: no item,
// no finding, and the analysis finishes.
#[test]
fn a_place_with_too_many_origins_widens_to_no_item() {
    let pick = |arms: usize| {
        let arms: String = (0..arms).map(|i| format!("{i} => self.queue.lock().unwrap().pop_front(),\n")).collect();
        let src = format!(
            "{TYPES}impl Server {{ pub fn pick(&self, user: UserId, n: u32) -> Option<Job> {{
                let job = match n {{ {arms} _ => None }};
                job
            }} }}"
        );
        let fns = flows(&src);
        named(&fns, "pick").sinks.iter().map(|s| s.items.len()).sum::<usize>()
    };
    assert_eq!(pick(10), 10, "below the bound every take reaches the return");
    assert_eq!(pick(40), 0, "above it the value is unknown");
}
