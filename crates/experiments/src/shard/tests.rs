//! Shards without training: the plan, the file, and every way a merge can refuse.

use std::path::PathBuf;

use super::file::{decode_for_test, encode_for_test};
use super::*;
use crate::catalog;

fn options(seeds: Vec<u64>, search: bool) -> Options {
    Options {
        seeds,
        jobs: 1,
        threads_per_run: 1,
        random_search: search,
        search_trials: 40,
    }
}

/// A made-up result of run `id` with `seed`: every field filled, one of them infinite.
fn result(id: &str, seed: u64) -> RunResult {
    let mut r = RunResult::with_test_curve(id, 10, &[0.5, 0.6 + seed as f64 * 1e-3, 0.7]);
    r.seconds = 1.5;
    r.gradient_norms = vec![(10, vec![("affine1.weight".into(), 0.1 + seed as f64)])];
    r.first_filters = Some(vec![vec![0.25f32, -1.0 / 3.0]]);
    r.weight_norm = vec![(0, 3.0), (30, f64::INFINITY)];
    r.ensemble = vec![(0, 0.9), (5, 0.91)];
    r
}

/// The shards of a made-up sweep of `specs` over `seeds`, cut `count` ways, each holding
/// what the plan gives it.
fn sweep(specs: &[RunSpec], seeds: &[u64], search: bool, count: usize) -> Vec<(PathBuf, Shard)> {
    let options = options(seeds.to_vec(), search);
    plan(specs, seeds.len(), search, count)
        .into_iter()
        .enumerate()
        .map(|(k, jobs)| {
            let slice = Slice::new(k + 1, count).unwrap();
            let mut runs = Vec::new();
            let mut trials = None;
            for job in &jobs {
                match *job {
                    Job::Run { seed, spec } => {
                        runs.push((
                            seeds[seed],
                            specs[spec].id.clone(),
                            result(&specs[spec].id, seeds[seed]),
                        ));
                    }
                    Job::Search => {
                        trials = Some(vec![Trial {
                            lr: 1e-3,
                            weight_decay: 1e-6,
                            validation: 0.8,
                            train: 0.9,
                        }]);
                    }
                }
            }
            let manifest = ShardManifest {
                selection: Selection::of(specs, &options, true),
                slice,
                git_commit: Some("abc".into()),
                dataset: vec![("train-images-idx3-ubyte".into(), "00".into())],
                machine: "test".into(),
                command: "test".into(),
                jobs: 1,
                threads_per_run: 1,
                wall_seconds: 1.0,
                holds: jobs.iter().map(|&j| job_name(j, specs, seeds)).collect(),
            };
            (
                PathBuf::from(slice.folder_name()),
                Shard {
                    manifest,
                    runs,
                    search: trials,
                },
            )
        })
        .collect()
}

fn merge_quick(shards: Vec<(PathBuf, Shard)>, partial: bool) -> Result<Merged> {
    merge(shards, |_| catalog::quick(), partial)
}

fn refusal(shards: Vec<(PathBuf, Shard)>) -> String {
    match merge_quick(shards, false) {
        Ok(_) => panic!("the merge should have been refused"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn slices_are_numbered_from_one_up_to_the_count() {
    for good in ["1/1", "3/3", " 2 / 4 "] {
        assert!(good.parse::<Slice>().is_ok(), "{good}");
    }
    for (bad, says) in [
        ("4/3", "does not exist"),
        ("0/3", "does not exist"),
        ("0/0", "at least 1"),
        ("3", "write K/N"),
        ("a/b", "write K/N"),
        ("-1/3", "write K/N"),
    ] {
        let err = bad.parse::<Slice>().unwrap_err();
        assert!(err.contains(says), "{bad}: {err}");
    }
}

#[test]
fn the_plan_gives_every_job_to_exactly_one_shard_and_balances_the_cost() {
    let specs = catalog::full();
    for count in [1, 2, 3, 4, 7, 500] {
        let plan = plan(&specs, 3, true, count);
        assert_eq!(plan.len(), count);
        let mut all: Vec<Job> = plan.iter().flatten().copied().collect();
        all.sort();
        assert_eq!(all, suite::all_jobs(specs.len(), 3, true), "{count} shards");
        let load = |jobs: &Vec<Job>| jobs.iter().map(|&j| suite::cost(j, &specs)).sum::<f64>();
        let loads: Vec<f64> = plan.iter().map(load).collect();
        let heaviest_job = all
            .iter()
            .map(|&j| suite::cost(j, &specs))
            .fold(0.0, f64::max);
        let (lo, hi) = loads
            .iter()
            .fold((f64::MAX, 0.0f64), |(lo, hi), &l| (lo.min(l), hi.max(l)));
        // Greedy by cost: no shard ends more than one job after another.
        assert!(hi - lo <= heaviest_job, "{count} shards: {loads:?}");
        assert_eq!(
            plan,
            super::plan(&specs, 3, true, count),
            "the same plan twice"
        );
    }
}

#[test]
fn a_shard_reads_back_bit_for_bit_and_a_damaged_one_is_refused() {
    let specs = catalog::quick();
    let (_, shard) = sweep(&specs, &[0, 1], false, 2).remove(0);
    let bytes = encode_for_test(&shard);
    let back = decode_for_test(&bytes).unwrap();
    assert_eq!(back, shard);
    let bits = |s: &Shard| {
        s.runs
            .iter()
            .flat_map(|(_, _, r)| r.curve.iter().map(|p| p.test.to_bits()))
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(&back), bits(&shard));

    let cut = decode_for_test(&bytes[..bytes.len() - 10]).unwrap_err();
    assert!(cut.contains("cut or added to"), "{cut}");
    let mut flipped = bytes.clone();
    flipped[40] ^= 1;
    assert!(decode_for_test(&flipped).unwrap_err().contains("checksum"));
    assert!(
        decode_for_test(b"{\"json\": 1}")
            .unwrap_err()
            .contains("magic")
    );
    assert!(
        decode_for_test(&bytes[..14])
            .unwrap_err()
            .contains("cut short")
    );
    let mut newer = bytes.clone();
    newer[12] = 9;
    assert!(decode_for_test(&newer).unwrap_err().contains("version 9"));
}

#[test]
fn shards_on_disk_are_found_in_their_sweep_folder_and_a_half_written_one_is_not() {
    let dir = std::env::temp_dir().join(format!("nabla-shards-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let specs = catalog::quick();
    for (_, shard) in sweep(&specs, &[0], false, 2) {
        let written = write(&shard, &dir).unwrap();
        assert_eq!(read(&written).unwrap(), shard);
    }
    // A shard still being written elsewhere, and a stray file.
    std::fs::create_dir_all(dir.join(".shard-2-of-2.partial-99")).unwrap();
    std::fs::write(dir.join("notes.txt"), "x").unwrap();
    let found = find(std::slice::from_ref(&dir)).unwrap();
    assert_eq!(found, [dir.join("shard-1-of-2"), dir.join("shard-2-of-2")]);
    // Rewriting a shard replaces it whole.
    let (_, again) = sweep(&specs, &[0], false, 2).remove(1);
    write(&again, &dir).unwrap();
    assert_eq!(find(std::slice::from_ref(&dir)).unwrap().len(), 2);

    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert!(
        find(std::slice::from_ref(&empty))
            .unwrap_err()
            .to_string()
            .contains("neither a shard")
    );
    assert!(
        read(&empty)
            .unwrap_err()
            .to_string()
            .contains("no shard.bin")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_merge_puts_every_run_back_in_its_place() {
    let specs = catalog::quick();
    let seeds = [4, 9];
    let merged = merge_quick(sweep(&specs, &seeds, true, 3), false).unwrap();
    assert!(merged.missing.is_empty());
    assert_eq!(merged.shards.len(), 3);
    assert_eq!(merged.suite.seeds, seeds);
    assert_eq!(merged.suite.search.len(), 1);
    for spec in &specs {
        let all = merged.suite.all_seeds(&spec.id);
        assert_eq!(all.len(), 2);
        for (r, seed) in all.iter().zip(seeds) {
            assert_eq!(**r, result(&spec.id, seed), "{} seed {seed}", spec.id);
        }
    }
    // The shards in any order give the same suite.
    let mut reversed = sweep(&specs, &seeds, true, 3);
    reversed.reverse();
    let again = merge_quick(reversed, false).unwrap();
    assert_eq!(again.suite.runs.len(), merged.suite.runs.len());
    assert_eq!(again.suite.replicas, merged.suite.replicas);
}

#[test]
fn a_merge_refuses_shards_that_do_not_belong_together() {
    let specs = catalog::quick();
    let seeds = [0, 1];

    let mut shards = sweep(&specs, &seeds, false, 3);
    shards.remove(1);
    let err = refusal(shards);
    assert!(
        err.contains("shard 2/3 is missing") && err.contains("--partial"),
        "{err}"
    );

    let mut shards = sweep(&specs, &seeds, false, 3);
    let twice = shards[0].clone();
    shards.push((PathBuf::from("copy"), twice.1));
    assert!(refusal(shards).contains("shard 1/3 is given twice"));

    let mut shards = sweep(&specs, &seeds, false, 3);
    shards[2].1.manifest.git_commit = Some("def".into());
    assert!(refusal(shards).contains("made at commits abc and def"));

    let mut shards = sweep(&specs, &seeds, false, 3);
    shards[1].1 = sweep(&specs, &[0, 2], false, 3).remove(1).1;
    assert!(refusal(shards).contains("ran seeds 0,1 and 0,2"));

    let mut shards = sweep(&specs, &seeds, false, 3);
    shards[1].1 = sweep(&specs, &seeds, false, 4).remove(1).1;
    assert!(refusal(shards).contains("cut into 3 shards and 4 shards"));

    let mut shards = sweep(&specs, &seeds, false, 3);
    shards[1].1.manifest.dataset[0].1 = "ff".into();
    assert!(refusal(shards).contains("different MNIST files"));

    // The same run in two shards with different numbers names the run and both folders.
    let mut shards = sweep(&specs, &seeds, false, 3);
    let (seed, id, mut r) = shards[0].1.runs[0].clone();
    r.curve[0].test += 1e-12;
    shards[1].1.runs.push((seed, id.clone(), r));
    let err = refusal(shards);
    assert!(
        err.contains(&format!(
            "run {id} seed {seed} is in shard-1-of-3 and in shard-2-of-3"
        )),
        "{err}"
    );

    // A run the sweep does not hold.
    let mut shards = sweep(&specs, &seeds, false, 3);
    shards[0]
        .1
        .runs
        .push((7, specs[0].id.clone(), result(&specs[0].id, 7)));
    assert!(refusal(shards).contains("not part of its sweep"));

    // A run dropped from a shard although every shard is there.
    let mut shards = sweep(&specs, &seeds, false, 3);
    let dropped = shards[2].1.runs.pop().unwrap();
    let err = refusal(shards);
    assert!(
        err.contains(&format!("{} seed {}", dropped.1, dropped.0)),
        "{err}"
    );
    assert!(merge_quick(Vec::new(), false).is_err());
}

#[test]
fn a_partial_merge_reports_what_is_there_and_names_what_is_missing() {
    let specs = catalog::quick();
    let mut shards = sweep(&specs, &[0, 1], false, 3);
    let gone = shards.remove(0).1;
    let merged = merge_quick(shards, true).unwrap();
    let mut missing = gone.manifest.holds.clone();
    missing.sort();
    let mut named = merged.missing.clone();
    named.sort();
    assert_eq!(named, missing);
    // A run lacking one seed is left out whole; the rest are all there.
    for spec in &specs {
        let complete = !missing
            .iter()
            .any(|m| m.starts_with(&format!("{} seed", spec.id)));
        assert_eq!(
            merged.suite.get(&spec.id).is_some(),
            complete,
            "{}",
            spec.id
        );
    }
    assert!(!merged.suite.runs.is_empty());
}
