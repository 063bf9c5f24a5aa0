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
use tokio::sync::broadcast;

/// Events waiting for slow clients, per client: past this a client is dropped and its
/// browser reconnects, getting the history again (the run never waits for it).
const BACKLOG: usize = 4096;

/// What the training thread and the server share.
struct Shared {
    /// Every event so far, as JSON text; its index is its SSE id.
    history: Mutex<Vec<Arc<str>>>,
    live: broadcast::Sender<(usize, Arc<str>)>,
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
        let (live, _) = broadcast::channel(BACKLOG);
        let shared = Arc::new(Shared {
            history: Mutex::new(Vec::new()),
            live,
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
    pub fn publish(&self, event: &serde_json::Value) {
        let text: Arc<str> = event.to_string().into();
        let mut history = self
            .shared
            .history
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let id = history.len();
        history.push(Arc::clone(&text));
        // Sent under the lock, so that ids reach the channel in order.
        let _ = self.shared.live.send((id, text));
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
/// reconnects), then the live ones.
async fn events_stream(
    shared: Arc<Shared>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribe before reading the history, so that nothing falls between the two.
    let rx = shared.live.subscribe();
    let past: Vec<Arc<str>> = shared
        .history
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(0, |id| id + 1);
    let sent = past.len();
    let first = stream::iter(
        past.into_iter()
            .enumerate()
            .skip(seen)
            .map(|(id, text)| Ok(event(id, &text))),
    );
    let rest = stream::unfold((rx, sent), |(mut rx, sent)| async move {
        loop {
            match rx.recv().await {
                Ok((id, _)) if id < sent => continue,
                Ok((id, text)) => return Some((Ok(event(id, &text)), (rx, sent))),
                // Too slow to keep up, or the run is over and gone: end this stream; the
                // browser reconnects and gets what it missed from the history.
                Err(_) => return None,
            }
        }
    });
    Sse::new(first.chain(rest)).keep_alive(KeepAlive::default())
}

fn event(id: usize, text: &str) -> Event {
    Event::default().id(id.to_string()).data(text)
}
