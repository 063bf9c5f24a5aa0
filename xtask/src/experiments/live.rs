//! `cargo xtask experiments --live`: the suite on the live page, run by run.

use anyhow::{Context, Result};
use nabla_experiments::RunSpec;
use nabla_experiments::session::Outcome as SessionOutcome;
use nabla_experiments::suite::{self, Event, Options};
use nabla_live::LiveServer;
use serde_json::json;

/// Serves the page and announces every run as queued.
pub fn start(port: u16, specs: &[RunSpec], options: &Options, quick: bool) -> Result<LiveServer> {
    let server = LiveServer::start(port)
        .with_context(|| format!("cannot serve the live page on 127.0.0.1:{port}"))?;
    println!("live page: {}", server.url());
    server.publish(&json!({
        "type": "config",
        "title": if quick { "the experiments (quick)" } else { "the experiments" },
        "settings": {
            "runs": specs.len(), "seeds": options.seeds, "jobs": options.jobs,
            "threads per run": options.threads_per_run,
            "random search": options.random_search,
        },
    }));
    let seeds = &options.seeds;
    let runs: Vec<_> = seeds
        .iter()
        .flat_map(|&seed| {
            specs.iter().map(move |s| {
                let id = suite::job_label(&s.id, seed, seeds.len());
                json!({"id": id, "title": s.title, "state": "queued"})
            })
        })
        .collect();
    server.publish(&json!({"type": "runs", "runs": runs}));
    Ok(server)
}

/// A run started or finished (progress within a run is the terminal's).
pub fn publish_event(server: &LiveServer, event: &Event) {
    match event {
        Event::Started { id } => server.publish(&json!({
            "type": "runs", "runs": [{"id": id, "state": "running"}],
        })),
        Event::Finished { id, seconds, curve } => server.publish(&json!({
            "type": "runs",
            "runs": [{"id": id, "state": "done", "seconds": seconds,
                      "test": curve.last().map(|p| p.1), "curve": curve}],
        })),
        Event::Step { .. } => {}
    }
}

/// The verdicts, and the end of the suite.
pub fn publish_end(server: &LiveServer, outcome: &SessionOutcome) {
    let verdicts: Vec<_> = outcome
        .verdicts
        .iter()
        .map(|v| json!({"claim": v.claim.statement, "outcome": v.tally(), "evidence": v.evidence}))
        .collect();
    server.publish(&json!({"type": "verdicts", "verdicts": verdicts}));
    server.publish(&json!({
        "type": "end", "reason": "the suite finished", "seconds": outcome.wall_seconds,
        "test_accuracy": null,
    }));
}
