//! `dsock bench`: throughput and latency of -sDIRECT_SOCKETS against native,
//! -sNODERAWSOCKETS, the browser's own ceiling (the same server in plain JS on Direct
//! Sockets) and the prior art, measured side by side in one run (see docs/bench.md).
//!
//! The Emscripten builds use the toolchain environment of `dsock test` (`dsock toolchain`)
//! and, by default, the series materialized on a temporary work tree of the checkout, as
//! `dsock test --apply` does; `--use-checkout` builds with the checkout as it is.
//!
//! Writes `<out>/latest.json` (schema `dsock-bench/1`, see `crate::bench::report`),
//! `<out>/latest.md` (the README table) and `<out>/<workload>.svg`, and prints
//! the table. Exit status: 0 when every requested variant ran every workload,
//! 1 when a variant was unavailable or a run failed (the table says which and why).

use std::path::{Path, PathBuf};

use crate::bench::model::{Variant, Workload, ALL_VARIANTS, ALL_WORKLOADS, DEFAULT_VARIANTS};
use crate::bench::prior_art;
use crate::bench::report::{Report, VariantStatus, SCHEMA};
use crate::bench::runner::{self, Config};
use crate::context::CommandContext;
use crate::error::{CommandError, CommandResult};
use crate::exit::ExitStatus;
use crate::series::Series;
use crate::testrun::{preflight, python, worktree};
use crate::toolchain::Layout;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    dsock bench --quick                                     # smoke run, a few minutes\n  \
    dsock bench --prior-art ~/src/Socket.IWA               # full run with the prior art, < 30 min\n  \
    dsock bench --workloads udp-constant,tcp-rr --variants chromium-js,chromium-jspi --repeats 5\n  \
    dsock bench --use-checkout --variants chromium-jspi     # the checkout's own tree (e.g. a branch being edited)")]
pub struct Args {
    /// Smaller workloads (10k burst, 1 s constant/ramp, 8 MiB bulk, 1k round trips),
    /// 1 measured run: a smoke run in about a minute or two.
    #[arg(long)]
    pub quick: bool,
    /// Comma-separated workloads [default: all]: udp-burst, udp-constant, udp-ramp, tcp-bulk, tcp-rr.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub workloads: Vec<String>,
    /// Comma-separated builds [default: native,node,chromium-jspi,chromium-pthread,chromium-js,
    /// chromium-js-thread, and prior-art when --prior-art is given; also: node-pthread]. native
    /// is always added: ratios divide by it.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub variants: Vec<String>,
    /// Measured runs per workload and variant [default: 3, or 1 with --quick].
    #[arg(long, value_name = "N")]
    pub repeats: Option<usize>,
    /// Discarded warm-up runs before the measured ones.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub warmup: usize,
    /// Output directory for latest.json, latest.md, the SVG charts and the builds
    /// [default: <repo>/target/dsock/bench].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Native C compiler for the baseline and the load generator.
    #[arg(
        long,
        env = "DSOCK_BENCH_CC",
        default_value = "clang-22",
        value_name = "CC"
    )]
    pub cc: String,
    /// Do not measure: redraw latest.md and the SVG charts (into --out, default: next to the
    /// file) from a saved report JSON.
    #[arg(long, value_name = "JSON")]
    pub render: Option<PathBuf>,
    /// Build with the series materialized on a temporary work tree of the checkout (the default
    /// unless --use-checkout; the checkout's own work tree and branches stay untouched).
    #[arg(long, conflicts_with = "use_checkout")]
    pub apply: bool,
    /// Build with the checkout's work tree as it is (it must contain the series, e.g. a
    /// `dsock apply` branch being edited) instead of a temporary work tree of the series.
    #[arg(long)]
    pub use_checkout: bool,
    /// A clone of the prior art (https://github.com/maceip/Socket.IWA: a work tree or a git
    /// directory) to build dsbench.c with as the `prior-art` variant; its code is used, never
    /// copied into this repository.
    #[arg(long, env = "DSOCK_BENCH_PRIOR_ART", value_name = "PATH")]
    pub prior_art: Option<PathBuf>,
    /// Write a CPU profile (.cpuprofile, Chrome DevTools format) of each browser variant's page
    /// and workers into DIR, recorded over CDP from READY to the end of the run.
    #[arg(long, value_name = "DIR")]
    pub profile: Option<PathBuf>,
    /// Write a Chromium trace (Trace Event JSON: every thread's tasks) of each browser variant
    /// into DIR as <variant>.json, recorded over CDP from READY to the end of the run; summarise
    /// it with test-browser/bench/trace-summary.mjs. Tracing slows the browser.
    #[arg(long, value_name = "DIR")]
    pub trace: Option<PathBuf>,
    /// Chromium executable for the IWA variants.
    #[arg(
        long,
        env = "DSOCK_CHROMIUM",
        default_value = "/usr/bin/chromium",
        value_name = "PATH"
    )]
    pub chromium: PathBuf,
}

fn parse_list<T: Copy>(
    items: &[String],
    all: &[T],
    id: fn(T) -> &'static str,
    what: &str,
) -> CommandResult<Vec<T>> {
    let mut out = Vec::new();
    for item in items.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let Some(x) = all.iter().copied().find(|x| id(*x) == item) else {
            let known: Vec<&str> = all.iter().map(|x| id(*x)).collect();
            return Err(CommandError::usage(format!("unknown {what} `{item}`"))
                .with_hint(format!("choose from: {}", known.join(", "))));
        };
        if !out.iter().any(|y| id(*y) == item) {
            out.push(x);
        }
    }
    Ok(out)
}

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    if let Some(json) = &args.render {
        return render(ctx, json, args.out.as_deref());
    }
    let repo_root = ctx.repo_root()?;
    let mut workloads = parse_list(&args.workloads, &ALL_WORKLOADS, Workload::id, "workload")?;
    if workloads.is_empty() {
        workloads = ALL_WORKLOADS.to_vec();
    }
    workloads.sort();
    let mut variants = parse_list(&args.variants, &ALL_VARIANTS, Variant::id, "variant")?;
    if variants.is_empty() {
        variants = DEFAULT_VARIANTS.to_vec();
        if args.prior_art.is_some() {
            variants.push(Variant::PriorArt);
        }
    }
    if !variants.contains(&Variant::Native) {
        variants.push(Variant::Native);
    }
    variants.sort();
    let repeats = args.repeats.unwrap_or(if args.quick { 1 } else { 3 });
    if repeats == 0 {
        return Err(CommandError::usage("--repeats must be at least 1")
            .with_hint("pass --repeats 1 or more"));
    }
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| repo_root.join("target/dsock/bench"));
    std::fs::create_dir_all(&out_dir)?;
    for dir in [&args.profile, &args.trace].into_iter().flatten() {
        std::fs::create_dir_all(dir)?;
    }
    if !repo_root.join(runner::SOURCES).join("dsbench.c").is_file() {
        return Err(CommandError::environment(format!(
            "{} has no {}/dsbench.c",
            repo_root.display(),
            runner::SOURCES
        ))
        .with_hint("run dsock bench from a dsock clone, or pass --repo PATH"));
    }

    let env = prepare(ctx, args, &repo_root, &variants)?;
    let absolute = |dir: &Option<PathBuf>| {
        dir.as_ref()
            .map(|d| std::path::absolute(d).unwrap_or(d.clone()))
    };
    let cfg = Config {
        repo_root: repo_root.clone(),
        out_dir: out_dir.clone(),
        emscripten: env.tree.clone(),
        emscripten_label: env.label.clone(),
        env: env.vars.clone(),
        prior_art: env.prior_art.clone(),
        profile_dir: absolute(&args.profile),
        trace_dir: absolute(&args.trace),
        cc: args.cc.clone(),
        chromium: args.chromium.clone(),
        quick: args.quick,
        warmup: args.warmup,
        repeats,
        workloads,
        variants,
    };
    let report = runner::run(&cfg, &mut ctx.err);
    drop(env);

    let json =
        serde_json::to_string_pretty(&report).map_err(|e| CommandError::internal(e.to_string()))?;
    std::fs::write(out_dir.join("latest.json"), json + "\n")?;
    let md = write_views(&report, &out_dir)?;
    writeln!(ctx.out, "{md}")?;
    writeln!(
        ctx.out,
        "Wrote {} (JSON), latest.md and {} chart(s) in {:.0} s.",
        out_dir.join("latest.json").display(),
        report.workloads.len(),
        report.duration_s
    )?;

    let all_ran = report
        .variants
        .iter()
        .all(|v| v.status == VariantStatus::Ran);
    let no_failed_runs = report
        .workloads
        .iter()
        .all(|w| w.runs.iter().all(|r| r.error.is_none()));
    Ok(if all_ran && no_failed_runs {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

use std::io::Write as _;

/// The build environment of a run: the toolchain variables, the Emscripten tree and the
/// prior-art source. Holds the temporary work tree (removed on drop).
struct BuildEnv {
    vars: Vec<(String, String)>,
    tree: Option<PathBuf>,
    label: Option<String>,
    prior_art: Option<prior_art::Source>,
    _temp: Option<worktree::TempTree>,
}

/// Resolve what the emcc variants need, the way `dsock test` does: the toolchain written by
/// `dsock toolchain`, the checkout from `--emscripten`/`DSOCK_EMSCRIPTEN`/`dsock setup`, and
/// the series materialized on a temporary work tree (`--use-checkout`: the checkout itself,
/// which must then contain the series). Only native and the plain-JS variants need none of it.
///
/// Errors (exit 2, naming the next command): no toolchain, no checkout, a series that does
/// not load or apply, `--use-checkout` on a checkout without the series.
fn prepare(
    ctx: &mut CommandContext,
    args: &Args,
    repo_root: &Path,
    variants: &[Variant],
) -> CommandResult<BuildEnv> {
    let mut env = BuildEnv {
        vars: Vec::new(),
        tree: None,
        label: None,
        prior_art: None,
        _temp: None,
    };
    let needs_emcc = variants
        .iter()
        .any(|v| v.is_wasm() && !v.is_plain_js());
    if !needs_emcc {
        return Ok(env);
    }
    let layout = Layout::default_layout();
    preflight::check_toolchain(&layout)?;
    let python = python::python_executable();
    env.vars = layout.run_env(&python);
    let checkout = crate::config::resolve_checkout(&ctx.global)?;
    let needs_series = variants
        .iter()
        .any(|v| matches!(v, Variant::ChromiumJspi | Variant::ChromiumPthread));
    let series = Series::load(repo_root);
    if let (Some(path), true) = (&args.prior_art, variants.contains(&Variant::PriorArt)) {
        let base = match &series {
            Ok(s) => s.upstream.base.clone(),
            Err(_) => "HEAD".into(),
        };
        env.prior_art = Some(prior_art::Source {
            path: std::path::absolute(path).unwrap_or(path.clone()),
            checkout: checkout.git.clone(),
            checkout_dir: checkout.path.clone(),
            base,
            python: python.clone(),
        });
    }
    if args.use_checkout || !needs_series {
        preflight::check_bootstrapped(&checkout.path)?;
        if needs_series && !checkout.path.join(DIRECT_BACKEND).is_file() {
            return Err(CommandError::environment(format!(
                "the checkout {} does not contain the series (no {DIRECT_BACKEND})",
                checkout.path.display()
            ))
            .with_hint("drop --use-checkout (dsock bench then builds the series on a temporary work tree), or run `dsock apply` and check out its branch"));
        }
        // A cache per system/ tree (see Layout::cache_for_system), as dsock test does.
        env.vars.extend(layout.cache_var_for(&checkout.path));
        env.tree = Some(checkout.path.clone());
        return Ok(env);
    }
    let series = series.map_err(|e| {
        CommandError::environment(format!(
            "the Direct Sockets builds need the series, but {} does not load: {e}",
            Series::manifest_path(repo_root).display()
        ))
        .with_hint("run `dsock check` to see what is wrong with the series, or pass --use-checkout with a checkout that has it applied")
    })?;
    writeln!(
        ctx.err,
        "bench: materializing the series on a temporary work tree of {} …",
        checkout.path.display()
    )?;
    let temp = worktree::materialize(&checkout.git, &checkout.path, &series, repo_root, &python)?;
    env.vars.extend(layout.cache_var_for(&temp.path));
    env.tree = Some(temp.path.clone());
    env.label = Some(format!(
        "series tip on a temporary work tree of {}",
        checkout.path.display()
    ));
    env._temp = Some(temp);
    Ok(env)
}

/// The backend file the series adds: its presence tells a checkout with the series applied.
const DIRECT_BACKEND: &str = "src/lib/libsockfs_direct.js";

/// Write latest.md and one SVG per workload into `dir`; returns the markdown.
fn write_views(report: &Report, dir: &Path) -> CommandResult<String> {
    let md = report.markdown();
    std::fs::write(dir.join("latest.md"), &md)?;
    for w in &report.workloads {
        std::fs::write(dir.join(format!("{}.svg", w.id)), report.svg(w))?;
    }
    Ok(md)
}

/// `--render JSON`: redraw the table and charts of a saved run.
fn render(ctx: &mut CommandContext, json: &Path, out: Option<&Path>) -> CommandResult {
    let text = std::fs::read_to_string(json)
        .map_err(|e| CommandError::usage(format!("cannot read {}: {e}", json.display())))?;
    let report: Report = serde_json::from_str(&text).map_err(|e| {
        CommandError::usage(format!(
            "{} is not a dsock bench report: {e}",
            json.display()
        ))
        .with_hint("pass a latest.json written by `dsock bench`")
    })?;
    if report.schema != SCHEMA {
        return Err(CommandError::usage(format!(
            "{} has schema {:?}, this dsock reads {SCHEMA:?}",
            json.display(),
            report.schema
        ))
        .with_hint("re-run `dsock bench` to get a report in the current schema"));
    }
    let dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| json.parent().unwrap_or(Path::new(".")).to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let md = write_views(&report, &dir)?;
    writeln!(ctx.out, "{md}")?;
    writeln!(
        ctx.out,
        "Wrote latest.md and {} chart(s) in {}.",
        report.workloads.len(),
        dir.display()
    )?;
    Ok(ExitStatus::Success)
}
