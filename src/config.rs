//! Configuration loading: `[workspace.metadata.pairlint]` and `[package.metadata.pairlint]`
//! in the workspace root `Cargo.toml`, then `pairlint.toml`, validated with spans so a
//! mistake is reported at the offending key or value rather than silently ignored.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Component, Path};

/// The default vocabulary (one copy, owned by `vocab`).
pub use crate::vocab::DEFAULTS as VOCABULARY_DEFAULTS;

/// Every rule code configuration and suppression comments may name: the rules'
/// declarations are the one list.
pub fn rule_codes() -> Vec<&'static str> {
    crate::rules::codes().collect()
}

/// Whether `code` is a rule's code (exact, upper case).
pub fn is_rule_code(code: &str) -> bool {
    crate::rules::codes().any(|c| c == code)
}

/// The keys a pairlint configuration table may hold.
const TOP_LEVEL_KEYS: &[&str] = &["exclude", "rules", "vocabulary"];

/// The vocabulary list names, in file order, as the extendable keys of `[vocabulary]`.
/// The defaults are a compile-time constant covered by a test, so a parse failure here
/// cannot happen in a released build; returning an empty list keeps this panic-free anyway.
pub fn vocabulary_keys() -> Vec<String> {
    match toml::from_str::<toml::Table>(VOCABULARY_DEFAULTS) {
        Ok(table) => table.keys().cloned().collect(),
        Err(_) => Vec::new(),
    }
}

/// What a configured rule does with its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Findings are dropped.
    Allow,
    /// Findings are reported as warnings.
    Warn,
    /// Findings are reported as errors.
    Deny,
}

impl Level {
    /// Parses the configuration spelling (`"allow"`, `"warn"`, `"deny"`).
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }

    /// The configuration spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The merged configuration of a run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Rule code -> level, only for rules the configuration mentions.
    pub levels: BTreeMap<String, Level>,
    /// Vocabulary list name -> extra entries (the defaults are not repeated here).
    pub vocabulary: BTreeMap<String, Vec<String>>,
    /// Compiled from `exclude_patterns`; kept in sync by the constructors in this module.
    exclude: GlobSet,
    /// The exclude globs as written, in merge order.
    pub exclude_patterns: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            levels: BTreeMap::new(),
            vocabulary: BTreeMap::new(),
            exclude: GlobSet::empty(),
            exclude_patterns: Vec::new(),
        }
    }
}

impl Config {
    /// The rule levels as stable text (`PL001=deny;PL003=allow;`), for cache keys: a
    /// `Debug` rendering could change with the compiler or a derive.
    pub fn levels_key(&self) -> String {
        let mut key = String::new();
        for (code, level) in &self.levels {
            let word = match level {
                Level::Allow => "allow",
                Level::Warn => "warn",
                Level::Deny => "deny",
            };
            key.push_str(&format!("{code}={word};"));
        }
        key
    }

    /// Whether a path relative to the workspace root is excluded. A path is also
    /// excluded when one of its ancestor directories matches, so `exclude = ["gen"]`
    /// drops everything under `gen/` as it would in a `.gitignore`.
    pub fn is_excluded(&self, rel_path: &Path) -> bool {
        if self.exclude_patterns.is_empty() {
            return false;
        }
        // Normalise to `/`-separated components without `.` so `./src/a.rs` and
        // `src\a.rs` match the same globs as `src/a.rs`.
        let parts: Vec<String> = rel_path
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                Component::ParentDir => Some("..".to_string()),
                _ => None,
            })
            .collect();
        (1..=parts.len()).any(|n| self.exclude.is_match(parts[..n].join("/")))
    }

    /// The configured level of a rule, `None` when the configuration says nothing.
    pub fn level(&self, code: &str) -> Option<Level> {
        self.levels.get(code).copied()
    }

    /// Folds a later source into this one: levels override, lists extend.
    fn merge(&mut self, later: Config) -> Result<(), ConfigError> {
        self.levels.extend(later.levels);
        for (key, entries) in later.vocabulary {
            let list = self.vocabulary.entry(key).or_default();
            for entry in entries {
                if !list.contains(&entry) {
                    list.push(entry);
                }
            }
        }
        for pattern in later.exclude_patterns {
            if !self.exclude_patterns.contains(&pattern) {
                self.exclude_patterns.push(pattern);
            }
        }
        self.exclude = build_globset(&self.exclude_patterns)?;
        Ok(())
    }
}

/// Compiles patterns already validated one by one with `compile_glob`.
fn build_globset(patterns: &[String]) -> Result<GlobSet, ConfigError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        for glob in compile_glob(pattern).map_err(|e| ConfigError::plain(e.to_string()))? {
            builder.add(glob);
        }
    }
    builder.build().map_err(|e| ConfigError::plain(format!("invalid exclude globs: {e}")))
}

/// `*` must not cross `/` (so `src/*.rs` means direct children only, as in a
/// `.gitignore`); a pattern without `/` also matches at any depth, like `.gitignore`.
fn compile_glob(pattern: &str) -> Result<Vec<Glob>, globset::Error> {
    let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
    let pattern = pattern.trim_end_matches('/');
    let build = |p: &str| GlobBuilder::new(p).literal_separator(true).build();
    let mut globs = vec![build(pattern)?];
    if !pattern.contains('/') {
        globs.push(build(&format!("**/{pattern}"))?);
    }
    Ok(globs)
}

/// What went wrong, for callers and tests that need more than the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigErrorKind {
    /// The file could not be read.
    Io,
    /// The TOML itself does not parse.
    Syntax,
    UnknownKey,
    UnknownRule,
    UnknownLevel,
    UnknownVocabularyKey,
    WrongType,
    InvalidGlob,
}

/// A configuration problem, rendered by miette with the TOML file and a label on the
/// offending key or value.
#[derive(Debug)]
pub struct ConfigError(Box<ErrorData>);

/// Boxed so `Result<_, ConfigError>` stays one pointer wide on the happy path.
#[derive(Debug)]
struct ErrorData {
    kind: ConfigErrorKind,
    message: String,
    label: String,
    help: Option<String>,
    src: Option<NamedSource<String>>,
    span: Option<SourceSpan>,
}

impl ConfigError {
    /// An error with no file to point into (I/O, or an internal glob rebuild).
    fn plain(message: String) -> Self {
        ConfigError(Box::new(ErrorData {
            kind: ConfigErrorKind::Io,
            message: crate::terminal::sanitize_line(&message),
            label: String::new(),
            help: None,
            src: None,
            span: None,
        }))
    }

    fn at(kind: ConfigErrorKind, ctx: &Ctx<'_>, span: Range<usize>, message: String, label: &str) -> Self {
        // Clamp so a bogus span can never make the renderer index out of bounds.
        let start = span.start.min(ctx.text.len());
        let end = span.end.clamp(start, ctx.text.len());
        ConfigError(Box::new(ErrorData {
            kind,
            // The file and the keys quoted in messages are user text: no escapes reach
            // the terminal (sanitising keeps byte offsets, so the span stays right).
            message: crate::terminal::sanitize_line(&message),
            label: label.to_string(),
            help: None,
            src: Some(
                NamedSource::new(crate::terminal::sanitize_line(ctx.file_name), crate::terminal::sanitize(ctx.text))
                    .with_language("toml"),
            ),
            span: Some(SourceSpan::from(start..end)),
        }))
    }

    fn with_help(mut self, help: String) -> Self {
        self.0.help = Some(help);
        self
    }

    pub fn kind(&self) -> ConfigErrorKind {
        self.0.kind
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The byte range the label points at, if the error has a location.
    pub fn span(&self) -> Option<Range<usize>> {
        self.0.span.map(|s| s.offset()..s.offset() + s.len())
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("pairlint::config"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help.as_ref().map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.0.src.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.0.span?;
        let label = (!self.0.label.is_empty()).then(|| self.0.label.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(label, span))))
    }
}

/// A table key with its span when toml knows it. toml only records spans for keys it
/// saw written out; keys of implicit tables (`[a.b.c]` without `[a.b]`) and some header
/// keys come without one, where `Spanned<String>` would fail to deserialize. Errors on
/// such a key point at its value instead.
#[derive(Debug)]
struct Key {
    name: String,
    span: Option<Range<usize>>,
}

// toml hands out spans through `serde_spanned`'s private struct protocol; asking for
// that struct by name (as `toml::Spanned` does) lets `Key` accept both the spanned form
// and a plain string. Covered by the span tests below.
const SPANNED_NAME: &str = "$__serde_spanned_private_Spanned";
const SPANNED_START: &str = "$__serde_spanned_private_start";
const SPANNED_END: &str = "$__serde_spanned_private_end";
const SPANNED_VALUE: &str = "$__serde_spanned_private_value";
const SPANNED_FIELDS: &[&str] = &[SPANNED_START, SPANNED_END, SPANNED_VALUE];

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key { name: v.to_string(), span: None })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Key, A::Error> {
                let (mut start, mut end, mut name) = (None, None, None);
                while let Some(field) = map.next_key::<String>()? {
                    match field.as_str() {
                        SPANNED_START => start = Some(map.next_value::<usize>()?),
                        SPANNED_END => end = Some(map.next_value::<usize>()?),
                        SPANNED_VALUE => name = Some(map.next_value::<String>()?),
                        _ => {
                            let _ = map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                let name = name.ok_or_else(|| de::Error::missing_field(SPANNED_VALUE))?;
                let span = start.zip(end).map(|(s, e)| s..e);
                Ok(Key { name, span })
            }
        }
        deserializer.deserialize_struct(SPANNED_NAME, SPANNED_FIELDS, KeyVisitor)
    }
}

/// A TOML value that remembers the byte span of every nested key and value, which
/// `toml::Value` forgets. Deserialized by hand because `#[serde(untagged)]` would
/// buffer the input and lose the spans.
#[derive(Debug)]
enum Node {
    Str(String),
    /// Integers, floats, booleans and datetimes: only ever a type error here.
    Scalar(&'static str),
    Array(Vec<Val>),
    Table(Vec<(Key, Val)>),
}

impl Node {
    fn type_name(&self) -> &'static str {
        match self {
            Node::Str(_) => "a string",
            Node::Scalar(name) => name,
            Node::Array(_) => "an array",
            Node::Table(_) => "a table",
        }
    }

    fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Node::Table(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Where an error about `key` should point: the key, else its value, else (a key of
/// an implicit table, which toml gives no span) the first place the key is written.
fn key_span(ctx: &Ctx<'_>, key: &Key, value: &Val) -> Range<usize> {
    key.span
        .clone()
        .or_else(|| value.span.clone())
        .or_else(|| {
            let at = ctx.text.find(&key.name)?;
            Some(at..at + key.name.len())
        })
        .unwrap_or(0..0)
}

/// A value with its span. Like `toml::Spanned<Node>`, but toml gives no span for
/// implicit tables (`[a.b.c]` without `[a.b]`), where `toml::Spanned` fails outright.
#[derive(Debug)]
struct Val {
    node: Node,
    span: Option<Range<usize>>,
}

impl Val {
    fn get_ref(&self) -> &Node {
        &self.node
    }

    /// The value's span; an implicit table has none, and errors then point at the
    /// start of the file rather than nowhere.
    fn span(&self) -> Range<usize> {
        self.span.clone().unwrap_or(0..0)
    }
}

/// Builds `Node`s from whatever toml hands over; shared by `Node` and `Val`.
struct NodeVisitor;

impl NodeVisitor {
    /// The entries of a table whose first key has already been read.
    fn table_from<'de, A: MapAccess<'de>>(first: Key, mut map: A) -> Result<Node, A::Error> {
        // toml encodes datetimes as a one-key private table.
        if first.name.starts_with("$__toml_private") {
            let _ = map.next_value::<de::IgnoredAny>()?;
            return Ok(Node::Scalar("a datetime"));
        }
        let mut entries = vec![(first, map.next_value::<Val>()?)];
        while let Some(key) = map.next_key::<Key>()? {
            let value = map.next_value::<Val>()?;
            entries.push((key, value));
        }
        Ok(Node::Table(entries))
    }
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Node, E> {
        Ok(Node::Scalar("a boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Node, E> {
        Ok(Node::Scalar("an integer"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Node, E> {
        Ok(Node::Scalar("an integer"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Scalar("a float"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Val>()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        match map.next_key::<Key>()? {
            None => Ok(Node::Table(Vec::new())),
            Some(first) => NodeVisitor::table_from(first, map),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

impl<'de> Deserialize<'de> for Val {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Accepts either the spanned protocol (start, end, value) or, when toml has no
        /// span for this value, the plain value.
        struct ValVisitor;
        impl<'de> Visitor<'de> for ValVisitor {
            type Value = Val;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a TOML value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Val, E> {
                plain(NodeVisitor.visit_str(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Val, E> {
                plain(NodeVisitor.visit_bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Val, E> {
                plain(NodeVisitor.visit_i64(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Val, E> {
                plain(NodeVisitor.visit_u64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Val, E> {
                plain(NodeVisitor.visit_f64(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Val, A::Error> {
                plain(NodeVisitor.visit_seq(seq))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val, A::Error> {
                let Some(first) = map.next_key::<Key>()? else {
                    return plain(Ok(Node::Table(Vec::new())));
                };
                if first.name != SPANNED_START {
                    return plain(NodeVisitor::table_from(first, map));
                }
                let start = map.next_value::<usize>()?;
                let (mut end, mut node) = (start, None);
                while let Some(field) = map.next_key::<Key>()? {
                    match field.name.as_str() {
                        SPANNED_END => end = map.next_value::<usize>()?,
                        SPANNED_VALUE => node = Some(map.next_value::<Node>()?),
                        _ => {
                            let _ = map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                let node = node.ok_or_else(|| de::Error::missing_field(SPANNED_VALUE))?;
                Ok(Val { node, span: Some(start..end) })
            }
        }
        fn plain<E>(node: Result<Node, E>) -> Result<Val, E> {
            node.map(|node| Val { node, span: None })
        }
        deserializer.deserialize_struct(SPANNED_NAME, SPANNED_FIELDS, ValVisitor)
    }
}

/// Where errors point: the file's text and its display name.
struct Ctx<'a> {
    text: &'a str,
    file_name: &'a str,
    /// `[package.metadata.pairlint]`-style location for messages; empty for `pairlint.toml`.
    table_name: String,
}

impl Ctx<'_> {
    fn place(&self) -> String {
        if self.table_name.is_empty() {
            self.file_name.to_string()
        } else {
            format!("[{}] of {}", self.table_name, self.file_name)
        }
    }

    fn wrong_type(&self, what: &str, expected: &str, node: &Val) -> ConfigError {
        ConfigError::at(
            ConfigErrorKind::WrongType,
            self,
            node.span(),
            format!("{what} in {} must be {expected}, found {}", self.place(), node.get_ref().type_name()),
            &format!("expected {expected}"),
        )
    }
}

/// Parses one configuration source. `table_path` locates the pairlint table inside the
/// document: `[]` for `pairlint.toml`, `["package", "metadata", "pairlint"]` or
/// `["workspace", "metadata", "pairlint"]` for `Cargo.toml`. A missing table is the
/// default configuration, since most crates configure nothing.
pub fn parse_config_str(text: &str, file_name: &str, table_path: &[&str]) -> Result<Config, ConfigError> {
    let ctx = Ctx { text, file_name, table_name: table_path.join(".") };
    let root: Val = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        ConfigError::at(
            ConfigErrorKind::Syntax,
            &ctx,
            span,
            format!("invalid TOML in {file_name}: {}", e.message()),
            "here",
        )
    })?;
    let mut node = &root;
    for (depth, segment) in table_path.iter().enumerate() {
        match node.get_ref().get(segment) {
            Some(child) => node = child,
            None => return Ok(Config::default()),
        }
        // Only the pairlint table itself is ours to type-check; a strange
        // `package.metadata` is Cargo's business.
        if depth + 1 < table_path.len() && !matches!(node.get_ref(), Node::Table(_)) {
            return Ok(Config::default());
        }
    }
    parse_table(&ctx, node)
}

fn parse_table(ctx: &Ctx<'_>, node: &Val) -> Result<Config, ConfigError> {
    let Node::Table(entries) = node.get_ref() else {
        return Err(ctx.wrong_type("the pairlint configuration", "a table", node));
    };
    let mut config = Config::default();
    for (key, value) in entries {
        match key.name.as_str() {
            "exclude" => parse_exclude(ctx, value, &mut config)?,
            "rules" => parse_rules(ctx, value, &mut config)?,
            "vocabulary" => parse_vocabulary(ctx, value, &mut config)?,
            other => {
                return Err(ConfigError::at(
                    ConfigErrorKind::UnknownKey,
                    ctx,
                    key_span(ctx, key, value),
                    format!("unknown key `{other}` in {} (known: {})", ctx.place(), TOP_LEVEL_KEYS.join(", ")),
                    "unknown key",
                ))
            }
        }
    }
    config.exclude = build_globset(&config.exclude_patterns)?;
    Ok(config)
}

/// Reads an array of strings, pointing at the first element of the wrong type.
fn string_list(ctx: &Ctx<'_>, what: &str, value: &Val) -> Result<Vec<(String, Range<usize>)>, ConfigError> {
    let Node::Array(items) = value.get_ref() else {
        return Err(ctx.wrong_type(what, "an array of strings", value));
    };
    items
        .iter()
        .map(|item| match item.get_ref() {
            Node::Str(s) => Ok((s.clone(), item.span())),
            _ => Err(ctx.wrong_type(&format!("each entry of {what}"), "a string", item)),
        })
        .collect()
}

fn parse_exclude(ctx: &Ctx<'_>, value: &Val, config: &mut Config) -> Result<(), ConfigError> {
    for (pattern, span) in string_list(ctx, "`exclude`", value)? {
        if let Err(e) = compile_glob(&pattern) {
            return Err(ConfigError::at(
                ConfigErrorKind::InvalidGlob,
                ctx,
                span,
                format!("invalid exclude glob `{pattern}` in {}: {}", ctx.place(), e.kind()),
                "invalid glob",
            ));
        }
        if !config.exclude_patterns.contains(&pattern) {
            config.exclude_patterns.push(pattern);
        }
    }
    Ok(())
}

fn parse_rules(ctx: &Ctx<'_>, value: &Val, config: &mut Config) -> Result<(), ConfigError> {
    let Node::Table(entries) = value.get_ref() else {
        return Err(ctx.wrong_type("`rules`", "a table of rule levels", value));
    };
    for (code, level) in entries {
        if !is_rule_code(&code.name) {
            let err = ConfigError::at(
                ConfigErrorKind::UnknownRule,
                ctx,
                key_span(ctx, code, level),
                format!("unknown rule `{}` in {} (known: {})", code.name, ctx.place(), rule_codes().join(", ")),
                "unknown rule",
            );
            // Lower-case codes are the one easy slip worth a hint.
            let upper = code.name.to_ascii_uppercase();
            return Err(if is_rule_code(&upper) {
                err.with_help(format!("rule codes are upper case: `{upper}`"))
            } else {
                err
            });
        }
        let Node::Str(text) = level.get_ref() else {
            return Err(ctx.wrong_type(
                &format!("the level of `{}`", code.name),
                "a string (\"allow\", \"warn\" or \"deny\")",
                level,
            ));
        };
        let Some(parsed) = Level::parse(text) else {
            return Err(ConfigError::at(
                ConfigErrorKind::UnknownLevel,
                ctx,
                level.span(),
                format!(
                    "unknown level `{text}` for rule `{}` in {} (known: allow, warn, deny)",
                    code.name,
                    ctx.place()
                ),
                "unknown level",
            ));
        };
        config.levels.insert(code.name.clone(), parsed);
    }
    Ok(())
}

fn parse_vocabulary(ctx: &Ctx<'_>, value: &Val, config: &mut Config) -> Result<(), ConfigError> {
    let Node::Table(entries) = value.get_ref() else {
        return Err(ctx.wrong_type("`vocabulary`", "a table of string arrays", value));
    };
    let known = vocabulary_keys();
    for (key, list) in entries {
        if !known.contains(&key.name) {
            return Err(ConfigError::at(
                ConfigErrorKind::UnknownVocabularyKey,
                ctx,
                key_span(ctx, key, list),
                format!("unknown vocabulary list `{}` in {} (known: {})", key.name, ctx.place(), known.join(", ")),
                "unknown vocabulary list",
            ));
        }
        let what = format!("`vocabulary.{}`", key.name);
        let target = config.vocabulary.entry(key.name.clone()).or_default();
        for (entry, _) in string_list(ctx, &what, list)? {
            if !target.contains(&entry) {
                target.push(entry);
            }
        }
    }
    Ok(())
}

/// Reads a file that may legitimately be absent: `Ok(None)` when it does not exist.
fn read_optional(path: &Path) -> Result<Option<String>, ConfigError> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ConfigError::plain(format!("cannot read {}: {e}", path.display()))),
        // A FIFO or device named Cargo.toml would block or stream forever.
        Ok(meta) if !meta.is_file() => {
            return Err(ConfigError::plain(format!("cannot read {}: not a regular file", path.display())))
        }
        Ok(_) => {}
    }
    std::fs::read_to_string(path)
        .map(Some)
        .map_err(|e| ConfigError::plain(format!("cannot read {}: {e}", path.display())))
}

/// Loads and merges every configuration source of the workspace at `workspace_root`.
/// Missing files are fine (defaults); anything present must be valid.
pub fn load_config(workspace_root: &Path) -> Result<Config, ConfigError> {
    let mut config = Config::default();
    let manifest = workspace_root.join("Cargo.toml");
    if let Some(text) = read_optional(&manifest)? {
        let name = manifest.display().to_string();
        for table_path in [["workspace", "metadata", "pairlint"], ["package", "metadata", "pairlint"]] {
            config.merge(parse_config_str(&text, &name, &table_path)?)?;
        }
    }
    let own = workspace_root.join("pairlint.toml");
    if let Some(text) = read_optional(&own)? {
        config.merge(parse_config_str(&text, &own.display().to_string(), &[])?)?;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text` as pairlint.toml expecting an error, and returns it with the text
    /// its span covers.
    fn err_of(text: &str, table_path: &[&str]) -> (ConfigError, String) {
        let err = parse_config_str(text, "pairlint.toml", table_path).expect_err("should fail");
        let span = err.span().expect("error has a span");
        let covered = text[span].to_string();
        (err, covered)
    }

    #[test]
    fn defaults_parse_and_list_keys() {
        let keys = vocabulary_keys();
        assert!(keys.contains(&"identity_names".to_string()));
        assert!(keys.contains(&"requeue_calls".to_string()));
    }

    #[test]
    fn full_pairlint_toml() {
        let text = r#"
exclude = ["src/generated/**", "vendor"]
[rules]
PL001 = "deny"
PL003 = "allow"
[vocabulary]
identity_names = ["passenger"]
queue_types = ["RingBuffer", "Deque"]
"#;
        let c = parse_config_str(text, "pairlint.toml", &[]).unwrap();
        assert_eq!(c.level("PL001"), Some(Level::Deny));
        assert_eq!(c.level("PL003"), Some(Level::Allow));
        assert_eq!(c.level("PL002"), None);
        assert_eq!(c.vocabulary["identity_names"], vec!["passenger"]);
        assert_eq!(c.vocabulary["queue_types"], vec!["RingBuffer", "Deque"]);
        assert!(c.is_excluded(Path::new("src/generated/a/b.rs")));
        assert!(c.is_excluded(Path::new("vendor/x.rs")));
        assert!(c.is_excluded(Path::new("crates/x/vendor/y.rs")));
        assert!(!c.is_excluded(Path::new("src/lib.rs")));
    }

    #[test]
    fn unknown_rule_points_at_code() {
        let (err, covered) = err_of("[rules]\nPL009 = \"deny\"\n", &[]);
        assert_eq!(err.kind(), ConfigErrorKind::UnknownRule);
        assert_eq!(covered, "PL009");
        let known = rule_codes().join(", ");
        assert!(known.starts_with("PL001, PL002"), "{known}");
        assert_eq!(err.to_string(), format!("unknown rule `PL009` in pairlint.toml (known: {known})"));
    }

    #[test]
    fn lower_case_rule_gets_help() {
        let (err, covered) = err_of("[rules]\npl001 = \"deny\"\n", &[]);
        assert_eq!(covered, "pl001");
        assert!(err.help().unwrap().to_string().contains("PL001"));
    }

    #[test]
    fn unknown_level_points_at_value() {
        let (err, covered) = err_of("[rules]\nPL001 = \"forbid\"\n", &[]);
        assert_eq!(err.kind(), ConfigErrorKind::UnknownLevel);
        assert_eq!(covered, "\"forbid\"");
    }

    #[test]
    fn unknown_top_level_key_points_at_key() {
        let (err, covered) = err_of("exclude = []\nexclud = [\"x\"]\n", &[]);
        assert_eq!(err.kind(), ConfigErrorKind::UnknownKey);
        assert_eq!(covered, "exclud");
        assert!(err.to_string().contains("known: exclude, rules, vocabulary"));
    }

    #[test]
    fn unknown_header_table_points_into_header() {
        let text = "exclude = []\n[rule]\nPL001 = \"deny\"\n";
        let (err, covered) = err_of(text, &[]);
        assert_eq!(err.kind(), ConfigErrorKind::UnknownKey);
        assert!(covered.contains("rule"), "span covers {covered:?}");
        // Implicit tables (no `[package.metadata]` header) still resolve, and a bad key
        // of an implicit table is still located.
        let text = "[package.metadata.pairlint.vocab.x]\ny = 1\n";
        let (_, covered) = err_of(text, &["package", "metadata", "pairlint"]);
        assert_eq!(covered, "vocab");
        let text = "[package.metadata.pairlint.rules]\nPL002 = \"warn\"\n";
        let c = parse_config_str(text, "Cargo.toml", &["package", "metadata", "pairlint"]).unwrap();
        assert_eq!(c.level("PL002"), Some(Level::Warn));
    }

    #[test]
    fn unknown_vocabulary_key_points_at_key() {
        let (err, covered) = err_of("[vocabulary]\nidentity_name = [\"x\"]\n", &[]);
        assert_eq!(err.kind(), ConfigErrorKind::UnknownVocabularyKey);
        assert_eq!(covered, "identity_name");
    }

    #[test]
    fn wrong_types_point_at_values() {
        let (err, covered) = err_of("exclude = \"src\"\n", &[]);
        assert_eq!(err.kind(), ConfigErrorKind::WrongType);
        assert_eq!(covered, "\"src\"");

        let (_, covered) = err_of("exclude = [\"a\", 3]\n", &[]);
        assert_eq!(covered, "3");

        let (_, covered) = err_of("[rules]\nPL001 = true\n", &[]);
        assert_eq!(covered, "true");

        let (_, covered) = err_of("rules = 1\n", &[]);
        assert_eq!(covered, "1");

        let (err, covered) = err_of("[vocabulary]\nqueue_types = [\"A\", [\"B\"]]\n", &[]);
        assert_eq!(covered, "[\"B\"]");
        assert!(err.to_string().contains("found an array"));

        let (_, covered) = err_of("[vocabulary]\nqueue_types = 1979-05-27\n", &[]);
        assert_eq!(covered, "1979-05-27");
    }

    #[test]
    fn invalid_glob_points_at_pattern() {
        let (err, covered) = err_of("exclude = [\"ok/**\", \"src/[ab.rs\"]\n", &[]);
        assert_eq!(err.kind(), ConfigErrorKind::InvalidGlob);
        assert_eq!(covered, "\"src/[ab.rs\"");
    }

    #[test]
    fn syntax_error_has_span() {
        let text = "[rules]\nPL001 = \n";
        let err = parse_config_str(text, "pairlint.toml", &[]).unwrap_err();
        assert_eq!(err.kind(), ConfigErrorKind::Syntax);
        let span = err.span().unwrap();
        assert!(span.start <= text.len());
        assert!(err.source_code().is_some());
    }

    #[test]
    fn cargo_toml_errors_name_the_table() {
        let text = "[package]\nname = \"x\"\n[package.metadata.pairlint]\nrules = { PL7 = \"warn\" }\n";
        let (err, covered) = err_of(text, &["package", "metadata", "pairlint"]);
        assert_eq!(covered, "PL7");
        assert!(err.to_string().contains("[package.metadata.pairlint]"));
        // A label is what miette renders under the source line.
        assert_eq!(err.labels().unwrap().count(), 1);
    }

    #[test]
    fn cargo_toml_without_metadata_is_default() {
        let text = "[package]\nname = \"x\"\n[package.metadata.docs]\nall = true\n";
        let c = parse_config_str(text, "Cargo.toml", &["package", "metadata", "pairlint"]).unwrap();
        assert!(c.levels.is_empty() && c.vocabulary.is_empty() && c.exclude_patterns.is_empty());
        let c = parse_config_str("", "Cargo.toml", &["package", "metadata", "pairlint"]).unwrap();
        assert!(c.levels.is_empty());
    }

    #[test]
    fn missing_files_are_default() {
        let dir = tempfile::tempdir().unwrap();
        let c = load_config(dir.path()).unwrap();
        assert!(c.levels.is_empty() && c.exclude_patterns.is_empty());
        assert!(!c.is_excluded(Path::new("src/lib.rs")));
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        let c = load_config(dir.path()).unwrap();
        assert!(c.levels.is_empty());
    }

    #[test]
    fn merge_order_workspace_package_then_pairlint_toml() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            r#"
[package]
name = "x"
[package.metadata.pairlint]
exclude = ["b/**"]
rules = { PL001 = "warn", PL002 = "allow" }
vocabulary = { identity_names = ["pkg"] }
[workspace]
[workspace.metadata.pairlint]
exclude = ["a/**"]
rules = { PL001 = "allow", PL003 = "deny" }
vocabulary = { identity_names = ["ws"] }
"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("pairlint.toml"),
            "exclude = [\"c.rs\"]\n[rules]\nPL002 = \"deny\"\n[vocabulary]\nidentity_names = [\"file\", \"ws\"]\n",
        )
        .unwrap();
        let c = load_config(dir.path()).unwrap();
        assert_eq!(c.exclude_patterns, vec!["a/**", "b/**", "c.rs"]);
        assert_eq!(c.level("PL001"), Some(Level::Warn));
        assert_eq!(c.level("PL002"), Some(Level::Deny));
        assert_eq!(c.level("PL003"), Some(Level::Deny));
        assert_eq!(c.vocabulary["identity_names"], vec!["ws", "pkg", "file"]);
        assert!(c.is_excluded(Path::new("a/x.rs")));
        assert!(c.is_excluded(Path::new("./b/y/z.rs")));
        assert!(c.is_excluded(Path::new("c.rs")));
        assert!(!c.is_excluded(Path::new("d.rs")));
    }

    #[test]
    fn load_reports_error_with_file_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pairlint.toml"), "[rules]\nPL009 = \"deny\"\n").unwrap();
        let err = load_config(dir.path()).unwrap_err();
        assert!(err.to_string().contains("pairlint.toml"));
        assert_eq!(err.kind(), ConfigErrorKind::UnknownRule);
    }

    #[test]
    fn globs_do_not_cross_directories_with_single_star() {
        let c = parse_config_str("exclude = [\"src/*.rs\"]", "pairlint.toml", &[]).unwrap();
        assert!(c.is_excluded(Path::new("src/a.rs")));
        assert!(!c.is_excluded(Path::new("src/a/b.rs")));
        assert!(!c.is_excluded(Path::new("other/src/a.rs")));
    }
}
