//! Configuration loading: `[workspace.metadata.pairlint]` and `[package.metadata.pairlint]`
//! in the workspace root `Cargo.toml`, then `pairlint.toml`, validated with spans so a
//! mistake is reported at the offending key or value rather than silently ignored.
//! toml-span parses: its tree has the byte span of every key and value.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Component, Path};
use toml_span::tokens::{Token, Tokenizer};
use toml_span::value::{Key, Value, ValueInner};

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
const TOP_LEVEL_KEYS: &[&str] = &["cache-max-mib", "exclude", "requesters", "rules", "vocabulary"];

/// `requesters`: whether the crates linted serve requesters at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Requesters {
    /// A binary-only crate with no server entry point (a command-line tool, a local
    /// daemon) has none; every other crate (a library, a server) has them.
    #[default]
    Auto,
    /// Every crate has them, a command-line tool too.
    Always,
    /// No crate has them: only PL002 can report.
    Never,
}

impl Requesters {
    /// The configuration spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Requesters::Auto => "auto",
            Requesters::Always => "always",
            Requesters::Never => "never",
        }
    }
}

/// The vocabulary list names, in name order, as the extendable keys of `[vocabulary]`.
/// The defaults are a compile-time constant covered by a test, so a parse failure here
/// cannot happen in a released build; returning an empty list keeps this panic-free anyway.
pub fn vocabulary_keys() -> Vec<String> {
    let Ok(root) = toml_span::parse(VOCABULARY_DEFAULTS) else { return Vec::new() };
    root.as_table().map(|table| table.keys().map(|key| key.name.to_string()).collect()).unwrap_or_default()
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
    /// `cache-max-mib`: the size the cache may reach before its least recently used
    /// entries are deleted, in bytes; `None` is [`crate::cache::MAX_BYTES`].
    pub cache_max_bytes: Option<u64>,
    /// `requesters = "auto" | "always" | "never"`; `None` when not configured (auto).
    pub requesters: Option<Requesters>,
    /// Lint test code inside linted files too (`#[cfg(test)]` items, `#[test]` fns):
    /// set by `--include-tests`, never read from a file.
    pub include_tests: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            levels: BTreeMap::new(),
            vocabulary: BTreeMap::new(),
            exclude: GlobSet::empty(),
            exclude_patterns: Vec::new(),
            cache_max_bytes: None,
            requesters: None,
            include_tests: false,
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

    /// Everything of the configuration a crate's findings depend on beyond its files'
    /// facts, as stable text for the crate-result cache key: the levels and whether
    /// test code is linted.
    pub fn results_key(&self) -> String {
        let mut key = self.levels_key();
        if self.include_tests {
            key.push_str("include-tests;");
        }
        if let Some(r) = self.requesters {
            key.push_str(&format!("requesters={};", r.as_str()));
        }
        key
    }

    /// What extraction keeps under this configuration.
    pub fn extract_options(&self) -> crate::extract::ExtractOptions {
        crate::extract::ExtractOptions { include_tests: self.include_tests, test_file: false }
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
    /// The cache bound of this configuration (see [`Config::cache_max_bytes`]).
    pub fn cache_bound(&self) -> u64 {
        self.cache_max_bytes.unwrap_or(crate::cache::MAX_BYTES)
    }

    fn merge(&mut self, later: Config) -> Result<(), ConfigError> {
        self.levels.extend(later.levels);
        self.cache_max_bytes = later.cache_max_bytes.or(self.cache_max_bytes);
        self.requesters = later.requesters.or(self.requesters);
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
    /// A value of the right type out of its range (`cache-max-mib = 0`).
    OutOfRange,
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

/// A table's entries in file order. toml-span keeps a table sorted by key name, but the
/// error reported should be the first mistake as written, as it was with `toml`.
fn entries_of<'v, 'de>(value: &'v Value<'de>) -> Option<Vec<(&'v Key<'de>, &'v Value<'de>)>> {
    let mut entries: Vec<_> = value.as_table()?.iter().collect();
    entries.sort_by_key(|(key, _)| key.span.start);
    Some(entries)
}

/// At most this many datetimes are read from one file. Each costs a parse of the
/// whole file (see `mask_datetime`); a configuration holds a handful at most, and the
/// bound keeps a hostile file from costing one parse per datetime.
const MAX_DATETIMES: usize = 64;

/// Handles a toml-span parse failure of `source` so that the caller can parse again.
///
/// toml-span reads all of TOML but datetimes, which Cargo.toml may legitimately hold
/// elsewhere and which in our tables are only ever a type error. So a failure is
/// judged by `toml`, the parser Cargo uses: if it rejects the file too, its message is
/// the syntax error (worded as before the port); if it accepts it, the failure is a
/// datetime, which is replaced by a string of the same length (spans stay put) and
/// remembered in `ctx.datetimes`, so type errors still say "found a datetime" there.
fn mask_datetime(ctx: &mut Ctx<'_>, source: &mut Cow<'_, str>, err: toml_span::Error) -> Result<(), ConfigError> {
    if ctx.datetimes.is_empty() {
        if let Err(e) = toml::from_str::<toml::Table>(ctx.text) {
            return Err(ctx.syntax_error(e.span().unwrap_or(0..0), e.message()));
        }
    }
    let datetime = datetime_at(source, err.span.start).filter(|_| ctx.datetimes.len() < MAX_DATETIMES);
    let Some(datetime) = datetime else {
        return Err(ctx.syntax_error(err.span.start..err.span.end, &err.to_string()));
    };
    let placeholder = format!("\"{}\"", "0".repeat(datetime.len() - 2));
    source.to_mut().replace_range(datetime.clone(), &placeholder);
    ctx.datetimes.push(datetime);
    Ok(())
}

/// The datetime around byte `at`, where toml-span stopped: it reads a datetime as a
/// malformed number and may stop a few digits in (`07:32:00` at the `7`), so step back
/// to the start of the token, then take the longest prefix that is a TOML datetime.
fn datetime_at(source: &str, at: usize) -> Option<Range<usize>> {
    let is_part = |b: u8| b.is_ascii_digit() || b"-:.+TtZz ".contains(&b);
    let bytes = source.as_bytes();
    let mut start = at.min(bytes.len());
    while start > 0 && is_part(bytes[start - 1]) && bytes[start - 1] != b' ' {
        start -= 1;
    }
    // `1979-05-27T00:32:00.999999999-07:00` is 35 bytes; a datetime whose fraction runs
    // past 64 bytes is legal TOML but stays a syntax error here.
    let run = bytes[start..].iter().take(64).take_while(|&&b| is_part(b)).count();
    (8..=run)
        .rev()
        .find(|&len| source[start..start + len].parse::<toml::value::Datetime>().is_ok())
        .map(|len| start..start + len)
}

/// Where errors point: the file's text and its display name.
struct Ctx<'a> {
    text: &'a str,
    file_name: &'a str,
    /// `[package.metadata.pairlint]`-style location for messages; empty for `pairlint.toml`.
    table_name: String,
    /// The spans of the datetimes, which the parsed tree holds as strings.
    datetimes: Vec<Range<usize>>,
}

impl Ctx<'_> {
    fn place(&self) -> String {
        if self.table_name.is_empty() {
            self.file_name.to_string()
        } else {
            format!("[{}] of {}", self.table_name, self.file_name)
        }
    }

    fn syntax_error(&self, span: Range<usize>, message: &str) -> ConfigError {
        let message = format!("invalid TOML in {}: {message}", self.file_name);
        ConfigError::at(ConfigErrorKind::Syntax, self, span, message, "here")
    }

    /// The span of a value as errors show it. toml-span's span of a string covers its
    /// contents and `toml`'s covered the quotes too, so the quotes are added back
    /// (errors keep underlining the whole `"forbid"`); the span of a table opened by a
    /// header runs to the next line, and is trimmed back to the end of the last one.
    fn span_of(&self, value: &Value<'_>) -> Range<usize> {
        let span = value.span.start..value.span.end;
        match value.as_ref() {
            ValueInner::String(_) => self.quoted(span),
            ValueInner::Table(_) => {
                let trimmed = self.text.get(span.clone()).map_or(0, |covered| covered.trim_end().len());
                span.start..span.start + trimmed
            }
            _ => span,
        }
    }

    /// The span of a key as errors show it: with its quotes, as for string values.
    fn key_span(&self, key: &Key<'_>) -> Range<usize> {
        self.quoted(key.span.start..key.span.end)
    }

    /// Widens the span of a string's contents to the string as written, delimiters
    /// included. toml-span's own tokenizer finds them: the string starts at most five
    /// bytes earlier (`"""` and a newline it skips), and the token whose contents are
    /// exactly `span` is the string. An empty string's span is its opening quote.
    /// Anything else (a bare key) is returned as it is.
    fn quoted(&self, span: Range<usize>) -> Range<usize> {
        if let Some(datetime) = self.datetimes.iter().find(|d| d.start + 1 == span.start && d.end - 1 == span.end) {
            return datetime.clone();
        }
        // Furthest first: inside `"""abc"""`, the third quote also starts a string `"abc"`.
        for start in span.start.saturating_sub(5)..=span.start {
            if !matches!(self.text.as_bytes().get(start), Some(b'"' | b'\'')) {
                continue;
            }
            let Some(rest) = self.text.get(start..) else { continue };
            if let Ok(Some((contents, Token::String { src, .. }))) = Tokenizer::new(rest).step() {
                if start + contents.start == span.start && start + contents.end == span.end {
                    return start..start + src.len();
                }
            }
        }
        span
    }

    /// Whether a value is a datetime, which the parsed tree holds as a string.
    fn is_datetime(&self, value: &Value<'_>) -> bool {
        value.as_str().is_some() && self.datetimes.contains(&self.span_of(value))
    }

    /// The type of a value as messages name it.
    fn type_name(&self, value: &Value<'_>) -> &'static str {
        match value.as_ref() {
            ValueInner::String(_) if self.is_datetime(value) => "a datetime",
            ValueInner::String(_) => "a string",
            ValueInner::Integer(_) => "an integer",
            ValueInner::Float(_) => "a float",
            ValueInner::Boolean(_) => "a boolean",
            ValueInner::Array(_) => "an array",
            ValueInner::Table(_) => "a table",
        }
    }

    /// A value's text, or `None` when it is no string (a datetime is none).
    fn str_of<'v>(&self, value: &'v Value<'_>) -> Option<&'v str> {
        value.as_str().filter(|_| !self.is_datetime(value))
    }

    fn wrong_type(&self, what: &str, expected: &str, value: &Value<'_>) -> ConfigError {
        ConfigError::at(
            ConfigErrorKind::WrongType,
            self,
            self.span_of(value),
            format!("{what} in {} must be {expected}, found {}", self.place(), self.type_name(value)),
            &format!("expected {expected}"),
        )
    }
}

/// Parses one configuration source. `table_path` locates the pairlint table inside the
/// document: `[]` for `pairlint.toml`, `["package", "metadata", "pairlint"]` or
/// `["workspace", "metadata", "pairlint"]` for `Cargo.toml`. A missing table is the
/// default configuration, since most crates configure nothing.
pub fn parse_config_str(text: &str, file_name: &str, table_path: &[&str]) -> Result<Config, ConfigError> {
    let mut ctx = Ctx { text, file_name, table_name: table_path.join("."), datetimes: Vec::new() };
    // toml-span's tree has the byte span of every key and value, implicit tables too.
    let mut source = Cow::Borrowed(text);
    let root = loop {
        match toml_span::parse(&source) {
            Ok(root) => break root,
            Err(err) => mask_datetime(&mut ctx, &mut source, err)?,
        }
    };
    let mut node = &root;
    for (depth, segment) in table_path.iter().enumerate() {
        match node.as_table().and_then(|table| table.get(*segment)) {
            Some(child) => node = child,
            None => return Ok(Config::default()),
        }
        // Only the pairlint table itself is ours to type-check; a strange
        // `package.metadata` is Cargo's business.
        if depth + 1 < table_path.len() && node.as_table().is_none() {
            return Ok(Config::default());
        }
    }
    parse_table(&ctx, node)
}

fn parse_table(ctx: &Ctx<'_>, node: &Value<'_>) -> Result<Config, ConfigError> {
    let Some(entries) = entries_of(node) else {
        return Err(ctx.wrong_type("the pairlint configuration", "a table", node));
    };
    let mut config = Config::default();
    for (key, value) in entries {
        match key.name.as_ref() {
            "cache-max-mib" => config.cache_max_bytes = Some(parse_mib(ctx, value)?),
            "requesters" => config.requesters = Some(parse_requesters(ctx, value)?),
            "exclude" => parse_exclude(ctx, value, &mut config)?,
            "rules" => parse_rules(ctx, value, &mut config)?,
            "vocabulary" => parse_vocabulary(ctx, value, &mut config)?,
            other => {
                return Err(ConfigError::at(
                    ConfigErrorKind::UnknownKey,
                    ctx,
                    ctx.key_span(key),
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
fn string_list(ctx: &Ctx<'_>, what: &str, value: &Value<'_>) -> Result<Vec<(String, Range<usize>)>, ConfigError> {
    let Some(items) = value.as_array() else {
        return Err(ctx.wrong_type(what, "an array of strings", value));
    };
    items
        .iter()
        .map(|item| match ctx.str_of(item) {
            Some(s) => Ok((s.to_string(), ctx.span_of(item))),
            None => Err(ctx.wrong_type(&format!("each entry of {what}"), "a string", item)),
        })
        .collect()
}

/// `requesters`: `"auto"`, `"always"` or `"never"`.
fn parse_requesters(ctx: &Ctx<'_>, value: &Value<'_>) -> Result<Requesters, ConfigError> {
    let Some(text) = ctx.str_of(value) else {
        return Err(ctx.wrong_type("`requesters`", "a string (auto, always, never)", value));
    };
    match text {
        "auto" => Ok(Requesters::Auto),
        "always" => Ok(Requesters::Always),
        "never" => Ok(Requesters::Never),
        other => Err(ConfigError::at(
            ConfigErrorKind::OutOfRange,
            ctx,
            ctx.span_of(value),
            format!("unknown `requesters` value `{other}` in {} (known: auto, always, never)", ctx.place()),
            "expected auto, always or never",
        )),
    }
}

/// `cache-max-mib`: a positive whole number of MiB, as bytes.
fn parse_mib(ctx: &Ctx<'_>, value: &Value<'_>) -> Result<u64, ConfigError> {
    let Some(mib) = value.as_integer() else {
        return Err(ctx.wrong_type("`cache-max-mib`", "an integer (MiB)", value));
    };
    match u64::try_from(mib) {
        Ok(mib) if mib > 0 => Ok(mib.saturating_mul(1 << 20)),
        _ => Err(ConfigError::at(
            ConfigErrorKind::OutOfRange,
            ctx,
            ctx.span_of(value),
            format!("`cache-max-mib` in {} must be at least 1, found {mib}", ctx.place()),
            "expected a positive number of MiB",
        )),
    }
}

fn parse_exclude(ctx: &Ctx<'_>, value: &Value<'_>, config: &mut Config) -> Result<(), ConfigError> {
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

fn parse_rules(ctx: &Ctx<'_>, value: &Value<'_>, config: &mut Config) -> Result<(), ConfigError> {
    let Some(entries) = entries_of(value) else {
        return Err(ctx.wrong_type("`rules`", "a table of rule levels", value));
    };
    for (code, level) in entries {
        let code_name = code.name.as_ref();
        if !is_rule_code(code_name) {
            let err = ConfigError::at(
                ConfigErrorKind::UnknownRule,
                ctx,
                ctx.key_span(code),
                format!("unknown rule `{code_name}` in {} (known: {})", ctx.place(), rule_codes().join(", ")),
                "unknown rule",
            );
            // Lower-case codes are the one easy slip worth a hint.
            let upper = code_name.to_ascii_uppercase();
            return Err(if is_rule_code(&upper) {
                err.with_help(format!("rule codes are upper case: `{upper}`"))
            } else {
                err
            });
        }
        let Some(text) = ctx.str_of(level) else {
            return Err(ctx.wrong_type(
                &format!("the level of `{code_name}`"),
                "a string (\"allow\", \"warn\" or \"deny\")",
                level,
            ));
        };
        let Some(parsed) = Level::parse(text) else {
            return Err(ConfigError::at(
                ConfigErrorKind::UnknownLevel,
                ctx,
                ctx.span_of(level),
                format!("unknown level `{text}` for rule `{code_name}` in {} (known: allow, warn, deny)", ctx.place()),
                "unknown level",
            ));
        };
        config.levels.insert(code_name.to_string(), parsed);
    }
    Ok(())
}

fn parse_vocabulary(ctx: &Ctx<'_>, value: &Value<'_>, config: &mut Config) -> Result<(), ConfigError> {
    let Some(entries) = entries_of(value) else {
        return Err(ctx.wrong_type("`vocabulary`", "a table of string arrays", value));
    };
    let known = vocabulary_keys();
    for (key, list) in entries {
        let name = key.name.as_ref();
        if !known.iter().any(|k| k == name) {
            return Err(ConfigError::at(
                ConfigErrorKind::UnknownVocabularyKey,
                ctx,
                ctx.key_span(key),
                format!("unknown vocabulary list `{name}` in {} (known: {})", ctx.place(), known.join(", ")),
                "unknown vocabulary list",
            ));
        }
        let what = format!("`vocabulary.{name}`");
        let target = config.vocabulary.entry(name.to_string()).or_default();
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
        assert!(err.to_string().contains("known: cache-max-mib, exclude, requesters, rules, vocabulary"));
    }

    // The cache bound is a positive number of MiB; a later source overrides an earlier one.
    #[test]
    fn cache_max_mib_is_positive_and_merges() {
        let config = parse_config_str("cache-max-mib = 3\n", "pairlint.toml", &[]).unwrap();
        assert_eq!(config.cache_bound(), 3 << 20);
        assert_eq!(Config::default().cache_bound(), crate::cache::MAX_BYTES);
        let (err, covered) = err_of("cache-max-mib = 0\n", &[]);
        assert_eq!((err.kind(), covered.as_str()), (ConfigErrorKind::OutOfRange, "0"));
        let (err, covered) = err_of("cache-max-mib = \"1G\"\n", &[]);
        assert_eq!((err.kind(), covered.as_str()), (ConfigErrorKind::WrongType, "\"1G\""));
        let mut merged = parse_config_str("cache-max-mib = 3\n", "pairlint.toml", &[]).unwrap();
        merged.merge(Config::default()).unwrap();
        assert_eq!(merged.cache_bound(), 3 << 20, "a source without the key keeps it");
        merged.merge(parse_config_str("cache-max-mib = 5\n", "pairlint.toml", &[]).unwrap()).unwrap();
        assert_eq!(merged.cache_bound(), 5 << 20);
    }

    // `requesters` is one of three words, pointed at when wrong; a later source wins.
    #[test]
    fn requesters_is_auto_always_or_never_and_merges() {
        assert_eq!(Config::default().requesters, None);
        let config = parse_config_str("requesters = \"always\"\n", "pairlint.toml", &[]).unwrap();
        assert_eq!(config.requesters, Some(Requesters::Always));
        assert!(config.results_key().contains("requesters=always"));
        let (err, covered) = err_of("requesters = \"sometimes\"\n", &[]);
        assert_eq!((err.kind(), covered.as_str()), (ConfigErrorKind::OutOfRange, "\"sometimes\""));
        assert!(err.to_string().contains("known: auto, always, never"), "{err}");
        let (err, covered) = err_of("requesters = true\n", &[]);
        assert_eq!((err.kind(), covered.as_str()), (ConfigErrorKind::WrongType, "true"));
        let mut merged = config;
        merged.merge(parse_config_str("requesters = \"never\"\n", "pairlint.toml", &[]).unwrap()).unwrap();
        assert_eq!(merged.requesters, Some(Requesters::Never));
        merged.merge(Config::default()).unwrap();
        assert_eq!(merged.requesters, Some(Requesters::Never), "a source without the key keeps it");
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
    fn quoted_strings_and_keys_are_underlined_with_their_quotes() {
        // toml-span's spans cover a string's contents; errors underline it as written.
        let (_, covered) = err_of("[rules]\n\"PL0 09\" = \"deny\"\n", &[]);
        assert_eq!(covered, "\"PL0 09\"");
        let (_, covered) = err_of("[rules]\n'pl001' = \"deny\"\n", &[]);
        assert_eq!(covered, "'pl001'");
        let (_, covered) = err_of("exclude = '''\nsrc'''\n", &[]);
        assert_eq!(covered, "'''\nsrc'''");
        let (_, covered) = err_of("exclude = \"\"\n", &[]);
        assert_eq!(covered, "\"\"");
        let (_, covered) = err_of("exclude = [\"\\\"\", \"src/[a\"]\n", &[]);
        assert_eq!(covered, "\"src/[a\"");
        // A table opened by a header ends with its last line, not on the next one.
        let (_, covered) = err_of("[vocabulary.queue_types]\n\n", &[]);
        assert_eq!(covered, "[vocabulary.queue_types]");
    }

    #[test]
    fn datetimes_are_values_of_the_wrong_type() {
        // toml-span reads no datetimes; a Cargo.toml may hold them outside our table.
        let text = "[package]\nname = \"x\"\n[package.metadata.release]\ndate = 1979-05-27T07:32:00Z\n\
                    [package.metadata.pairlint.rules]\nPL001 = \"allow\"\n";
        let c = parse_config_str(text, "Cargo.toml", &["package", "metadata", "pairlint"]).unwrap();
        assert_eq!(c.level("PL001"), Some(Level::Allow));
        // In our table a datetime is reported as one, where it is written.
        let (err, covered) = err_of("[vocabulary]\nqueue_types = [\"A\", 07:32:00, 1979-05-27 07:32:00.5]\n", &[]);
        assert_eq!(covered, "07:32:00");
        assert!(err.to_string().ends_with("must be a string, found a datetime"), "{err}");
        // An invalid datetime is a syntax error worded by `toml`.
        let err = parse_config_str("a = 1979-05-32\n", "pairlint.toml", &[]).unwrap_err();
        assert_eq!(err.kind(), ConfigErrorKind::Syntax);
        assert!(err.to_string().contains("date-time value is out of range"), "{err}");
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
