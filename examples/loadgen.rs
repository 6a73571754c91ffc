//! An open-loop load generator for the Storefleet API (used by `scripts/bench-api`).
//!
//! Requests are sent on a fixed schedule — request `i` is due at `start + i / rate` —
//! whether or not earlier ones have answered, so a slow server cannot slow the generator
//! down and hide its own latency (no coordinated omission). Latency is measured from the
//! moment a request was due, not from when it happened to leave.
//!
//! ```text
//! cargo run --release --example loadgen -- get    --base URL --targets FILE --rate 1000 --duration 30
//! cargo run --release --example loadgen -- create --base URL --tokens FILE  --rate 100  --duration 30 \
//!     [--prefix NAME] [--ids-out FILE]
//! ```
//!
//! `--targets` has one `TOKEN STORE_ID` per line (requests cycle through them);
//! `--tokens` one bearer token per line. `create` gives every store a unique name
//! (`<prefix>-<n>`) and, with `--ids-out`, writes `TOKEN STORE_ID` lines for the stores it
//! created (the input of a later `get` run). The summary is one JSON object on stdout.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use reqwest::{Client, StatusCode};
use serde_json::json;
use tokio::sync::mpsc;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Get,
    Create,
}

#[derive(Debug)]
struct Args {
    mode: Mode,
    base: String,
    rate: f64,
    duration: Duration,
    targets: Option<String>,
    tokens: Option<String>,
    prefix: String,
    ids_out: Option<String>,
    timeout: Duration,
}

fn parse_args() -> Result<Args> {
    let mut it = std::env::args().skip(1);
    let mode = match it.next().as_deref() {
        Some("get") => Mode::Get,
        Some("create") => Mode::Create,
        other => bail!("first argument must be `get` or `create`, not {other:?}"),
    };
    let mut args = Args {
        mode,
        base: "http://127.0.0.1:8080".to_owned(),
        rate: 100.0,
        duration: Duration::from_secs(10),
        targets: None,
        tokens: None,
        prefix: "bench".to_owned(),
        ids_out: None,
        timeout: Duration::from_secs(10),
    };
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--base" => args.base = value.trim_end_matches('/').to_owned(),
            "--rate" => args.rate = value.parse().context("--rate")?,
            "--duration" => {
                args.duration = Duration::from_secs_f64(value.parse().context("--duration")?);
            }
            "--targets" => args.targets = Some(value),
            "--tokens" => args.tokens = Some(value),
            "--prefix" => args.prefix = value,
            "--ids-out" => args.ids_out = Some(value),
            "--timeout" => {
                args.timeout = Duration::from_secs_f64(value.parse().context("--timeout")?);
            }
            _ => bail!("unknown flag {flag}"),
        }
    }
    if !args.rate.is_finite() || args.rate <= 0.0 {
        bail!("--rate must be positive");
    }
    Ok(args)
}

fn read_lines(path: &str) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if lines.is_empty() {
        bail!("{path} is empty");
    }
    Ok(lines)
}

/// What one request came to.
#[derive(Debug)]
struct Outcome {
    /// From when the request was due until its whole answer was read.
    latency: Duration,
    /// How late it left compared with its schedule (generator lag).
    send_lag: Duration,
    /// From when it left until its whole answer was read (what the server and the
    /// connection took, without the generator's own lag).
    service: Duration,
    /// HTTP status, or `None` for a transport error or timeout.
    status: Option<StatusCode>,
    /// For a successful create: the new store's id and the token that owns it.
    created: Option<(String, String)>,
}

#[derive(Debug)]
enum Work {
    Get { token: Arc<str>, url: String },
    Create { token: Arc<str>, body: String },
}

async fn send(
    client: &Client,
    base: &str,
    work: Work,
) -> (Option<StatusCode>, Option<(String, String)>) {
    match work {
        Work::Get { token, url } => {
            let resp = client.get(url).bearer_auth(&*token).send().await;
            match resp {
                Ok(r) => {
                    let status = r.status();
                    // Read the whole body: the latency covers the full answer.
                    let ok = r.bytes().await.is_ok();
                    (ok.then_some(status), None)
                }
                Err(_) => (None, None),
            }
        }
        Work::Create { token, body } => {
            let resp = client
                .post(format!("{base}/api/v1/stores"))
                .bearer_auth(&*token)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await;
            match resp {
                Ok(r) => {
                    let status = r.status();
                    let Ok(bytes) = r.bytes().await else {
                        return (None, None);
                    };
                    let created = (status == StatusCode::ACCEPTED)
                        .then(|| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
                        .flatten()
                        .and_then(|v| v["id"].as_str().map(str::to_owned))
                        .map(|id| (token.to_string(), id));
                    (Some(status), created)
                }
                Err(_) => (None, None),
            }
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    // Nearest-rank percentile.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1].as_secs_f64() * 1000.0
}

/// CPU time this process has used (user + system), from `/proc/self/stat` (Linux; clock
/// ticks of 1/100 s, the kernel's USER_HZ). `None` elsewhere.
fn own_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12th and 13th after the name.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn summary_ms(sorted: &[Duration]) -> serde_json::Value {
    json!({
        "p50": percentile(sorted, 50.0),
        "p90": percentile(sorted, 90.0),
        "p99": percentile(sorted, 99.0),
        "p99.9": percentile(sorted, 99.9),
        "max": sorted.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    })
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let client = Client::builder()
        .timeout(args.timeout)
        .pool_idle_timeout(Duration::from_secs(30))
        .tcp_nodelay(true)
        .build()?;

    // Round-robin inputs: (token, URL) pairs to GET, or tokens to create stores with.
    let mut targets: Vec<(Arc<str>, String)> = Vec::new();
    let mut tokens: Vec<Arc<str>> = Vec::new();
    match args.mode {
        Mode::Get => {
            let path = args.targets.as_deref().context("get needs --targets")?;
            for line in read_lines(path)? {
                let (token, id) = line
                    .split_once(' ')
                    .with_context(|| format!("{path}: want `TOKEN STORE_ID` lines"))?;
                targets.push((
                    Arc::from(token),
                    format!("{}/api/v1/stores/{}", args.base, id.trim()),
                ));
            }
        }
        Mode::Create => {
            let path = args.tokens.as_deref().context("create needs --tokens")?;
            tokens = read_lines(path)?.into_iter().map(Arc::from).collect();
        }
    }

    let total = (args.rate * args.duration.as_secs_f64()).round() as u64;
    let interval = Duration::from_secs_f64(1.0 / args.rate);
    let (tx, mut rx) = mpsc::unbounded_channel::<Outcome>();
    let base: Arc<str> = Arc::from(args.base.as_str());

    // A short warm-up outside the measurement opens connections.
    if args.mode == Mode::Get {
        for (token, url) in targets.iter().take(20) {
            let _ = send(
                &client,
                &base,
                Work::Get {
                    token: token.clone(),
                    url: url.clone(),
                },
            )
            .await;
        }
    }

    let start = Instant::now() + Duration::from_millis(50);
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due).await;
        let work = match args.mode {
            Mode::Get => {
                let (token, url) = &targets[(i as usize) % targets.len()];
                Work::Get {
                    token: token.clone(),
                    url: url.clone(),
                }
            }
            Mode::Create => Work::Create {
                token: tokens[(i as usize) % tokens.len()].clone(),
                body: json!({ "name": format!("{}-{i}", args.prefix) }).to_string(),
            },
        };
        let client = client.clone();
        let tx = tx.clone();
        let base = base.clone();
        tokio::spawn(async move {
            let sent = Instant::now();
            let (status, created) = send(&client, &base, work).await;
            let done = Instant::now();
            let _ = tx.send(Outcome {
                latency: done - due,
                send_lag: sent.saturating_duration_since(due),
                service: done - sent,
                status,
                created,
            });
        });
    }
    drop(tx);
    let scheduled_for = start.elapsed();

    let mut latencies = Vec::with_capacity(total as usize);
    let mut lags = Vec::with_capacity(total as usize);
    let mut services = Vec::with_capacity(total as usize);
    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    let mut created = Vec::new();
    while let Some(o) = rx.recv().await {
        latencies.push(o.latency);
        lags.push(o.send_lag);
        services.push(o.service);
        let key = o
            .status
            .map_or_else(|| "error".to_owned(), |s| s.as_u16().to_string());
        *statuses.entry(key).or_default() += 1;
        if let Some(c) = o.created {
            created.push(c);
        }
    }
    let wall = start.elapsed();
    latencies.sort_unstable();
    lags.sort_unstable();
    services.sort_unstable();

    if let Some(path) = &args.ids_out {
        let text: String = created
            .iter()
            .map(|(t, id)| format!("{t} {id}\n"))
            .collect();
        std::fs::write(path, text).with_context(|| format!("writing {path}"))?;
    }

    let expected_ok = if args.mode == Mode::Get { "200" } else { "202" };
    let ok = statuses.get(expected_ok).copied().unwrap_or(0);
    let summary = json!({
        "mode": if args.mode == Mode::Get { "get" } else { "create" },
        "target_rate": args.rate,
        "requests": latencies.len(),
        "ok": ok,
        "statuses": statuses,
        "achieved_rate": latencies.len() as f64 / scheduled_for.as_secs_f64().max(1e-9),
        "wall_seconds": wall.as_secs_f64(),
        "latency_ms": summary_ms(&latencies),
        "service_ms": summary_ms(&services),
        "send_lag_ms": summary_ms(&lags),
        "cpu_seconds": own_cpu_seconds(),
    });
    println!("{summary}");
    Ok(())
}
