//! Load driver for the benchmark of the provisioning engine (used by `scripts/bench-engine`).
//!
//! It talks to a running `storefleet serve` whose workers provision stores on a real
//! cluster, and measures, from the client's side:
//!
//! ```text
//! enginebench latency --base URL --tokens FILE --stores 20 [--poll-ms 50]
//! enginebench bulk    --base URL --tokens FILE --stores 1000 [--concurrency 50] [--get-rate 50]
//! enginebench live    --base URL --tokens FILE
//! enginebench baseline --objects FILE --label KEY=VALUE --workloads K [--concurrency 16]
//! ```
//!
//! - `latency`: stores created one after another with the first token; each is polled with
//!   `GET /api/v1/stores/{id}` every `--poll-ms` until it is `Ready`. The time of a store is
//!   from just before its POST to the first GET that said Ready. Afterwards the stores are
//!   deleted and waited for (reported, not a target).
//! - `bulk`: `--stores` stores created with `--concurrency` POSTs in flight, round robin
//!   over the tokens, then waited for until all are Ready; then all deleted (same
//!   concurrency) and waited for until none is listed, and every id checked for 404.
//!   Statuses are counted from each user's `GET /api/v1/stores` every `--list-every`
//!   seconds. Through both phases an open-loop stream of `GET /api/v1/stores/{id}` at
//!   `--get-rate` per second runs over the stores created so far; its latency is measured
//!   from when each request was due.
//! - `live`: prints `ID NAMESPACE` of every live store of the given users (for clean-up).
//! - `baseline`: no Storefleet at all. `--objects` holds one store a line: a JSON array
//!   of its objects, its Namespace (labelled `--label`) first. One kube client (this
//!   process, `KUBECONFIG`) creates them: `--concurrency` stores at a time, each store's
//!   objects one after another in the file's order, as a client applying a manifest does.
//!   Watches of Deployments, StatefulSets and Jobs (kube::runtime reflectors, listed before
//!   the clock starts) tell when every store has `--workloads` of them, all ready (Jobs:
//!   succeeded). Then the namespaces are deleted (same concurrency) and watched until none
//!   is left. This is what the control plane alone needs for the stores' objects, with a
//!   client whose own CPU (reported as `driver`) is small next to the cluster's;
//!   `scripts/bench-engine` compares the engine with it.
//!
//! Common flags: `--pid PID` (the server: its RSS is sampled every second, its CPU and its
//! reaped children's CPU — helm — are read per phase), `--cluster-pids name=pid,...` (CPU
//! of other processes to account, such as the cluster's), `--timeout SECS` (per phase),
//! `--created FILE` (appends `ID NAMESPACE` for every store created, as soon as it is),
//! `--progress-every SECS` (10). Progress goes to stderr; the result is one JSON object
//! on stdout.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use futures::{FutureExt as _, StreamExt as _};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, PostParams};
use kube::runtime::{WatchStreamExt as _, reflector, watcher};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Clock ticks per second of `/proc/<pid>/stat` (the kernel's USER_HZ, 100 on Linux).
const HZ: f64 = 100.0;
/// Attempts per POST or DELETE before it counts as failed (transport errors, 429, 5xx).
const ATTEMPTS: u32 = 5;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

// ---------------------------------------------------------------------------------------
// Arguments

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Latency,
    Bulk,
    Live,
    Baseline,
}

#[derive(Debug)]
struct Args {
    mode: Mode,
    base: String,
    tokens: String,
    stores: usize,
    poll: Duration,
    concurrency: usize,
    get_rate: f64,
    list_every: Duration,
    progress_every: Duration,
    timeout: Duration,
    pid: Option<u32>,
    cluster_pids: Vec<(String, u32)>,
    created: Option<String>,
    objects: String,
    label: String,
    workloads: usize,
}

fn secs(value: &str, flag: &str) -> Result<Duration> {
    let v: f64 = value
        .parse()
        .with_context(|| format!("{flag}: not a number"))?;
    if !v.is_finite() || v <= 0.0 {
        bail!("{flag} must be positive");
    }
    Ok(Duration::from_secs_f64(v))
}

fn parse_args() -> Result<Args> {
    let mut it = std::env::args().skip(1);
    let mode = match it.next().as_deref() {
        Some("latency") => Mode::Latency,
        Some("bulk") => Mode::Bulk,
        Some("live") => Mode::Live,
        Some("baseline") => Mode::Baseline,
        other => {
            bail!("first argument must be `latency`, `bulk`, `live` or `baseline`, not {other:?}")
        }
    };
    let mut args = Args {
        mode,
        base: "http://127.0.0.1:8080".to_owned(),
        tokens: String::new(),
        stores: if mode == Mode::Latency { 20 } else { 1000 },
        poll: Duration::from_millis(50),
        concurrency: if mode == Mode::Baseline { 16 } else { 50 },
        get_rate: 50.0,
        list_every: Duration::from_secs(2),
        progress_every: Duration::from_secs(10),
        timeout: Duration::from_secs(1200),
        pid: None,
        cluster_pids: Vec::new(),
        created: None,
        objects: String::new(),
        label: String::new(),
        workloads: 0,
    };
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--base" => args.base = value.trim_end_matches('/').to_owned(),
            "--tokens" => args.tokens = value,
            "--stores" => args.stores = value.parse().context("--stores")?,
            "--poll-ms" => args.poll = Duration::from_millis(value.parse().context("--poll-ms")?),
            "--concurrency" => args.concurrency = value.parse().context("--concurrency")?,
            "--get-rate" => args.get_rate = value.parse().context("--get-rate")?,
            "--list-every" => args.list_every = secs(&value, &flag)?,
            "--progress-every" => args.progress_every = secs(&value, &flag)?,
            "--timeout" => args.timeout = secs(&value, &flag)?,
            "--pid" => args.pid = Some(value.parse().context("--pid")?),
            "--cluster-pids" => {
                for item in value.split(',').filter(|s| !s.is_empty()) {
                    let (name, pid) = item
                        .split_once('=')
                        .with_context(|| format!("--cluster-pids: want name=pid, got {item}"))?;
                    args.cluster_pids
                        .push((name.to_owned(), pid.parse().context("--cluster-pids")?));
                }
            }
            "--created" => args.created = Some(value),
            "--objects" => args.objects = value,
            "--label" => args.label = value,
            "--workloads" => args.workloads = value.parse().context("--workloads")?,
            _ => bail!("unknown flag {flag}"),
        }
    }
    if args.mode == Mode::Baseline {
        if args.objects.is_empty() || !args.label.contains('=') || args.workloads == 0 {
            bail!("baseline needs --objects FILE, --label KEY=VALUE and --workloads K (K > 0)");
        }
    } else if args.tokens.is_empty() {
        bail!("--tokens FILE is required");
    }
    if args.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    if !args.get_rate.is_finite() || args.get_rate < 0.0 {
        bail!("--get-rate must be 0 (off) or positive");
    }
    Ok(args)
}

// ---------------------------------------------------------------------------------------
// What /proc says

#[derive(Debug, Clone, Copy, Default)]
struct ProcCpu {
    /// utime + stime, seconds.
    own: f64,
    /// cutime + cstime: children that were waited for (helm), seconds.
    children: f64,
}

fn proc_cpu(pid: &str) -> Option<ProcCpu> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces:
    // index 0 is field 3 (state), so field n is at index n - 3.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| -> Option<f64> { fields.get(n - 3)?.parse().ok() };
    Some(ProcCpu {
        own: (field(14)? + field(15)?) / HZ,
        children: (field(16)? + field(17)?) / HZ,
    })
}

/// (VmRSS, VmHWM) in KiB.
fn proc_mem(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |key: &str| -> Option<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    Some((kb("VmRSS:")?, kb("VmHWM:")?))
}

/// (busy, all) seconds of the whole machine, summed over its cores.
fn machine_cpu() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|s| s.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal
    let busy = v.first()? + v.get(1)? + v.get(2)? + v.get(5)? + v.get(6)? + v.get(7)?;
    let all = busy + v.get(3)? + v.get(4)?;
    Some((busy / HZ, all / HZ))
}

fn load1() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}

/// What the one-second sampler saw since the window was last reset.
#[derive(Debug, Default, Clone)]
struct Window {
    rss_peak_kb: u64,
    load_sum: f64,
    load_max: f64,
    load_n: u32,
}

#[derive(Debug)]
struct Sampler {
    pid: Option<u32>,
    window: Mutex<Window>,
}

impl Sampler {
    fn sample(&self) {
        let mem = self.pid.and_then(proc_mem);
        let load = load1();
        let mut w = lock(&self.window);
        if let Some((rss, _)) = mem {
            w.rss_peak_kb = w.rss_peak_kb.max(rss);
        }
        if let Some(l) = load {
            w.load_sum += l;
            w.load_max = w.load_max.max(l);
            w.load_n += 1;
        }
    }

    fn reset(&self) -> Window {
        let old = std::mem::take(&mut *lock(&self.window));
        self.sample();
        old
    }

    fn start(self: &Arc<Self>) {
        let me = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                me.sample();
            }
        });
    }
}

/// CPU counters at the start of a phase.
#[derive(Debug)]
struct Meter {
    at: Instant,
    server: Option<ProcCpu>,
    driver: f64,
    machine: Option<(f64, f64)>,
    cluster: Vec<Option<f64>>,
}

impl Meter {
    fn start(ctx: &Ctx) -> Self {
        ctx.sampler.reset();
        Self {
            at: Instant::now(),
            server: ctx.pid.and_then(|p| proc_cpu(&p.to_string())),
            driver: proc_cpu("self").map_or(0.0, |c| c.own),
            machine: machine_cpu(),
            cluster: ctx
                .cluster_pids
                .iter()
                .map(|(_, p)| proc_cpu(&p.to_string()).map(|c| c.own))
                .collect(),
        }
    }

    /// CPU seconds, load and memory of the phase, as JSON.
    fn finish(&self, ctx: &Ctx) -> Value {
        let wall = self.at.elapsed().as_secs_f64();
        let window = ctx.sampler.reset();
        let server = ctx.pid.and_then(|p| proc_cpu(&p.to_string()));
        let driver = proc_cpu("self").map_or(0.0, |c| c.own) - self.driver;
        let (server_cpu, helm_cpu) = match (self.server, server) {
            (Some(a), Some(b)) => (Some(b.own - a.own), Some(b.children - a.children)),
            _ => (None, None),
        };
        let mut cluster = serde_json::Map::new();
        let mut cluster_total = 0.0;
        for ((name, pid), before) in ctx.cluster_pids.iter().zip(&self.cluster) {
            let after = proc_cpu(&pid.to_string()).map(|c| c.own);
            if let (Some(a), Some(b)) = (before, after) {
                cluster.insert(name.clone(), json!(b - a));
                cluster_total += b - a;
            }
        }
        let machine = match (self.machine, machine_cpu()) {
            (Some(a), Some(b)) => Some(b.0 - a.0),
            _ => None,
        };
        let other = machine.map(|m| {
            (m - server_cpu.unwrap_or(0.0) - helm_cpu.unwrap_or(0.0) - driver - cluster_total)
                .max(0.0)
        });
        let mem = ctx.pid.and_then(proc_mem);
        json!({
            "wall_seconds": wall,
            "cores": std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            "cpu_seconds": {
                "server": server_cpu,
                "helm": helm_cpu,
                "driver": driver,
                "cluster": cluster,
                "cluster_total": cluster_total,
                "machine_busy": machine,
                "other": other,
            },
            "load1": {
                "mean": if window.load_n > 0 { window.load_sum / f64::from(window.load_n) } else { 0.0 },
                "max": window.load_max,
                "end": load1(),
            },
            "rss_peak_mb": mb(window.rss_peak_kb.max(mem.map_or(0, |m| m.0))),
            "rss_end_mb": mem.map(|m| mb(m.0)),
            "hwm_end_mb": mem.map(|m| mb(m.1)),
        })
    }
}

// ---------------------------------------------------------------------------------------
// Statistics

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    // Nearest rank.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn summary(values: &[f64]) -> Value {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    json!({
        "n": v.len(),
        "min": v.first().copied().unwrap_or(0.0),
        "p50": percentile(&v, 50.0),
        "p95": percentile(&v, 95.0),
        "p99": percentile(&v, 99.0),
        "max": v.last().copied().unwrap_or(0.0),
        "mean": if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 },
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn bump(map: &mut BTreeMap<String, u64>, key: impl Into<String>) {
    *map.entry(key.into()).or_default() += 1;
}

fn status_key(r: &Result<(StatusCode, Value), reqwest::Error>) -> String {
    match r {
        Ok((s, _)) => s.as_u16().to_string(),
        Err(e) if e.is_timeout() => "timeout".to_owned(),
        Err(_) => "error".to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// HTTP

#[derive(Debug)]
struct Ctx {
    client: Client,
    base: String,
    tokens: Vec<Arc<str>>,
    sampler: Arc<Sampler>,
    pid: Option<u32>,
    cluster_pids: Vec<(String, u32)>,
    created_file: Option<Mutex<std::fs::File>>,
    list_every: Duration,
    progress_every: Duration,
    concurrency: usize,
    timeout: Duration,
}

impl Ctx {
    fn record_created(&self, id: &str, namespace: &str) {
        if let Some(f) = &self.created_file {
            // One write per line, so a crash loses at most the line being written.
            let _ = lock(f).write_all(format!("{id} {namespace}\n").as_bytes());
        }
    }

    fn store_url(&self, id: &str) -> String {
        format!("{}/api/v1/stores/{id}", self.base)
    }
}

/// Send a request and read its JSON body (`Value::Null` when it has none).
async fn call(req: reqwest::RequestBuilder) -> Result<(StatusCode, Value), reqwest::Error> {
    let resp = req.send().await?;
    let status = resp.status();
    let bytes = resp.bytes().await?;
    Ok((
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}

fn retryable(r: &Result<(StatusCode, Value), reqwest::Error>) -> bool {
    match r {
        Ok((s, _)) => *s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error(),
        Err(_) => true,
    }
}

/// What came of one POST or DELETE, retries included.
#[derive(Debug)]
struct Attempted {
    result: Result<(StatusCode, Value), reqwest::Error>,
    retries: u32,
    took: Duration,
}

async fn with_retries<F>(mut make: F) -> Attempted
where
    F: FnMut() -> reqwest::RequestBuilder,
{
    let started = Instant::now();
    let mut retries = 0;
    loop {
        let result = call(make()).await;
        if !retryable(&result) || retries + 1 >= ATTEMPTS {
            return Attempted {
                result,
                retries,
                took: started.elapsed(),
            };
        }
        retries += 1;
        tokio::time::sleep(Duration::from_millis(500 * u64::from(retries))).await;
    }
}

fn create_request(ctx: &Ctx, token: &str, name: &str) -> reqwest::RequestBuilder {
    ctx.client
        .post(format!("{}/api/v1/stores", ctx.base))
        .bearer_auth(token)
        .json(&json!({ "name": name }))
}

/// Every live store of every user whose name starts with `prefix`: id → status.
async fn list_stores(ctx: &Ctx, prefix: &str) -> Result<HashMap<String, String>> {
    let url = format!("{}/api/v1/stores", ctx.base);
    let answers = futures::future::join_all(
        ctx.tokens
            .iter()
            .map(|t| call(ctx.client.get(&url).bearer_auth(&**t))),
    )
    .await;
    let mut out = HashMap::new();
    for answer in answers {
        let (status, body) = answer.context("GET /api/v1/stores")?;
        if status != StatusCode::OK {
            bail!("GET /api/v1/stores answered {status}");
        }
        for item in body["items"].as_array().map_or(&[][..], Vec::as_slice) {
            let name = item["name"].as_str().unwrap_or_default();
            if !name.starts_with(prefix) {
                continue;
            }
            if let (Some(id), Some(st)) = (item["id"].as_str(), item["status"].as_str()) {
                out.insert(id.to_owned(), st.to_owned());
            }
        }
    }
    Ok(out)
}

/// Count a failed listing; `true` once 15 in a row failed (the server is gone).
fn listing_failed(e: &anyhow::Error, total: &mut u64, in_a_row: &mut u64) -> bool {
    *total += 1;
    *in_a_row += 1;
    eprintln!("  listing failed: {e:#}");
    *in_a_row >= 15
}

fn count_statuses<'a>(statuses: impl Iterator<Item = &'a String>) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for s in statuses {
        bump(&mut counts, s.as_str());
    }
    counts
}

fn fmt_counts(counts: &BTreeMap<String, u64>) -> String {
    if counts.is_empty() {
        return "none".to_owned();
    }
    counts
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn rss_now(ctx: &Ctx) -> String {
    ctx.pid
        .and_then(proc_mem)
        .map_or_else(String::new, |(rss, _)| {
            format!(", server RSS {:.1} MB", mb(rss))
        })
}

// ---------------------------------------------------------------------------------------
// The open-loop GET stream

#[derive(Debug, Clone)]
struct Created {
    token: Arc<str>,
    id: String,
    posted_at: Instant,
}

#[derive(Debug, Default)]
struct GetStats {
    latency_ms: Vec<f64>,
    statuses: BTreeMap<String, u64>,
    skipped: u64,
}

impl GetStats {
    fn p99(&self) -> f64 {
        let mut v = self.latency_ms.clone();
        v.sort_by(f64::total_cmp);
        percentile(&v, 99.0)
    }

    fn to_json(&self, rate: f64) -> Value {
        json!({
            "rate": rate,
            "requests": self.latency_ms.len(),
            "skipped_no_store_yet": self.skipped,
            "statuses": self.statuses,
            "latency_ms": summary(&self.latency_ms),
        })
    }
}

#[derive(Debug)]
struct GetStream {
    stop: Arc<AtomicBool>,
    phase: Arc<AtomicUsize>,
    stats: Arc<Mutex<[GetStats; 2]>>,
    task: tokio::task::JoinHandle<()>,
}

impl GetStream {
    /// Request `i` is due at `start + i / rate`, sent then whether or not earlier ones
    /// answered, to `targets[i % len]`; latency counts from when it was due.
    fn start(ctx: &Ctx, rate: f64, targets: Arc<Mutex<Vec<Created>>>) -> Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let phase = Arc::new(AtomicUsize::new(0));
        let stats: Arc<Mutex<[GetStats; 2]>> = Arc::default();
        // Its own connection pool, so the control traffic does not queue in front of it.
        let client = Client::builder()
            .timeout(Duration::from_secs(10))
            .tcp_nodelay(true)
            .build()?;
        let base = ctx.base.clone();
        let (stop2, phase2, stats2) = (stop.clone(), phase.clone(), stats.clone());
        let task = tokio::spawn(async move {
            if rate <= 0.0 {
                return;
            }
            let interval = Duration::from_secs_f64(1.0 / rate);
            let start = Instant::now();
            let mut inflight = JoinSet::new();
            for i in 0u64.. {
                let due = start + interval.mul_f64(i as f64);
                tokio::time::sleep_until(due).await;
                if stop2.load(Ordering::Relaxed) {
                    break;
                }
                let p = phase2.load(Ordering::Relaxed);
                let target = {
                    let t = lock(&targets);
                    (!t.is_empty()).then(|| {
                        let c = &t[(i % t.len() as u64) as usize];
                        (c.token.clone(), c.id.clone())
                    })
                };
                let Some((token, id)) = target else {
                    lock(&stats2)[p].skipped += 1;
                    continue;
                };
                let req = client
                    .get(format!("{base}/api/v1/stores/{id}"))
                    .bearer_auth(&*token);
                let stats = stats2.clone();
                inflight.spawn(async move {
                    let key = status_key(&call(req).await);
                    let latency = ms(due.elapsed());
                    let mut s = lock(&stats);
                    s[p].latency_ms.push(latency);
                    bump(&mut s[p].statuses, key);
                });
                while inflight.try_join_next().is_some() {}
            }
            while inflight.join_next().await.is_some() {}
        });
        Ok(Self {
            stop,
            phase,
            stats,
            task,
        })
    }

    fn p99(&self, phase: usize) -> f64 {
        lock(&self.stats)[phase].p99()
    }

    async fn finish(self, rate: f64) -> [Value; 2] {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.task.await;
        let s = lock(&self.stats);
        [s[0].to_json(rate), s[1].to_json(rate)]
    }
}

// ---------------------------------------------------------------------------------------
// Phase 1: one store at a time

async fn latency(ctx: &Arc<Ctx>, stores: usize, poll: Duration) -> Result<Value> {
    let token = ctx.tokens[0].clone();
    let deadline = Instant::now() + ctx.timeout;
    let meter = Meter::start(ctx);
    let mut ready_secs = Vec::new();
    let mut post_ms = Vec::new();
    let mut failed = Vec::new();
    let mut post_errors = Vec::new();
    let mut created: Vec<Created> = Vec::new();
    let mut polls = 0u64;
    let mut poll_errors = BTreeMap::new();
    let mut timed_out = false;

    'stores: for i in 0..stores {
        if Instant::now() >= deadline {
            timed_out = true;
            break;
        }
        let name = format!("lat-{i}");
        let t0 = Instant::now();
        let answer = call(create_request(ctx, &token, &name)).await;
        post_ms.push(ms(t0.elapsed()));
        let id = match &answer {
            Ok((StatusCode::ACCEPTED, body)) => body["id"].as_str().map(str::to_owned),
            _ => None,
        };
        let Some(id) = id else {
            let detail = match &answer {
                Ok((s, body)) => format!("{s}: {}", body["detail"].as_str().unwrap_or("")),
                Err(e) => e.to_string(),
            };
            eprintln!("  store {}/{stores}: POST failed: {detail}", i + 1);
            post_errors.push(detail);
            continue;
        };
        let answer_body = answer.map(|(_, b)| b).unwrap_or_default();
        ctx.record_created(&id, answer_body["namespace"].as_str().unwrap_or("-"));
        created.push(Created {
            token: token.clone(),
            id: id.clone(),
            posted_at: t0,
        });
        let url = ctx.store_url(&id);
        let mut tick = tokio::time::interval(poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if Instant::now() >= deadline {
                timed_out = true;
                eprintln!("  store {}/{stores}: phase timeout while waiting", i + 1);
                break 'stores;
            }
            polls += 1;
            let answer = call(ctx.client.get(&url).bearer_auth(&*token)).await;
            let (status, body) = match answer {
                Ok((StatusCode::OK, body)) => (body["status"].as_str().map(str::to_owned), body),
                other => {
                    bump(&mut poll_errors, status_key(&other));
                    continue;
                }
            };
            match status.as_deref() {
                Some("Ready") => {
                    let took = t0.elapsed().as_secs_f64();
                    ready_secs.push(took);
                    eprintln!("  store {}/{stores}: Ready after {took:.2} s", i + 1);
                    break;
                }
                Some("Failed") => {
                    let reason = body["status_reason"].as_str().unwrap_or("").to_owned();
                    eprintln!("  store {}/{stores}: Failed: {reason}", i + 1);
                    failed.push(json!({ "name": name, "id": id, "reason": reason }));
                    break;
                }
                _ => {}
            }
        }
    }
    let usage = meter.finish(ctx);

    eprintln!("  deleting the {} stores of this phase", created.len());
    let teardown = delete_and_wait(ctx, &created, "lat-", None).await;

    Ok(json!({
        "stores": stores,
        "poll_ms": ms(poll),
        "ready": ready_secs.len(),
        "failed": failed,
        "post_errors": post_errors,
        "timed_out": timed_out,
        "ready_secs": summary(&ready_secs),
        "each_ready_secs": ready_secs,
        "post_ms": summary(&post_ms),
        "polls": polls,
        "poll_errors": poll_errors,
        "usage": usage,
        "teardown": teardown,
    }))
}

// ---------------------------------------------------------------------------------------
// Phases 2 and 3: many stores at once

#[derive(Debug, Default)]
struct RequestStats {
    statuses: BTreeMap<String, u64>,
    took_ms: Vec<f64>,
    retries: u64,
    errors: Vec<String>,
    done: usize,
    last_answer: Option<Instant>,
}

impl RequestStats {
    fn record(&mut self, a: &Attempted) {
        bump(&mut self.statuses, status_key(&a.result));
        self.took_ms.push(ms(a.took));
        self.retries += u64::from(a.retries);
        self.done += 1;
        self.last_answer = Some(Instant::now());
    }

    fn error(&mut self, what: String) {
        // The first few are enough to see what went wrong.
        if self.errors.len() < 10 {
            self.errors.push(what);
        }
    }

    fn to_json(&self, first: Instant) -> Value {
        json!({
            "answered": self.done,
            "statuses": self.statuses,
            "retries": self.retries,
            "errors": self.errors,
            "took_ms": summary(&self.took_ms),
            "seconds": self.last_answer.map(|t| (t - first).as_secs_f64()),
        })
    }
}

fn describe_failure(a: &Attempted) -> String {
    match &a.result {
        Ok((s, body)) => format!(
            "{s}: {}",
            body["detail"]
                .as_str()
                .or(body["title"].as_str())
                .unwrap_or("")
        ),
        Err(e) => e.to_string(),
    }
}

async fn bulk(ctx: Arc<Ctx>, stores: usize, get_rate: f64) -> Result<Value> {
    let created: Arc<Mutex<Vec<Created>>> = Arc::default();
    let stream = GetStream::start(&ctx, get_rate, created.clone())?;

    // Phase 2: create and wait until Ready.
    eprintln!(
        "  creating {stores} stores, {} POSTs in flight, over {} users; GET stream at {get_rate}/s",
        ctx.concurrency,
        ctx.tokens.len()
    );
    let meter = Meter::start(&ctx);
    let first_post = Instant::now();
    let posts: Arc<Mutex<RequestStats>> = Arc::default();
    let creator = {
        let (ctx, created, posts) = (ctx.clone(), created.clone(), posts.clone());
        tokio::spawn(async move {
            futures::stream::iter(0..stores)
                .map(|i| {
                    let ctx = ctx.clone();
                    async move {
                        let token = ctx.tokens[i % ctx.tokens.len()].clone();
                        let name = format!("bulk-{i}");
                        let posted_at = Instant::now();
                        let a = with_retries(|| create_request(&ctx, &token, &name)).await;
                        (token, posted_at, a)
                    }
                })
                .buffer_unordered(ctx.concurrency)
                .for_each(|(token, posted_at, a)| {
                    let mut p = lock(&posts);
                    p.record(&a);
                    match &a.result {
                        Ok((StatusCode::ACCEPTED, body)) if body["id"].is_string() => {
                            let id = body["id"].as_str().unwrap_or_default().to_owned();
                            ctx.record_created(&id, body["namespace"].as_str().unwrap_or("-"));
                            lock(&created).push(Created {
                                token,
                                id,
                                posted_at,
                            });
                        }
                        _ => p.error(describe_failure(&a)),
                    }
                    futures::future::ready(())
                })
                .await;
        })
    };

    let mut first_ready: HashMap<String, Instant> = HashMap::new();
    let mut counts = BTreeMap::new();
    let mut list_errors = 0u64;
    let mut consecutive_errors = 0u64;
    let mut outcome = "timeout";
    let mut all_ready_after = None;
    let mut at_ready_mem = None;
    let mut create_finished_after = None;
    let mut next_progress = first_post + ctx.progress_every;
    let mut next_list = first_post;
    loop {
        tokio::time::sleep_until(next_list).await;
        next_list = (next_list + ctx.list_every).max(Instant::now());
        let creating_done = creator.is_finished();
        if creating_done && create_finished_after.is_none() {
            create_finished_after = lock(&posts)
                .last_answer
                .map(|t| (t - first_post).as_secs_f64());
        }
        match list_stores(&ctx, "bulk-").await {
            Ok(listed) => {
                consecutive_errors = 0;
                let now = Instant::now();
                for (id, st) in &listed {
                    if st == "Ready" {
                        first_ready.entry(id.clone()).or_insert(now);
                    }
                }
                counts = count_statuses(listed.values());
                let n_created = lock(&created).len();
                let ready = counts.get("Ready").copied().unwrap_or(0) as usize;
                let failed = counts.get("Failed").copied().unwrap_or(0) as usize;
                if creating_done && n_created > 0 && ready == n_created {
                    outcome = "all_ready";
                    all_ready_after = Some((now - first_post).as_secs_f64());
                    at_ready_mem = ctx.pid.and_then(proc_mem);
                    break;
                }
                if creating_done && failed > 0 && ready + failed == n_created {
                    outcome = "some_failed";
                    break;
                }
                if creating_done && n_created == 0 {
                    outcome = "nothing_created";
                    break;
                }
            }
            Err(e) => {
                if listing_failed(&e, &mut list_errors, &mut consecutive_errors) {
                    outcome = "server_unreachable";
                    break;
                }
            }
        }
        let elapsed = first_post.elapsed();
        if elapsed >= ctx.timeout {
            break;
        }
        if Instant::now() >= next_progress {
            next_progress += ctx.progress_every;
            eprintln!(
                "  [{:>5.0} s] created {}/{stores}, Ready {}: {}{}, GET p99 {:.1} ms",
                elapsed.as_secs_f64(),
                lock(&created).len(),
                counts.get("Ready").copied().unwrap_or(0),
                fmt_counts(&counts),
                rss_now(&ctx),
                stream.p99(0),
            );
        }
    }
    if !creator.is_finished() {
        creator.abort();
    }
    let _ = creator.await;
    let create_usage = meter.finish(&ctx);
    let ready_after_post: Vec<f64> = lock(&created)
        .iter()
        .filter_map(|c| {
            first_ready
                .get(&c.id)
                .map(|t| (*t - c.posted_at).as_secs_f64())
        })
        .collect();
    let n_created = lock(&created).len();
    eprintln!(
        "  phase 2 ended ({outcome}) after {:.1} s: created {n_created}/{stores}; {}",
        first_post.elapsed().as_secs_f64(),
        fmt_counts(&counts)
    );
    let create = json!({
        "stores": stores,
        "created": n_created,
        "outcome": outcome,
        "all_ready_seconds": all_ready_after,
        "creates_finished_seconds": create_finished_after,
        "posts": lock(&posts).to_json(first_post),
        "final_counts": counts,
        "ready_after_own_post_seconds": summary(&ready_after_post),
        "list_errors": list_errors,
        "rss_at_all_ready_mb": at_ready_mem.map(|m| mb(m.0)),
        "hwm_at_all_ready_mb": at_ready_mem.map(|m| mb(m.1)),
        "usage": create_usage,
    });

    // Phase 3: delete everything and wait until it is gone.
    stream.phase.store(1, Ordering::Relaxed);
    let targets = lock(&created).clone();
    eprintln!(
        "  deleting {} stores, {} DELETEs in flight",
        targets.len(),
        ctx.concurrency
    );
    let delete = delete_and_wait(&ctx, &targets, "bulk-", Some(&stream)).await;
    let [get_create, get_delete] = stream.finish(get_rate).await;
    Ok(json!({
        "users": ctx.tokens.len(),
        "concurrency": ctx.concurrency,
        "create": create,
        "delete": delete,
        "get_during_create": get_create,
        "get_during_delete": get_delete,
    }))
}

/// DELETE every store (with the configured concurrency), then poll the lists until none
/// of them is live, then check that each id answers 404.
async fn delete_and_wait(
    ctx: &Arc<Ctx>,
    targets: &[Created],
    prefix: &str,
    stream: Option<&GetStream>,
) -> Value {
    let meter = Meter::start(ctx);
    let first = Instant::now();
    let deletes: Arc<Mutex<RequestStats>> = Arc::default();
    let deleter = {
        let (ctx, deletes, targets) = (ctx.clone(), deletes.clone(), targets.to_vec());
        tokio::spawn(async move {
            futures::stream::iter(targets)
                .map(|c| {
                    let ctx = ctx.clone();
                    async move {
                        let url = ctx.store_url(&c.id);
                        with_retries(|| ctx.client.delete(&url).bearer_auth(&*c.token)).await
                    }
                })
                .buffer_unordered(ctx.concurrency)
                .for_each(|a| {
                    let mut d = lock(&deletes);
                    d.record(&a);
                    match &a.result {
                        Ok((StatusCode::ACCEPTED | StatusCode::NOT_FOUND, _)) => {}
                        _ => d.error(describe_failure(&a)),
                    }
                    futures::future::ready(())
                })
                .await;
        })
    };

    let ours: HashSet<&str> = targets.iter().map(|c| c.id.as_str()).collect();
    let mut counts = BTreeMap::new();
    let mut outcome = "timeout";
    let mut gone_after = None;
    let mut list_errors = 0u64;
    let mut consecutive_errors = 0u64;
    let mut next_progress = first + ctx.progress_every;
    let mut next_list = first;
    loop {
        tokio::time::sleep_until(next_list).await;
        next_list = (next_list + ctx.list_every).max(Instant::now());
        let deletes_done = deleter.is_finished();
        match list_stores(ctx, prefix).await {
            Ok(listed) => {
                consecutive_errors = 0;
                counts = count_statuses(
                    listed
                        .iter()
                        .filter(|(id, _)| ours.contains(id.as_str()))
                        .map(|(_, s)| s),
                );
                if deletes_done && counts.is_empty() {
                    outcome = "all_gone";
                    gone_after = Some(first.elapsed().as_secs_f64());
                    break;
                }
            }
            Err(e) => {
                if listing_failed(&e, &mut list_errors, &mut consecutive_errors) {
                    outcome = "server_unreachable";
                    break;
                }
            }
        }
        let elapsed = first.elapsed();
        if elapsed >= ctx.timeout {
            break;
        }
        if Instant::now() >= next_progress {
            next_progress += ctx.progress_every;
            let listed: u64 = counts.values().sum();
            eprintln!(
                "  [{:>5.0} s] DELETEs answered {}/{}, still listed {listed}: {}{}{}",
                elapsed.as_secs_f64(),
                lock(&deletes).done,
                targets.len(),
                fmt_counts(&counts),
                rss_now(ctx),
                stream.map_or_else(String::new, |s| format!(", GET p99 {:.1} ms", s.p99(1))),
            );
        }
    }
    if !deleter.is_finished() {
        deleter.abort();
    }
    let _ = deleter.await;
    let usage = meter.finish(ctx);
    eprintln!(
        "  deletion ended ({outcome}) after {:.1} s; still listed: {}",
        first.elapsed().as_secs_f64(),
        fmt_counts(&counts)
    );

    // Every id should now answer 404.
    let checks: Vec<String> = futures::stream::iter(targets.iter())
        .map(|c| async {
            status_key(&call(ctx.client.get(ctx.store_url(&c.id)).bearer_auth(&*c.token)).await)
        })
        .buffer_unordered(ctx.concurrency)
        .collect()
        .await;
    let check_counts = count_statuses(checks.iter());
    let deletes = lock(&deletes);
    json!({
        "stores": targets.len(),
        "outcome": outcome,
        "all_gone_seconds": gone_after,
        "deletes": deletes.to_json(first),
        "final_counts": counts,
        "get_after": check_counts,
        "answered_404": check_counts.get("404").copied().unwrap_or(0),
        "list_errors": list_errors,
        "usage": usage,
    })
}

// ---------------------------------------------------------------------------------------
// Baseline: the same objects sent by one client, readiness from watches

/// One store's objects in the order they are created: its Namespace first.
type StoreObjects = Vec<DynamicObject>;

/// Where each kind of object is created, resolved before the clock starts.
type Kinds = HashMap<(String, String), (ApiResource, bool)>;

/// The stores of `--objects`: one JSON array of objects a line, its Namespace first.
fn read_stores(path: &str) -> Result<Vec<StoreObjects>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let mut stores = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let objects: StoreObjects = serde_json::from_str(line)
            .with_context(|| format!("{path}:{}: not a JSON array of objects", n + 1))?;
        let first_is_namespace = objects
            .first()
            .and_then(|o| o.types.as_ref())
            .is_some_and(|t| t.kind == "Namespace");
        if !first_is_namespace
            || objects
                .iter()
                .any(|o| o.types.is_none() || o.metadata.name.is_none())
        {
            bail!(
                "{path}:{}: want the store's Namespace first, and apiVersion, kind and name on every object",
                n + 1
            );
        }
        stores.push(objects);
    }
    if stores.is_empty() {
        bail!("{path} holds no stores");
    }
    Ok(stores)
}

fn kind_key(o: &DynamicObject) -> (String, String) {
    o.types
        .as_ref()
        .map(|t| (t.api_version.clone(), t.kind.clone()))
        .unwrap_or_default()
}

/// Discovery of every kind the stores use (one request per kind, before the clock starts).
async fn resolve_kinds(client: &kube::Client, stores: &[StoreObjects]) -> Result<Kinds> {
    let mut kinds = Kinds::new();
    for key in stores.iter().flatten().map(kind_key) {
        if kinds.contains_key(&key) {
            continue;
        }
        let (group, version) = key.0.split_once('/').unwrap_or(("", &key.0));
        let gvk = GroupVersionKind::gvk(group, version, &key.1);
        let (resource, caps) = kube::discovery::pinned_kind(client, &gvk)
            .await
            .with_context(|| format!("the cluster does not serve {} {}", key.0, key.1))?;
        let namespaced = caps.scope == kube::discovery::Scope::Namespaced;
        kinds.insert(key, (resource, namespaced));
    }
    Ok(kinds)
}

/// Answers worth another try: overload, a server error, or no answer at all.
fn kube_retryable(e: &kube::Error) -> bool {
    match e {
        kube::Error::Api(status) => status.code == 429 || status.code >= 500,
        _ => true,
    }
}

/// Create one store's objects one after another, as a client applying its manifest does.
/// The first object that cannot be created ends the store, with what the API said.
async fn create_store(
    client: &kube::Client,
    kinds: &Kinds,
    objects: &StoreObjects,
) -> Option<String> {
    for object in objects {
        let key = kind_key(object);
        let Some((resource, namespaced)) = kinds.get(&key) else {
            return Some(format!("{} {}: kind not resolved", key.0, key.1));
        };
        let api: Api<DynamicObject> = match (&object.metadata.namespace, namespaced) {
            (Some(ns), true) => Api::namespaced_with(client.clone(), ns, resource),
            _ => Api::all_with(client.clone(), resource),
        };
        let mut attempt = 1;
        loop {
            match api.create(&PostParams::default(), object).await {
                Ok(_) => break,
                // An earlier attempt got there, though its answer was lost.
                Err(kube::Error::Api(s)) if attempt > 1 && s.code == 409 => break,
                Err(e) if attempt < ATTEMPTS && kube_retryable(&e) => {
                    tokio::time::sleep(Duration::from_millis(250) * attempt).await;
                    attempt += 1;
                }
                Err(e) => {
                    let name = object.metadata.name.as_deref().unwrap_or_default();
                    return Some(format!("{} {name}: {e}", key.1));
                }
            }
        }
    }
    None
}

/// Whether a workload is done: all its replicas ready, or (a Job) succeeded.
trait Workload:
    kube::Resource<DynamicType = ()>
    + Clone
    + std::fmt::Debug
    + serde::de::DeserializeOwned
    + Send
    + Sync
    + 'static
{
    fn is_ready(&self) -> bool;
}

/// All the replicas a workload asks for (1 when it does not say) are ready.
fn replicas_ready(wanted: Option<i32>, ready: Option<i32>) -> bool {
    ready.unwrap_or(0) >= wanted.unwrap_or(1)
}

impl Workload for Deployment {
    fn is_ready(&self) -> bool {
        replicas_ready(
            self.spec.as_ref().and_then(|s| s.replicas),
            self.status.as_ref().and_then(|s| s.ready_replicas),
        )
    }
}

impl Workload for StatefulSet {
    fn is_ready(&self) -> bool {
        replicas_ready(
            self.spec.as_ref().and_then(|s| s.replicas),
            self.status.as_ref().and_then(|s| s.ready_replicas),
        )
    }
}

impl Workload for Job {
    fn is_ready(&self) -> bool {
        self.status.as_ref().and_then(|s| s.succeeded).unwrap_or(0) >= 1
    }
}

/// A reflector of one workload kind over all namespaces, fed by a watch.
fn reflect<K: Workload>(
    client: &kube::Client,
    events: &mut Vec<futures::stream::BoxStream<'static, ()>>,
) -> reflector::Store<K> {
    let (reader, writer) = reflector::store::<K>();
    let stream = watcher(Api::<K>::all(client.clone()), watcher::Config::default())
        .default_backoff()
        .modify(|o: &mut K| o.meta_mut().managed_fields = None)
        .reflect(writer)
        .filter_map(|e| futures::future::ready(e.ok().map(|_| ())))
        .boxed();
    events.push(stream);
    reader
}

/// Per store namespace in `ours`: (workloads, ready workloads).
fn count_ready<K: Workload>(
    store: &reflector::Store<K>,
    ours: &HashSet<String>,
    per_ns: &mut HashMap<String, (usize, usize)>,
) {
    for w in store.state() {
        let Some(ns) = w.meta().namespace.as_deref() else {
            continue;
        };
        if !ours.contains(ns) {
            continue;
        }
        let e = per_ns.entry(ns.to_owned()).or_default();
        e.0 += 1;
        e.1 += usize::from(w.is_ready());
    }
}

async fn baseline(ctx: &Arc<Ctx>, path: &str, label: &str, workloads: usize) -> Result<Value> {
    let stores = read_stores(path)?;
    let ours: HashSet<String> = stores
        .iter()
        .filter_map(|s| s[0].metadata.name.clone())
        .collect();
    if ours.len() != stores.len() {
        bail!("{path}: two stores have the same namespace");
    }
    let total = stores.len();
    let kube_client = kube::Client::try_default()
        .await
        .context("no Kubernetes client (KUBECONFIG)")?;
    let kinds = resolve_kinds(&kube_client, &stores).await?;

    // Watches first, so that the clock starts on an already listed cluster.
    let mut events = Vec::new();
    let deployments = reflect::<Deployment>(&kube_client, &mut events);
    let statefulsets = reflect::<StatefulSet>(&kube_client, &mut events);
    let jobs = reflect::<Job>(&kube_client, &mut events);
    let mut events = futures::stream::select_all(events);
    let watching = async {
        tokio::try_join!(
            deployments.wait_until_ready(),
            statefulsets.wait_until_ready(),
            jobs.wait_until_ready()
        )
    };
    tokio::select! {
        r = watching => { r.context("the watches stopped before their first listing")?; }
        _ = async { while events.next().await.is_some() {} } => bail!("the watches ended"),
        () = tokio::time::sleep(Duration::from_secs(60)) => bail!("the watches did not list within 60 s"),
    }
    eprintln!(
        "  baseline: {total} stores, {} objects each, {} stores in flight from one client",
        stores[0].len(),
        ctx.concurrency
    );

    // Create.
    let meter = Meter::start(ctx);
    let first = Instant::now();
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let sent = Arc::new(AtomicUsize::new(0));
    let creator = {
        let (errors, sent, concurrency) = (errors.clone(), sent.clone(), ctx.concurrency);
        let client = kube_client.clone();
        tokio::spawn(async move {
            futures::stream::iter(stores)
                .map(|objects| {
                    let (client, kinds) = (&client, &kinds);
                    async move { create_store(client, kinds, &objects).await }
                })
                .buffer_unordered(concurrency)
                .for_each(|e| {
                    sent.fetch_add(1, Ordering::Relaxed);
                    if let Some(e) = e {
                        lock(&errors).push(e);
                    }
                    futures::future::ready(())
                })
                .await;
        })
    };
    let mut outcome = "timeout";
    let mut all_ready_after = None;
    let mut creates_finished_after = None;
    let mut ready = 0;
    let mut next_progress = first + ctx.progress_every;
    let deadline = first + ctx.timeout;
    let mut recount = tokio::time::interval(Duration::from_millis(100));
    let mut changed = true;
    loop {
        tokio::select! {
            e = events.next() => match e {
                Some(()) => { changed = true; continue; }
                None => { outcome = "watch_ended"; break; }
            },
            _ = recount.tick() => {}
            () = tokio::time::sleep_until(deadline) => break,
        }
        if creates_finished_after.is_none() && creator.is_finished() {
            creates_finished_after = Some(first.elapsed().as_secs_f64());
        }
        if changed {
            changed = false;
            let mut per_ns = HashMap::new();
            count_ready(&deployments, &ours, &mut per_ns);
            count_ready(&statefulsets, &ours, &mut per_ns);
            count_ready(&jobs, &ours, &mut per_ns);
            ready = per_ns
                .values()
                .filter(|(n, r)| *n >= workloads && r == n)
                .count();
            if ready == total {
                outcome = "all_ready";
                all_ready_after = Some(first.elapsed().as_secs_f64());
                break;
            }
        }
        if Instant::now() >= next_progress {
            next_progress += ctx.progress_every;
            eprintln!(
                "  [{:>5.0} s] baseline: {ready}/{total} stores ready; {}/{total} stores sent",
                first.elapsed().as_secs_f64(),
                sent.load(Ordering::Relaxed),
            );
        }
    }
    if !creator.is_finished() {
        creator.abort();
    }
    let _ = creator.await;
    drop(events);
    let create_usage = meter.finish(ctx);
    eprintln!(
        "  baseline create ended ({outcome}) after {:.1} s: {ready}/{total} ready",
        first.elapsed().as_secs_f64()
    );

    // Delete the namespaces, as many at a time as were created, and watch them go.
    let meter = Meter::start(ctx);
    let first_delete = Instant::now();
    let namespaces: Api<Namespace> = Api::all(kube_client.clone());
    let (reader, writer) = reflector::store::<Namespace>();
    let mut gone_events = watcher(namespaces.clone(), watcher::Config::default().labels(label))
        .default_backoff()
        .reflect(writer)
        .boxed();
    let delete_errors: Vec<String> = futures::stream::iter(ours.iter())
        .map(|ns| {
            let namespaces = &namespaces;
            async move {
                match namespaces.delete(ns, &DeleteParams::background()).await {
                    Ok(_) => None,
                    Err(kube::Error::Api(s)) if s.code == 404 => None,
                    Err(e) => Some(format!("namespace {ns}: {e}")),
                }
            }
        })
        .buffer_unordered(ctx.concurrency)
        .filter_map(futures::future::ready)
        .collect()
        .await;
    let mut delete_outcome = "timeout";
    let mut gone_after = None;
    let mut left = total;
    let mut next_progress = first_delete + ctx.progress_every;
    let deadline = first_delete + ctx.timeout;
    loop {
        tokio::select! {
            e = gone_events.next() => if e.is_none() { delete_outcome = "watch_ended"; break; },
            () = tokio::time::sleep_until(deadline) => break,
        }
        if reader
            .wait_until_ready()
            .now_or_never()
            .is_some_and(|r| r.is_ok())
        {
            left = reader.state().len();
            if left == 0 {
                delete_outcome = "all_gone";
                gone_after = Some(first_delete.elapsed().as_secs_f64());
                break;
            }
        }
        if Instant::now() >= next_progress {
            next_progress += ctx.progress_every;
            eprintln!(
                "  [{:>5.0} s] baseline delete: {left} namespaces left",
                first_delete.elapsed().as_secs_f64()
            );
        }
    }
    let delete_usage = meter.finish(ctx);
    let errors = lock(&errors).clone();
    Ok(json!({
        "stores": total,
        "workloads_per_store": workloads,
        "concurrency": ctx.concurrency,
        "create": {
            "outcome": outcome,
            "ready": ready,
            "all_ready_seconds": all_ready_after,
            "creates_finished_seconds": creates_finished_after,
            "create_errors": errors.len(),
            "first_errors": errors.iter().take(5).collect::<Vec<_>>(),
            "usage": create_usage,
        },
        "delete": {
            "outcome": delete_outcome,
            "all_gone_seconds": gone_after,
            "left": left,
            "errors": delete_errors.len(),
            "first_errors": delete_errors.iter().take(5).collect::<Vec<_>>(),
            "usage": delete_usage,
        },
    }))
}

// ---------------------------------------------------------------------------------------

async fn live(ctx: &Ctx) -> Result<()> {
    let url = format!("{}/api/v1/stores", ctx.base);
    let mut out = String::new();
    for token in &ctx.tokens {
        let (status, body) = call(ctx.client.get(&url).bearer_auth(&**token)).await?;
        if status != StatusCode::OK {
            bail!("GET /api/v1/stores answered {status}");
        }
        for item in body["items"].as_array().map_or(&[][..], Vec::as_slice) {
            if let (Some(id), Some(ns)) = (item["id"].as_str(), item["namespace"].as_str()) {
                out.push_str(&format!("{id} {ns}\n"));
            }
        }
    }
    print!("{out}");
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let text = if args.mode == Mode::Baseline {
        String::new()
    } else {
        std::fs::read_to_string(&args.tokens).with_context(|| format!("reading {}", args.tokens))?
    };
    let tokens: Vec<Arc<str>> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(Arc::from)
        .collect();
    if tokens.is_empty() && args.mode != Mode::Baseline {
        bail!("{} has no tokens", args.tokens);
    }
    let created_file = match &args.created {
        Some(path) => Some(Mutex::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("opening {path}"))?,
        )),
        None => None,
    };
    let client = Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(args.concurrency.max(8))
        .tcp_nodelay(true)
        .build()?;
    let sampler = Arc::new(Sampler {
        pid: args.pid,
        window: Mutex::default(),
    });
    sampler.start();
    let ctx = Arc::new(Ctx {
        client,
        base: args.base.clone(),
        tokens,
        sampler,
        pid: args.pid,
        cluster_pids: args.cluster_pids.clone(),
        created_file,
        list_every: args.list_every,
        progress_every: args.progress_every,
        concurrency: args.concurrency,
        timeout: args.timeout,
    });
    let result = match args.mode {
        Mode::Live => return live(&ctx).await,
        Mode::Latency => latency(&ctx, args.stores, args.poll).await?,
        Mode::Bulk => bulk(ctx.clone(), args.stores, args.get_rate).await?,
        Mode::Baseline => baseline(&ctx, &args.objects, &args.label, args.workloads).await?,
    };
    println!("{result}");
    Ok(())
}
