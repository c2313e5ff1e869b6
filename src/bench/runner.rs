//! Running a bench: build the load generator and each variant of the program
//! under test, start every variant's echo server, then for each workload run
//! warm-ups and repeats, interleaving the variants round by round so slow drift
//! in machine load hits them all alike.
//!
//! Every child is bounded: servers get `--max-seconds`, the generator gets
//! `--timeout-ms` per step and is killed 5 s past it, and server start-up has
//! its own deadline. A variant that cannot be built or started is reported as
//! unavailable with the reason; it never stops the others.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::model::{Step, Variant, Workload};
use super::cpu;
use super::quiet;
use super::report::{
    summarise, Host, Report, RunRecord, Settings, VariantReport, VariantStatus, WorkloadReport,
    SCHEMA,
};

/// Where the bench sources live, relative to the dsock repo root.
pub const SOURCES: &str = "test-browser/bench";

/// Everything a run needs, resolved by the command from its arguments.
#[derive(Debug, Clone)]
pub struct Config {
    pub repo_root: PathBuf,
    /// Build products go to `<out_dir>/build/`; the report next to it.
    pub out_dir: PathBuf,
    /// The Emscripten tree the emcc variants are built with: the series materialized on a
    /// temporary work tree of the checkout, or the checkout itself (`--use-checkout`).
    pub emscripten: Option<PathBuf>,
    /// How to read `emscripten` in the report's tool line, e.g. "series tip 1a2b… on a
    /// temporary work tree of ~/emscripten"; the commit is added when it is a git tree.
    pub emscripten_label: Option<String>,
    /// The toolchain environment `dsock test` uses (EM_CONFIG, EMCC_CFLAGS, PATH with node 26
    /// first, EMSDK_PYTHON), set on every emcc and node child.
    pub env: Vec<(String, String)>,
    /// Where and how to build the prior-art variant; `None` when no `--prior-art` was given.
    pub prior_art: Option<super::prior_art::Source>,
    /// Write a CPU profile of each browser variant (docs/bench.md "Profiles") into this directory.
    pub profile_dir: Option<PathBuf>,
    /// Write a Chromium trace of each browser variant (docs/bench.md "Profiles") into this
    /// directory.
    pub trace_dir: Option<PathBuf>,
    /// Native C compiler for the baseline and the load generator.
    pub cc: String,
    pub chromium: PathBuf,
    pub quick: bool,
    pub warmup: usize,
    pub repeats: usize,
    pub workloads: Vec<Workload>,
    pub variants: Vec<Variant>,
}

/// How to start one variant's server once built.
#[derive(Debug, Clone)]
struct Launch {
    program: PathBuf,
    args: Vec<String>,
    ready_timeout: Duration,
    /// Said in the report next to the variant (see `VariantReport::notes`).
    notes: Vec<String>,
    /// The server failed to bind the ephemeral ports it asked for: start it again on explicit
    /// ports (`--udp-port`/`--tcp-port`, free ones picked natively), and say so.
    retry_on_explicit_ports: bool,
}

/// A running echo server and the lines it printed.
struct Server {
    child: Child,
    lines: Receiver<String>,
    log: Arc<Mutex<Vec<String>>>,
    udp: u16,
    tcp: u16,
}

/// Progress lines go to `progress` (the command's stderr).
pub fn run(cfg: &Config, progress: &mut dyn Write) -> Report {
    let t0 = Instant::now();
    let started_at = rfc3339_now();
    // Before anything runs: the load average "at start", and the wake on an idle machine.
    let host = host_info();
    let build_dir = cfg.out_dir.join("build");
    let _ = std::fs::create_dir_all(&build_dir);
    let src = cfg.repo_root.join(SOURCES);
    let mut tools = BTreeMap::new();
    tools.insert(
        "cc".into(),
        first_line(&cfg.cc, &["--version"]).unwrap_or_else(|| "?".into()),
    );

    let peer = build_dir.join("dsbench-peer");
    let peer_build = compile_native(
        &cfg.cc,
        &[
            "-O2".into(),
            "-pthread".into(),
            "-o".into(),
            peer.display().to_string(),
            src.join("dsbench_peer.c").display().to_string(),
            "-lm".into(),
        ],
    );

    let mut variant_reports = Vec::new();
    let mut servers: Vec<(Variant, Server)> = Vec::new();
    let max_seconds = server_max_seconds(cfg);
    // Build everything first, then start the servers: a slow build (the prior art's first one
    // fills a cache for minutes) must not eat into the servers' --max-seconds.
    let mut launches = Vec::new();
    for &v in &cfg.variants {
        let _ = writeln!(progress, "bench: building {} ({})", v.id(), v.describe());
        let launch = match &peer_build {
            Err(e) => Err(format!("load generator did not build: {e}")),
            Ok(()) => build_variant(cfg, v, &src, &build_dir, max_seconds, &mut tools, progress),
        };
        launches.push((v, launch));
    }
    for (v, launch) in launches {
        let mut notes = Vec::new();
        let started = launch.and_then(|mut l| {
            let _ = writeln!(progress, "bench: starting {}", v.id());
            notes = std::mem::take(&mut l.notes);
            match start_server(&l, &cfg.env) {
                // Chromium on a loaded machine sometimes never gets the app window up
                // (seen once in 6 starts at load average 14): one more try, said in the report.
                Err(e) if v.is_browser() && e.starts_with("no READY line") => {
                    let _ = writeln!(progress, "bench: {} did not start ({e}); trying once more", v.id());
                    notes.push(format!("Started at the second attempt (first: {})", truncate_reason(&e)));
                    start_server(&l, &cfg.env)
                }
                Err(e) if l.retry_on_explicit_ports && e.contains("bind") => {
                    let _ = writeln!(
                        progress,
                        "bench: {} failed on port 0 ({e}); retrying on explicit ports",
                        v.id()
                    );
                    let (udp, tcp) = free_ports()?;
                    notes.push(format!(
                        "**Fails to bind port 0** ({}); measured on explicit ports instead",
                        truncate_reason(&e)
                    ));
                    l.args.extend([
                        "--udp-port".to_string(),
                        udp.to_string(),
                        "--tcp-port".to_string(),
                        tcp.to_string(),
                    ]);
                    start_server(&l, &cfg.env)
                }
                other => other,
            }
        });
        match started {
            Ok(server) => {
                let _ = writeln!(
                    progress,
                    "bench: {} ready (udp {}, tcp {})",
                    v.id(),
                    server.udp,
                    server.tcp
                );
                variant_reports.push(VariantReport {
                    id: v.id().into(),
                    describe: v.describe().into(),
                    status: VariantStatus::Ran,
                    reason: None,
                    notes,
                });
                servers.push((v, server));
            }
            Err(reason) => {
                let _ = writeln!(progress, "bench: {} not run: {}", v.id(), reason);
                variant_reports.push(VariantReport {
                    id: v.id().into(),
                    describe: v.describe().into(),
                    status: VariantStatus::Unavailable,
                    reason: Some(reason),
                    notes,
                });
            }
        }
    }

    let cpus = host.cpus;
    // What the machine does with every server up and idle; runs wait for it (see quiet.rs).
    let threshold = quiet::baseline(cpus, quiet::BASELINE_WINDOW).unwrap_or(0.0) + quiet::QUIET_BUSY_CPUS;
    let mut previous: Option<&str> = None;
    let mut workloads = Vec::new();
    for &w in &cfg.workloads {
        let steps = w.steps(cfg.quick);
        let mut runs = Vec::new();
        let rounds = cfg.warmup + cfg.repeats;
        for round in 0..rounds {
            let warmup = round < cfg.warmup;
            let index = if warmup {
                round + 1
            } else {
                round - cfg.warmup + 1
            };
            // Rotate the order each round so no variant always goes first.
            let n = servers.len().max(1);
            for k in 0..servers.len() {
                let (v, server) = &mut servers[(k + round) % n];
                // A server still busy after its run would slow this one (see quiet.rs).
                let quiet = quiet::wait_for_quiet(cpus, threshold, quiet::QUIET_MAX_WAIT, previous);
                let mut record = run_once(&peer, server, w, &steps, *v, warmup, index);
                record.quiet = quiet;
                previous = Some(v.id());
                let _ = writeln!(
                    progress,
                    "bench: {} {} {}",
                    w.id(),
                    v.id(),
                    describe_run(&record)
                );
                runs.push(record);
            }
        }
        let metrics = summarise(w, &runs, &cfg.variants);
        workloads.push(WorkloadReport {
            id: w.id().into(),
            title: w.title(cfg.quick),
            metrics,
            runs,
        });
    }

    for (v, server) in servers {
        let _ = writeln!(progress, "bench: stopping {}", v.id());
        stop_server(&peer, server);
    }

    Report {
        schema: SCHEMA.into(),
        started_at,
        duration_s: t0.elapsed().as_secs_f64(),
        host: Host { tools, ..host },
        settings: Settings {
            quick: cfg.quick,
            warmup: cfg.warmup,
            repeats: cfg.repeats,
        },
        variants: variant_reports,
        workloads,
    }
}

/// Servers outlive the whole run but not by much: an estimate of the run's
/// length with generous slack, so a wedged run still ends by itself.
fn server_max_seconds(cfg: &Config) -> u64 {
    let per_round: u64 = cfg
        .workloads
        .iter()
        .map(|w| {
            w.steps(cfg.quick)
                .iter()
                .map(|s| s.timeout_ms / 1000 + 5)
                .sum::<u64>()
        })
        .sum();
    let rounds = (cfg.warmup + cfg.repeats) as u64;
    (per_round * rounds * cfg.variants.len() as u64 + 120).min(3600)
}

fn describe_run(r: &RunRecord) -> String {
    let tag = if r.warmup {
        format!("warm-up {}", r.index)
    } else {
        format!("run {}", r.index)
    };
    match &r.error {
        Some(e) => format!("{tag}: FAILED: {e}"),
        None => {
            let vals: Vec<String> = r
                .values
                .iter()
                .map(|(k, v)| format!("{k}={v:.2}"))
                .collect();
            format!("{tag}: {}", vals.join(" "))
        }
    }
}

fn run_once(
    peer: &Path,
    server: &mut Server,
    w: Workload,
    steps: &[Step],
    v: Variant,
    warmup: bool,
    index: usize,
) -> RunRecord {
    let mut raw = Vec::new();
    let mut error = None;
    let control = |cmd: &str| Step {
        args: vec![cmd.into(), "--port".into(), "{udp}".into()],
        timeout_ms: 4000,
    };
    let _ = run_step(peer, &control("reset"), server.udp, server.tcp);
    let cpu_before = cpu::tree_cpu(server.child.id());
    for step in steps {
        match run_step(peer, step, server.udp, server.tcp) {
            Ok(value) => raw.push(value),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    // After the steps, before STAT: the server's CPU time over the run, and its split by
    // process role, kept with the steps' results so that the metrics can divide it by their
    // units (model::server_cpu, model::role_cpu).
    if let (Some(before), Some(after)) = (cpu_before, cpu::tree_cpu(server.child.id())) {
        let used = after.since(&before);
        raw.push(serde_json::json!({
            "kind": "cpu",
            "server_cpu_ms": used.total_ms,
            "by_role_ms": used.by_role_ms,
        }));
    }
    let counters = run_step(peer, &control("stat"), server.udp, server.tcp).ok();
    // Drain what the server printed meanwhile (kept for the failure message).
    while let Ok(line) = server.lines.try_recv() {
        server.log.lock().unwrap().push(line);
    }
    if error.is_none() {
        if let Ok(Some(status)) = server.child.try_wait() {
            error = Some(format!("server exited ({status}): {}", tail(&server.log)));
        }
    }
    let mut values = BTreeMap::new();
    if error.is_none() {
        for m in w.metrics() {
            if let Some(x) = (m.extract)(&raw) {
                values.insert(m.id.to_string(), x);
            }
        }
    }
    RunRecord {
        variant: v.id().into(),
        warmup,
        index,
        error,
        values,
        raw,
        server: counters,
        quiet: None,
    }
}

/// Run one generator step; its last stdout line is the JSON result.
fn run_step(peer: &Path, step: &Step, udp: u16, tcp: u16) -> Result<Value, String> {
    let args: Vec<String> = step
        .args
        .iter()
        .map(|a| {
            a.replace("{udp}", &udp.to_string())
                .replace("{tcp}", &tcp.to_string())
        })
        .collect();
    let child = die_with_parent(Command::new(peer).args(&args))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", peer.display()))?;
    let out = wait_bounded(child, Duration::from_millis(step.timeout_ms + 5000))
        .map_err(|e| format!("dsbench-peer {}: {e}", args.join(" ")))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let value: Value = serde_json::from_str(last).map_err(|_| {
        format!(
            "dsbench-peer {} printed no JSON (exit {}): {}{}",
            args[0],
            out.status,
            last,
            String::from_utf8_lossy(&out.stderr).trim()
        )
    })?;
    if let Some(e) = value.get("error").and_then(Value::as_str) {
        return Err(e.to_string());
    }
    Ok(value)
}

/// Wait for `child` for at most `limit`, killing it past that.
fn wait_bounded(mut child: Child, limit: Duration) -> Result<std::process::Output, String> {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return child.wait_with_output().map_err(|e| e.to_string()),
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("killed after {} s", limit.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Ask the kernel to SIGTERM the child when dsock exits (Linux `PR_SET_PDEATHSIG`), so a
/// killed `dsock bench` does not leave servers and generators running until their own
/// `--max-seconds` bound (still there for other platforms and as a backstop). They also
/// inherit an outer `flock` on the browser lock, which they would otherwise keep holding.
/// Only spawn from the main thread: the signal follows the spawning thread's exit.
pub fn die_with_parent(cmd: &mut Command) -> &mut Command {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    cmd
}

fn start_server(l: &Launch, env: &[(String, String)]) -> Result<Server, String> {
    let mut child = die_with_parent(
        Command::new(&l.program)
            .args(&l.args)
            .envs(env.iter().map(|(k, v)| (k, v))),
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .map_err(|e| format!("cannot start {}: {e}", l.program.display()))?;
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let stderr = child.stderr.take().unwrap();
    let err_log = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            err_log.lock().unwrap().push(line);
        }
    });
    let deadline = Instant::now() + l.ready_timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left.min(Duration::from_millis(200))) {
            Ok(line) => {
                if let Some((udp, tcp)) = parse_ready(&line) {
                    return Ok(Server {
                        child,
                        lines: rx,
                        log,
                        udp,
                        tcp,
                    });
                }
                log.lock().unwrap().push(line);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                std::thread::sleep(Duration::from_millis(100));
                return Err(format!(
                    "server exited before READY ({status}): {}",
                    tail(&log)
                ));
            }
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "no READY line within {} s: {}",
                l.ready_timeout.as_secs(),
                tail(&log)
            ));
        }
    }
}

/// `DSBENCH READY udp=123 tcp=456` (possibly prefixed, e.g. by a console tag) → ports.
pub fn parse_ready(line: &str) -> Option<(u16, u16)> {
    let rest = &line[line.find("DSBENCH READY ")? + "DSBENCH READY ".len()..];
    let mut udp = None;
    let mut tcp = None;
    for part in rest.split_whitespace() {
        if let Some(p) = part.strip_prefix("udp=") {
            udp = p.parse().ok();
        } else if let Some(p) = part.strip_prefix("tcp=") {
            tcp = p.parse().ok();
        }
    }
    Some((udp.filter(|p| *p != 0)?, tcp.filter(|p| *p != 0)?))
}

fn stop_server(peer: &Path, mut server: Server) {
    let quit = Step {
        args: vec!["quit".into(), "--port".into(), "{udp}".into()],
        timeout_ms: 4000,
    };
    let _ = run_step(peer, &quit, server.udp, server.tcp);
    drop(server.child.stdin.take()); // EOF tells the IWA driver to close Chromium
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(Some(_)) = server.child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = server.child.kill();
    let _ = server.child.wait();
}

/// The last few lines a failed child printed, for the report.
fn tail(log: &Arc<Mutex<Vec<String>>>) -> String {
    let log = log.lock().unwrap();
    let lines: Vec<&str> = log
        .iter()
        .rev()
        .filter(|l| !l.trim().is_empty())
        .take(3)
        .map(String::as_str)
        .collect();
    if lines.is_empty() {
        "no output".into()
    } else {
        lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
    }
}

/// Two ports free on 127.0.0.1 right now (UDP, TCP), picked by binding port 0 natively.
fn free_ports() -> Result<(u16, u16), String> {
    let udp =
        std::net::UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("no free UDP port: {e}"))?;
    let tcp =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free TCP port: {e}"))?;
    let ports = (
        udp.local_addr().map_err(|e| e.to_string())?.port(),
        tcp.local_addr().map_err(|e| e.to_string())?.port(),
    );
    Ok(ports)
}

/// A server's failure, shortened for a table footnote.
fn truncate_reason(e: &str) -> String {
    let e = e.trim();
    match e.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &e[..i]),
        None => e.to_string(),
    }
}

fn compile_native(cc: &str, args: &[String]) -> Result<(), String> {
    let out = Command::new(cc)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {cc}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{cc} failed: {}", first_error(&out.stderr)))
    }
}

/// The most telling line of a compiler's stderr: the first `error` line, else the last line.
fn first_error(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    text.lines()
        .find(|l| l.contains("error"))
        .or_else(|| text.lines().last())
        .unwrap_or("no output")
        .trim()
        .to_string()
}

fn build_variant(
    cfg: &Config,
    v: Variant,
    src: &Path,
    build_dir: &Path,
    max_seconds: u64,
    tools: &mut BTreeMap<String, String>,
    progress: &mut dyn Write,
) -> Result<Launch, String> {
    let out = build_dir.join(v.id());
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let source = src.join("dsbench.c").display().to_string();
    let server_args = vec!["--max-seconds".to_string(), max_seconds.to_string()];
    let launch = |program: PathBuf, args: Vec<String>, secs: u64| Launch {
        program,
        args,
        ready_timeout: Duration::from_secs(secs),
        notes: Vec::new(),
        retry_on_explicit_ports: false,
    };
    match v {
        Variant::Native => {
            let exe = out.join("dsbench");
            compile_native(
                &cfg.cc,
                &["-O2".into(), "-o".into(), exe.display().to_string(), source],
            )?;
            return Ok(launch(exe, server_args, 10));
        }
        Variant::ChromiumJs | Variant::ChromiumJsThread => {
            let node = toolchain_node(cfg);
            let mut server_args = server_args;
            if v == Variant::ChromiumJsThread {
                server_args.extend(["--thread-hop".to_string(), "1".to_string()]);
            }
            let args = browser_args(
                cfg,
                src,
                &out,
                v,
                "js.html",
                max_seconds,
                server_args,
                tools,
            )?;
            return Ok(launch(PathBuf::from(node), args, 90));
        }
        Variant::PriorArt => {
            let pa = cfg.prior_art.as_ref().ok_or_else(|| {
                "no prior art given: pass --prior-art PATH (a clone of maceip/Socket.IWA, \
                 e.g. from `git clone https://github.com/maceip/Socket.IWA`) or set \
                 DSOCK_BENCH_PRIOR_ART"
                    .to_string()
            })?;
            let _ = writeln!(
                progress,
                "bench: building the prior art from {}",
                pa.path.display()
            );
            let built = super::prior_art::build(
                pa,
                &cfg.env,
                Path::new(&source),
                &v.emcc_flags(),
                &out,
                &build_dir.join("prior-art-cache"),
            )?;
            tools.insert("prior-art".into(), built.describe.clone());
            let node = toolchain_node(cfg);
            let args = browser_args(
                cfg,
                src,
                &out,
                v,
                "index.html",
                max_seconds,
                server_args,
                tools,
            )?;
            let mut l = launch(PathBuf::from(node), args, 90);
            l.notes = built.notes;
            l.retry_on_explicit_ports = true;
            return Ok(l);
        }
        _ => {}
    }
    let ems = cfg.emscripten.as_ref().ok_or_else(|| {
        "no Emscripten checkout configured: run `dsock setup --emscripten PATH` \
         (or pass --emscripten PATH / set DSOCK_EMSCRIPTEN)"
            .to_string()
    })?;
    let emcc = ems.join("emcc");
    if !emcc.exists() {
        return Err(format!(
            "{} does not exist (not an Emscripten checkout?)",
            emcc.display()
        ));
    }
    let ems_s = ems.display().to_string();
    if let Some(rev) = first_line("git", &["-C", &ems_s, "rev-parse", "--short=12", "HEAD"]) {
        let dirty = first_line(
            "git",
            &[
                "-C",
                &ems_s,
                "status",
                "--porcelain",
                "--untracked-files=no",
                "src",
                "tools",
            ],
        )
        .map(|_| ", with uncommitted changes")
        .unwrap_or("");
        let label = match &cfg.emscripten_label {
            Some(l) => format!("{rev} ({l}{dirty})"),
            None => {
                let branch =
                    first_line("git", &["-C", &ems_s, "rev-parse", "--abbrev-ref", "HEAD"])
                        .unwrap_or_default();
                format!("{ems_s} {rev} ({branch}{dirty})")
            }
        };
        tools.insert("emscripten".into(), label);
    }
    let js = out.join("dsbench.js");
    let mut args = vec![source, "-o".to_string(), js.display().to_string()];
    args.extend(v.emcc_flags().iter().map(|s| s.to_string()));
    // Profiles name wasm frames only with a name section (else `wasm-function[43]`); the
    // code itself is the same.
    if cfg.profile_dir.is_some() {
        args.push("--profiling-funcs".into());
    }
    let res = Command::new(&emcc)
        .args(&args)
        .envs(cfg.env.iter().map(|(k, v)| (k, v)))
        .output()
        .map_err(|e| format!("cannot run emcc: {e}"))?;
    if !res.status.success() {
        return Err(format!(
            "emcc {} failed: {}",
            v.emcc_flags().join(" "),
            first_error(&res.stderr)
        ));
    }
    let node = toolchain_node(cfg);
    tools
        .entry("node".into())
        .or_insert_with(|| first_line(&node, &["--version"]).unwrap_or_else(|| "?".into()));
    if !v.is_browser() {
        let mut a = vec![js.display().to_string()];
        a.extend(server_args);
        return Ok(launch(PathBuf::from(node), a, 30));
    }
    let a = browser_args(
        cfg,
        src,
        &out,
        v,
        "index.html",
        max_seconds,
        server_args,
        tools,
    )?;
    Ok(launch(PathBuf::from(node), a, 90))
}

/// The node of the toolchain environment (first on its PATH), else `node`.
fn toolchain_node(cfg: &Config) -> String {
    let path = cfg
        .env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| std::env::var("PATH").unwrap_or_default());
    path.split(':')
        .map(|d| Path::new(d).join("node"))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "node".into())
}

/// Arguments of the IWA driver for a browser variant: it serves `out` as the app (the pages of
/// test-browser/bench/app are copied in), opens `page` with the program arguments, prints the
/// page's console lines, exits on stdin EOF.
#[allow(clippy::too_many_arguments)]
fn browser_args(
    cfg: &Config,
    src: &Path,
    out: &Path,
    v: Variant,
    page: &str,
    max_seconds: u64,
    server_args: Vec<String>,
    tools: &mut BTreeMap<String, String>,
) -> Result<Vec<String>, String> {
    let driver = src.join("iwa-serve.mjs");
    if std::env::var_os("DSOCK_IWA_LAUNCH").is_none()
        && !cfg.repo_root.join("test-browser/iwa/launch.mjs").is_file()
    {
        return Err(
            "the IWA launcher test-browser/iwa/launch.mjs is not in this checkout \
                    (or set DSOCK_IWA_LAUNCH to a launch.mjs)"
                .into(),
        );
    }
    let modules = cfg
        .repo_root
        .join("test-browser/node_modules/puppeteer-core");
    if !modules.exists() {
        return Err(format!(
            "{} is missing: run `npm ci` in {}",
            modules.display(),
            cfg.repo_root.join("test-browser").display()
        ));
    }
    if !cfg.chromium.exists() {
        return Err(format!(
            "Chromium not found at {} (apt-get install chromium, or pass --chromium)",
            cfg.chromium.display()
        ));
    }
    tools.entry("chromium".into()).or_insert_with(|| {
        first_line(&cfg.chromium.display().to_string(), &["--version"])
            .unwrap_or_else(|| "?".into())
    });
    let mut a = vec![
        driver.display().to_string(),
        "--app".into(),
        out.display().to_string(),
        "--chromium".into(),
        cfg.chromium.display().to_string(),
        "--max-seconds".into(),
        (max_seconds + 30).to_string(),
        "--page".into(),
        page.into(),
    ];
    if let Some(dir) = &cfg.profile_dir {
        a.push("--profile".into());
        a.push(
            dir.join(format!("{}.cpuprofile", v.id()))
                .display()
                .to_string(),
        );
    }
    if let Some(dir) = &cfg.trace_dir {
        a.push("--trace".into());
        a.push(dir.join(format!("{}.json", v.id())).display().to_string());
    }
    a.push("--".into());
    a.extend(server_args);
    Ok(a)
}

fn first_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(|s| s.trim().to_string())
}

/// CPUs this process may use (1 when unknown).
fn cpu_count() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// The machine as it is before the bench starts anything; `tools` is filled in later.
fn host_info() -> Host {
    let cpus = cpu_count();
    let os = first_line("uname", &["-sr"]).unwrap_or_else(|| std::env::consts::OS.into());
    let load_avg_1m = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()));
    Host {
        cpus,
        os,
        load_avg_1m,
        idle_wake_us: super::wake::idle_wake_p50_us(cpus),
        cpuidle: super::wake::cpuidle_settings(),
        tools: BTreeMap::new(),
    }
}

/// Now as `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

/// Unix seconds → RFC 3339 UTC (Howard Hinnant's civil-from-days).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {

    /// The kernel ends the child when the thread that spawned it exits (here a short-lived
    /// thread stands in for a killed dsock): `sleep 30` dies by SIGTERM within seconds.
    #[cfg(target_os = "linux")]
    #[test]
    fn children_die_with_their_parent() {
        use std::os::unix::process::ExitStatusExt;
        let mut child = std::thread::spawn(|| {
            die_with_parent(Command::new("sleep").arg("30"))
                .spawn()
                .unwrap()
        })
        .join()
        .unwrap();
        let start = std::time::Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if start.elapsed() > Duration::from_secs(10) {
                let _ = child.kill();
                panic!("child outlived its parent thread by 10 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    }

    use super::*;

    #[test]
    fn ready_line_parsing() {
        assert_eq!(
            parse_ready("DSBENCH READY udp=5000 tcp=6000"),
            Some((5000, 6000))
        );
        assert_eq!(
            parse_ready("[console.log] DSBENCH READY tcp=2 udp=1"),
            Some((1, 2))
        );
        assert_eq!(parse_ready("DSBENCH READY udp=0 tcp=6000"), None);
        assert_eq!(parse_ready("DSBENCH EXIT quit"), None);
    }

    /// Every option `browser_args` passes must be one `iwa-serve.mjs` parses: an unknown one
    /// makes the driver exit before READY, and the variant is reported as not run (this is how
    /// `--profile` broke once when the driver was rewritten).
    #[test]
    fn driver_parses_every_option_the_runner_passes() {
        let runner = include_str!("runner.rs");
        let driver = include_str!("../../test-browser/bench/iwa-serve.mjs");
        let body = runner
            .split("fn browser_args(")
            .nth(1)
            .and_then(|rest| rest.split("\nfn ").next())
            .expect("browser_args in runner.rs");
        // The driver's options are the `"--name".into()` items (not, say, Chromium's --version).
        let passed: Vec<&str> = body
            .split("\".into()")
            .filter_map(|t| t.rsplit('"').next())
            .filter(|t| t.starts_with("--") && t.len() > 2)
            .collect();
        for flag in ["--app", "--chromium", "--max-seconds", "--page", "--profile", "--trace"] {
            assert!(passed.contains(&flag), "browser_args no longer passes {flag}");
        }
        for flag in passed {
            assert!(
                driver.contains(&format!("a === '{flag}'")),
                "iwa-serve.mjs does not parse {flag}, which browser_args passes"
            );
        }
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_273_200), "2026-11-21T15:00:00Z");
    }
}
