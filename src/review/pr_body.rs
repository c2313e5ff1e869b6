//! The pull-request description, rendered from plain data (deterministic: the
//! same input gives the same bytes; no dates, no paths, no terminal widths).
//!
//! Sections: title, summary, spec link and base, usage, commit list, "Review
//! feedback addressed" table, latest test results (if any), changes since the
//! last sent version (range-diff summary), diffstat.

use std::fmt::Write as _;

use super::color::Style;
use super::range_diff::RangeDiff;
use super::review_points::ReviewFile;
use super::test_results::{counts_by_suite, Counts, Outcome, TestRun};
use super::{ReviewCommit, SPEC_URL};

/// The range-diff section: which versions were compared and the result.
pub struct SinceSent<'a> {
    /// The older side's name (`v1`).
    pub from: String,
    /// The newer side's name (`v2`, or `this version` for the unsent working series).
    pub to: String,
    pub range_diff: RangeDiff<'a>,
}

/// Everything the PR body is made of.
pub struct PrBodyInput<'a> {
    pub review: &'a ReviewFile,
    /// Upstream repository URL and branch, and the base commit (40 hex).
    pub upstream_url: &'a str,
    pub upstream_branch: &'a str,
    pub base: &'a str,
    pub commits: &'a [ReviewCommit],
    pub tests: Option<&'a TestRun>,
    /// `None` when no version was sent before this one.
    pub since_sent: Option<SinceSent<'a>>,
    /// `git diff --stat` of base..tip.
    pub diffstat: &'a str,
}

/// Render the markdown body.
///
/// Errors (message only) when a review point names a commit id that is not in the series.
pub fn render(input: &PrBodyInput<'_>) -> Result<String, String> {
    let mut md = String::new();
    let pr = &input.review.pr;
    let _ = writeln!(md, "# {}\n", pr.title.trim());
    if !pr.summary.trim().is_empty() {
        let _ = writeln!(md, "{}\n", pr.summary.trim());
    }
    let _ = writeln!(md, "Spec: [Direct Sockets API]({SPEC_URL}) (WICG).  ");
    let _ = writeln!(
        md,
        "Base: `{}` of {} at [`{}`]({}/commit/{}).\n",
        input.upstream_branch,
        input.upstream_url.trim_end_matches(".git"),
        short(input.base),
        input.upstream_url.trim_end_matches(".git"),
        input.base
    );

    if !pr.usage.trim().is_empty() {
        let _ = writeln!(md, "## Usage\n\n{}\n", pr.usage.trim());
    }

    let n = input.commits.len();
    let _ = writeln!(md, "## Commits ({n})\n");
    for (i, c) in input.commits.iter().enumerate() {
        let (added, removed) = c.counts();
        let _ = write!(md, "{}. **{}** (+{added}/−{removed})", i + 1, inline(&c.subject));
        let para = first_paragraph(&c.body);
        if !para.is_empty() {
            let _ = write!(md, " — {}", inline(&para));
        }
        md.push('\n');
    }
    md.push('\n');

    render_review_table(&mut md, input)?;

    if let Some(t) = input.tests {
        render_tests(&mut md, t);
    }

    match &input.since_sent {
        None => {
            let _ = writeln!(
                md,
                "## Changes since the last version\n\nFirst version: nothing was sent before.\n"
            );
        }
        Some(s) => {
            let summary = s.range_diff.summary();
            let _ = writeln!(md, "## Changes since {}\n", s.from);
            let _ = writeln!(md, "{} → {}: {}.\n", s.from, s.to, summary.line());
            let _ = writeln!(
                md,
                "<details><summary>range-diff {}..{} (stable ids; <code>=</code> unchanged, \
                 <code>!</code> changed, <code>&lt;</code> dropped, <code>&gt;</code> added)</summary>\n",
                s.from, s.to
            );
            let text = s.range_diff.render(Style::PLAIN);
            let f = fence(&text);
            let _ = writeln!(md, "{f}\n{text}{f}\n\n</details>\n");
        }
    }

    let stat = input.diffstat.trim_end();
    let f = fence(stat);
    let _ = writeln!(md, "## Diffstat\n\n{f}\n{stat}\n{f}");
    Ok(md)
}

fn render_review_table(md: &mut String, input: &PrBodyInput<'_>) -> Result<(), String> {
    let points = &input.review.points;
    let _ = writeln!(md, "## Review feedback addressed\n");
    if points.is_empty() {
        let _ = writeln!(md, "No review feedback recorded yet.\n");
        return Ok(());
    }
    let _ = writeln!(md, "| Review point | Resolution | Commit | Guarded by (`dsock check`) | Proven by (test) |");
    let _ = writeln!(md, "|---|---|---|---|---|");
    for p in points {
        let resolved = if p.commit.is_empty() {
            "—".to_string()
        } else {
            let pos = input
                .commits
                .iter()
                .position(|c| c.id == p.commit)
                .ok_or_else(|| {
                    format!(
                        "review point {:?} names commit {} which is not in the series",
                        p.key, p.commit
                    )
                })?;
            // The number in the commit list above; the subject is there.
            format!("{}/{}", pos + 1, input.commits.len())
        };
        let raised = if p.url.is_empty() {
            cell(&p.raised)
        } else {
            format!("[{}]({})", cell(&p.raised), p.url)
        };
        let resolution = if p.resolution.trim().is_empty() { "—".to_string() } else { cell(&p.resolution) };
        let codes = |v: Vec<&str>| {
            if v.is_empty() {
                "—".to_string()
            } else {
                v.iter().map(|c| format!("`{}`", cell(&c.to_ascii_uppercase()))).collect::<Vec<_>>().join(", ")
            }
        };
        let tests = p.test.split([',', ' ']).filter(|t| !t.is_empty()).collect();
        let _ = writeln!(
            md,
            "| **{}** ({raised}) | {resolution} | {resolved} | {} | {} |",
            cell(&p.point),
            codes(p.rule_codes()),
            codes_plain(tests)
        );
    }
    md.push('\n');
    Ok(())
}

fn render_tests(md: &mut String, t: &TestRun) {
    let _ = writeln!(md, "## Test results\n");
    let mut facts = Vec::new();
    if let Some(c) = t.command.as_deref().filter(|c| !c.is_empty()) {
        facts.push(format!("`{c}`"));
    }
    if let Some(c) = t.chromium.as_deref().filter(|c| !c.is_empty()) {
        // `dsock test` records `chromium --version` output ("Chromium 156.0…").
        facts.push(if c.starts_with("Chromium") { c.to_string() } else { format!("Chromium {c}") });
    }
    if let Some(e) = t.emscripten.as_deref().filter(|e| !e.is_empty()) {
        facts.push(format!("Emscripten at `{}`", short(e)));
    }
    if !facts.is_empty() {
        let _ = writeln!(md, "{}.\n", facts.join(", "));
    }
    if let Some(c) = t.upstream_command.as_deref().filter(|c| !c.is_empty()) {
        let _ = writeln!(md, "The same tests with upstream's runner, from an Emscripten checkout with the series: `{c}`\n");
    }
    if t.interrupted {
        let _ = writeln!(md, "**The run was interrupted; the table is partial.**\n");
    }
    let _ = writeln!(md, "| Suite | Passed | Failed | Errors | Skipped |\n|---|---:|---:|---:|---:|");
    for (suite, c) in counts_by_suite(t) {
        let _ = writeln!(md, "| {} | {} | {} | {} | {} |", cell(suite), c.passed, c.failed, c.error, c.skipped);
    }
    let all = Counts::of(&t.tests);
    let _ = writeln!(
        md,
        "| **total** | **{}** | **{}** | **{}** | **{}** |\n",
        all.passed, all.failed, all.error, all.skipped
    );
    let mut notable: Vec<_> = t.tests.iter().filter(|x| x.outcome != Outcome::Passed).collect();
    notable.sort_by(|a, b| (a.outcome, &a.suite, &a.name).cmp(&(b.outcome, &b.suite, &b.name)));
    if !notable.is_empty() {
        let _ = writeln!(md, "<details><summary>Not passed ({})</summary>\n", notable.len());
        for x in notable {
            let msg = match x.message.as_deref().filter(|m| !m.is_empty()) {
                Some(m) => format!(": {}", inline(m)),
                None => String::new(),
            };
            let _ = writeln!(md, "- `{}.{}` — {}{msg}", x.suite, x.name, x.outcome.as_str());
        }
        let _ = writeln!(md, "\n</details>\n");
    }
}

/// A code fence longer than any backtick run inside `text` (so a diff of markdown
/// that itself holds ``` fences cannot end the block early).
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// First paragraph of a commit body on one line (single spaces), cut after the last
/// sentence that ends within [`SUMMARY_CHARS`] characters (or at a word, with `…`).
fn first_paragraph(body: &str) -> String {
    let para = body.trim().split("\n\n").next().unwrap_or("");
    let text = para.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= SUMMARY_CHARS {
        return text;
    }
    let head: String = text.chars().take(SUMMARY_CHARS).collect();
    match head.rfind(". ") {
        Some(i) if i > SUMMARY_CHARS / 3 => head[..=i].to_string(),
        _ => format!("{} …", head[..head.rfind(' ').unwrap_or(head.len())].trim_end()),
    }
}

/// Longest commit summary in the commit list.
const SUMMARY_CHARS: usize = 280;

/// One-line markdown text.
fn inline(s: &str) -> String {
    s.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

/// Test names as code spans, comma separated; `—` for none.
fn codes_plain(v: Vec<&str>) -> String {
    if v.is_empty() {
        return "—".to_string();
    }
    v.iter().map(|t| format!("`{}`", cell(t))).collect::<Vec<_>>().join(", ")
}

/// One-line table cell (pipes escaped).
fn cell(s: &str) -> String {
    inline(s).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    #[test]
    fn commit_summary_is_the_first_paragraph_cut_at_a_sentence() {
        assert_eq!(super::first_paragraph("Why  this.\nWrapped.\n\nMore."), "Why this. Wrapped.");
        let long = format!("{} Second sentence that runs on {}", "First sentence.".repeat(10), "and on ".repeat(40));
        let s = super::first_paragraph(&long);
        assert!(s.ends_with("First sentence.") && s.len() <= super::SUMMARY_CHARS, "{s}");
        let words = "word ".repeat(100);
        assert!(super::first_paragraph(&words).ends_with("word …"));
    }

    #[test]
    fn fence_outgrows_backtick_runs() {
        assert_eq!(super::fence("plain"), "```");
        assert_eq!(super::fence("+```sh\n+````"), "`````");
    }
}
