//! `cargo xtask bench`: nabla's speed and memory on the curriculum's models, side by side
//! with PyTorch and book-style NumPy measured in the same run.

mod nabla;
mod peers;
mod rows;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use nabla_datasets::{Mnist, resolve_data_dir};

/// Arguments of `bench`.
#[derive(clap::Args)]
pub struct Args {
    /// Threads for nabla and for every peer [default: all cores]; nabla's numbers are the
    /// same for any count, only the time changes
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// Fewer repetitions of the short measurements (noisier, about half the time)
    #[arg(long)]
    quick: bool,
    /// Only nabla: do not run the Python peers even when they are installed
    #[arg(long)]
    no_peers: bool,
    /// Where MNIST is [default: $NABLA_DATA, else datasets/mnist, fetched there if missing]
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Mirror to fetch MNIST from when it is missing (repeatable; default: the built-in list)
    #[arg(long = "mirror", value_name = "URL")]
    mirrors: Vec<String>,
    /// Where to write bench.json [default: target/bench]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Internal: measure one model's peak memory in this process and print it
    #[arg(long, hide = true, value_name = "MODEL")]
    memory_child: Option<String>,
}

/// One table cell per implementation.
type Column = BTreeMap<String, f64>;

pub fn run(args: &Args, root: &Path) -> Result<()> {
    let threads = args
        .threads
        .map_or_else(nabla_tensor::parallel::threads, usize::from);
    nabla_tensor::parallel::set_threads(threads);
    if let Some(model) = &args.memory_child {
        // The parent found (or fetched) the data and names it with --data.
        let data = resolve_data_dir(args.data.as_deref(), root);
        let mb = nabla::memory_child(&data, model)?;
        println!("{mb}");
        return Ok(());
    }
    let data = crate::fetch_mnist::ensure(args.data.as_deref(), &args.mirrors, root)?;
    let mnist =
        Mnist::load(&data).with_context(|| format!("loading MNIST from {}", data.display()))?;
    // Which GEMM kernels ran is part of the machine's description: AVX-512 and AVX2 paths
    // give the same numbers at different speeds.
    let machine = format!(
        "{}; GEMM: {}",
        nabla_tensor::machine(),
        nabla_tensor::gemm::gemm_path()
    );
    println!("nabla bench: {threads} thread(s), {machine}");

    let mut columns: Vec<(String, Column)> = Vec::new();
    let mut nabla_rows = nabla::measure(&mnist, args.quick, &mut |what| {
        eprintln!("  nabla: {what}");
    })?;
    drop(mnist);
    for model in ["simple-conv", "deep-conv"] {
        eprintln!("  nabla: peak memory, {model}");
        nabla_rows.insert(
            format!("memory/{model}"),
            memory_of_child(&data, threads, model)?,
        );
    }
    eprintln!("  nabla: time to 99%");
    let (seconds, accuracy) = nabla::time_to_99(&data)?;
    nabla_rows.insert("to99/seconds".into(), seconds);
    nabla_rows.insert("to99/accuracy".into(), accuracy);
    columns.push(("nabla".into(), nabla_rows));

    let mut missing = Vec::new();
    for peer in &peers::PEERS {
        if args.no_peers {
            break;
        }
        if !peers::available(peer) {
            missing.push(peer.module);
            continue;
        }
        eprintln!("  {}: all rows", peer.name);
        let quick: &[&str] = if args.quick { &["--quick"] } else { &[] };
        let mut got = peers::run(root, peer, &data, threads, quick)?;
        for model in ["simple-conv", "deep-conv"] {
            eprintln!("  {}: peak memory, {model}", peer.name);
            let mem = peers::run(root, peer, &data, threads, &["--memory", model])?;
            got.rows.extend(mem.rows);
        }
        columns.push((got.peer, got.rows));
    }

    print_table(&columns);
    if !missing.is_empty() {
        println!(
            "\n{} not importable by {}: install with `pip install {}` to compare side by side.",
            missing.join(" and "),
            peers::python(),
            missing.join(" ")
        );
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("target").join("bench"));
    let path = write_json(&out, threads, &machine, &columns)?;
    println!("\nwrote {}", path.display());
    Ok(())
}

/// Runs this binary again as `--memory-child MODEL`: peak memory needs a fresh process.
fn memory_of_child(data: &Path, threads: usize, model: &str) -> Result<f64> {
    let exe = std::env::current_exe().context("cannot find the running xtask binary")?;
    let output = Command::new(exe)
        .arg("bench")
        .arg("--data")
        .arg(data)
        .args(["--threads", &threads.to_string(), "--memory-child", model])
        .output()
        .context("cannot start the memory measurement")?;
    if !output.status.success() {
        bail!(
            "the memory measurement of {model} failed:\n{}",
            String::from_utf8_lossy(&output.stderr).trim_end()
        );
    }
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .context("the memory measurement printed no number")
}

/// A ratio that reads the same for every row: nabla's time (or memory) over the peer's, so
/// below 1 means nabla is ahead.
fn ratio(row: &rows::Row, nabla: f64, peer: f64) -> f64 {
    if row.higher_is_better {
        peer / nabla
    } else {
        nabla / peer
    }
}

fn cell(v: Option<&f64>) -> String {
    match v {
        None => "-".into(),
        Some(v) if *v >= 100.0 => format!("{v:.0}"),
        Some(v) if *v >= 1.0 => format!("{v:.2}"),
        Some(v) => format!("{v:.4}"),
    }
}

fn print_table(columns: &[(String, Column)]) {
    let mut header = format!("\n{:<22} {:<11} {:>10}", "row", "unit", "nabla");
    for (name, _) in &columns[1..] {
        let short = name.split_whitespace().next().unwrap_or(name);
        header += &format!(" {short:>10} {:>8}", format!("n/{}", &short[..2]));
    }
    println!("{header}");
    let nabla = &columns[0].1;
    for row in rows::all() {
        let mine = nabla.get(&row.id);
        let mut line = format!("{:<22} {:<11} {:>10}", row.id, row.unit, cell(mine));
        for (_, peer) in &columns[1..] {
            let theirs = peer.get(&row.id);
            let r = match (mine, theirs) {
                (Some(&a), Some(&b)) if b > 0.0 && a > 0.0 => format!("{:.2}", ratio(&row, a, b)),
                _ => "-".into(),
            };
            line += &format!(" {:>10} {r:>8}", cell(theirs));
        }
        println!("{line}");
    }
    if columns.len() > 1 {
        println!("n/xx: nabla's time (or memory) over the peer's; below 1 means nabla is ahead.");
    }
    for (name, _) in &columns[1..] {
        println!("{name}");
    }
}

/// CPU model and the vector extensions the kernels can use.
fn write_json(
    out: &Path,
    threads: usize,
    machine: &str,
    columns: &[(String, Column)],
) -> Result<PathBuf> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let rows: BTreeMap<String, serde_json::Value> = rows::all()
        .into_iter()
        .map(|row| {
            let mut cells = serde_json::Map::new();
            cells.insert("unit".into(), row.unit.into());
            for (name, col) in columns {
                if let Some(v) = col.get(&row.id) {
                    cells.insert(name.clone(), (*v).into());
                }
            }
            (row.id, serde_json::Value::Object(cells))
        })
        .collect();
    let doc = serde_json::json!({
        "threads": threads,
        "machine": machine,
        "implementations": columns.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        "rows": rows,
    });
    let path = out.join("bench.json");
    let tmp = out.join("bench.json.partial");
    std::fs::write(&tmp, serde_json::to_string_pretty(&doc)?)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str) -> rows::Row {
        rows::all()
            .into_iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("no row {id}"))
    }

    #[test]
    fn ratios_read_as_time_whatever_the_unit() {
        // Twice PyTorch's throughput is half its time; twice its seconds is twice its time.
        assert_eq!(ratio(&row("train/mlp"), 200.0, 100.0), 0.5);
        assert_eq!(ratio(&row("train/deep-conv"), 2.0, 1.0), 2.0);
        assert_eq!(ratio(&row("gemm/1024x1024x1024"), 50.0, 100.0), 2.0);
        assert_eq!(ratio(&row("memory/simple-conv"), 100.0, 400.0), 0.25);
    }

    #[test]
    fn every_row_the_peer_scripts_print_is_a_row_of_the_table() {
        // The Python scripts print ids by hand: they must be the ones rows::all() lists.
        let ids: std::collections::BTreeSet<String> =
            rows::all().into_iter().map(|r| r.id).collect();
        for script in ["common.py", "torch_bench.py", "numpy_bench.py"] {
            let path = crate::project_root().join("bench").join(script);
            let text = std::fs::read_to_string(&path).expect("peer script");
            for quoted in text.split('"').skip(1).step_by(2) {
                let looks_like_row = ["gemm/", "layer/", "train/", "infer/", "memory/", "to99/"]
                    .iter()
                    .any(|p| quoted.starts_with(p));
                if looks_like_row && !quoted.contains('{') {
                    assert!(ids.contains(quoted), "{script} prints unknown row {quoted}");
                }
            }
        }
    }

    /// The line of `bench/common.py` that starts with `prefix`.
    fn common_py_line(prefix: &str) -> String {
        let common = std::fs::read_to_string(crate::project_root().join("bench/common.py"))
            .expect("bench/common.py");
        common
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in common.py"))
            .to_string()
    }

    #[test]
    fn the_peers_multiply_the_same_shapes() {
        let line = common_py_line("GEMM_SHAPES = ");
        let ours: String = rows::GEMM_SHAPES
            .iter()
            .map(|(m, k, n)| format!("({m}, {k}, {n})"))
            .collect::<Vec<_>>()
            .join(", ");
        assert_eq!(line, format!("GEMM_SHAPES = [{ours}]"));
    }

    #[test]
    fn the_peers_take_the_best_of_as_many_inference_passes() {
        assert_eq!(
            common_py_line("INFER_PASSES = "),
            format!("INFER_PASSES = {}", rows::INFER_PASSES)
        );
    }

    #[test]
    fn the_peers_follow_the_same_recipe_to_99_percent() {
        let line = common_py_line("TO99 = ");
        assert_eq!(
            line,
            format!(
                "TO99 = {{\"lr\": {}, \"batch\": {}, \"epochs\": {}}}",
                rows::TO99_LR,
                rows::TO99_BATCH,
                rows::TO99_EPOCHS
            )
        );
    }

    #[test]
    fn bench_json_has_every_row_with_each_implementation() {
        let dir = std::env::temp_dir().join(format!("nabla-bench-json-{}", std::process::id()));
        let nabla: Column = [("train/mlp".to_string(), 1000.0)].into();
        let torch: Column = [("train/mlp".to_string(), 500.0)].into();
        let columns = vec![
            ("nabla".to_string(), nabla),
            ("pytorch 2".to_string(), torch),
        ];
        let path = write_json(&dir, 2, "test machine", &columns).expect("written");
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("JSON");
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(doc["threads"], 2);
        assert_eq!(doc["rows"]["train/mlp"]["nabla"], 1000.0);
        assert_eq!(doc["rows"]["train/mlp"]["pytorch 2"], 500.0);
        assert_eq!(doc["rows"]["train/mlp"]["unit"], "samples/s");
        assert_eq!(
            doc["rows"].as_object().map(|o| o.len()),
            Some(rows::all().len())
        );
    }
}
