//! The HTTP side: `/` (the page), `/events` (server-sent events), `/history.json`.

use std::convert::Infallible;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::watch;

/// How long a client's stream gathers events after a wake-up before sending them: events
/// come in bursts of a few per training step, and one wake-up per burst (not per event)
/// keeps the server thread from competing with training for the cores.
const GATHER: std::time::Duration = std::time::Duration::from_millis(100);

/// What the training thread and the server share.
struct Shared {
    /// Every event so far, as JSON text; its index is its SSE id. It is also every client's
    /// buffer: a slow client reads on from where it is, and nothing waits for it.
    history: Mutex<Vec<Arc<str>>>,
    /// The number of events, for clients to wait on (a watch keeps only the latest value,
    /// so many publications wake a client once).
    count: watch::Sender<usize>,
}

/// A live page being served; dropping it stops nothing (the server thread serves until
/// the process ends).
#[derive(Clone)]
pub struct LiveServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for LiveServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl LiveServer {
    /// Serves the page on 127.0.0.1:`port` (0: a free port, see [`LiveServer::url`]).
    pub fn start(port: u16) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            history: Mutex::new(Vec::new()),
            count: watch::Sender::new(0),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let app = router(Arc::clone(&shared));
        std::thread::Builder::new()
            .name("nabla-live".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => {
                            if let Err(e) = axum::serve(listener, app).await {
                                eprintln!("live page: the server stopped: {e}");
                            }
                        }
                        Err(e) => eprintln!("live page: cannot serve: {e}"),
                    }
                })
            })?;
        Ok(LiveServer { addr, shared })
    }

    /// The page's address, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Appends an event (any JSON value with a `"type"`) and pushes it to every client.
    /// Never blocks on a client.
    pub fn publish(&self, event: &crate::Event) {
        let text: Arc<str> = match serde_json::to_string(event) {
            Ok(text) => text.into(),
            // Every field is a number, a string or a list of them: nothing can fail.
            Err(e) => unreachable!("an event serializes: {e}"),
        };
        let mut history = self
            .shared
            .history
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        history.push(text);
        let count = history.len();
        drop(history);
        self.shared.count.send_replace(count);
    }

    /// How many events have been published.
    pub fn len(&self) -> usize {
        self.shared
            .history
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether nothing has been published yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn router(shared: Arc<Shared>) -> Router {
    let events = Arc::clone(&shared);
    let history = shared;
    Router::new()
        .route("/", get(|| async { Html(crate::PAGE) }))
        .route(
            "/events",
            get(move |headers: HeaderMap| events_stream(Arc::clone(&events), headers)),
        )
        .route(
            "/history.json",
            get(move || {
                let history = Arc::clone(&history);
                async move {
                    let all = history
                        .history
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .clone();
                    let body = format!("[{}]", all.join(","));
                    ([(header::CONTENT_TYPE, "application/json")], body)
                }
            }),
        )
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "not found: this server has /, /events and /history.json\n",
            )
                .into_response()
        })
}

/// A client's stream: every event it has not seen (after `Last-Event-ID` when its browser
/// reconnects: the history first for a new page), then the new ones as they come.
async fn events_stream(
    shared: Arc<Shared>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let next = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(0, |id| id + 1);
    let count = shared.count.subscribe();
    let batches = stream::unfold(
        (shared, count, next),
        |(shared, mut count, next)| async move {
            loop {
                let new: Vec<Arc<str>> = {
                    let history = shared
                        .history
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    history
                        .get(next..)
                        .map(<[Arc<str>]>::to_vec)
                        .unwrap_or_default()
                };
                if !new.is_empty() {
                    let events: Vec<Result<Event, Infallible>> = new
                        .iter()
                        .enumerate()
                        .map(|(k, text)| Ok(event(next + k, text)))
                        .collect();
                    let next = next + new.len();
                    return Some((stream::iter(events), (shared, count, next)));
                }
                // Nothing new: wait for a publication, then let a burst gather.
                count.changed().await.ok()?;
                tokio::time::sleep(GATHER).await;
            }
        },
    );
    Sse::new(batches.flatten()).keep_alive(KeepAlive::default())
}

fn event(id: usize, text: &str) -> Event {
    Event::default().id(id.to_string()).data(text)
}
