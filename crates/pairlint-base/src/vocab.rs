//! The vocabulary the rules match names against: defaults from `rules/vocabulary.toml`,
//! extended by configuration. Names match by word segments, so `customer_id`,
//! `CustomerId` and `customerId` all read as [customer, id].

use std::collections::{BTreeMap, HashMap};

/// The default vocabulary, the same file users read in `rules/`.
pub const DEFAULTS: &str = include_str!("../../../rules/vocabulary.toml");

/// Splits an identifier into lowercase word segments: `printImageNow` and
/// `print_image_now` both give [print, image, now]; `HTTPRequest` gives [http, request].
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_segment(name, |seg| out.push(seg.chars().flat_map(char::to_lowercase).collect()));
    out
}

/// Calls `f` with each word segment of `name` as a slice of `name` (not lowercased), in
/// order: the segmentation of [`words`]. A segment boundary is an
/// `_`, `-` or `:`, or an uppercase char after a lowercase char or ASCII digit, or
/// before a lowercase char (`HTTPRequest`: [HTTP, Request]).
fn for_each_segment<'n>(name: &'n str, mut f: impl FnMut(&'n str)) {
    for part in name.trim_start_matches("r#").split(['_', '-', ':']) {
        let mut start = 0;
        let mut prev: Option<char> = None;
        let mut chars = part.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let boundary = c.is_uppercase()
                && i > start
                && (prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                    || chars.peek().is_some_and(|&(_, n)| n.is_lowercase()));
            if boundary {
                f(&part[start..i]);
                start = i;
            }
            prev = Some(c);
        }
        if start < part.len() {
            f(&part[start..]);
        }
    }
}

/// Calls `f` with the lowercase word segments of `name` (what [`words`] returns). For
/// ASCII names of up to 64 bytes and 8 segments, the usual case, they are slices of a
/// lowercase copy on the stack, so a vocabulary check allocates nothing.
fn with_words<R>(name: &str, f: impl FnOnce(&[&str]) -> R) -> R {
    const BYTES: usize = 64;
    const SEGMENTS: usize = 8;
    if name.len() <= BYTES && name.is_ascii() {
        let mut buf = [0u8; BYTES];
        for (lower, byte) in buf.iter_mut().zip(name.bytes()) {
            *lower = byte.to_ascii_lowercase();
        }
        // ASCII stays ASCII when lowercased, so this is always valid UTF-8.
        let lower = std::str::from_utf8(&buf[..name.len()]).unwrap_or_default();
        let mut segments = [""; SEGMENTS];
        let mut count = 0;
        let mut fits = true;
        for_each_segment(name, |seg| {
            // `seg` is a slice of `name`; the same bytes of the lowercase copy.
            let at = seg.as_ptr() as usize - name.as_ptr() as usize;
            match segments.get_mut(count) {
                Some(slot) => *slot = &lower[at..at + seg.len()],
                None => fits = false,
            }
            count += 1;
        });
        if fits {
            return f(&segments[..count]);
        }
    }
    let owned = words(name);
    let segments: Vec<&str> = owned.iter().map(String::as_str).collect();
    f(&segments)
}

/// The segments `hay[at..]` begin with the words of `entry`.
fn run_at(hay: &[&str], at: usize, entry: &[String]) -> bool {
    hay.len() - at >= entry.len() && hay[at..].iter().zip(entry).all(|(seg, word)| *seg == word)
}

/// The vocabulary's lists, one variant per table key of `rules/vocabulary.toml` (a test
/// checks both ways). Rules and extraction name a list by variant, so a typo is a
/// compile error instead of a lookup that silently matches nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum List {
    IdentityNames,
    IdentityExcludeTypes,
    RequestNames,
    RequestTypeSuffixes,
    HandlerExtractors,
    HandlerAttributes,
    OwnerFields,
    QueueTypes,
    MapTypes,
    WrapperTypes,
    PositionalTakes,
    StrongPositionalTakes,
    KeyedLookups,
    OutputCalls,
    OutputWrappers,
    CheckCalls,
    TimeoutWords,
    LockFlags,
    ReleaseStates,
    ReleaseCalls,
    RequeueCalls,
}

impl List {
    /// Every list, in the file's order.
    pub const ALL: [List; 21] = [
        List::IdentityNames,
        List::IdentityExcludeTypes,
        List::RequestNames,
        List::RequestTypeSuffixes,
        List::HandlerExtractors,
        List::HandlerAttributes,
        List::OwnerFields,
        List::QueueTypes,
        List::MapTypes,
        List::WrapperTypes,
        List::PositionalTakes,
        List::StrongPositionalTakes,
        List::KeyedLookups,
        List::OutputCalls,
        List::OutputWrappers,
        List::CheckCalls,
        List::TimeoutWords,
        List::LockFlags,
        List::ReleaseStates,
        List::ReleaseCalls,
        List::RequeueCalls,
    ];

    /// The list's key in `rules/vocabulary.toml` and in a `[vocabulary]` config table.
    pub fn key(self) -> &'static str {
        match self {
            List::IdentityNames => "identity_names",
            List::IdentityExcludeTypes => "identity_exclude_types",
            List::RequestNames => "request_names",
            List::RequestTypeSuffixes => "request_type_suffixes",
            List::HandlerExtractors => "handler_extractors",
            List::HandlerAttributes => "handler_attributes",
            List::OwnerFields => "owner_fields",
            List::QueueTypes => "queue_types",
            List::MapTypes => "map_types",
            List::WrapperTypes => "wrapper_types",
            List::PositionalTakes => "positional_takes",
            List::StrongPositionalTakes => "strong_positional_takes",
            List::KeyedLookups => "keyed_lookups",
            List::OutputCalls => "output_calls",
            List::OutputWrappers => "output_wrappers",
            List::CheckCalls => "check_calls",
            List::TimeoutWords => "timeout_words",
            List::LockFlags => "lock_flags",
            List::ReleaseStates => "release_states",
            List::ReleaseCalls => "release_calls",
            List::RequeueCalls => "requeue_calls",
        }
    }

    /// The list named `key`, if there is one.
    pub fn from_key(key: &str) -> Option<List> {
        List::ALL.into_iter().find(|l| l.key() == key)
    }
}

/// One named list: the raw entries (for exact matches of type and method names) and
/// their word segments (for name matching).
#[derive(Debug, Default, Clone)]
struct Entries {
    raw: Vec<String>,
    words: Vec<Vec<String>>,
}

/// All vocabulary lists, defaults plus configured extras.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    lists: HashMap<List, Entries>,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Self::new(&BTreeMap::new())
    }
}

impl Vocabulary {
    /// The defaults, each list extended by `extra` (keys are list names).
    pub fn new(extra: &BTreeMap<String, Vec<String>>) -> Self {
        let table: toml::Table = DEFAULTS.parse().expect("rules/vocabulary.toml is valid TOML");
        let mut lists = HashMap::new();
        for (key, value) in table {
            let mut raw: Vec<String> = value
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            if let Some(more) = extra.get(&key) {
                raw.extend(more.iter().cloned());
            }
            let words = raw.iter().map(|r| words(r)).collect();
            // A key no variant names is caught by a test; ignoring it keeps this panic-free.
            if let Some(list) = List::from_key(&key) {
                lists.insert(list, Entries { raw, words });
            }
        }
        Vocabulary { lists }
    }

    /// The names of every list (the valid keys of a `[vocabulary]` config table).
    pub fn keys() -> Vec<String> {
        List::ALL.iter().map(|l| l.key().to_string()).collect()
    }

    /// Every list's entries in a stable order: what a cache of per-file facts must be
    /// keyed by, since extraction reads the vocabulary.
    pub fn fingerprint(&self) -> String {
        let mut keys: Vec<&List> = self.lists.keys().collect();
        keys.sort_by_key(|l| l.key());
        let mut out = String::new();
        for k in keys {
            out.push_str(k.key());
            out.push('=');
            out.push_str(&self.lists[k].raw.join("\u{1f}"));
            out.push('\n');
        }
        out
    }

    fn list(&self, key: List) -> &Entries {
        static EMPTY: Entries = Entries { raw: Vec::new(), words: Vec::new() };
        self.lists.get(&key).unwrap_or(&EMPTY)
    }

    /// The name is exactly one of the list's entries (type names, method names).
    pub fn is(&self, key: List, name: &str) -> bool {
        self.list(key).raw.iter().any(|r| r == name)
    }

    /// Some entry's words occur, consecutively, among the name's words.
    pub fn mentions(&self, key: List, name: &str) -> bool {
        let list = self.list(key);
        with_words(name, |w| {
            list.words.iter().any(|entry| !entry.is_empty() && (0..w.len()).any(|at| run_at(w, at, entry)))
        })
    }

    /// The name's words begin with some entry's words (`print_image` starts with `print`).
    pub fn starts_with(&self, key: List, name: &str) -> bool {
        let list = self.list(key);
        with_words(name, |w| list.words.iter().any(|entry| !entry.is_empty() && run_at(w, 0, entry)))
    }

    /// The name's type ends with one of the list's suffixes (`PrintCommand` ends `Command`).
    pub fn ends_with(&self, key: List, name: &str) -> bool {
        self.list(key).raw.iter().any(|r| name.ends_with(r.as_str()) && name.len() >= r.len())
    }
}

/// Read access to the lists as written, for analyses that match words themselves (the
/// type model matches owner roles by word segments).
impl Vocabulary {
    /// The list's entries as written (defaults plus configured extras).
    pub fn entries(&self, key: List) -> &[String] {
        &self.list(key).raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_snake_and_camel_case() {
        assert_eq!(words("customer_id"), ["customer", "id"]);
        assert_eq!(words("CustomerId"), ["customer", "id"]);
        assert_eq!(words("HTTPRequest"), ["http", "request"]);
        assert_eq!(words("resident_no"), ["resident", "no"]);
    }

    /// The segmentation before it stopped allocating, kept as the reference.
    fn words_reference(name: &str) -> Vec<String> {
        let mut out = Vec::new();
        for part in name.trim_start_matches("r#").split(['_', '-', ':']) {
            let chars: Vec<char> = part.chars().collect();
            let mut cur = String::new();
            for (i, &c) in chars.iter().enumerate() {
                let boundary = c.is_uppercase()
                    && !cur.is_empty()
                    && (chars[i - 1].is_lowercase()
                        || chars[i - 1].is_ascii_digit()
                        || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
                if boundary {
                    out.push(std::mem::take(&mut cur));
                }
                cur.extend(c.to_lowercase());
            }
            if !cur.is_empty() {
                out.push(cur);
            }
        }
        out
    }

    // The allocation-free segmentation and matching must agree with the plain one on
    // awkward names (acronyms, digits, non-ASCII case, raw idents, long names), or a
    // vocabulary match would silently change.
    #[test]
    fn allocation_free_matching_agrees_with_words() {
        let names = [
            "",
            "_",
            "__x__",
            "r#type",
            "HTTPRequest",
            "getHTTPResponseCode",
            "user2Id",
            "User2ID",
            "ÉtatClient",
            "straße_Id",
            "ΣΑΣ_user",
            "a-b:c_d",
            "ABC",
            "aBC",
            "AbC",
            "x1Y2z3",
            "customer_id_ref_by_session_token_value_x",
            "İstanbulUser",
            "MemberId",
            "print_image_now",
            "printImageNow",
            "checkOwner",
            "is_owner",
            "TIMEOUT_MS",
            "a_b_c_d_e_f_g_h_user_id",
            "a_b_c_d_e_f_g_user_id",
            "the_customer_identifier_of_the_session_that_holds_this_user_token",
        ];
        let v = Vocabulary::default();
        for name in names {
            assert_eq!(words(name), words_reference(name), "{name}");
            let w = words_reference(name);
            for (key, list) in &v.lists {
                let mentions = list.words.iter().any(|e| !e.is_empty() && w.windows(e.len()).any(|x| x == &e[..]));
                let starts = list.words.iter().any(|e| !e.is_empty() && w.len() >= e.len() && w[..e.len()] == e[..]);
                assert_eq!(v.mentions(*key, name), mentions, "{key:?} mentions {name}");
                assert_eq!(v.starts_with(*key, name), starts, "{key:?} starts_with {name}");
            }
        }
        assert!(v.mentions(List::IdentityNames, "customer_id_ref_by_session_token_value_x"));
    }

    // The enum and the file name the same lists: a key the file adds without a variant
    // would be silently unused, and a variant without a key would always be empty.
    #[test]
    fn list_enum_and_vocabulary_file_agree() {
        let table: toml::Table = DEFAULTS.parse().unwrap();
        let file: Vec<&str> = table.keys().map(String::as_str).collect();
        let mut variants: Vec<&str> = List::ALL.iter().map(|l| l.key()).collect();
        let mut sorted_file = file.clone();
        sorted_file.sort();
        variants.sort();
        assert_eq!(variants, sorted_file);
        for list in List::ALL {
            assert_eq!(List::from_key(list.key()), Some(list));
            assert!(!Vocabulary::default().entries(list).is_empty(), "{list:?} has default entries");
        }
    }

    #[test]
    fn matches_by_word_segments() {
        let v = Vocabulary::default();
        assert!(v.mentions(List::IdentityNames, "customer_id"));
        assert!(v.mentions(List::IdentityNames, "MemberId"));
        assert!(v.mentions(List::IdentityNames, "resident_no"));
        assert!(!v.mentions(List::IdentityNames, "clientele"));
        assert!(!v.mentions(List::IdentityNames, "http_client"));
        assert!(v.starts_with(List::OutputCalls, "print_image"));
        assert!(!v.starts_with(List::OutputCalls, "printer"));
        assert!(!v.starts_with(List::CheckCalls, "checkout"));
    }

    #[test]
    fn config_extends_lists() {
        let mut extra = BTreeMap::new();
        extra.insert("identity_names".to_string(), vec!["kiosk_user".to_string()]);
        let v = Vocabulary::new(&extra);
        assert!(v.mentions(List::IdentityNames, "kiosk_user_ref"));
    }
}
