//! Command-line interface: argument parsing and dispatch. Everything here is callable
//! in-process (tests call [`run`] with their own writers).

use crate::config::{self, Config};
use crate::discover;
use crate::engine::{self, Report};
use crate::output::{self, human, HumanOptions};
use crate::reference::sim::SimParams;
use crate::rules;
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
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
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
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Worker threads [default: the number of available cores].
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Parse every file, even those the lexer pre-pass shows cannot contribute.
    #[arg(long)]
    pub no_prefilter: bool,
    /// Neither read nor write the per-file cache under target/pairlint/.
    #[arg(long)]
    pub no_cache: bool,
    /// Files or directories to lint instead of the cargo workspace.
    pub paths: Vec<PathBuf>,
}

/// Runs the CLI with `args` (argv, including the program name) in directory `cwd`.
/// Returns the exit code.
pub fn run(args: Vec<OsString>, cwd: &Path, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
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
            let _ = if e.use_stderr() {
                write!(stderr, "{text}")
            } else {
                write!(stdout, "{text}")
            };
            return code;
        }
    };
    match cli.command {
        None => check(&cli.check, cwd, stdout, stderr),
        Some(Command::Check(args)) => check(&args, cwd, stdout, stderr),
        Some(Command::Demo(args)) => demo(&args, stdout, stderr),
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
    HumanOptions {
        color,
        ..HumanOptions::default()
    }
}

fn check(args: &CheckArgs, cwd: &Path, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let opts = human_options(args.color);
    let (discovery, root) = if args.paths.is_empty() {
        match discover::discover_workspace(cwd) {
            Ok(d) => {
                let root = d.workspace_root.clone();
                (d, root)
            }
            Err(e) => {
                let _ = write!(stderr, "{}", human::render_diagnostic(&e, &opts));
                return 2;
            }
        }
    } else {
        let paths: Vec<PathBuf> = args
            .paths
            .iter()
            .map(|p| if p.is_absolute() { p.clone() } else { cwd.join(p) })
            .collect();
        let mut d = discover::discover_paths(&paths);
        d.workspace_root = cwd.to_path_buf();
        (d, cwd.to_path_buf())
    };
    let config = match config::load_config(&root) {
        Ok(c) => c,
        Err(e) => {
            let _ = write!(stderr, "{}", human::render_diagnostic(&e, &opts));
            return 2;
        }
    };
    let run_options = engine::RunOptions {
        jobs: args.jobs.map_or_else(engine::default_jobs, usize::from),
        prefilter: !args.no_prefilter,
        cache: (!args.no_cache).then(|| {
            let vocab = crate::vocab::Vocabulary::new(&config.vocabulary);
            crate::cache::Cache::new(crate::cache::Cache::default_dir(&root), &vocab)
        }),
    };
    let report = engine::lint_discovery_with(&discovery, &config, &run_options);
    emit(&report, args.format, &opts, stdout);
    output::exit_code(&report, args.deny_warnings)
}

/// Writes a report in the chosen format.
pub fn emit(report: &Report, format: Format, opts: &HumanOptions, stdout: &mut dyn Write) {
    let text = match format {
        Format::Human => human::render(report, opts),
        Format::Json => output::json::render(report),
    };
    let _ = stdout.write_all(text.as_bytes());
}

/// Default config, for callers that lint without a workspace.
pub fn default_config() -> Config {
    Config::default()
}

fn demo(args: &DemoArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    if args.requests == 0 || args.kiosks == 0 || !(0.0..=1.0).contains(&args.late_fraction) {
        let _ = writeln!(
            stderr,
            "error: --requests and --kiosks must be positive and --late-fraction within 0..=1"
        );
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
        Format::Json => {
            let text = serde_json::to_string_pretty(&crate::demo::to_json(&outcome)).unwrap_or_default();
            let _ = writeln!(stdout, "{text}");
        }
        Format::Human => {
            let mut out = crate::demo::simulation_table(&outcome);
            out.push_str("\n== pairlint on the flawed variant (src/reference/flawed.rs)\n\n");
            out.push_str(&human::render(&outcome.flawed, &opts));
            out.push_str("\n== pairlint on the fixed variant (src/reference/fixed.rs)\n\n");
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
