//! Human and Markdown renderings of a [`TestRun`].

use std::fmt::Write as _;

use super::model::{Counts, Outcome, TestRun};

fn status(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "PASS",
        Outcome::Failed => "FAIL",
        Outcome::Error => "ERROR",
        Outcome::Skipped => "SKIP",
    }
}

fn one_line(s: &str, max: usize) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    if line.chars().count() <= max {
        line.to_string()
    } else {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// Aligned table, one row per test (status, seconds, suite.name, reason), then a summary line.
pub fn human(run: &TestRun) -> String {
    let mut out = String::new();
    let width = run.tests.iter().map(|t| t.selector().len()).max().unwrap_or(4).max(4);
    let _ = writeln!(out, "{:<6} {:>8}  {:<width$}  NOTE", "STATUS", "SECONDS", "TEST");
    for t in &run.tests {
        let note = t.message.as_deref().map(|m| one_line(m, 100)).unwrap_or_default();
        let row = format!("{:<6} {:>8.2}  {:<width$}  {note}", status(t.outcome), t.seconds, t.selector());
        let _ = writeln!(out, "{}", row.trim_end());
    }
    let c = Counts::of(&run.tests);
    let wall = run.wall_seconds.map(|w| format!(" in {w:.1} s")).unwrap_or_default();
    let _ = write!(out, "\n{}{wall}", c.summary());
    if run.interrupted {
        out.push_str(" (interrupted)");
    }
    out.push('\n');
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown for a PR description: a per-suite summary table, then every test.
pub fn markdown(run: &TestRun) -> String {
    let mut out = String::new();
    let c = Counts::of(&run.tests);
    let mut meta = Vec::new();
    if let Some(e) = &run.emscripten {
        meta.push(format!("Emscripten `{:.12}`", e));
    }
    if let Some(ch) = &run.chromium {
        meta.push(ch.clone());
    }
    if let Some(w) = run.wall_seconds {
        meta.push(format!("{w:.0} s wall time"));
    }
    if let Some(cmd) = &run.command {
        let _ = writeln!(out, "`{cmd}`: {}{}\n", c.summary(), if meta.is_empty() { String::new() } else { format!("; {}", meta.join(", ")) });
    } else {
        let _ = writeln!(out, "{}\n", c.summary());
    }
    if let Some(cmd) = &run.upstream_command {
        let _ = writeln!(out, "The same tests with upstream's runner, from an Emscripten checkout with the series: `{cmd}`\n");
    }
    let mut suites: Vec<&str> = run.tests.iter().map(|t| t.suite.as_str()).collect();
    suites.dedup();
    let mut seen = std::collections::BTreeSet::new();
    suites.retain(|s| seen.insert(*s));
    let _ = writeln!(out, "| Suite | Passed | Failed | Errors | Skipped |");
    let _ = writeln!(out, "|---|---:|---:|---:|---:|");
    for s in &suites {
        let sc = Counts::of(run.tests.iter().filter(|t| t.suite == *s));
        let _ = writeln!(out, "| {} | {} | {} | {} | {} |", md_escape(s), sc.passed, sc.failed, sc.error, sc.skipped);
    }
    let _ = writeln!(out, "\n| Test | Result | Seconds | Note |");
    let _ = writeln!(out, "|---|---|---:|---|");
    for t in &run.tests {
        let note = t.message.as_deref().map(|m| md_escape(&one_line(m, 120))).unwrap_or_default();
        let _ = writeln!(out, "| `{}` | {} | {:.1} | {note} |", t.selector(), t.outcome.as_str(), t.seconds);
    }
    out
}
