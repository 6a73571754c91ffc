//! The test harness: a real Storefleet on port 0 with a fresh database (SQLite in a temp
//! dir, or a fresh PostgreSQL database that is dropped afterwards), typed helpers, fixture
//! users. Logs stay silent unless `TEST_LOG` is set.

use std::path::PathBuf;
use std::sync::{Arc, Once};

use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use storefleet::app::App;
use storefleet::config::Config;
use storefleet::storage::{self, NewUser, Storage};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub const PASSWORD: &str = "correct-horse-battery";

static TRACING: Once = Once::new();

fn init_tracing() {
    TRACING.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            storefleet::cli::init_tracing(storefleet::config::LogFormat::Text);
        }
    });
}

/// A database for one test: a SQLite file in a temp dir, or a fresh PostgreSQL database.
pub enum TestDb {
    Sqlite { url: String },
    Postgres(PgDb),
}

impl TestDb {
    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url } => url,
            TestDb::Postgres(pg) => &pg.url,
        }
    }
}

/// A PostgreSQL database created for one test and dropped when the test ends.
pub struct PgDb {
    pub url: String,
    admin_url: String,
    name: String,
}

/// The server's admin URL from `STOREFLEET_TEST_POSTGRES_URL`, or `None` to skip (which
/// fails instead when `STOREFLEET_TEST_REQUIRE_POSTGRES=1`).
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("STOREFLEET_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("STOREFLEET_TEST_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "STOREFLEET_TEST_REQUIRE_POSTGRES=1 but STOREFLEET_TEST_POSTGRES_URL is not set"
            );
            eprintln!(
                "skipping: STOREFLEET_TEST_POSTGRES_URL is not set (scripts/test starts a server)"
            );
            None
        }
    }
}

impl PgDb {
    pub async fn create(admin_url: &str) -> PgDb {
        use sqlx::Connection as _;
        let name = format!("sf_test_{}", Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(admin_url)
            .await
            .expect("connect to PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
        PgDb {
            url: format!("{base}/{name}"),
            admin_url: admin_url.to_owned(),
            name,
        }
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs outside async; use a private runtime on a plain thread.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                use sqlx::Connection as _;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

pub async fn sqlite_db(dir: &TempDir) -> TestDb {
    TestDb::Sqlite {
        url: format!("sqlite://{}", dir.path().join("storefleet.db").display()),
    }
}

/// Options for starting a test server.
#[derive(Clone, Default)]
pub struct Options {
    pub env: Vec<(String, String)>,
    pub postgres: bool,
}

impl Options {
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub storage: Arc<dyn Storage>,
    pub data_dir: PathBuf,
    pub db_url: String,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
    _db: Option<TestDb>,
    _dir: Option<TempDir>,
}

/// A signed-up user with a bearer token.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: Uuid,
    pub email: String,
    pub token: String,
}

pub fn config(data_dir: &std::path::Path, db_url: &str, extra: &[(String, String)]) -> Config {
    let mut env: Vec<(String, String)> = vec![
        ("STOREFLEET_LISTEN".into(), "127.0.0.1:0".into()),
        ("STOREFLEET_DATA_DIR".into(), data_dir.display().to_string()),
        ("STOREFLEET_DATABASE_URL".into(), db_url.to_owned()),
        // Generous limits unless a test is about them.
        ("STOREFLEET_CREATE_RATE_PER_MINUTE".into(), "10000".into()),
        (
            "STOREFLEET_USER_CREATE_RATE_PER_MINUTE".into(),
            "10000".into(),
        ),
        // The API alone: tests of the engine ask for workers.
        ("STOREFLEET_WORKERS".into(), "0".into()),
        ("STOREFLEET_SIGNUP_RATE_PER_MINUTE".into(), "10000".into()),
        // Tests open many connections from 127.0.0.1 at once.
        ("STOREFLEET_MAX_CONNECTIONS_PER_IP".into(), "10000".into()),
        // A cluster that never answers: the API must work without one.
        (
            "KUBECONFIG".into(),
            unreachable_kubeconfig(data_dir).display().to_string(),
        ),
    ];
    env.extend(extra.iter().cloned());
    let empty = data_dir.join("empty.toml");
    std::fs::write(&empty, "").expect("write empty config");
    Config::load(Some(&empty), env).expect("test configuration is valid")
}

/// A kubeconfig pointing at a port where nothing listens.
fn unreachable_kubeconfig(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("unreachable.kubeconfig");
    std::fs::create_dir_all(dir).expect("data dir");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: nowhere\n  cluster:\n    server: https://127.0.0.1:1\n\
         contexts:\n- name: nowhere\n  context:\n    cluster: nowhere\n    user: nobody\n\
         current-context: nowhere\nusers:\n- name: nobody\n  user:\n    token: not-a-real-token\n",
    )
    .expect("write kubeconfig");
    path
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> TestApp {
        init_tracing();
        let dir = tempfile::tempdir().expect("temp dir");
        let db = if options.postgres {
            let admin = postgres_admin_url().expect("PostgreSQL test server");
            TestDb::Postgres(PgDb::create(&admin).await)
        } else {
            sqlite_db(&dir).await
        };
        let mut app =
            Self::start(dir.path().to_path_buf(), db.url().to_owned(), &options.env).await;
        app._db = Some(db);
        app._dir = Some(dir);
        app
    }

    /// Start a server on an existing data directory and database (for restart tests).
    pub async fn start(data_dir: PathBuf, db_url: String, env: &[(String, String)]) -> TestApp {
        init_tracing();
        let config = config(&data_dir, &db_url, env);
        let app = App::build(config).await.expect("app builds");
        let addr = app.local_addr().expect("bound");
        let storage = app.state.storage.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(app.run(async move {
            let _ = stopped.await;
        }));
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        TestApp {
            base: format!("http://{addr}"),
            client,
            storage,
            data_dir,
            db_url,
            stop: Some(stop),
            handle: Some(handle),
            _db: None,
            _dir: None,
        }
    }

    /// Stop the server gracefully and wait for it; returns what `run` returned.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.handle.take() {
            Some(h) => h.await.expect("server task"),
            None => Ok(()),
        }
    }

    /// Whether the server is still running (it stops when a task it depends on dies).
    pub fn is_running(&self) -> bool {
        self.handle.as_ref().is_some_and(|h| !h.is_finished())
    }

    /// Hand the temp dir and database over to a new server (restart).
    pub fn take_storage_dirs(&mut self) -> (Option<TempDir>, Option<TestDb>) {
        (self._dir.take(), self._db.take())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1{}", self.base, path)
    }

    /// The `/metrics` text.
    pub async fn metrics(&self) -> String {
        self.client
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("body")
    }

    /// `GET /api/v1/info` (no session).
    pub async fn info(&self) -> Value {
        self.client
            .get(self.api("/info"))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON body")
    }

    pub async fn register(&self, email: &str, password: &str) -> Response {
        self.client
            .post(self.api("/auth/register"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("request")
    }

    /// `POST /auth/login`.
    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.client
            .post(self.api("/auth/login"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("request")
    }

    /// `POST /auth/logout` with the user's bearer token.
    pub async fn logout(&self, user: &TestUser) -> Response {
        self.client
            .post(self.api("/auth/logout"))
            .bearer_auth(&user.token)
            .send()
            .await
            .expect("request")
    }

    /// Sign up and return the session cookie (`name=value`) the answer sets.
    pub async fn cookie_session(&self, email: &str) -> String {
        let resp = self.register(email, PASSWORD).await;
        assert_eq!(resp.status(), StatusCode::CREATED, "register");
        resp.headers()["set-cookie"]
            .to_str()
            .expect("cookie")
            .split(';')
            .next()
            .expect("name=value")
            .to_owned()
    }

    /// Audit entries with this action, newest first.
    pub async fn audit_of(&self, action: &str) -> Vec<storefleet::storage::AuditEvent> {
        self.storage
            .audit_events(storefleet::storage::AuditQuery {
                action: Some(action.to_owned()),
                limit: 50,
                ..Default::default()
            })
            .await
            .expect("audit events")
    }

    /// A new signed-up user with a unique email.
    pub async fn user(&self) -> TestUser {
        let email = format!("user-{}@example.com", Uuid::new_v4().simple());
        let resp = self.register(&email, PASSWORD).await;
        assert_eq!(resp.status(), StatusCode::CREATED, "register");
        let body: Value = resp.json().await.expect("json");
        TestUser {
            id: body["user"]["id"]
                .as_str()
                .expect("id")
                .parse()
                .expect("uuid"),
            email,
            token: body["token"].as_str().expect("token").to_owned(),
        }
    }

    /// A new administrator, created the way `storefleet user create --admin` does.
    pub async fn admin(&self) -> TestUser {
        let email = format!("admin-{}@example.com", Uuid::new_v4().simple());
        let hash = storefleet::auth::hash_password(PASSWORD).expect("hash");
        self.storage
            .create_user(NewUser {
                id: Uuid::new_v4(),
                email: email.clone(),
                email_key: email.clone(),
                password_hash: hash,
                role: storefleet::domain::Role::Admin,
                store_quota: 5,
                now: chrono::Utc::now(),
            })
            .await
            .expect("admin");
        let resp = self
            .client
            .post(self.api("/auth/login"))
            .json(&json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .expect("login");
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = resp.json().await.expect("json");
        TestUser {
            id: body["user"]["id"]
                .as_str()
                .expect("id")
                .parse()
                .expect("uuid"),
            email,
            token: body["token"].as_str().expect("token").to_owned(),
        }
    }

    pub async fn get(&self, user: &TestUser, path: &str) -> Response {
        self.client
            .get(self.api(path))
            .bearer_auth(&user.token)
            .send()
            .await
            .expect("request")
    }

    pub async fn create_store(&self, user: &TestUser, body: Value) -> Response {
        self.client
            .post(self.api("/stores"))
            .bearer_auth(&user.token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// Create a store that must be accepted; returns its JSON.
    pub async fn store(&self, user: &TestUser, name: &str) -> Value {
        let resp = self.create_store(user, json!({ "name": name })).await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED, "create {name}");
        resp.json().await.expect("json")
    }

    pub async fn delete(&self, user: &TestUser, path: &str) -> Response {
        self.client
            .delete(self.api(path))
            .bearer_auth(&user.token)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, user: &TestUser, path: &str, body: Value) -> Response {
        self.client
            .post(self.api(path))
            .bearer_auth(&user.token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch(&self, user: &TestUser, path: &str, body: Value) -> Response {
        self.client
            .patch(self.api(path))
            .bearer_auth(&user.token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Assert a problem+json error with the given status and code; returns the body.
pub async fn problem(resp: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(resp.status(), status, "status");
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let request_id = resp
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = resp.json().await.expect("problem json");
    assert_eq!(ct, "application/problem+json", "content type of {body}");
    assert_eq!(body["code"], code, "code of {body}");
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    assert_eq!(
        body["request_id"].as_str(),
        request_id.as_deref(),
        "request id in body"
    );
    body
}

/// Connect straight to a test database (for storage conformance tests).
pub async fn connect(db: &TestDb) -> Arc<dyn Storage> {
    storage::connect(db.url()).await.expect("connect")
}

/// A TCP proxy in front of a database server, to cut it off and bring it back without
/// touching the server itself (which other tests share).
pub struct TcpProxy {
    pub addr: std::net::SocketAddr,
    up: Arc<std::sync::atomic::AtomicBool>,
    generation: Arc<std::sync::Mutex<tokio_util::sync::CancellationToken>>,
    task: JoinHandle<()>,
}

impl TcpProxy {
    pub async fn start(target: std::net::SocketAddr) -> TcpProxy {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let generation = Arc::new(std::sync::Mutex::new(
            tokio_util::sync::CancellationToken::new(),
        ));
        let (task_up, task_generation) = (up.clone(), generation.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if !task_up.load(Ordering::SeqCst) {
                    // Down: the connection is dropped at once, as by a dead server.
                    continue;
                }
                let cut = task_generation.lock().unwrap().clone();
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        () = cut.cancelled() => {}
                    }
                });
            }
        });
        TcpProxy {
            addr,
            up,
            generation,
            task,
        }
    }

    /// Drop every open connection and refuse new ones.
    pub fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        let mut current = self.generation.lock().unwrap();
        current.cancel();
        *current = tokio_util::sync::CancellationToken::new();
    }

    pub fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
