//! Command-line interface: argument parsing and dispatch. Everything here is callable
//! in-process (tests call [`run`] with their own writers).

use crate::cargo_check;
use crate::config::{self, Config};
use crate::discover;
use crate::engine::{self, Report};
use crate::output::{self, github, human, rustc_json, HumanOptions};
use crate::reference::sim::SimParams;
use crate::rules;
use crate::{baseline, diff, fix};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "cargo-pairlint",
    bin_name = "cargo pairlint",
    version,
    about = "Finds unsafe queue-pairing: code that hands one person's item to another person",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    check: CheckArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint the workspace (the default), or the given files and directories.
    Check(CheckArgs),
    /// List the rules: code, name, default level, summary.
    Rules,
    /// Print a rule's full documentation.
    Explain {
        /// A rule code (PL001) or name (head-of-queue-for-requester).
        rule: String,
    },
    /// Run the bundled reference service under load and lint both of its variants.
    ///
    /// Simulates a day of kiosk traffic against the flawed and the fixed certificate
    /// server, then lints both servers' source (compiled into this binary). Exits 0 when
    /// the flawed variant shows exactly its expected findings and the fixed one none.
    Demo(DemoArgs),
    /// Run the language server on stdin/stdout, for editors (see README "Editors").
    Lsp {
        /// Accepted and ignored: stdio is the only transport (some clients pass it).
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Debug, Args, Clone)]
pub struct DemoArgs {
    /// Seed of the load simulation.
    #[arg(long, default_value_t = SimParams::default().seed)]
    pub seed: u64,
    /// Requests in the simulated day.
    #[arg(long, default_value_t = SimParams::default().requests)]
    pub requests: u32,
    /// Kiosks.
    #[arg(long, default_value_t = SimParams::default().kiosks)]
    pub kiosks: u32,
    /// Print-command timeout, in milliseconds.
    #[arg(long, default_value_t = SimParams::default().timeout_ms)]
    pub timeout_ms: u64,
    /// Fraction of print commands delayed beyond the timeout.
    #[arg(long, default_value_t = SimParams::default().late_fraction)]
    pub late_fraction: f64,
    /// Output format of the lint part.
    #[arg(long, value_enum, default_value_t = DemoFormat::Human)]
    pub format: DemoFormat,
    /// Colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// Output formats (README "Output formats"): human (miette), json (pairlint's own),
/// sarif (GitHub code scanning), github (workflow commands), rustc-json (cargo's
/// JSON messages, for editors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    RustcJson,
}

/// The demo prints a simulation table next to its findings: human or JSON only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoFormat {
    Human,
    Json,
}

/// cargo's spelling of the JSON message format, for tools that run `cargo pairlint`
/// in place of `cargo check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MinConfidence {
    Medium,
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human, conflicts_with = "message_format")]
    pub format: Format,
    /// Same as `--format rustc-json` (cargo's spelling).
    #[arg(long, value_enum, value_name = "FMT")]
    pub message_format: Option<MessageFormat>,
    /// Run `cargo check` first and pass its messages on (rustc-json only).
    #[arg(long)]
    pub with_cargo_check: bool,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Exit 0 despite findings (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Report only findings at least this confident (high: the code's types decided;
    /// medium: a name heuristic did).
    #[arg(long, value_enum, default_value_t = MinConfidence::Medium)]
    pub min_confidence: MinConfidence,
    /// Leave out the findings recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record all current findings in FILE as the baseline.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["baseline", "new_from_rev", "new_from_patch", "add_suppressions"])]
    pub write_baseline: Option<PathBuf>,
    /// Report only findings on lines changed since REV (git).
    #[arg(long, value_name = "REV", conflicts_with = "new_from_patch")]
    pub new_from_rev: Option<String>,
    /// Report only findings on lines a unified diff adds or changes.
    #[arg(long, value_name = "FILE")]
    pub new_from_patch: Option<PathBuf>,
    /// Add `// pairlint: allow(..) REASON` above each reported finding.
    #[arg(long, value_name = "REASON")]
    pub add_suppressions: Option<String>,
    /// Worker threads [default: the number of available cores].
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Accepted for scripts written for earlier versions; the lexer pre-pass was
    /// removed (it cost more than it saved) and every file is parsed.
    #[arg(long, hide = true)]
    pub prefilter: bool,
    /// Accepted for scripts written for earlier versions (parsing every file is all
    /// there is).
    #[arg(long, hide = true)]
    pub no_prefilter: bool,
    /// Neither read nor write the cache (pairlint/ in the target directory cargo names).
    #[arg(long)]
    pub no_cache: bool,
    /// Follow symlinks (and `#[path]` modules) that lead outside the tree being linted.
    #[arg(long)]
    pub follow_external_symlinks: bool,
    /// Lint test code too: test, example and bench targets, `#[cfg(test)]` modules and
    /// items, `#[test]` fns (left out by default).
    #[arg(long)]
    pub include_tests: bool,
    /// List every file not linted because no target compiles it.
    #[arg(short, long)]
    pub verbose: bool,
    /// Files or directories to lint instead of the cargo workspace.
    pub paths: Vec<PathBuf>,
}

/// Runs the CLI with `args` (argv, including the program name) in directory `cwd`.
/// Returns the exit code.
pub fn run(args: Vec<OsString>, cwd: &Path, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    run_with_env(args, cwd, &|key| std::env::var_os(key), stdout, stderr)
}

/// The environment variables a run reads (`GITHUB_STEP_SUMMARY`, `CARGO`), so tests
/// can supply their own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

/// [`run`] with the environment lookup given.
pub fn run_with_env(
    args: Vec<OsString>,
    cwd: &Path,
    env: Env<'_>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    // `cargo pairlint ...` runs `cargo-pairlint pairlint ...`.
    let mut args = args;
    if args.get(1).is_some_and(|a| a == "pairlint") {
        args.remove(1);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            let _ = if e.use_stderr() { write!(stderr, "{text}") } else { write!(stdout, "{text}") };
            return code;
        }
    };
    match cli.command {
        None => check(&cli.check, cwd, env, stdout, stderr),
        Some(Command::Check(args)) => check(&args, cwd, env, stdout, stderr),
        Some(Command::Demo(args)) => demo(&args, stdout, stderr),
        // The protocol owns the real stdin/stdout, not the writers given here.
        Some(Command::Lsp { .. }) => crate::lsp::run_stdio(),
        Some(Command::Rules) => {
            let _ = write!(stdout, "{}", rules_table());
            0
        }
        Some(Command::Explain { rule }) => match rules::find(&rule) {
            Some(r) => {
                let _ = write!(stdout, "{}", r.doc);
                0
            }
            None => {
                let known: Vec<&str> = rules::RULES.iter().map(|r| r.code).collect();
                let _ = writeln!(stderr, "error: unknown rule `{rule}` (known: {})", known.join(", "));
                2
            }
        },
    }
}

/// `cargo pairlint rules`.
pub fn rules_table() -> String {
    let mut out = String::from("code   name                             level    summary\n");
    for r in rules::RULES {
        let level = match r.default_severity {
            crate::finding::Severity::Error => "error",
            crate::finding::Severity::Warning => "warning",
        };
        out.push_str(&format!("{:<6} {:<32} {:<8} {}\n", r.code, r.name, level, r.summary));
    }
    out
}

fn human_options(color: Color) -> HumanOptions {
    use std::io::IsTerminal;
    let color = match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    HumanOptions { color, ..HumanOptions::default() }
}

fn check(args: &CheckArgs, cwd: &Path, env: Env<'_>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let opts = HumanOptions { verbose: args.verbose, ..human_options(args.color) };
    let format = if args.message_format.is_some() { Format::RustcJson } else { args.format };
    if args.with_cargo_check && format != Format::RustcJson {
        let _ = writeln!(stderr, "error: --with-cargo-check needs --format rustc-json (or --message-format=json)");
        return 2;
    }
    // The compiler's messages first, as `cargo check` would print them.
    let cargo_check = if args.with_cargo_check {
        match cargo_check::run(cwd, env("CARGO")) {
            Ok(c) => {
                let _ = stderr.write_all(c.stderr.as_bytes());
                for line in &c.messages {
                    let _ = writeln!(stdout, "{line}");
                }
                Some(c)
            }
            Err(e) => {
                let _ = writeln!(stderr, "error: {e}");
                return 2;
            }
        }
    } else {
        None
    };
    // A stream that was started must end, even when linting cannot start.
    let fail = |stdout: &mut dyn Write| {
        if cargo_check.is_some() {
            let _ = stdout.write_all(rustc_json::build_finished(false).as_bytes());
        }
        2
    };
    let jobs = args.jobs.map_or_else(engine::default_jobs, usize::from);
    let discover_opts =
        discover::DiscoverOptions { follow_external: args.follow_external_symlinks, include_tests: args.include_tests };
    let (discovery, root) = if args.paths.is_empty() {
        match engine::on_pool(jobs, || discover::discover_workspace_with(cwd, discover_opts)) {
            Ok(d) => {
                let root = d.workspace_root.clone();
                (d, root)
            }
            Err(e) => {
                let _ = write!(stderr, "{}", human::render_diagnostic(&e, &opts));
                return fail(stdout);
            }
        }
    } else {
        let paths: Vec<PathBuf> =
            args.paths.iter().map(|p| if p.is_absolute() { p.clone() } else { cwd.join(p) }).collect();
        // The cache's place is asked of cargo for the root, as the language server asks
        // it (see `cache::dir_for`), beside discovery so the two overlap (over a few
        // files cargo is the longer: docs/performance.md).
        let (mut d, target_directory) = engine::on_pool(jobs, || {
            rayon::join(
                || discover::discover_paths_with(&paths, discover_opts),
                || if args.no_cache { None } else { discover::target_directory(cwd) },
            )
        });
        d.workspace_root = cwd.to_path_buf();
        d.target_directory = target_directory;
        (d, cwd.to_path_buf())
    };
    let mut config = match config::load_config(&root) {
        Ok(c) => c,
        Err(e) => {
            let _ = write!(stderr, "{}", human::render_diagnostic(&e, &opts));
            return fail(stdout);
        }
    };
    config.include_tests = args.include_tests;
    let gates = match Gates::prepare(args, cwd, &root) {
        Ok(g) => g,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            return 2;
        }
    };
    let run_options = engine::RunOptions {
        jobs,
        cache: (!args.no_cache).then(|| {
            let vocab = crate::vocab::Vocabulary::new(&config.vocabulary);
            let dir = crate::cache::dir_for(&root, discovery.target_directory.as_deref());
            crate::cache::Cache::new(dir, &vocab)
        }),
        overlay: None,
    };
    let mut report = engine::lint_discovery_with(&discovery, &config, &run_options);
    if let Some(cache) = &run_options.cache {
        // A cache that cannot be trimmed costs disk, never the run.
        if let Err(e) = cache.evict(config.cache_bound()) {
            let _ = writeln!(stderr, "pairlint: warning: could not trim the cache: {e}");
        }
    }
    if args.min_confidence == MinConfidence::High {
        report.findings.retain(|f| f.confidence == crate::finding::Confidence::High);
    }
    if let Some(file) = &args.write_baseline {
        let file = cwd.join(file);
        if !report.errors.is_empty() {
            emit(&report, format, &opts, stdout);
            let _ = writeln!(
                stderr,
                "error: not writing baseline {}: {} file(s) could not be linted, so their findings are unknown",
                file.display(),
                report.errors.len()
            );
            return 2;
        }
        let written = baseline::from_report(&report);
        if let Err(e) = baseline::save(&written, &file) {
            let _ = writeln!(stderr, "error: {e}");
            return 2;
        }
        let _ = writeln!(stderr, "pairlint: wrote {} finding(s) to baseline {}", report.findings.len(), file.display());
        baseline::apply(&mut report, &written);
    }
    gates.apply(&mut report, &root);
    if let Some(reason) = &args.add_suppressions {
        let vocab = crate::vocab::Vocabulary::new(&config.vocabulary);
        let outcome = fix::add_suppressions(&report, &root, reason, &vocab);
        for line in outcome.added.iter().chain(&outcome.skipped) {
            let _ = writeln!(stderr, "pairlint: {line}");
        }
        let _ = writeln!(
            stderr,
            "pairlint: added {} suppression comment(s) in {} file(s), skipped {}; linting again",
            outcome.added.len(),
            outcome.files_changed,
            outcome.skipped.len()
        );
        let again = CheckArgs { add_suppressions: None, ..args.clone() };
        return check(&again, cwd, env, stdout, stderr);
    }
    // Filtered first, so levels and --deny-warnings see only what is reported.
    let lint_code = output::exit_code(&report, args.deny_warnings);
    let check_ok = cargo_check.as_ref().is_none_or(|c| c.success);
    match format {
        Format::RustcJson => {
            let packages = packages_of(&discovery);
            let mut text = rustc_json::render_messages(&report, &packages, &opts);
            text.push_str(&rustc_json::build_finished(check_ok && lint_code == 0));
            let _ = stdout.write_all(text.as_bytes());
        }
        Format::Github => {
            emit(&report, format, &opts, stdout);
            if let Some(path) = env("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
                let path = PathBuf::from(path);
                if let Err(e) = github::append_step_summary(&path, &report) {
                    let _ = writeln!(stderr, "pairlint: cannot append the step summary to {}: {e}", path.display());
                }
            }
        }
        _ => emit(&report, format, &opts, stdout),
    }
    // A build that does not compile fails the run like an error-level finding.
    let code = if check_ok { lint_code } else { lint_code.max(1) };
    output::with_exit_zero(code, args.exit_zero)
}

/// The discovered crates as cargo packages, for the rustc-json messages.
fn packages_of(discovery: &discover::Discovery) -> rustc_json::Packages {
    rustc_json::Packages(
        discovery
            .crates
            .iter()
            .map(|unit| rustc_json::Package {
                name: unit.name.clone(),
                manifest_dir: unit.root_dir.clone(),
                files: unit.files.iter().map(|f| engine::display_path(&discovery.workspace_root, f)).collect(),
            })
            .collect(),
    )
}

/// The gating filters of a check run, loaded before linting so a bad baseline,
/// patch or revision fails fast (exit 2).
#[derive(Default)]
struct Gates {
    baseline: Option<baseline::Baseline>,
    /// Changed lines and the repository root their paths are relative to.
    diff: Option<(PathBuf, diff::ChangedLines)>,
}

impl Gates {
    fn prepare(args: &CheckArgs, cwd: &Path, root: &Path) -> Result<Gates, String> {
        if let Some(reason) = &args.add_suppressions {
            fix::validate_reason(reason)?;
        }
        let mut gates = Gates::default();
        if let Some(file) = &args.baseline {
            gates.baseline = Some(baseline::load(&cwd.join(file))?);
        }
        if let Some(rev) = &args.new_from_rev {
            gates.diff = Some(diff::from_git(root, rev)?);
        }
        if let Some(file) = &args.new_from_patch {
            let file = cwd.join(file);
            let text = engine::read_source(&file).map_err(|e| format!("patch {}: {e}", file.display()))?;
            let changed = diff::parse_unified(&text).map_err(|e| format!("patch {}: {e}", file.display()))?;
            gates.diff = Some((diff::repo_root(root), changed));
        }
        Ok(gates)
    }

    fn apply(&self, report: &mut Report, root: &Path) {
        if let Some(b) = &self.baseline {
            baseline::apply(report, b);
        }
        if let Some((top, changed)) = &self.diff {
            diff::apply(report, changed, root, top);
        }
    }
}

/// Writes a report in the chosen format (rustc-json without package context).
pub fn emit(report: &Report, format: Format, opts: &HumanOptions, stdout: &mut dyn Write) {
    let text = match format {
        Format::Human => human::render(report, opts),
        Format::Json => output::json::render(report),
        Format::Sarif => output::sarif::render(report),
        Format::Github => github::render(report),
        Format::RustcJson => {
            let mut text = rustc_json::render_messages(report, &rustc_json::Packages::default(), opts);
            text.push_str(&rustc_json::build_finished(output::exit_code(report, false) == 0));
            text
        }
    };
    let _ = stdout.write_all(text.as_bytes());
}

/// Default config, for callers that lint without a workspace.
pub fn default_config() -> Config {
    Config::default()
}

fn demo(args: &DemoArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    if args.requests == 0 || args.kiosks == 0 || !(0.0..=1.0).contains(&args.late_fraction) {
        let _ = writeln!(stderr, "error: --requests and --kiosks must be positive and --late-fraction within 0..=1");
        return 2;
    }
    let params = SimParams {
        seed: args.seed,
        requests: args.requests,
        kiosks: args.kiosks,
        legacy_kiosks: SimParams::default().legacy_kiosks.min(args.kiosks),
        timeout_ms: args.timeout_ms,
        late_fraction: args.late_fraction,
        ..SimParams::default()
    };
    let outcome = crate::demo::run(&params);
    let opts = human_options(args.color);
    match args.format {
        DemoFormat::Json => {
            let text = serde_json::to_string_pretty(&crate::demo::to_json(&outcome)).unwrap_or_default();
            let _ = writeln!(stdout, "{text}");
        }
        DemoFormat::Human => {
            let mut out = crate::demo::simulation_table(&outcome);
            out.push_str("\n== pairlint on the flawed variant (crates/pairlint-reference/src/flawed.rs)\n\n");
            out.push_str(&human::render(&outcome.flawed, &opts));
            out.push_str("\n== pairlint on the fixed variant (crates/pairlint-reference/src/fixed.rs)\n\n");
            out.push_str(&human::render(&outcome.fixed, &opts));
            out.push('\n');
            if outcome.ok() {
                out.push_str("demo: ok: the flawed variant mis-prints and shows exactly its expected findings; the fixed variant shows none\n");
            } else {
                out.push_str("demo: FAILED\n");
                for m in &outcome.mismatches {
                    out.push_str(&format!("  {m}\n"));
                }
            }
            let _ = stdout.write_all(out.as_bytes());
        }
    }
    if outcome.ok() {
        0
    } else {
        1
    }
}
