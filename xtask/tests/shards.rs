//! `cargo xtask experiments --shard K/N` and `merge` as a user runs them: shards that merge
//! into the whole suite's report, bad shards and flags refused by name, and a real Slurm
//! cluster running the sweep from `deploy/slurm/` (a job array and a dependent merge job).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use nabla_testdata::measurements;
use support::text;

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nabla-shards-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn xtask(args: &[&str], data: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args(args)
        .env_remove("NABLA_DATA")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX");
    if let Some(data) = data {
        cmd.env("NABLA_DATA", data);
    }
    cmd.output().unwrap()
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn refused(args: &[&str], says: &str) {
    let out = xtask(args, None);
    assert!(!out.status.success(), "{args:?} should fail");
    let text = text(&out);
    assert!(text.contains(says), "{args:?} should say {says:?}:\n{text}");
    assert!(!text.contains("panicked"), "{text}");
}

fn bad_shards_and_flags_are_refused_by_name() {
    refused(
        &["experiments", "--shard", "4/3"],
        "shard 4/3 does not exist: shards are numbered 1 to 3",
    );
    refused(&["experiments", "--shard", "0/0"], "at least 1");
    refused(&["experiments", "--shard", "2"], "write K/N");
    refused(
        &["experiments", "--shards", "4", "--quick"],
        "neither is set",
    );
    refused(
        &["experiments", "--shard", "1/2", "--live"],
        "cannot be used with",
    );
    refused(&["experiments", "merge"], "DIR");
    let dir = scratch("bad");
    refused(
        &["experiments", "merge", dir.to_str().unwrap()],
        "neither a shard",
    );
    // The Kubernetes index needs the count.
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["experiments", "--quick", "--list"])
        .env("JOB_COMPLETION_INDEX", "1")
        .output()
        .unwrap();
    assert!(text(&out).contains("add --shards N"), "{}", text(&out));
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["experiments", "--quick", "--list", "--shards", "3"])
        .env("JOB_COMPLETION_INDEX", "2")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("jobs in shard 3/3"), "{}", text(&out));
}

/// Writes the quick suite over seeds 0 and 1 as three shards into `sweep`, one command each.
fn quick_sweep(data: &Path, sweep: &Path) {
    for k in 1..=3 {
        let out = xtask(
            &[
                "experiments",
                "--quick",
                "--seeds",
                "2",
                "--shard",
                &format!("{k}/3"),
                "--out",
                sweep.to_str().unwrap(),
            ],
            Some(data),
        );
        assert!(out.status.success(), "{}", text(&out));
    }
}

fn whole_quick_suite(data: &Path, out: &Path) {
    let run = xtask(
        &[
            "experiments",
            "--quick",
            "--seeds",
            "2",
            "--out",
            out.to_str().unwrap(),
        ],
        Some(data),
    );
    assert!(run.status.success(), "{}", text(&run));
}

fn shards_merge_into_the_whole_report_and_damaged_ones_are_refused(data: &Path) {
    let dir = scratch("cli");
    let (sweep, whole, merged) = (dir.join("sweep"), dir.join("whole"), dir.join("merged"));
    quick_sweep(data, &sweep);
    whole_quick_suite(data, &whole);
    let shard_2 = sweep.join("shard-2-of-3");
    let sweep_s = sweep.to_str().unwrap();

    // A look while a shard is still missing: --partial names what is not there.
    let aside = dir.join("aside");
    std::fs::rename(&shard_2, &aside).unwrap();
    refused(
        &["experiments", "merge", sweep_s],
        "shard 2/3 is missing (have 1/3, 3/3)",
    );
    let look = dir.join("look");
    let out = xtask(
        &[
            "experiments",
            "merge",
            "--partial",
            sweep_s,
            "--out",
            look.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let report = std::fs::read_to_string(look.join("report.md")).unwrap();
    assert!(
        report.contains("A partial merge"),
        "the report says what is missing"
    );
    std::fs::rename(&aside, &shard_2).unwrap();

    // A shard cut mid-copy is refused, and the report from before stays as it was.
    let bin = shard_2.join("shard.bin");
    let bytes = std::fs::read(&bin).unwrap();
    std::fs::write(&bin, &bytes[..bytes.len() / 2]).unwrap();
    refused(
        &[
            "experiments",
            "merge",
            sweep_s,
            "--out",
            look.to_str().unwrap(),
        ],
        "the file was cut or added to",
    );
    assert!(look.join("report.md").exists());
    std::fs::write(&bin, &bytes).unwrap();

    // The same shard given twice.
    refused(
        &["experiments", "merge", sweep_s, shard_2.to_str().unwrap()],
        "shard 2/3 is given twice",
    );

    let out = xtask(
        &[
            "experiments",
            "merge",
            sweep_s,
            "--check",
            "--out",
            merged.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("check passed"), "{}", text(&out));
    assert_eq!(measurements(&whole), measurements(&merged));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Whether a Slurm cluster answers and has a node that takes jobs.
fn slurm() -> Result<(), String> {
    let out = Command::new("sinfo")
        .args(["-h", "-o", "%t"])
        .output()
        .map_err(|_| "no Slurm (sinfo not found; see deploy/slurm/README.md)".to_string())?;
    let states = String::from_utf8_lossy(&out.stdout);
    if !out.status.success()
        || !states
            .lines()
            .any(|s| s.starts_with("idle") || s.starts_with("mix"))
    {
        return Err(format!(
            "no Slurm node takes jobs (sinfo: {}{}); start one with deploy/slurm/single-node.sh",
            states.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

fn sbatch(dir: &Path, envs: &[(&str, &Path)], args: &[&str]) -> String {
    let mut cmd = Command::new("sbatch");
    cmd.current_dir(dir)
        .args(["--parsable", "--time=20"])
        .args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "sbatch {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn logs(dir: &Path) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "log") {
            all += &format!(
                "== {}\n{}\n",
                path.display(),
                std::fs::read_to_string(&path).unwrap_or_default()
            );
        }
    }
    all
}

fn slurm_runs_the_sweep_as_a_job_array_and_a_dependent_merge(data: &Path, (): ()) {
    let dir = scratch("slurm");
    let (sweep, report, whole) = (dir.join("sweep"), dir.join("report"), dir.join("whole"));
    let deploy = project_root().join("deploy/slurm");
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_xtask"));
    let envs: [(&str, &Path); 4] = [
        ("NABLA_XTASK", &binary),
        ("NABLA_SWEEP", &sweep),
        ("NABLA_REPORT", &report),
        ("NABLA_DATA", data),
    ];
    let args = Path::new("--quick --seeds 2");
    let mut with_args = envs.to_vec();
    with_args.push(("NABLA_ARGS", args));
    let array = sbatch(
        &dir,
        &with_args,
        &[
            "--array=0-2",
            "--cpus-per-task=1",
            deploy.join("shards.sbatch").to_str().unwrap(),
        ],
    );
    // The merge waits for the array; --wait returns when the merge has ended.
    let started = std::time::Instant::now();
    let merge = Command::new("sbatch")
        .current_dir(&dir)
        .args([
            "--wait",
            "--time=20",
            &format!("--dependency=afterok:{array}"),
            "--kill-on-invalid-dep=yes",
            deploy.join("merge.sbatch").to_str().unwrap(),
        ])
        .envs(envs.iter().map(|(k, v)| (*k, *v)))
        .output()
        .unwrap();
    assert!(
        merge.status.success(),
        "the merge job failed: {}\n{}",
        text(&merge),
        logs(&dir)
    );
    assert!(started.elapsed() < Duration::from_secs(1200));
    let shards: Vec<_> = (1..=3)
        .map(|k| sweep.join(format!("shard-{k}-of-3")))
        .collect();
    assert!(
        shards.iter().all(|s| s.join("shard.bin").is_file()),
        "{}",
        logs(&dir)
    );
    let logged = logs(&dir);
    assert!(
        logged.contains("SLURM_ARRAY_TASK_ID=2 of 3 tasks"),
        "{logged}"
    );
    assert!(logged.contains("check passed"), "{logged}");

    whole_quick_suite(data, &whole);
    assert_eq!(measurements(&whole), measurements(&report));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The `experiments` command lines of the Kubernetes and GitHub Actions files, as argument
/// lists (the Slurm scripts run for real in the Slurm test).
fn deploy_command_lines() -> Vec<(String, Vec<String>)> {
    let deploy = project_root().join("deploy");
    let mut found = Vec::new();
    for file in [
        "kubernetes/sweep.yaml",
        "kubernetes/merge.yaml",
        "github/experiments.yml",
    ] {
        let text = std::fs::read_to_string(deploy.join(file)).unwrap();
        for line in text.lines().map(str::trim) {
            // Kubernetes: a flow sequence of quoted strings, which is JSON.
            if let Some(args) = line.strip_prefix("args: ") {
                let args: Vec<String> = serde_json::from_str(args).unwrap();
                if args[0] == "experiments" {
                    found.push((file.to_string(), args));
                }
            }
            if let Some(command) = line.strip_prefix("- run: cargo xtask experiments") {
                let command = command
                    .replace("${{ inputs.seeds }}", "10")
                    .replace("${{ matrix.shard }}", "1");
                let args = std::iter::once("experiments".to_string())
                    .chain(command.split_whitespace().map(String::from))
                    .collect();
                found.push((file.to_string(), args));
            }
        }
    }
    found
}

fn the_deploy_files_call_the_cli_with_flags_it_takes() {
    let lines = deploy_command_lines();
    assert_eq!(lines.len(), 4, "{lines:?}");
    let nowhere = scratch("deploy").join("nowhere");
    for (file, mut args) in lines {
        let merge = args.get(1).is_some_and(|a| a == "merge");
        if merge {
            // The shards' folder: one that is not there, so the merge stops right after
            // parsing its flags.
            args[2] = nowhere.display().to_string();
        } else {
            args.push("--list".into());
        }
        let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(&args)
            .env("JOB_COMPLETION_INDEX", "0")
            .env_remove("SLURM_ARRAY_TASK_ID")
            .output()
            .unwrap();
        let said = text(&out);
        if merge {
            assert!(said.contains("no such folder"), "{file}: {args:?}\n{said}");
        } else {
            assert!(out.status.success(), "{file}: {args:?}\n{said}");
            assert!(
                said.contains("jobs in shard 1/"),
                "{file}: {args:?}\n{said}"
            );
        }
    }
}

fn main() -> std::process::ExitCode {
    let mut tests = nabla_testdata::Tests::new();
    tests.test(
        "the_deploy_files_call_the_cli_with_flags_it_takes",
        the_deploy_files_call_the_cli_with_flags_it_takes,
    );
    tests.test(
        "bad_shards_and_flags_are_refused_by_name",
        bad_shards_and_flags_are_refused_by_name,
    );
    tests.mnist(
        "shards_merge_into_the_whole_report_and_damaged_ones_are_refused",
        shards_merge_into_the_whole_report_and_damaged_ones_are_refused,
    );
    tests.mnist_and(
        "slurm_runs_the_sweep_as_a_job_array_and_a_dependent_merge",
        slurm(),
        slurm_runs_the_sweep_as_a_job_array_and_a_dependent_merge,
    );
    tests.run()
}
