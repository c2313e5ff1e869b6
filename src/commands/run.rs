//! `dsock run PROGRAM.{js,html} [-- ARGS…]`: run an Emscripten program in headless Chromium as
//! an Isolated Web App, where the Direct Sockets API exists, the way `node PROGRAM.js ARGS…`
//! runs it under node.
//!
//! This module checks the input and the environment (each failure is exit 2 with a hint) and then
//! hands over to the node driver `test-browser/dsock-run`, which serves the program's directory
//! through the IWA dev proxy (`test-browser/iwa/run.mjs`, the launcher `dsock bench` and the
//! test harness use too), relays stdout/stderr line by line and exits with the program's status.
//! dsock exits with the driver's status: the program's exit code; 134 after `abort()`; 1 after an
//! uncaught exception or a Chromium crash; 124 after `--timeout`; 2 when the program never
//! started; 128+N after signal N. SIGINT, SIGTERM and SIGHUP are passed on to the driver, which
//! tears down Chromium, the proxy and the temporary profile before it exits.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicI32, Ordering};

use crate::context::CommandContext;
use crate::error::{CommandError, CommandResult};
use crate::toolchain::Layout;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    emcc -O2 -sDIRECT_SOCKETS -sJSPI client.c -o client.js\n  \
    dsock run client.js -- 127.0.0.1 7000         # prints its output, exits with its status\n  \
    dsock run --timeout 30 server.html             # emcc's default shell works too\n  \
    dsock run --keep-open --log app.log server.js  # a server: runs until Ctrl-C\n\n\
Exit status: the program's; 134 abort(); 1 uncaught exception or Chromium crash; \
124 --timeout; 2 the program could not start (bad input, no Chromium, no node modules).")]
pub struct Args {
    /// The program: the `.js` (or the `.html` of emcc's default shell) emcc wrote, with its
    /// `.wasm` next to it.
    #[arg(value_name = "PROGRAM")]
    pub program: PathBuf,
    /// Arguments for the program (`Module.arguments`, i.e. argv[1..] of main), after `--`.
    #[arg(last = true, value_name = "ARGS")]
    pub args: Vec<String>,
    /// Stop the program after this many seconds and exit 124 [default: no limit].
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Keep the app running after main() returns (servers): stop on SIGINT/SIGTERM only.
    #[arg(long)]
    pub keep_open: bool,
    /// Show the app window (needs a display: DISPLAY or WAYLAND_DISPLAY).
    #[arg(long)]
    pub headful: bool,
    /// Write the app's console (console.*, page errors, failed requests, workers) to FILE.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Print the launcher's steps (Chromium flags, app URL, events) on stderr.
    #[arg(long)]
    pub verbose: bool,
    /// Chromium executable.
    #[arg(
        long,
        env = "DSOCK_CHROMIUM",
        default_value = "/usr/bin/chromium",
        value_name = "PATH"
    )]
    pub chromium: PathBuf,
}

/// The node driver, relative to the dsock repository.
pub const DRIVER: &str = "test-browser/dsock-run";

pub fn run(ctx: &mut CommandContext, args: &Args) -> CommandResult {
    check_program(&args.program)?;
    if args.headful
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        return Err(CommandError::environment("--headful needs a display, and neither DISPLAY nor WAYLAND_DISPLAY is set")
            .with_hint("run without --headful (headless), or under a display server (e.g. `xvfb-run dsock run --headful …`)"));
    }
    crate::testrun::preflight::check_chromium(&args.chromium)?;
    let driver = find_driver(ctx)?;
    let node = node_binary()?;

    let mut cmd = Command::new(&node);
    cmd.arg(&driver)
        .arg(format!("--chromium={}", args.chromium.display()));
    if let Some(t) = args.timeout {
        cmd.arg(format!("--timeout={t}"));
    }
    if args.keep_open {
        cmd.arg("--keep-open");
    }
    if args.headful {
        cmd.arg("--headful");
    }
    if args.verbose {
        cmd.arg("--verbose");
    }
    if let Some(log) = &args.log {
        cmd.arg(format!("--log={}", std::path::absolute(log)?.display()));
    }
    // As given: the driver resolves it against the same working directory and names it in its
    // messages the way the user wrote it.
    cmd.arg(&args.program).arg("--").args(&args.args);
    ctx.out.flush()?;
    let code = run_forwarding_signals(cmd, &node)?;
    let _ = ctx.err.flush();
    // The program's status is dsock's status (any 0-255 value, not only the ExitStatus table).
    std::process::exit(code);
}

use std::io::Write as _;

/// Checks that `program` is an emcc output `dsock run` can serve: an existing `.js` that looks
/// like an Emscripten build with its `.wasm` present, or an `.html` that loads one.
/// Errors (Usage, exit 2) name the problem and how to produce the right file.
pub fn check_program(program: &Path) -> CommandResult<()> {
    let shown = program.display();
    let build_hint = "build it with emcc, e.g. `emcc -O2 -sDIRECT_SOCKETS -sJSPI prog.c -o prog.js` (or -o prog.html)";
    if !program.exists() {
        return Err(CommandError::usage(format!("no such file: {shown}")).with_hint(build_hint));
    }
    if !program.is_file() {
        return Err(CommandError::usage(format!("{shown} is not a file")).with_hint(build_hint));
    }
    let ext = program
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "js" => check_js(program),
        "html" | "htm" => {
            let html = read_head(program)?;
            let dir = program.parent().unwrap_or(Path::new("."));
            let scripts = script_sources(&html);
            let local: Vec<PathBuf> = scripts
                .iter()
                .filter(|s| !s.contains("://") && !s.starts_with("//"))
                .map(|s| dir.join(s.split(['?', '#']).next().unwrap_or(s)))
                .collect();
            if local.is_empty() {
                return Err(CommandError::usage(format!(
                    "{shown} loads no .js: not the page of an Emscripten build"
                ))
                .with_hint(build_hint));
            }
            let mut last = None;
            for js in &local {
                match check_js(js) {
                    Ok(()) => return Ok(()),
                    Err(e) => last = Some(e),
                }
            }
            Err(last.expect("local is not empty"))
        }
        "mjs" => Err(CommandError::usage(format!(
            "{shown} is an ES module (-sEXPORT_ES6): dsock run runs programs that start themselves"
        ))
        .with_hint("rebuild without -sEXPORT_ES6/-sMODULARIZE, with -o prog.js")),
        "wasm" => Err(CommandError::usage(format!(
            "{shown} is the wasm file: pass the .js or .html emcc wrote next to it"
        ))
        .with_hint(format!(
            "dsock run {}",
            program.with_extension("js").display()
        ))),
        _ => Err(
            CommandError::usage(format!("{shown} is neither a .js nor an .html file"))
                .with_hint(build_hint),
        ),
    }
}

/// The first MiB of a file as text (enough for emcc's runtime and any shell page).
fn read_head(path: &Path) -> CommandResult<String> {
    let mut buf = Vec::new();
    std::fs::File::open(path)
        .map_err(|e| CommandError::usage(format!("cannot read {}: {e}", path.display())))?
        .take(1 << 20)
        .read_to_end(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// `src` of every `<script>` in `html`, in document order.
fn script_sources(html: &str) -> Vec<String> {
    let re = regex::Regex::new(r#"(?is)<script\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)"#)
        .expect("valid regex");
    re.captures_iter(html).map(|c| c[1].to_string()).collect()
}

fn check_js(js: &Path) -> CommandResult<()> {
    let shown = js.display();
    if !js.is_file() {
        return Err(CommandError::usage(format!("no such file: {shown}"))
            .with_hint("keep the .js, .wasm (and .html) emcc wrote together in one directory"));
    }
    let text = read_head(js)?;
    // emcc's runtime (src/shell.js, src/preamble.js) always names `Module` and instantiates
    // WebAssembly; -sMODULARIZE wraps it in a factory taking `moduleArg`.
    if !(text.contains("Module") && text.contains("WebAssembly")) {
        return Err(CommandError::usage(format!(
            "{shown} is not an Emscripten build (no Module / WebAssembly runtime in it)"
        ))
        .with_hint("pass the .js or .html that emcc wrote, e.g. `emcc prog.c -o prog.js`"));
    }
    if text.contains("moduleArg") && !text.contains("typeof Module") {
        return Err(CommandError::usage(format!(
            "{shown} is a -sMODULARIZE build: dsock run runs programs that start themselves"
        ))
        .with_hint("rebuild without -sMODULARIZE"));
    }
    if let Some(stem) = js.file_stem().and_then(|s| s.to_str()) {
        let wasm = format!("{stem}.wasm");
        let path = js.with_file_name(&wasm);
        if text.contains(&format!("'{wasm}'")) || text.contains(&format!("\"{wasm}\"")) {
            if !path.is_file() {
                return Err(CommandError::usage(format!(
                    "{shown} loads {wasm}, which is missing next to it"
                ))
                .with_hint("keep the .js and .wasm emcc wrote together (or rebuild)"));
            }
        }
    }
    Ok(())
}

/// `<repo>/test-browser/dsock-run` with its node modules: from `--repo`/the current directory,
/// else from the source tree this dsock was built from.
fn find_driver(ctx: &CommandContext) -> CommandResult<PathBuf> {
    let mut roots: Vec<PathBuf> = ctx.repo_root().into_iter().collect();
    roots.extend(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(Path::to_path_buf),
    );
    let Some(root) = roots.into_iter().find(|r| r.join(DRIVER).is_file()) else {
        return Err(
            CommandError::environment(format!("the IWA driver {DRIVER} was not found"))
                .with_hint("run dsock from inside a dsock clone, or pass --repo PATH"),
        );
    };
    let modules = root.join("test-browser/node_modules/puppeteer-core");
    if !modules.is_dir() {
        return Err(
            CommandError::environment(format!("{} is missing", modules.display())).with_hint(
                format!(
                    "run `dsock toolchain` (or `cd {} && PUPPETEER_SKIP_DOWNLOAD=1 npm ci`)",
                    root.join("test-browser").display()
                ),
            ),
        );
    }
    Ok(root.join(DRIVER))
}

/// node 26 from `dsock toolchain`, else `node` on PATH (the driver needs node ≥ 18).
fn node_binary() -> CommandResult<PathBuf> {
    let toolchain_node = Layout::default_layout().node();
    let node = if toolchain_node.is_file() {
        toolchain_node
    } else {
        PathBuf::from("node")
    };
    match Command::new(&node).arg("--version").output() {
        Ok(o) if o.status.success() => Ok(node),
        _ => Err(CommandError::environment(
            "node not found (neither dsock's toolchain node nor `node` on PATH)",
        )
        .with_hint("run `dsock toolchain`")),
    }
}

/// The driver's pid while it runs, for the signal handler (0: none).
static CHILD: AtomicI32 = AtomicI32::new(0);

extern "C" fn forward_signal(sig: libc::c_int) {
    let pid = CHILD.load(Ordering::SeqCst);
    if pid > 0 {
        // SAFETY: kill(2) is async-signal-safe.
        unsafe { libc::kill(pid, sig) };
    }
}

/// Runs the driver with dsock's stdio, passing SIGINT/SIGTERM/SIGHUP on (a Ctrl-C reaches both;
/// a SIGTERM aimed at dsock alone must reach the driver, which owns Chromium). Returns the exit
/// status to use: the driver's code, or 128+N when it died of signal N.
fn run_forwarding_signals(mut cmd: Command, node: &Path) -> CommandResult<i32> {
    // If dsock is killed outright, the driver gets SIGTERM and tears Chromium down.
    crate::bench::runner::die_with_parent(&mut cmd);
    let mut child = cmd.spawn().map_err(|e| {
        CommandError::environment(format!("cannot start {}: {e}", node.display()))
            .with_hint("run `dsock toolchain`")
    })?;
    CHILD.store(child.id() as i32, Ordering::SeqCst);
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: the handler only reads an atomic and calls kill(2).
        unsafe {
            libc::signal(
                sig,
                forward_signal as extern "C" fn(libc::c_int) as libc::sighandler_t,
            )
        };
    }
    let status = child.wait()?;
    CHILD.store(0, Ordering::SeqCst);
    use std::os::unix::process::ExitStatusExt as _;
    Ok(status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ExitStatusOf as _;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    const EMCC_JS: &str = "var Module = typeof Module != 'undefined' ? Module : {};\n\
        function findWasmBinary() { return locateFile('prog.wasm'); }\n\
        WebAssembly.instantiate(binary, info);\n";

    #[test]
    fn accepts_an_emcc_js_with_its_wasm_and_a_shell_page() {
        let d = tempfile::tempdir().unwrap();
        let js = write(d.path(), "prog.js", EMCC_JS);
        write(d.path(), "prog.wasm", "\0asm");
        check_program(&js).unwrap();
        let html = write(
            d.path(),
            "prog.html",
            "<!doctype html><script async type=\"text/javascript\" src=\"prog.js\"></script>",
        );
        check_program(&html).unwrap();
    }

    #[test]
    fn bad_input_is_a_usage_error_naming_the_problem() {
        let d = tempfile::tempdir().unwrap();
        let cases: Vec<(PathBuf, &str)> = vec![
            (d.path().join("nope.js"), "no such file"),
            (write(d.path(), "plain.js", "console.log('hi')"), "not an Emscripten build"),
            (write(d.path(), "x.txt", "hi"), "neither a .js nor an .html"),
            (write(d.path(), "page.html", "<p>no scripts</p>"), "loads no .js"),
            (write(d.path(), "prog.js", EMCC_JS), "prog.wasm, which is missing"),
            (
                write(d.path(), "m.js", "var m = (() => async function(moduleArg = {}) { var Module = moduleArg; WebAssembly })()"),
                "-sMODULARIZE",
            ),
            (write(d.path(), "p.wasm", "\0asm"), "is the wasm file"),
            (d.path().to_path_buf(), "is not a file"),
        ];
        for (path, want) in cases {
            let e = check_program(&path).unwrap_err();
            assert_eq!(e.exit_status(), crate::exit::ExitStatus::Error);
            assert!(
                e.message.contains(want),
                "{}: {:?} does not say {want:?}",
                path.display(),
                e.message
            );
            assert!(e.hint.is_some(), "{}: no hint", path.display());
        }
    }

    #[test]
    fn script_sources_finds_emcc_shell_scripts() {
        let html = "<script type='text/javascript'>var Module = {};</script>\n\
            <script async type=\"text/javascript\" src=\"hello.js\"></script><SCRIPT src=a/b.js?x=1>";
        assert_eq!(script_sources(html), vec!["hello.js", "a/b.js?x=1"]);
    }
}
