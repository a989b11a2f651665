//! The vocabulary the rules match names against: defaults from `rules/vocabulary.toml`,
//! extended by configuration. Names match by word segments, so `customer_id`,
//! `CustomerId` and `customerId` all read as [customer, id].

use std::collections::{BTreeMap, HashMap};

/// The default vocabulary, the same file users read in `rules/`.
pub const DEFAULTS: &str = include_str!("../rules/vocabulary.toml");

/// Splits an identifier into lowercase word segments: `printImageNow` and
/// `print_image_now` both give [print, image, now]; `HTTPRequest` gives [http, request].
pub fn words(name: &str) -> Vec<String> {
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

/// One named list: the raw entries (for exact matches of type and method names) and
/// their word segments (for name matching).
#[derive(Debug, Default, Clone)]
struct List {
    raw: Vec<String>,
    words: Vec<Vec<String>>,
}

/// All vocabulary lists, defaults plus configured extras.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    lists: HashMap<String, List>,
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
            lists.insert(key, List { raw, words });
        }
        Vocabulary { lists }
    }

    /// The names of every list (the valid keys of a `[vocabulary]` config table).
    pub fn keys() -> Vec<String> {
        let table: toml::Table = DEFAULTS.parse().expect("rules/vocabulary.toml is valid TOML");
        table.keys().cloned().collect()
    }

    /// Every list's entries in a stable order: what a cache of per-file facts must be
    /// keyed by, since extraction reads the vocabulary.
    pub fn fingerprint(&self) -> String {
        let mut keys: Vec<&String> = self.lists.keys().collect();
        keys.sort();
        let mut out = String::new();
        for k in keys {
            out.push_str(k);
            out.push('=');
            out.push_str(&self.lists[k].raw.join("\u{1f}"));
            out.push('\n');
        }
        out
    }

    fn list(&self, key: &str) -> &List {
        static EMPTY: List = List { raw: Vec::new(), words: Vec::new() };
        self.lists.get(key).unwrap_or(&EMPTY)
    }

    /// The name is exactly one of the list's entries (type names, method names).
    pub fn is(&self, key: &str, name: &str) -> bool {
        self.list(key).raw.iter().any(|r| r == name)
    }

    /// Some entry's words occur, consecutively, among the name's words.
    pub fn mentions(&self, key: &str, name: &str) -> bool {
        let w = words(name);
        self.list(key).words.iter().any(|entry| contains_run(&w, entry))
    }

    /// The name's words begin with some entry's words (`print_image` starts with `print`).
    pub fn starts_with(&self, key: &str, name: &str) -> bool {
        let w = words(name);
        self.list(key)
            .words
            .iter()
            .any(|entry| !entry.is_empty() && w.len() >= entry.len() && w[..entry.len()] == entry[..])
    }

    /// The name's type ends with one of the list's suffixes (`PrintCommand` ends `Command`).
    pub fn ends_with(&self, key: &str, name: &str) -> bool {
        self.list(key).raw.iter().any(|r| name.ends_with(r.as_str()) && name.len() >= r.len())
    }
}

fn contains_run(hay: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Read access for the pre-pass (`prefilter`), which needs every word a list can match
/// to skip the names no list can.
impl Vocabulary {
    /// The list's entries as written (defaults plus configured extras).
    pub fn entries(&self, key: &str) -> &[String] {
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

    #[test]
    fn matches_by_word_segments() {
        let v = Vocabulary::default();
        assert!(v.mentions("identity_names", "customer_id"));
        assert!(v.mentions("identity_names", "MemberId"));
        assert!(v.mentions("identity_names", "resident_no"));
        assert!(!v.mentions("identity_names", "clientele"));
        assert!(!v.mentions("identity_names", "http_client"));
        assert!(v.starts_with("output_calls", "print_image"));
        assert!(!v.starts_with("output_calls", "printer"));
        assert!(!v.starts_with("check_calls", "checkout"));
    }

    #[test]
    fn config_extends_lists() {
        let mut extra = BTreeMap::new();
        extra.insert("identity_names".to_string(), vec!["kiosk_user".to_string()]);
        let v = Vocabulary::new(&extra);
        assert!(v.mentions("identity_names", "kiosk_user_ref"));
    }
}
