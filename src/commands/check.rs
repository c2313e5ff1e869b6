//! `dsock check [--format human|json|github] [--no-upstream-linters] [--struct-info] [FILE...]`:
//! lint the backend and validate the series. The checks are [`dsock_core::checks`] (rules
//! DS101–DS106 there, DS0xx in `dsock-lint`); this module picks the mode, filters and
//! renders the report.
//!
//! Exit status: 0 clean, 1 findings, 2 usage/environment error.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::PathBuf;

use dsock_core::checks::{check_files, check_series, constants_for, Report, SeriesOptions};
use dsock_lint::diagnostic::{render_github, render_human};

use crate::config;
use crate::context::CommandContext;
use crate::error::CommandResult;
use crate::exit::ExitStatus;
use crate::series::Series;

/// Output format of `dsock check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CheckFormat {
    /// Findings with a code frame and help, then SKIPPED lines and a summary.
    #[default]
    Human,
    /// One JSON document: `{"diagnostics": [...], "skipped": [...], "ran": [...], "summary": {...}}`.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::…`).
    Github,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Lint only these Emscripten JS library files (no series validation).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Do not run upstream's eslint and ruff on the patched files.
    #[arg(long)]
    pub no_upstream_linters: bool,
    /// Regenerate struct_info_generated*.json with gen_struct_info.py and compare
    /// (needs the checkout and the toolchain; takes a while).
    #[arg(long)]
    pub struct_info: bool,
    /// Only report these rule codes (comma-separated, e.g. DS001,DS013).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,
    /// Do not report these rule codes (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
}

fn filter(report: &mut Report, args: &Args) {
    let norm = |v: &[String]| v.iter().map(|s| s.trim().to_ascii_uppercase()).collect::<BTreeSet<_>>();
    let (select, ignore) = (norm(&args.select), norm(&args.ignore));
    report.diagnostics.retain(|d| {
        let c = d.code.to_ascii_uppercase();
        (select.is_empty() || select.contains(&c)) && !ignore.contains(&c)
    });
}

/// Render the report in `format`.
pub fn render(report: &Report, format: CheckFormat) -> String {
    let mut s = String::new();
    match format {
        CheckFormat::Human => {
            for d in &report.diagnostics {
                s.push_str(&render_human(d));
                s.push('\n');
            }
            for r in &report.ran {
                s.push_str(&format!("ran: {r}\n"));
            }
            for k in &report.skipped {
                s.push_str(&format!("{k}\n"));
            }
            let n = report.diagnostics.len();
            s.push_str(&format!("{n} finding{}\n", if n == 1 { "" } else { "s" }));
        }
        CheckFormat::Json => {
            let v = serde_json::json!({
                "diagnostics": report.diagnostics,
                "ran": report.ran,
                "skipped": report.skipped,
                "summary": { "findings": report.diagnostics.len(), "skipped": report.skipped.len() },
            });
            s.push_str(&serde_json::to_string_pretty(&v).expect("serializable"));
            s.push('\n');
        }
        CheckFormat::Github => {
            for d in &report.diagnostics {
                s.push_str(&render_github(d));
            }
            for k in &report.skipped {
                s.push_str(&format!("::warning title=dsock check::{}\n", k.replace('%', "%25").replace('\n', "%0A")));
            }
        }
    }
    s
}

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    let mut report = if !args.files.is_empty() {
        let mut report = Report::default();
        let checkout = config::checkout_path(&ctx.global)?.map(|(p, _)| p);
        // Inside a dsock repo, the names the series adds to struct_info are known too.
        let root = ctx.repo_root().ok();
        let series = root.as_deref().and_then(|r| Series::load(r).ok());
        let constants = constants_for(root.as_deref(), series.as_ref(), checkout.as_deref(), &mut report);
        check_files(&args.files, constants, &mut report)?;
        report
    } else {
        let root = ctx.repo_root()?;
        let checkout = match config::checkout_path(&ctx.global)? {
            Some(_) => Some(config::resolve_checkout(&ctx.global)?),
            None => None,
        };
        let opts = SeriesOptions { upstream_linters: !args.no_upstream_linters, struct_info: args.struct_info };
        check_series(&root, checkout.as_ref().map(|c| (c.path.as_path(), &c.git)), &opts)?
    };
    filter(&mut report, args);
    dsock_lint::sort(&mut report.diagnostics);
    let text = render(&report, args.format);
    ctx.out.write_all(text.as_bytes())?;
    if args.format != CheckFormat::Human {
        for k in &report.skipped {
            writeln!(ctx.err, "{k}")?;
        }
    }
    Ok(if report.diagnostics.is_empty() { ExitStatus::Success } else { ExitStatus::Failure })
}

