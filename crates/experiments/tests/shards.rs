//! The suite cut into three shards, each trained apart, written, read back and merged, gives
//! the report one machine writes for the whole suite: every measurement the same to the bit
//! (the quick suite, two seeds). Timings, the command line and the account of the shards
//! are the only differences.

use std::path::{Path, PathBuf};

use nabla_datasets::Mnist;
use nabla_experiments::session::{self, Provenance};
use nabla_experiments::shard::{self, Slice};
use nabla_experiments::suite::Options;
use nabla_experiments::{Data, catalog};
use nabla_testdata::measurements;

fn provenance(command: &str) -> Provenance {
    Provenance {
        command: command.into(),
        git_commit: Some("test".into()),
        dataset: vec![("train-images-idx3-ubyte".into(), "test".into())],
        machine: "test".into(),
    }
}

fn three_shards_merge_into_the_whole_suite_to_the_bit(dir: &Path) {
    let data = Data::new(&Mnist::load(dir).unwrap());
    let specs = catalog::quick();
    let options = Options {
        seeds: vec![0, 1],
        jobs: 2,
        threads_per_run: 1,
        random_search: false,
        search_trials: 0,
    };
    let scratch = std::env::temp_dir().join(format!("nabla-shards-it-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let whole = scratch.join("whole");
    let one = session::run_and_report(
        &specs,
        &data,
        &options,
        true,
        provenance("whole"),
        &whole,
        &|_| {},
    )
    .unwrap();

    let sweep = scratch.join("sweep");
    // Each shard on one job: how a shard runs must not matter either.
    let shard_options = Options {
        jobs: 1,
        ..options.clone()
    };
    let mut held = 0;
    for k in [3, 1, 2] {
        let slice = Slice::new(k, 3).unwrap();
        let made = shard::run(
            &specs,
            &data,
            &shard_options,
            true,
            slice,
            provenance("shard"),
            &|_| {},
        )
        .unwrap();
        held += made.runs.len();
        shard::write(&made, &sweep).unwrap();
    }
    assert_eq!(held, 2 * specs.len(), "every (seed, run) pair in one shard");
    let dirs: Vec<PathBuf> = shard::find(std::slice::from_ref(&sweep)).unwrap();
    assert_eq!(dirs.len(), 3);
    let shards = dirs
        .into_iter()
        .map(|d| {
            let s = shard::read(&d).unwrap();
            (d, s)
        })
        .collect();
    let merged = shard::merge(shards, |_| catalog::quick(), false).unwrap();
    let merged_dir = scratch.join("merged");
    let outcome = session::report_merged(merged, provenance("merge"), &merged_dir).unwrap();

    assert_eq!(outcome.failures, one.failures);
    let (a, b) = (measurements(&whole), measurements(&merged_dir));
    for key in a.as_object().unwrap().keys() {
        assert_eq!(a[key], b[key], "results.json differs in {key}");
    }
    assert_eq!(a, b);
    for spec in &specs {
        let csv = format!("runs/{}.csv", spec.id);
        assert_eq!(
            std::fs::read(whole.join(&csv)).unwrap(),
            std::fs::read(merged_dir.join(&csv)).unwrap(),
            "{csv}"
        );
    }
    let report = std::fs::read_to_string(merged_dir.join("report.md")).unwrap();
    assert!(
        report.contains("Merged from 3 shards"),
        "the report says it was merged"
    );
    std::fs::remove_dir_all(&scratch).unwrap();
}

nabla_testdata::main!(mnist three_shards_merge_into_the_whole_suite_to_the_bit);
