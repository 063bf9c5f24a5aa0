//! The HTTP side: the page, and a small JSON API that starts, steers and reads a page's run.
//!
//! - `GET /` the page; `GET /api/setup` the defaults, the limits and the presets;
//! - `POST /api/start?page=ID` with the settings as JSON: starts that page's run (replacing
//!   its previous one), paused unless `&run=1`;
//! - `POST /api/control?page=ID&action=run|pause|step|stop`;
//! - `GET /api/state?page=ID`: the run's latest snapshot (polled by the page; a page that
//!   stops asking for [`ABANDONED`](crate::job::ABANDONED) has its run stopped);
//! - `POST /api/paths` with a [`PathRequest`](crate::paths::PathRequest): the optimizers' paths;
//! - `GET /report`: the experiments' report, when one has been written.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::RawQuery;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use nabla_datasets::Mnist;
use serde_json::json;

use crate::job::{Command, Job};
use crate::settings::{Settings, limits};

/// At most this many pages train at once: a page cannot exhaust the machine by opening tabs.
pub const MAX_RUNS: usize = 4;

/// What the server knows.
struct App {
    runs: Mutex<HashMap<String, Job>>,
    mnist: Option<Arc<Mnist>>,
    report: Option<PathBuf>,
}

/// A playground being served on 127.0.0.1; dropping it stops nothing (the server thread
/// serves until the process ends).
#[derive(Debug, Clone)]
pub struct Playground {
    addr: SocketAddr,
}

impl Playground {
    /// Serves the playground on 127.0.0.1:`port` (0: any free port). `mnist`, when given,
    /// makes the MNIST data option work; `report` is the experiments' report.html to link
    /// the presets' claims to.
    pub fn start(
        port: u16,
        mnist: Option<Mnist>,
        report: Option<PathBuf>,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let app = Arc::new(App {
            runs: Mutex::new(HashMap::new()),
            mnist: mnist.map(Arc::new),
            report,
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let router = router(app);
        std::thread::Builder::new()
            .name("nabla-playground-http".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => {
                            if let Err(e) = axum::serve(listener, router).await {
                                eprintln!("playground: the server stopped: {e}");
                            }
                        }
                        Err(e) => eprintln!("playground: cannot serve: {e}"),
                    }
                })
            })?;
        Ok(Playground { addr })
    }

    /// The page's address, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

fn json_response(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.into(),
    )
        .into_response()
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> Response {
    json_response(status, json!({"error": message.to_string()}).to_string())
}

/// `key`'s value in a query string (`a=1&b=2`), undecoded: ids and words only.
fn param<'q>(query: &'q Option<String>, key: &str) -> Option<&'q str> {
    query
        .as_deref()?
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

/// The page id of a request: letters and digits, at most 32.
fn page_id(query: &Option<String>) -> Result<String, Box<Response>> {
    match param(query, "page") {
        Some(id)
            if !id.is_empty()
                && id.len() <= 32
                && id.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            Ok(id.to_string())
        }
        _ => Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "a page id (page=…, letters and digits, at most 32) is needed",
        ))),
    }
}

fn router(app: Arc<App>) -> Router {
    let (start_app, control_app, state_app, report_app) = (
        Arc::clone(&app),
        Arc::clone(&app),
        Arc::clone(&app),
        Arc::clone(&app),
    );
    Router::new()
        .route("/", get(|| async { Html(crate::PAGE) }))
        .route("/api/setup", get(|| async { setup() }))
        .route(
            "/api/start",
            post(move |query: RawQuery, body: String| {
                let app = Arc::clone(&start_app);
                async move { start(&app, &query.0, &body) }
            }),
        )
        .route(
            "/api/control",
            post(move |query: RawQuery| {
                let app = Arc::clone(&control_app);
                async move { control(&app, &query.0) }
            }),
        )
        .route(
            "/api/state",
            get(move |query: RawQuery| {
                let app = Arc::clone(&state_app);
                async move { state(&app, &query.0) }
            }),
        )
        .route("/api/paths", post(|body: String| async move { paths(&body) }))
        .route(
            "/report",
            get(move || {
                let app = Arc::clone(&report_app);
                async move { report(&app) }
            }),
        )
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "not found: this server has /, /api/setup, /api/start, /api/control, /api/state, /api/paths and /report",
            )
        })
}

fn setup() -> Response {
    let value = json!({
        "defaults": Settings::default(),
        "presets": crate::presets::all(),
        "limits": {
            "points_2d": limits::POINTS_2D, "points_mnist": limits::POINTS_MNIST,
            "layers": limits::LAYERS, "width": limits::WIDTH, "lr": limits::LR,
            "sigma": limits::SIGMA, "dropout": limits::DROPOUT, "penalty": limits::PENALTY,
            "batch": limits::BATCH,
        },
    });
    json_response(StatusCode::OK, value.to_string())
}

fn start(app: &App, query: &Option<String>, body: &str) -> Response {
    let page = match page_id(query) {
        Ok(page) => page,
        Err(response) => return *response,
    };
    let settings = match Settings::from_json(body) {
        Ok(settings) => settings,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let run = param(query, "run") == Some("1");
    let mut runs = app.runs.lock().unwrap_or_else(PoisonError::into_inner);
    runs.retain(|_, job| !job.ended());
    runs.remove(&page);
    if runs.len() >= MAX_RUNS {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{MAX_RUNS} pages are training already: close one, or wait for it to stop"),
        );
    }
    let words = settings.words();
    runs.insert(page, Job::start(settings, app.mnist.clone(), run));
    json_response(StatusCode::OK, json!({"words": words}).to_string())
}

fn control(app: &App, query: &Option<String>) -> Response {
    let page = match page_id(query) {
        Ok(page) => page,
        Err(response) => return *response,
    };
    let command = match param(query, "action") {
        Some("run") => Command::Run,
        Some("pause") => Command::Pause,
        Some("step") => Command::Step,
        Some("stop") => Command::Stop,
        other => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("action {other:?}: run, pause, step or stop"),
            );
        }
    };
    let mut runs = app.runs.lock().unwrap_or_else(PoisonError::into_inner);
    match runs.get(&page) {
        Some(job) => job.command(command),
        None => return error(StatusCode::NOT_FOUND, "this page has no run: start one"),
    }
    if command == Command::Stop {
        runs.remove(&page);
    }
    json_response(StatusCode::OK, "{}")
}

fn state(app: &App, query: &Option<String>) -> Response {
    let page = match page_id(query) {
        Ok(page) => page,
        Err(response) => return *response,
    };
    let runs = app.runs.lock().unwrap_or_else(PoisonError::into_inner);
    match runs.get(&page) {
        Some(job) => json_response(StatusCode::OK, job.snapshot().to_string()),
        None => json_response(StatusCode::OK, r#"{"state":"none"}"#),
    }
}

fn paths(body: &str) -> Response {
    let request: crate::paths::PathRequest = match serde_json::from_str(body) {
        Ok(request) => request,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("bad path request: {e}")),
    };
    match crate::paths::paths(&request) {
        Ok(found) => json_response(StatusCode::OK, json!({"paths": found}).to_string()),
        Err(message) => error(StatusCode::BAD_REQUEST, message),
    }
}

fn report(app: &App) -> Response {
    match app.report.as_ref().map(std::fs::read_to_string) {
        Some(Ok(html)) => Html(html).into_response(),
        _ => (
            StatusCode::NOT_FOUND,
            "no experiments report yet: run `cargo xtask experiments`, then restart the playground",
        )
            .into_response(),
    }
}
