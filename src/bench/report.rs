//! The bench report: its JSON shape (`target/dsock/bench/latest.json`), the
//! summary of repeats with ratios to native, the markdown table for README and
//! one SVG chart per workload.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::model::{group, Better, Variant, Workload};
use super::quiet::QuietWait;
use super::stats::Summary;

/// Version tag of the JSON layout; bump when a field changes meaning.
pub const SCHEMA: &str = "dsock-bench/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    /// UTC start of the run, RFC 3339.
    pub started_at: String,
    /// Wall time of the whole run, builds included.
    pub duration_s: f64,
    pub host: Host,
    pub settings: Settings,
    pub variants: Vec<VariantReport>,
    pub workloads: Vec<WorkloadReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Host {
    pub cpus: usize,
    /// `uname -sr`, if available.
    pub os: String,
    /// /proc/loadavg at start (1-minute figure): context for noisy numbers.
    pub load_avg_1m: Option<f64>,
    /// Median time to wake a thread whose CPU idled 150 µs, in µs ([`super::wake`]): what
    /// the `-pthread` build pays once per datagram or request that reaches the program. Absent
    /// in reports from before it was measured, and with one CPU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_wake_us: Option<f64>,
    /// The CPU idle settings behind that figure, e.g. `cpuidle governor haltpoll,
    /// guest_halt_poll_ns 0` ([`super::wake::cpuidle_settings`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpuidle: Option<String>,
    /// Tool versions that were used (clang, node, chromium, emscripten commit).
    pub tools: BTreeMap<String, String>,
}

impl Host {
    /// `; idle-CPU wake 47 µs with cpuidle governor haltpoll, guest_halt_poll_ns 0` for the
    /// header line, or nothing when the wake was not measured.
    fn wake_markdown(&self) -> String {
        let Some(us) = self.idle_wake_us else { return String::new() };
        let settings = self.cpuidle.as_deref().map(|c| format!(" with {c}")).unwrap_or_default();
        format!("; idle-CPU wake {us:.0} µs{settings}")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub quick: bool,
    pub warmup: usize,
    pub repeats: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VariantStatus {
    /// Built and served the workloads (individual runs may still have failed).
    Ran,
    /// Could not be built or started; `reason` says why.
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantReport {
    pub id: String,
    pub describe: String,
    pub status: VariantStatus,
    pub reason: Option<String>,
    /// What happened on the way that the figures do not show, e.g. the prior art failing to
    /// bind port 0 and being started on explicit ports, or the Emscripten commit it was built
    /// against.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadReport {
    pub id: String,
    pub title: String,
    pub metrics: Vec<MetricReport>,
    /// Every run, warm-ups included, with the generator's raw JSON.
    pub runs: Vec<RunRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricReport {
    pub id: String,
    pub label: String,
    pub unit: String,
    pub better: Better,
    /// Per variant id: the summary over the measured (non-warm-up, successful) runs.
    pub by_variant: BTreeMap<String, Cell>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    #[serde(flatten)]
    pub summary: Summary,
    /// This variant's median ÷ native's median, both from this run; absent for
    /// native itself or when native has no figure.
    pub ratio_to_native: Option<f64>,
    /// Backend efficiency: this variant's median ÷ `chromium-js`'s median, both from this run;
    /// only for the Direct Sockets builds (`chromium-jspi`, `chromium-pthread`, `prior-art`).
    #[serde(default)]
    pub ratio_to_js: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub variant: String,
    pub warmup: bool,
    /// 1-based within warm-ups or measured repeats.
    pub index: usize,
    /// Set when the run produced no usable result (generator error, timeout).
    pub error: Option<String>,
    /// Figures extracted from `raw`, by metric id.
    pub values: BTreeMap<String, f64>,
    /// One JSON object per generator step.
    pub raw: Vec<Value>,
    /// The server's own counters over the run (`dsbench-peer stat`): datagrams
    /// received/echoed/refused, poll() calls and wake-ups (under JSPI each poll
    /// is one stack suspension). Absent if the server did not answer.
    #[serde(default)]
    pub server: Option<Value>,
    /// The wait for a quiet machine before the run ([`super::quiet`]); absent where
    /// `/proc/stat` is not available, and in reports from before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiet: Option<QuietWait>,
}

/// Build a workload's metric summaries from its runs (warm-ups and failed runs excluded).
pub fn summarise(
    workload: Workload,
    runs: &[RunRecord],
    variants: &[Variant],
) -> Vec<MetricReport> {
    workload
        .metrics()
        .iter()
        .map(|def| {
            let mut by_variant = BTreeMap::new();
            for v in variants {
                let samples: Vec<f64> = runs
                    .iter()
                    .filter(|r| r.variant == v.id() && !r.warmup && r.error.is_none())
                    .filter_map(|r| r.values.get(def.id).copied())
                    .collect();
                if let Some(summary) = Summary::of(&samples) {
                    by_variant.insert(
                        v.id().to_string(),
                        Cell {
                            summary,
                            ratio_to_native: None,
                            ratio_to_js: None,
                        },
                    );
                }
            }
            let median_of = |v: Variant| {
                by_variant
                    .get(v.id())
                    .map(|c: &Cell| c.summary.median)
                    .filter(|m| *m != 0.0)
            };
            let native = median_of(Variant::Native);
            let js = median_of(Variant::ChromiumJs);
            // Ratios of losses (percentages, bytes) say little; those rows show the figures only.
            for (id, cell) in by_variant.iter_mut().filter(|_| def.unit != "%" && def.unit != "B") {
                if id != Variant::Native.id() {
                    cell.ratio_to_native = native.map(|n| cell.summary.median / n);
                }
                if Variant::parse(id).is_some_and(Variant::is_quoted_against_js) {
                    cell.ratio_to_js = js.map(|j| cell.summary.median / j);
                }
            }
            MetricReport {
                id: def.id.to_string(),
                label: def.label.to_string(),
                unit: def.unit.to_string(),
                better: def.better,
                by_variant,
            }
        })
        .collect()
}

/// A figure in its unit, compactly: `98.2k`, `745`, `5.79`, `0.20`.
pub fn fmt_value(x: f64, unit: &str) -> String {
    if unit == "%" {
        return if x == 0.0 {
            "0".into()
        } else if x.abs() < 10.0 {
            format!("{x:.2}")
        } else {
            format!("{x:.1}")
        };
    }
    // Whole bytes: a lost 16-byte tail reads as 16, not 16.0.
    if unit == "B" && x.abs() < 1e4 {
        return format!("{x:.0}");
    }
    let a = x.abs();
    if a >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", x / 1e3)
    } else if a >= 100.0 {
        group(x)
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn fmt_ratio(r: f64) -> String {
    if r >= 10.0 {
        format!("{r:.0}×")
    } else {
        format!("{r:.2}×")
    }
}

/// What a table shows for variant `v` where figure `i` of workload `w` has no value: "not
/// run" for a variant that could not be built or started; "—" (not measured) for a secondary
/// figure of a variant that has the headline (a CPU split that native lacks, say); else
/// "failed".
fn absent_cell(w: &WorkloadReport, i: usize, v: &VariantReport) -> &'static str {
    if v.status == VariantStatus::Unavailable {
        "not run"
    } else if i > 0 && w.metrics[0].by_variant.contains_key(&v.id) {
        "—"
    } else {
        "failed"
    }
}

fn cell_text(cell: &Cell, unit: &str, repeats: usize) -> String {
    let s = &cell.summary;
    let mut t = fmt_value(s.median, unit);
    if s.n > 1 && s.min != s.max {
        let _ = write!(
            t,
            " ({}–{})",
            fmt_value(s.min, unit),
            fmt_value(s.max, unit)
        );
    }
    if let Some(r) = cell.ratio_to_native {
        let _ = write!(t, " · **{}**", fmt_ratio(r));
    }
    if let Some(r) = cell.ratio_to_js {
        let _ = write!(t, " · {} js", fmt_ratio(r));
    }
    if s.n < repeats {
        let _ = write!(t, " [{}/{} runs]", s.n, repeats);
    }
    t
}

impl Report {
    fn variant_ids(&self) -> Vec<&str> {
        self.variants.iter().map(|v| v.id.as_str()).collect()
    }

    /// The README table: one row per workload figure, one column per variant;
    /// each cell `median (min–max) · ratio-to-native`, then footnotes for
    /// variants that did not run and for failed runs.
    pub fn markdown(&self) -> String {
        let ids = self.variant_ids();
        let mut md = String::new();
        let _ = writeln!(
            md,
            "Measured {} on {} CPUs ({}{}{}), {} warm-up + {} measured run(s) each{}; median (min–max) · **ratio to native** · ratio to chromium-js (\"js\": backend efficiency), both from the same run.\n",
            self.started_at,
            self.host.cpus,
            self.host.os,
            self.host.load_avg_1m.map(|l| format!(", load average {l:.1} at start")).unwrap_or_default(),
            self.host.wake_markdown(),
            self.settings.warmup,
            self.settings.repeats,
            if self.settings.quick { ", --quick sizes" } else { "" }
        );
        if !self.host.tools.is_empty() {
            let tools: Vec<String> = self
                .host
                .tools
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            let _ = writeln!(md, "Tools: {}.\n", tools.join("; "));
        }
        let _ = writeln!(md, "| workload | figure | {} |", ids.join(" | "));
        let _ = writeln!(md, "|---|---|{}", "---|".repeat(ids.len()));
        for w in &self.workloads {
            for (i, m) in w.metrics.iter().enumerate() {
                let arrow = match m.better {
                    Better::Higher => "↑",
                    Better::Lower => "↓",
                };
                let headline = &w.metrics[0].by_variant;
                // A secondary figure nobody has (the server's CPU time where /proc is
                // missing) is left out rather than shown as failed.
                if i > 0 && m.by_variant.is_empty() && !headline.is_empty() {
                    continue;
                }
                let name = if i == 0 { w.title.as_str() } else { "" };
                let mut row = format!("| {} | {} ({}) {} |", name, m.label, m.unit, arrow);
                for v in &self.variants {
                    let text = match m.by_variant.get(&v.id) {
                        Some(cell) if v.status != VariantStatus::Unavailable => {
                            cell_text(cell, &m.unit, self.settings.repeats)
                        }
                        _ => absent_cell(w, i, v).to_string(),
                    };
                    let _ = write!(row, " {text} |");
                }
                let _ = writeln!(md, "{row}");
            }
        }
        md.push('\n');
        md.push_str(&self.efficiency_markdown());
        for v in &self.variants {
            let _ = write!(md, "- `{}`: {}", v.id, v.describe);
            if let Some(reason) = &v.reason {
                let _ = write!(md, ". **Not run:** {reason}");
            }
            for note in &v.notes {
                let _ = write!(md, ". {note}");
            }
            md.push('\n');
        }
        let partial = self.workloads.iter().flat_map(|w| &w.metrics).any(|m| {
            m.by_variant
                .values()
                .any(|c| c.summary.n < self.settings.repeats)
        });
        if partial {
            md.push_str(
                "\n`[k/n runs]`: the figure comes from k of n runs; the others failed (listed below) or \
                 did not produce it (e.g. the server closed before acknowledging the one-way transfer; \
                 see `runs[].raw` in latest.json).\n",
            );
        }
        let mut failures: Vec<String> = Vec::new();
        for w in &self.workloads {
            for r in w.runs.iter().filter(|r| !r.warmup) {
                if let Some(e) = &r.error {
                    failures.push(format!("- {} / {} run {}: {}", w.id, r.variant, r.index, e));
                }
            }
        }
        if !failures.is_empty() {
            md.push_str("\nFailed runs (excluded from the figures):\n\n");
            for f in failures {
                md.push_str(&f);
                md.push('\n');
            }
        }
        md.push_str(&self.quiet_markdown());
        md
    }

    /// How long runs waited for a quiet machine (see `bench::quiet`), grouped by the variant
    /// that ran before them: a server that stays busy after its runs shows up here. Empty when
    /// no run recorded a wait.
    pub fn quiet_markdown(&self) -> String {
        let waits: Vec<&QuietWait> = self
            .workloads
            .iter()
            .flat_map(|w| &w.runs)
            .filter_map(|r| r.quiet.as_ref())
            .collect();
        let Some(longest) = waits.iter().map(|q| q.waited_ms).reduce(f64::max) else {
            return String::new();
        };
        let bound = match waits.iter().filter_map(|q| q.threshold_cpus).reduce(f64::max) {
            Some(t) => format!(
                "under {t:.2} busy CPUs, {} above its baseline with every server idle",
                super::quiet::QUIET_BUSY_CPUS
            ),
            // Reports from before the baseline: the bound was absolute.
            None => format!("under {} busy CPUs", super::quiet::QUIET_BUSY_CPUS),
        };
        let mut md = format!(
            "\nBefore each run the bench waited until the machine was idle ({bound}, over {} ms, \
             at most {} s; `runs[].quiet` in latest.json)",
            super::quiet::QUIET_WINDOW.as_millis(),
            super::quiet::QUIET_MAX_WAIT.as_secs()
        );
        // Per previous variant: (waits over 1 s, longest wait, runs started busy, most busy).
        let mut slow: BTreeMap<&str, (usize, f64, usize, f64)> = BTreeMap::new();
        for q in &waits {
            if q.waited_ms <= 1000.0 && q.settled {
                continue;
            }
            let e = slow
                .entry(q.after.as_deref().unwrap_or("(start)"))
                .or_insert((0, 0.0, 0, 0.0));
            if q.waited_ms > 1000.0 {
                e.0 += 1;
                e.1 = e.1.max(q.waited_ms);
            }
            if !q.settled {
                e.2 += 1;
                e.3 = e.3.max(q.busy_cpus);
            }
        }
        if slow.is_empty() {
            let _ = writeln!(md, "; the longest wait was {:.1} s.", longest / 1000.0);
            return md;
        }
        md.push_str(". Waits over 1 s, by the variant that ran just before:\n\n");
        for (after, (n, max_ms, busy_runs, busy)) in slow {
            let _ = write!(
                md,
                "- after `{after}`: {n} run(s) waited, the longest {:.1} s",
                max_ms / 1000.0
            );
            if busy_runs > 0 {
                let _ = write!(
                    md,
                    "; {busy_runs} run(s) started with the machine still busy (up to {busy:.1} CPUs)"
                );
            }
            md.push('\n');
        }
        md
    }

    /// The backend-efficiency summary: for each workload's headline figure, and for its
    /// server CPU time per unit of work when measured, every Direct Sockets build's median ÷
    /// chromium-js's median (same run). Empty without chromium-js.
    pub fn efficiency_markdown(&self) -> String {
        let cols: Vec<&VariantReport> = self
            .variants
            .iter()
            .filter(|v| Variant::parse(&v.id).is_some_and(Variant::is_quoted_against_js))
            .collect();
        let has_js = self
            .variants
            .iter()
            .any(|v| v.id == Variant::ChromiumJs.id());
        if cols.is_empty() || !has_js {
            return String::new();
        }
        let mut md = String::from(
            "Backend efficiency: headline figure ÷ chromium-js (the same server in plain JS on \
             Direct Sockets, same run); 1.00× = as fast as the browser allows. The CPU rows \
             divide the server's CPU time per unit of work the same way: above 1.00× the build \
             spends more CPU than plain JS.",
        );
        let has_page = self.workloads.iter().flat_map(|w| &w.metrics).any(|m| m.id.starts_with("cpu_page_") && !m.by_variant.is_empty());
        if has_page {
            md.push_str(
                " The page main-thread rows count only the renderer's main thread, where every \
                 browser variant's sockets live (and, under JSPI, the program): the part of \
                 Chromium a build makes work harder.",
            );
        }
        if cols.iter().any(|v| v.id == Variant::ChromiumJsThread.id()) {
            md.push_str(
                " chromium-js-thread is that server with every datagram and chunk sent through a \
                 worker and back before the echo, as a -pthread build's data goes to its program: \
                 its ratio is what that design costs in plain JS.",
            );
        }
        md.push_str("\n\n");
        let ids: Vec<&str> = cols.iter().map(|v| v.id.as_str()).collect();
        let _ = writeln!(
            md,
            "| workload | figure | chromium-js | {} |",
            ids.join(" | ")
        );
        let _ = writeln!(md, "|---|---|---|{}", "---|".repeat(ids.len()));
        // (workload, index of the figure in it, figure): the headline, then the CPU figures.
        let rows = self.workloads.iter().flat_map(|w| {
            w.metrics
                .iter()
                .enumerate()
                .filter(|(i, m)| *i == 0 || (m.id.starts_with("cpu_") && !m.by_variant.is_empty()))
                .map(move |(i, m)| (w, i, m))
        });
        for (w, i, m) in rows {
            let js = m
                .by_variant
                .get(Variant::ChromiumJs.id())
                .map(|c| format!("{} {}", fmt_value(c.summary.median, &m.unit), m.unit))
                .unwrap_or_else(|| "—".into());
            let mut row = format!("| {} | {} ({}) | {js} |", w.id, m.label, m.unit);
            for v in &cols {
                let text = match m.by_variant.get(&v.id) {
                    Some(Cell {
                        ratio_to_js: Some(r),
                        ..
                    }) => format!("**{}**", fmt_ratio(*r)),
                    Some(_) => "—".into(),
                    None => absent_cell(w, i, v).into(),
                };
                let _ = write!(row, " {text} |");
            }
            let _ = writeln!(md, "{row}");
        }
        md.push('\n');
        md
    }

    /// A horizontal bar chart of a workload's headline figure: one bar per
    /// variant at its median, a whisker from min to max, the ratio to native.
    pub fn svg(&self, workload: &WorkloadReport) -> String {
        let Some(metric) = workload.metrics.first() else {
            return String::new();
        };
        let (w, left, right, row_h, top) = (880.0_f64, 150.0_f64, 330.0_f64, 34.0_f64, 64.0_f64);
        let plot_w = w - left - right;
        let h = top + row_h * self.variants.len() as f64 + 34.0;
        let scale_max = metric
            .by_variant
            .values()
            .map(|c| c.summary.max)
            .fold(0.0_f64, f64::max)
            .max(f64::MIN_POSITIVE);
        let better = match metric.better {
            Better::Higher => "higher is better",
            Better::Lower => "lower is better",
        };
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="13">"#
        );
        let _ = writeln!(s, r##"<rect width="{w}" height="{h}" fill="#ffffff"/>"##);
        let _ = writeln!(
            s,
            r#"<text x="12" y="22" font-size="15" font-weight="bold">{}</text>"#,
            esc(&workload.title)
        );
        let _ = writeln!(
            s,
            r##"<text x="12" y="42" fill="#555">{} ({}), {}; median with min–max, {} run(s), {}</text>"##,
            esc(&metric.label),
            esc(&metric.unit),
            better,
            self.settings.repeats,
            esc(&self.started_at)
        );
        for (i, v) in self.variants.iter().enumerate() {
            let y = top + row_h * i as f64;
            let cy = y + row_h / 2.0;
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                left - 8.0,
                cy + 4.5,
                esc(&v.id)
            );
            let color = if v.id == Variant::Native.id() {
                "#7a7a7a"
            } else {
                "#3b6fb6"
            };
            match (v.status, metric.by_variant.get(&v.id)) {
                (VariantStatus::Ran, Some(cell)) => {
                    let x = |val: f64| left + plot_w * (val / scale_max).clamp(0.0, 1.0);
                    let sm = &cell.summary;
                    let _ = writeln!(
                        s,
                        r#"<rect x="{left}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{color}"/>"#,
                        y + 7.0,
                        x(sm.median) - left,
                        row_h - 14.0
                    );
                    let _ = writeln!(
                        s,
                        r##"<path d="M{:.1} {cy:.1}H{:.1}M{:.1} {:.1}V{:.1}M{:.1} {:.1}V{:.1}" stroke="#111" stroke-width="1.5" fill="none"/>"##,
                        x(sm.min),
                        x(sm.max),
                        x(sm.min),
                        cy - 6.0,
                        cy + 6.0,
                        x(sm.max),
                        cy - 6.0,
                        cy + 6.0
                    );
                    let mut label =
                        format!("{} {}", fmt_value(sm.median, &metric.unit), metric.unit);
                    if let Some(r) = cell.ratio_to_native {
                        let _ = write!(label, "  ({} native", fmt_ratio(r));
                        if let Some(j) = cell.ratio_to_js {
                            let _ = write!(label, ", {} js", fmt_ratio(j));
                        }
                        label.push(')');
                    }
                    // Losses ride along: a fast bar that lost most of its data must say so.
                    for other in workload.metrics.iter().skip(1).filter(|m| m.unit == "%") {
                        if let Some(c) = other.by_variant.get(&v.id) {
                            let _ = write!(
                                label,
                                " · {} {} %",
                                other.label,
                                fmt_value(c.summary.median, "%")
                            );
                        }
                    }
                    let _ = writeln!(
                        s,
                        r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
                        x(sm.max) + 8.0,
                        cy + 4.5,
                        esc(&label)
                    );
                }
                _ => {
                    let why = v.reason.as_deref().unwrap_or("no successful run");
                    let _ = writeln!(
                        s,
                        r##"<text x="{left}" y="{:.1}" fill="#a33">not run: {}</text>"##,
                        cy + 4.5,
                        esc(&truncate(why, 80))
                    );
                }
            }
        }
        let axis_y = top + row_h * self.variants.len() as f64 + 4.0;
        let _ = writeln!(s, r##"<path d="M{left} {top}V{axis_y}" stroke="#999"/>"##);
        let _ = writeln!(
            s,
            r##"<text x="{left}" y="{:.1}" fill="#555">0</text><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#555">{} {}</text>"##,
            axis_y + 16.0,
            left + plot_w,
            axis_y + 16.0,
            fmt_value(scale_max, &metric.unit),
            esc(&metric.unit)
        );
        s.push_str("</svg>\n");
        s
    }
}

fn truncate(s: &str, n: usize) -> String {
    let first_line = s.lines().next().unwrap_or("");
    if first_line.chars().count() <= n {
        first_line.to_string()
    } else {
        format!("{}…", first_line.chars().take(n).collect::<String>())
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(variant: Variant, warmup: bool, index: usize, values: &[(&str, f64)]) -> RunRecord {
        RunRecord {
            variant: variant.id().into(),
            warmup,
            index,
            error: None,
            values: values.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            raw: vec![json!({})],
            server: None,
            quiet: None,
        }
    }

    /// A small fixed report: burst with native + node measured, chromium unavailable.
    fn sample() -> Report {
        let variants = [Variant::Native, Variant::Node, Variant::ChromiumJspi];
        let mut runs = vec![
            run(
                Variant::Native,
                true,
                1,
                &[("delivered_pps", 1.0), ("loss_pct", 99.0)],
            ),
            run(
                Variant::Native,
                false,
                1,
                &[("delivered_pps", 100_000.0), ("loss_pct", 80.0)],
            ),
            run(
                Variant::Native,
                false,
                2,
                &[("delivered_pps", 90_000.0), ("loss_pct", 82.0)],
            ),
            run(
                Variant::Native,
                false,
                3,
                &[("delivered_pps", 95_000.0), ("loss_pct", 81.0)],
            ),
            run(
                Variant::Node,
                false,
                1,
                &[("delivered_pps", 9_000.0), ("loss_pct", 98.0)],
            ),
            run(
                Variant::Node,
                false,
                2,
                &[("delivered_pps", 9_500.0), ("loss_pct", 97.5)],
            ),
        ];
        let mut failed = run(Variant::Node, false, 3, &[]);
        failed.error = Some("generator timed out after 25 s".into());
        runs.push(failed);
        let metrics = summarise(Workload::UdpBurst, &runs, &variants);
        Report {
            schema: SCHEMA.into(),
            started_at: "2026-11-21T15:00:00Z".into(),
            duration_s: 42.0,
            host: Host {
                cpus: 2,
                os: "Linux 6.1".into(),
                load_avg_1m: Some(1.5),
                idle_wake_us: Some(47.3),
                cpuidle: Some("cpuidle governor haltpoll, guest_halt_poll_ns 0".into()),
                tools: [("node".to_string(), "v26.10.0".to_string())].into(),
            },
            settings: Settings {
                quick: false,
                warmup: 1,
                repeats: 3,
            },
            variants: variants
                .iter()
                .map(|v| VariantReport {
                    id: v.id().into(),
                    describe: v.describe().into(),
                    status: if v.is_browser() {
                        VariantStatus::Unavailable
                    } else {
                        VariantStatus::Ran
                    },
                    reason: v.is_browser().then(|| {
                        "emcc: Attempt to set a non-existent setting: 'DIRECT_SOCKETS'".into()
                    }),
                    notes: vec![],
                })
                .collect(),
            workloads: vec![WorkloadReport {
                id: Workload::UdpBurst.id().into(),
                title: Workload::UdpBurst.title(false),
                metrics,
                runs,
            }],
        }
    }

    #[test]
    fn summary_excludes_warmups_and_failures_and_divides_by_native() {
        let r = sample();
        let delivered = &r.workloads[0].metrics[0];
        let native = delivered.by_variant["native"];
        assert_eq!(
            native.summary,
            Summary {
                median: 95_000.0,
                min: 90_000.0,
                max: 100_000.0,
                n: 3
            }
        );
        assert_eq!(native.ratio_to_native, None);
        let node = delivered.by_variant["node"];
        assert_eq!(node.summary.n, 2);
        assert_eq!(node.summary.median, 9_250.0);
        assert!((node.ratio_to_native.unwrap() - 9_250.0 / 95_000.0).abs() < 1e-12);
        assert!(!delivered.by_variant.contains_key("chromium-jspi"));
    }

    #[test]
    fn lost_bytes_are_whole_numbers_without_ratios() {
        assert_eq!(fmt_value(16.0, "B"), "16");
        assert_eq!(fmt_value(0.0, "B"), "0");
        assert_eq!(fmt_value(67_108_864.0, "B"), "67.11M");
        let runs = [
            run(Variant::Native, false, 1, &[("echo_lost_bytes", 8.0)]),
            run(Variant::ChromiumJspi, false, 1, &[("echo_lost_bytes", 16.0)]),
        ];
        let metrics = summarise(Workload::TcpBulk, &runs, &[Variant::Native, Variant::ChromiumJspi]);
        let lost = metrics.iter().find(|m| m.id == "echo_lost_bytes").unwrap();
        assert_eq!(lost.by_variant["chromium-jspi"].summary.median, 16.0);
        assert_eq!(lost.by_variant["chromium-jspi"].ratio_to_native, None, "no ratios of losses");
    }

    #[test]
    fn json_schema_round_trips_with_stable_keys() {
        let r = sample();
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["schema"], "dsock-bench/1");
        let cell = &v["workloads"][0]["metrics"][0]["by_variant"]["node"];
        for key in ["median", "min", "max", "n", "ratio_to_native"] {
            assert!(cell.get(key).is_some(), "cell lacks {key}: {cell}");
        }
        assert_eq!(v["variants"][2]["status"], "unavailable");
        assert_eq!(v["workloads"][0]["metrics"][0]["better"], "higher");
        assert_eq!(
            v["settings"],
            json!({"quick": false, "warmup": 1, "repeats": 3})
        );
        let back: Report = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
    }

    /// Direct Sockets builds get a ratio to chromium-js of the same run (backend efficiency),
    /// and so does chromium-js-thread (what the -pthread design costs); node and chromium-js
    /// itself do not, and the efficiency table lists the headline and the
    /// server CPU per unit only. A secondary figure that no variant has is left out of the main
    /// table; one that only some lack reads "—" there, not "failed".
    #[test]
    fn ratio_to_js_is_backend_efficiency() {
        let variants = [
            Variant::Native,
            Variant::Node,
            Variant::ChromiumJspi,
            Variant::ChromiumJs,
            Variant::ChromiumJsThread,
        ];
        let runs = vec![
            run(
                Variant::Native,
                false,
                1,
                &[("delivered_pps", 10_000.0), ("loss_pct", 0.0)],
            ),
            run(
                Variant::ChromiumJsThread,
                false,
                1,
                &[("delivered_pps", 3_200.0), ("loss_pct", 68.0), ("cpu_us_per_datagram", 120.0)],
            ),
            run(
                Variant::Node,
                false,
                1,
                &[("delivered_pps", 9_000.0), ("loss_pct", 1.0)],
            ),
            run(
                Variant::ChromiumJs,
                false,
                1,
                &[
                    ("delivered_pps", 4_000.0),
                    ("loss_pct", 60.0),
                    ("cpu_us_per_datagram", 100.0),
                    ("cpu_page_us_per_datagram", 40.0),
                ],
            ),
            run(
                Variant::ChromiumJspi,
                false,
                1,
                &[
                    ("delivered_pps", 3_000.0),
                    ("loss_pct", 70.0),
                    ("cpu_us_per_datagram", 150.0),
                    ("cpu_page_us_per_datagram", 50.0),
                ],
            ),
        ];
        let metrics = summarise(Workload::UdpConstant, &runs, &variants);
        let delivered = &metrics[0].by_variant;
        assert_eq!(delivered["chromium-jspi"].ratio_to_js, Some(0.75));
        assert_eq!(delivered["chromium-jspi"].ratio_to_native, Some(0.3));
        assert_eq!(delivered["chromium-js-thread"].ratio_to_js, Some(0.8));
        assert_eq!(delivered["chromium-js"].ratio_to_js, None);
        assert_eq!(delivered["node"].ratio_to_js, None);
        assert_eq!(
            metrics[1].by_variant["chromium-jspi"].ratio_to_js, None,
            "no ratios of %"
        );
        let mut r = sample();
        r.variants = variants
            .iter()
            .map(|v| VariantReport {
                id: v.id().into(),
                describe: v.describe().into(),
                status: VariantStatus::Ran,
                reason: None,
                notes: vec![],
            })
            .collect();
        r.workloads = vec![WorkloadReport {
            id: Workload::UdpConstant.id().into(),
            title: Workload::UdpConstant.title(false),
            metrics,
            runs,
        }];
        let eff = r.efficiency_markdown();
        assert!(eff.contains("what that design costs in plain JS.\n\n"), "{eff}");
        assert!(
            eff.contains("| workload | figure | chromium-js | chromium-jspi | chromium-js-thread |"),
            "{eff}"
        );
        assert!(
            eff.contains("| udp-constant | delivered (pps) | 4,000 pps | **0.75×** | **0.80×** |"),
            "{eff}"
        );
        assert!(
            eff.contains(
                "| udp-constant | server CPU per echoed datagram (µs) | 100 µs | **1.50×** | **1.20×** |"
            ),
            "{eff}"
        );
        // The page's main thread: a row of its own, and the sentence that says what it counts.
        assert!(
            eff.contains(
                "| udp-constant | page main-thread CPU per echoed datagram (µs) | 40.0 µs | **1.25×** | — |"
            ),
            "{eff}"
        );
        assert!(eff.contains("The page main-thread rows count only the renderer's main thread"), "{eff}");
        let md = r.markdown();
        assert!(md.contains("3,000 · **0.30×** · 0.75× js"));
        // node has the headline but no CPU figure; nobody has latencies here.
        assert!(md.contains("| server CPU per echoed datagram (µs) ↓ | — | — |"), "{md}");
        assert!(!md.contains("echo latency p50"), "{md}");
        assert!(r.svg(&r.workloads[0]).contains("(0.30× native, 0.75× js)"));
    }

    #[test]
    fn markdown_table_snapshot() {
        insta::assert_snapshot!(sample().markdown());
    }

    #[test]
    fn quiet_waits_are_summarised_by_the_run_before() {
        let mut r = sample();
        assert_eq!(r.quiet_markdown(), "", "no run recorded a wait");
        let wait = |after: &str, waited_ms: f64, busy_cpus: f64, settled: bool| QuietWait {
            after: Some(after.into()),
            waited_ms,
            busy_cpus,
            threshold_cpus: Some(0.6),
            settled,
        };
        let runs = &mut r.workloads[0].runs;
        runs[0].quiet = Some(wait("native", 250.0, 0.1, true));
        runs[1].quiet = Some(wait("prior-art", 12_400.0, 0.2, true));
        runs[2].quiet = Some(wait("prior-art", 30_000.0, 0.9, false));
        let md = r.quiet_markdown();
        assert!(
            md.contains(
                "under 0.60 busy CPUs, 0.5 above its baseline with every server idle, over 250 ms, at most 30 s"
            ),
            "{md}"
        );
        assert!(
            md.contains("- after `prior-art`: 2 run(s) waited, the longest 30.0 s; 1 run(s) started with the machine still busy (up to 0.9 CPUs)"),
            "{md}"
        );
        assert!(
            !md.contains("after `native`"),
            "a short wait is not listed: {md}"
        );
        assert!(r.markdown().ends_with(&md));

        for run in &mut r.workloads[0].runs {
            run.quiet = Some(wait("native", 300.0, 0.1, true));
        }
        assert!(r
            .quiet_markdown()
            .ends_with("; the longest wait was 0.3 s.\n"));

        // A report from before the baseline has no threshold: its bound was absolute.
        for run in &mut r.workloads[0].runs {
            run.quiet.as_mut().unwrap().threshold_cpus = None;
        }
        assert!(r
            .quiet_markdown()
            .contains("(under 0.5 busy CPUs, over 250 ms"));
    }

    #[test]
    fn svg_chart_snapshot() {
        let r = sample();
        insta::assert_snapshot!(r.svg(&r.workloads[0]));
    }

    #[test]
    fn value_formatting() {
        assert_eq!(fmt_value(98_246.6, "pps"), "98.2k");
        assert_eq!(fmt_value(745.459, "MB/s"), "745");
        assert_eq!(fmt_value(5.789, "µs"), "5.79");
        assert_eq!(fmt_value(57.03, "µs"), "57.0");
        assert_eq!(fmt_value(0.0, "%"), "0");
        assert_eq!(fmt_value(81.002, "%"), "81.0");
        assert_eq!(fmt_value(0.195, "%"), "0.20");
        assert_eq!(fmt_value(2_500_000.0, "pps"), "2.50M");
    }
}
