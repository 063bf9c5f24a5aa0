//! `cargo xtask experiments --live`: the suite on the live page, run by run.

use anyhow::{Context, Result};
use nabla_experiments::RunSpec;
use nabla_experiments::session::Outcome as SessionOutcome;
use nabla_experiments::suite::{self, Event, Options};
use nabla_live::LiveServer;
use nabla_live::{Event as Page, Phase, RunState, VerdictLine};

/// Serves the page and announces every run as queued.
pub fn start(port: u16, specs: &[RunSpec], options: &Options, quick: bool) -> Result<LiveServer> {
    let server = LiveServer::start(port)
        .with_context(|| format!("cannot serve the live page on 127.0.0.1:{port}"))?;
    println!("live page: {}", server.url());
    let seeds: Vec<String> = options.seeds.iter().map(u64::to_string).collect();
    let settings = [
        ("runs", specs.len().to_string()),
        ("seeds", seeds.join(", ")),
        ("jobs", options.jobs.to_string()),
        ("threads per run", options.threads_per_run.to_string()),
        ("random search", options.random_search.to_string()),
    ];
    server.publish(&Page::Config {
        title: if quick {
            "the experiments (quick)"
        } else {
            "the experiments"
        }
        .into(),
        split: "test",
        settings: settings.map(|(k, v)| (k.to_string(), v)).into(),
    });
    let seeds = &options.seeds;
    let runs: Vec<_> = seeds
        .iter()
        .flat_map(|&seed| {
            specs.iter().map(move |s| {
                let mut run =
                    RunState::new(suite::job_label(&s.id, seed, seeds.len()), Phase::Queued);
                run.title = Some(s.title.to_string());
                run
            })
        })
        .collect();
    server.publish(&Page::Runs { runs });
    Ok(server)
}

/// A run started or finished (progress within a run is the terminal's).
pub fn publish_event(server: &LiveServer, event: &Event) {
    match event {
        Event::Started { id } => server.publish(&Page::Runs {
            runs: vec![RunState::new(id, Phase::Running)],
        }),
        Event::Finished { id, seconds, curve } => {
            let mut run = RunState::new(id, Phase::Done);
            run.seconds = Some(*seconds);
            run.test = curve.last().map(|p| p.1);
            run.curve = Some(curve.clone());
            server.publish(&Page::Runs { runs: vec![run] });
        }
        Event::Step { .. } => {}
    }
}

/// The verdicts, and the end of the suite.
pub fn publish_end(server: &LiveServer, outcome: &SessionOutcome) {
    let verdicts: Vec<_> = outcome
        .verdicts
        .iter()
        .map(|v| VerdictLine {
            claim: v.claim.statement.to_string(),
            outcome: v.tally(),
            evidence: v.evidence.clone(),
        })
        .collect();
    server.publish(&Page::Verdicts { verdicts });
    server.publish(&Page::End {
        reason: "the suite finished".into(),
        step: None,
        test_accuracy: None,
        seconds: outcome.wall_seconds,
    });
}
