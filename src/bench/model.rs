//! What `dsock bench` measures: the five workloads (each a list of
//! load-generator steps and the figures read from their JSON) and the builds
//! of the program under test (variants).
//!
//! The program under test is `test-browser/bench/dsbench.c`, a UDP + TCP echo
//! server; the load generator is `test-browser/bench/dsbench_peer.c`, always
//! built natively. Each step is one `dsbench-peer` invocation that prints one
//! JSON object (see the peer's header comment for its fields).

use serde_json::Value;

/// Whether a larger or a smaller figure is the better one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Higher,
    Lower,
}

/// One figure of a workload, read from the JSON of its steps.
#[derive(Debug, Clone, Copy)]
pub struct MetricDef {
    /// Stable key in the JSON report, e.g. `delivered_pps`.
    pub id: &'static str,
    /// Human label for tables and charts.
    pub label: &'static str,
    /// Unit as printed: `pps`, `%`, `µs`, `MB/s`.
    pub unit: &'static str,
    pub better: Better,
    /// Reads the figure from the outputs of the workload's steps (same order as the steps).
    pub extract: fn(&[Value]) -> Option<f64>,
}

/// One `dsbench-peer` invocation. `args` may contain `{udp}` and `{tcp}`,
/// replaced by the server's ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub args: Vec<String>,
    /// Upper bound for the step, passed as `--timeout-ms`; the runner kills the
    /// peer 5 s after it.
    pub timeout_ms: u64,
}

/// The workloads, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Workload {
    UdpBurst,
    UdpConstant,
    UdpRamp,
    TcpBulk,
    TcpRr,
}

pub const ALL_WORKLOADS: [Workload; 5] = [
    Workload::UdpBurst,
    Workload::UdpConstant,
    Workload::UdpRamp,
    Workload::TcpBulk,
    Workload::TcpRr,
];

fn field(v: &Value, name: &str) -> Option<f64> {
    v.get(name)?.as_f64()
}

/// A tcp-rr latency, only when some round trip completed.
fn rr_latency(v: &Value, name: &str) -> Option<f64> {
    (field(v, "completed")? > 0.0).then(|| field(v, name)).flatten()
}

fn udp_step(extra: &[&str], timeout_ms: u64) -> Step {
    let mut args: Vec<String> = ["udp", "--port", "{udp}", "--size", "1200"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(["--timeout-ms".to_string(), timeout_ms.to_string()]);
    Step { args, timeout_ms }
}

fn tcp_step(cmd: &str, extra: &[String], timeout_ms: u64) -> Step {
    let mut args = vec![cmd.to_string(), "--port".into(), "{tcp}".into()];
    args.extend(extra.iter().cloned());
    args.extend(["--timeout-ms".to_string(), timeout_ms.to_string()]);
    Step { args, timeout_ms }
}

/// The record of the server's CPU time over the run, which the runner appends to the steps'
/// results as `{"kind": "cpu", "server_cpu_ms": x, "by_role_ms": {role: ms}}` ([`super::cpu`]).
fn cpu_record(s: &[Value]) -> Option<&Value> {
    s.iter().rev().find(|v| v.get("kind").and_then(Value::as_str) == Some("cpu"))
}

/// The server's CPU milliseconds over the run (its whole process tree).
fn server_cpu(s: &[Value]) -> Option<f64> {
    field(cpu_record(s)?, "server_cpu_ms")
}

/// The CPU milliseconds of one role of the server's tree over the run
/// ([`super::cpu::TreeCpu::by_role_ms`]); `None` for a variant without that role (native and
/// node have no page thread) and in reports from before the split existed.
fn role_cpu(s: &[Value], role: &str) -> Option<f64> {
    cpu_record(s)?.get("by_role_ms")?.get(role)?.as_f64()
}

/// `ms` spread over `per` units of work: µs per unit (`None` when no unit was done).
fn us_per(ms: Option<f64>, per: f64) -> Option<f64> {
    (per > 0.0).then(|| ms.map(|ms| ms * 1000.0 / per)).flatten()
}

/// Server CPU µs per unit of work.
fn cpu_us_per(s: &[Value], per: f64) -> Option<f64> {
    us_per(server_cpu(s), per)
}

/// CPU µs of the page's main thread per unit of work.
fn page_us_per(s: &[Value], per: f64) -> Option<f64> {
    us_per(role_cpu(s, super::cpu::PAGE_THREAD), per)
}

const UDP_CPU: MetricDef = MetricDef {
    id: "cpu_us_per_datagram",
    label: "server CPU per echoed datagram",
    unit: "µs",
    better: Better::Lower,
    extract: |s| cpu_us_per(s, field(&s[0], "received")?),
};

/// The page's main thread: where every browser variant's sockets live, and under JSPI the
/// program too. The rest of Chromium (network service, renderer IO thread) costs about the
/// same per datagram for every browser variant (docs/bench.md, twelfth pass), so this row
/// is where a build's extra CPU shows.
const UDP_PAGE_CPU: MetricDef = MetricDef {
    id: "cpu_page_us_per_datagram",
    label: "page main-thread CPU per echoed datagram",
    unit: "µs",
    better: Better::Lower,
    extract: |s| page_us_per(s, field(&s[0], "received")?),
};

const DELIVERED: MetricDef = MetricDef {
    id: "delivered_pps",
    label: "delivered",
    unit: "pps",
    better: Better::Higher,
    extract: |s| field(&s[0], "delivered_pps"),
};
const UDP_LOSS: MetricDef = MetricDef {
    id: "loss_pct",
    label: "loss",
    unit: "%",
    better: Better::Lower,
    extract: |s| field(&s[0], "loss_pct"),
};
const UDP_P50: MetricDef = MetricDef {
    id: "lat_p50_us",
    label: "echo latency p50",
    unit: "µs",
    better: Better::Lower,
    extract: |s| field(&s[0], "lat_p50_us"),
};
const UDP_P99: MetricDef = MetricDef {
    id: "lat_p99_us",
    label: "echo latency p99",
    unit: "µs",
    better: Better::Lower,
    extract: |s| field(&s[0], "lat_p99_us"),
};

impl Workload {
    /// Stable id used on the command line and in JSON: `udp-burst`, ...
    pub fn id(self) -> &'static str {
        match self {
            Workload::UdpBurst => "udp-burst",
            Workload::UdpConstant => "udp-constant",
            Workload::UdpRamp => "udp-ramp",
            Workload::TcpBulk => "tcp-bulk",
            Workload::TcpRr => "tcp-rr",
        }
    }

    pub fn parse(s: &str) -> Option<Workload> {
        ALL_WORKLOADS.into_iter().find(|w| w.id() == s)
    }

    /// Title with the parameters, e.g. "UDP burst: 50,000 × 1200 B, as fast as possible".
    pub fn title(self, quick: bool) -> String {
        let p = Params::new(quick);
        match self {
            Workload::UdpBurst => format!(
                "UDP burst: {} datagrams × 1200 B, as fast as possible",
                group(p.burst_count as f64)
            ),
            Workload::UdpConstant => format!(
                "UDP constant rate: 10,000 pps × 1200 B for {} s",
                p.constant_seconds
            ),
            Workload::UdpRamp => format!(
                "UDP ramp: 0 → 50,000 pps × 1200 B over {} s",
                p.ramp_seconds
            ),
            Workload::TcpBulk => format!(
                "TCP bulk: {} MiB one way, and echoed (byte-checked)",
                p.bulk_bytes >> 20
            ),
            Workload::TcpRr => format!(
                "TCP request/response: {} round trips of 64 B",
                group(p.rr_count as f64)
            ),
        }
    }

    /// The load-generator steps of one repetition.
    pub fn steps(self, quick: bool) -> Vec<Step> {
        let p = Params::new(quick);
        match self {
            Workload::UdpBurst => vec![udp_step(
                &["--pattern", "burst", "--count", &p.burst_count.to_string()],
                20_000,
            )],
            Workload::UdpConstant => vec![udp_step(
                &[
                    "--pattern",
                    "constant",
                    "--rate",
                    "10000",
                    "--seconds",
                    &p.constant_seconds.to_string(),
                ],
                (p.constant_seconds as u64 + 10) * 1000,
            )],
            Workload::UdpRamp => vec![udp_step(
                &[
                    "--pattern",
                    "ramp",
                    "--rate",
                    "50000",
                    "--seconds",
                    &p.ramp_seconds.to_string(),
                ],
                (p.ramp_seconds as u64 + 10) * 1000,
            )],
            Workload::TcpBulk => {
                let bytes = vec!["--bytes".to_string(), p.bulk_bytes.to_string()];
                vec![
                    tcp_step("sink", &bytes, p.bulk_timeout_ms),
                    tcp_step("echo", &bytes, p.bulk_timeout_ms),
                ]
            }
            Workload::TcpRr => vec![tcp_step(
                "rr",
                &[
                    "--count".to_string(),
                    p.rr_count.to_string(),
                    "--size".into(),
                    "64".into(),
                ],
                p.rr_timeout_ms,
            )],
        }
    }

    /// The figures reported for this workload; the first is the headline (charted, and the
    /// one the efficiency targets are set on): delivered pps, MB/s one way, round trips/s.
    pub fn metrics(self) -> Vec<MetricDef> {
        match self {
            Workload::UdpBurst => vec![DELIVERED, UDP_LOSS, UDP_CPU, UDP_PAGE_CPU],
            Workload::UdpConstant => vec![DELIVERED, UDP_LOSS, UDP_P50, UDP_P99, UDP_CPU, UDP_PAGE_CPU],
            Workload::UdpRamp => vec![
                DELIVERED,
                MetricDef {
                    id: "knee_pps",
                    label: "loss-free up to",
                    unit: "pps",
                    better: Better::Higher,
                    extract: |s| field(&s[0], "knee_pps"),
                },
                UDP_LOSS,
                UDP_CPU,
                UDP_PAGE_CPU,
            ],
            Workload::TcpBulk => vec![
                MetricDef {
                    id: "oneway_mbps",
                    label: "one way",
                    unit: "MB/s",
                    better: Better::Higher,
                    // Only a run the server acknowledged in full has a one-way rate; a
                    // short acknowledgement leaves the figure out ("[2/3 runs]").
                    extract: |s| {
                        let complete = s[0].get("complete").and_then(Value::as_bool) == Some(true);
                        complete.then(|| field(&s[0], "mbytes_per_s")).flatten()
                    },
                },
                MetricDef {
                    id: "echo_mbps",
                    label: "echoed (intact bytes)",
                    unit: "MB/s",
                    better: Better::Higher,
                    extract: |s| field(s.get(1)?, "mbytes_per_s"),
                },
                MetricDef {
                    id: "echo_loss_pct",
                    label: "echo bytes lost or corrupt",
                    unit: "%",
                    better: Better::Lower,
                    extract: |s| field(s.get(1)?, "loss_pct"),
                },
                // In bytes too: the peer prints the percentage with four decimals, so a
                // lost 16-byte tail of 64 MiB (2.4e-5 %) reads as 0.
                MetricDef {
                    id: "echo_lost_bytes",
                    label: "echo bytes lost or corrupt",
                    unit: "B",
                    better: Better::Lower,
                    extract: |s| {
                        let echo = s.get(1)?;
                        Some((field(echo, "bytes")? - field(echo, "intact_bytes")?).max(0.0))
                    },
                },
                MetricDef {
                    id: "cpu_ms_per_mb",
                    label: "server CPU per MB received",
                    unit: "ms",
                    better: Better::Lower,
                    // Both steps: the one-way bytes and the echoed ones (each also sent back).
                    extract: |s| {
                        let mb = (field(&s[0], "received")? + field(s.get(1)?, "received")?) / 1e6;
                        cpu_us_per(s, mb).map(|us| us / 1000.0)
                    },
                },
                MetricDef {
                    id: "cpu_page_ms_per_mb",
                    label: "page main-thread CPU per MB received",
                    unit: "ms",
                    better: Better::Lower,
                    extract: |s| {
                        let mb = (field(&s[0], "received")? + field(s.get(1)?, "received")?) / 1e6;
                        page_us_per(s, mb).map(|us| us / 1000.0)
                    },
                },
            ],
            Workload::TcpRr => vec![
                MetricDef {
                    id: "rtt_per_s",
                    label: "round trips",
                    unit: "/s",
                    better: Better::Higher,
                    extract: |s| field(&s[0], "rtt_per_s"),
                },
                // No round trip completed: no latency (the peer prints 0), not a fast one.
                MetricDef {
                    id: "lat_p50_us",
                    label: "round trip p50",
                    unit: "µs",
                    better: Better::Lower,
                    extract: |s| rr_latency(&s[0], "lat_p50_us"),
                },
                MetricDef {
                    id: "lat_p99_us",
                    label: "round trip p99",
                    unit: "µs",
                    better: Better::Lower,
                    extract: |s| rr_latency(&s[0], "lat_p99_us"),
                },
                MetricDef {
                    id: "failed_pct",
                    label: "round trips not completed",
                    unit: "%",
                    better: Better::Lower,
                    extract: |s| {
                        let planned = field(&s[0], "planned")?;
                        let done = field(&s[0], "completed")?;
                        (planned > 0.0).then(|| 100.0 * (planned - done) / planned)
                    },
                },
                MetricDef {
                    id: "cpu_us_per_rtt",
                    label: "server CPU per round trip",
                    unit: "µs",
                    better: Better::Lower,
                    extract: |s| cpu_us_per(s, field(&s[0], "completed")?),
                },
                MetricDef {
                    id: "cpu_page_us_per_rtt",
                    label: "page main-thread CPU per round trip",
                    unit: "µs",
                    better: Better::Lower,
                    extract: |s| page_us_per(s, field(&s[0], "completed")?),
                },
            ],
        }
    }
}

/// Workload sizes: the issue's full figures, or `--quick` ones for a smoke run.
struct Params {
    burst_count: u64,
    constant_seconds: u32,
    ramp_seconds: u32,
    bulk_bytes: u64,
    bulk_timeout_ms: u64,
    rr_count: u64,
    rr_timeout_ms: u64,
}

impl Params {
    fn new(quick: bool) -> Params {
        if quick {
            Params {
                burst_count: 10_000,
                constant_seconds: 1,
                ramp_seconds: 1,
                bulk_bytes: 8 << 20,
                bulk_timeout_ms: 10_000,
                rr_count: 1_000,
                rr_timeout_ms: 10_000,
            }
        } else {
            Params {
                burst_count: 50_000,
                constant_seconds: 5,
                ramp_seconds: 5,
                bulk_bytes: 64 << 20,
                bulk_timeout_ms: 30_000,
                rr_count: 10_000,
                rr_timeout_ms: 30_000,
            }
        }
    }
}

/// `12345.6` → `"12,346"`.
pub fn group(x: f64) -> String {
    let s = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 && s != "0" {
        out.insert(0, '-');
    }
    out
}

/// A build of the program under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    /// clang, run as a native process: the baseline every ratio divides by.
    Native,
    /// -sNODERAWSOCKETS -sJSPI under node.
    Node,
    /// -sNODERAWSOCKETS -pthread -sPROXY_TO_PTHREAD under node (not in the default set).
    NodePthread,
    /// -sDIRECT_SOCKETS -sJSPI in a headless Chromium Isolated Web App.
    ChromiumJspi,
    /// -sDIRECT_SOCKETS -pthread -sPROXY_TO_PTHREAD in a headless Chromium IWA.
    ChromiumPthread,
    /// The same server written directly on Direct Sockets in plain JS
    /// (test-browser/bench/app/dsbench-js.js), in the same IWA: the browser's ceiling.
    ChromiumJs,
    /// chromium-js with every datagram and TCP chunk handed to a worker and back through shared
    /// memory before it is echoed (dsbench-js.js `--thread-hop 1`): what the design of a
    /// `-pthread -sPROXY_TO_PTHREAD` build (the program on a worker, the sockets on the page)
    /// costs in plain JS.
    ChromiumJsThread,
    /// dsbench.c built with the prior art's Emscripten library (Socket.IWA's
    /// libdirectsockets.js, `--prior-art PATH`), in the same IWA.
    PriorArt,
}

pub const ALL_VARIANTS: [Variant; 8] = [
    Variant::Native,
    Variant::Node,
    Variant::NodePthread,
    Variant::ChromiumJspi,
    Variant::ChromiumPthread,
    Variant::ChromiumJs,
    Variant::ChromiumJsThread,
    Variant::PriorArt,
];
/// Without `--variants`; `prior-art` joins them when its path is given.
pub const DEFAULT_VARIANTS: [Variant; 6] = [
    Variant::Native,
    Variant::Node,
    Variant::ChromiumJspi,
    Variant::ChromiumPthread,
    Variant::ChromiumJs,
    Variant::ChromiumJsThread,
];

impl Variant {
    pub fn id(self) -> &'static str {
        match self {
            Variant::Native => "native",
            Variant::Node => "node",
            Variant::NodePthread => "node-pthread",
            Variant::ChromiumJspi => "chromium-jspi",
            Variant::ChromiumPthread => "chromium-pthread",
            Variant::ChromiumJs => "chromium-js",
            Variant::ChromiumJsThread => "chromium-js-thread",
            Variant::PriorArt => "prior-art",
        }
    }

    pub fn parse(s: &str) -> Option<Variant> {
        ALL_VARIANTS.into_iter().find(|v| v.id() == s)
    }

    /// What the build is, for table footnotes.
    pub fn describe(self) -> &'static str {
        match self {
            Variant::Native => "clang -O2, native process",
            Variant::Node => "emcc -O2 -sNODERAWSOCKETS -sJSPI, node",
            Variant::NodePthread => "emcc -O2 -sNODERAWSOCKETS -pthread -sPROXY_TO_PTHREAD, node",
            Variant::ChromiumJspi => "emcc -O2 -sDIRECT_SOCKETS -sJSPI, headless Chromium IWA",
            Variant::ChromiumPthread => {
                "emcc -O2 -sDIRECT_SOCKETS -pthread -sPROXY_TO_PTHREAD, headless Chromium IWA"
            }
            Variant::ChromiumJs => {
                "plain JS on TCPSocket/UDPSocket/TCPServerSocket (no wasm), same IWA: the ceiling"
            }
            Variant::ChromiumJsThread => {
                "chromium-js with each datagram and chunk sent through a worker and back in shared \
                 memory before the echo: the -pthread -sPROXY_TO_PTHREAD design in plain JS"
            }
            Variant::PriorArt => {
                "Socket.IWA libdirectsockets.js (prior art), emcc -O2 -sDIRECT_SOCKETS -sJSPI \
                 -pthread -sPROXY_TO_PTHREAD, headless Chromium IWA"
            }
        }
    }

    pub fn is_wasm(self) -> bool {
        self != Variant::Native
    }

    pub fn is_browser(self) -> bool {
        matches!(
            self,
            Variant::ChromiumJspi
                | Variant::ChromiumPthread
                | Variant::ChromiumJs
                | Variant::ChromiumJsThread
                | Variant::PriorArt
        )
    }

    /// The plain-JS server (dsbench-js.js), which emcc does not build.
    pub fn is_plain_js(self) -> bool {
        matches!(self, Variant::ChromiumJs | Variant::ChromiumJsThread)
    }

    /// Quoted as a ratio to `chromium-js` of the same run: the Direct Sockets builds (backend
    /// efficiency) and `chromium-js-thread` (what the `-pthread` design itself costs).
    pub fn is_quoted_against_js(self) -> bool {
        self.is_direct_sockets_build() || self == Variant::ChromiumJsThread
    }

    /// A C program on Direct Sockets through an Emscripten library: its figures are also quoted
    /// as a ratio to `chromium-js` of the same run (backend efficiency).
    pub fn is_direct_sockets_build(self) -> bool {
        matches!(
            self,
            Variant::ChromiumJspi | Variant::ChromiumPthread | Variant::PriorArt
        )
    }

    /// emcc flags after the source and `-o`; empty for the variants emcc does not build.
    pub fn emcc_flags(self) -> Vec<&'static str> {
        let mut f = vec!["-O2", "-sEXIT_RUNTIME"];
        match self {
            Variant::Native | Variant::ChromiumJs | Variant::ChromiumJsThread => return vec![],
            Variant::Node => f.extend(["-sNODERAWSOCKETS", "-sJSPI", "-sENVIRONMENT=node"]),
            Variant::NodePthread => f.extend([
                "-sNODERAWSOCKETS",
                "-pthread",
                "-sPROXY_TO_PTHREAD",
                "-sENVIRONMENT=node,worker",
            ]),
            Variant::ChromiumJspi => f.extend(["-sDIRECT_SOCKETS", "-sJSPI", "-sENVIRONMENT=web"]),
            Variant::ChromiumPthread => f.extend([
                "-sDIRECT_SOCKETS",
                "-pthread",
                "-sPROXY_TO_PTHREAD",
                "-sENVIRONMENT=web,worker",
            ]),
            // The flags Socket.IWA's README and docker_build.sh build with.
            Variant::PriorArt => f.extend([
                "-sDIRECT_SOCKETS",
                "-sJSPI",
                "-pthread",
                "-sPROXY_TO_PTHREAD",
                "-sENVIRONMENT=web,worker",
            ]),
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_round_trip() {
        for w in ALL_WORKLOADS {
            assert_eq!(Workload::parse(w.id()), Some(w));
        }
        for v in ALL_VARIANTS {
            assert_eq!(Variant::parse(v.id()), Some(v));
        }
        assert_eq!(Workload::parse("udp"), None);
    }

    #[test]
    fn full_sizes_are_the_issue_figures() {
        assert!(Workload::UdpBurst.steps(false)[0]
            .args
            .join(" ")
            .contains("--count 50000 "));
        assert!(Workload::UdpConstant.steps(false)[0]
            .args
            .join(" ")
            .contains("--rate 10000 --seconds 5"));
        assert!(Workload::UdpRamp.steps(false)[0]
            .args
            .join(" ")
            .contains("--rate 50000 --seconds 5"));
        let bulk = Workload::TcpBulk.steps(false);
        assert_eq!(bulk.len(), 2);
        assert!(bulk[0]
            .args
            .join(" ")
            .starts_with("sink --port {tcp} --bytes 67108864"));
        assert!(bulk[1]
            .args
            .join(" ")
            .starts_with("echo --port {tcp} --bytes 67108864"));
        assert!(Workload::TcpRr.steps(false)[0]
            .args
            .join(" ")
            .contains("--count 10000 --size 64"));
        for w in ALL_WORKLOADS {
            for s in w.steps(false) {
                assert_eq!(
                    s.args.last(),
                    Some(&s.timeout_ms.to_string()),
                    "every step is time-bounded"
                );
            }
        }
    }

    #[test]
    fn bulk_metrics_read_both_steps() {
        let outs = [
            json!({"mbytes_per_s": 700.0, "complete": true, "received": 3_000_000}),
            json!({"mbytes_per_s": 250.5, "loss_pct": 12.5, "received": 1_000_000,
                   "bytes": 1_142_857, "intact_bytes": 1_000_000}),
            json!({"kind": "cpu", "server_cpu_ms": 10.0}),
        ];
        let m = Workload::TcpBulk.metrics();
        let vals: Vec<_> = m.iter().map(|d| (d.extract)(&outs)).collect();
        // 10 ms of CPU for 4 MB received; no page figure without the split by role.
        assert_eq!(vals, [Some(700.0), Some(250.5), Some(12.5), Some(142_857.0), Some(2.5), None]);
        // No CPU reading (not Linux): no CPU figure.
        assert_eq!((m[4].extract)(&outs[..2]), None);
        // A 16-byte tail missing from 64 MiB: 0.0000 % as printed, 16 bytes as counted.
        let tail = [
            json!({}),
            json!({"loss_pct": 0.0, "bytes": 67_108_864, "intact_bytes": 67_108_848}),
        ];
        assert_eq!((m[2].extract)(&tail), Some(0.0));
        assert_eq!((m[3].extract)(&tail), Some(16.0));
        // A missing echo step yields no figure rather than a panic.
        assert_eq!((m[1].extract)(&outs[..1]), None);
        // The server closed before acknowledging everything: no one-way figure.
        let short = [json!({"mbytes_per_s": 0.0, "complete": false})];
        assert_eq!((m[0].extract)(&short), None);
    }

    #[test]
    fn cpu_figures_divide_the_server_cpu_by_the_work_done() {
        let cpu = |w: Workload| w.metrics().into_iter().find(|m| m.id.starts_with("cpu_")).unwrap();
        let rr = [json!({"completed": 4000}), json!({"kind": "cpu", "server_cpu_ms": 500.0})];
        assert_eq!((cpu(Workload::TcpRr).extract)(&rr), Some(125.0), "µs per round trip");
        let udp = [json!({"received": 2000}), json!({"kind": "cpu", "server_cpu_ms": 100.0})];
        for w in [Workload::UdpBurst, Workload::UdpConstant, Workload::UdpRamp] {
            assert_eq!((cpu(w).extract)(&udp), Some(50.0), "{w:?}: µs per echoed datagram");
        }
        // Nothing echoed: no per-datagram cost rather than an infinite one.
        let none = [json!({"received": 0}), json!({"kind": "cpu", "server_cpu_ms": 100.0})];
        assert_eq!((cpu(Workload::UdpBurst).extract)(&none), None);
    }

    #[test]
    fn page_cpu_figures_divide_the_page_threads_time_and_exist_only_with_a_page() {
        let page = |w: Workload| w.metrics().into_iter().find(|m| m.id.starts_with("cpu_page_")).unwrap();
        let split = json!({"kind": "cpu", "server_cpu_ms": 900.0,
                           "by_role_ms": {"page thread": 300.0, "network service": 400.0, "other": 200.0}});
        let rr = [json!({"completed": 4000}), split.clone()];
        assert_eq!((page(Workload::TcpRr).extract)(&rr), Some(75.0), "µs per round trip");
        let udp = [json!({"received": 2000}), split.clone()];
        for w in [Workload::UdpBurst, Workload::UdpConstant, Workload::UdpRamp] {
            assert_eq!((page(w).extract)(&udp), Some(150.0), "{w:?}: µs per echoed datagram");
        }
        let bulk = [json!({"received": 1e6}), json!({"received": 2e6}), split];
        assert_eq!((page(Workload::TcpBulk).extract)(&bulk), Some(100.0), "ms per MB");
        // native and node: no renderer, so no page figure (not 0 µs).
        let native = [json!({"completed": 4000}),
                      json!({"kind": "cpu", "server_cpu_ms": 40.0, "by_role_ms": {"other": 40.0}})];
        assert_eq!((page(Workload::TcpRr).extract)(&native), None);
        // A report from before the split.
        let old = [json!({"completed": 4000}), json!({"kind": "cpu", "server_cpu_ms": 40.0})];
        assert_eq!((page(Workload::TcpRr).extract)(&old), None);
    }

    #[test]
    fn rr_failed_pct_counts_incomplete_round_trips() {
        let outs = [json!({"planned": 10000, "completed": 9000})];
        let failed = Workload::TcpRr
            .metrics()
            .into_iter()
            .find(|m| m.id == "failed_pct")
            .unwrap();
        assert_eq!((failed.extract)(&outs), Some(10.0));
        let none = [json!({"planned": 10, "completed": 0, "lat_p50_us": 0.0, "rtt_per_s": 0.0})];
        let m = Workload::TcpRr.metrics();
        assert_eq!((m[0].extract)(&none), Some(0.0), "round trips/s is 0");
        assert_eq!((m[1].extract)(&none), None, "no latency without a round trip");
    }

    #[test]
    fn grouping() {
        assert_eq!(group(0.0), "0");
        assert_eq!(group(999.4), "999");
        assert_eq!(group(1000.0), "1,000");
        assert_eq!(group(1234567.8), "1,234,568");
    }
}
