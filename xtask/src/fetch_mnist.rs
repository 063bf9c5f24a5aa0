//! `cargo xtask fetch-mnist`: download (or import) the MNIST files and verify them.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

/// The maintained mirrors first; the original site often refuses today.
const DEFAULT_MIRRORS: [&str; 3] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
];

/// Each file with the SHA-256 of its **decompressed** bytes, so that a recompressed copy of
/// the same data verifies too.
const FILES: [(&str, &str); 4] = [
    (
        "train-images-idx3-ubyte",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    (
        "train-labels-idx1-ubyte",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    (
        "t10k-images-idx3-ubyte",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    (
        "t10k-labels-idx1-ubyte",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
];

/// Arguments of `fetch-mnist`.
#[derive(clap::Args)]
pub struct Args {
    /// Directory to put the files in [default: datasets/mnist under the project root]
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Mirror base URL to try, in order (repeatable); replaces the built-in list
    #[arg(long = "mirror", value_name = "URL")]
    mirrors: Vec<String>,
    /// Import local copies from DIR (NAME.gz or raw NAME) instead of downloading
    #[arg(long, value_name = "DIR", conflicts_with = "mirrors")]
    from: Option<PathBuf>,
    /// Attempts per mirror and file before moving to the next mirror
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=10))]
    retries: u32,
    /// Seconds to wait for a connection or for the next bytes of a response
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
}

pub fn run(args: &Args, project_root: &Path) -> Result<()> {
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| project_root.join("datasets").join("mnist"));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mirrors: Vec<String> = if args.mirrors.is_empty() {
        DEFAULT_MIRRORS.iter().map(|m| m.to_string()).collect()
    } else {
        args.mirrors.clone()
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(args.timeout)))
        .timeout_recv_response(Some(Duration::from_secs(args.timeout)))
        .timeout_per_read(Some(Duration::from_secs(args.timeout)))
        .build()
        .into();

    for (name, sha) in FILES {
        let dest = dir.join(format!("{name}.gz"));
        if dest.is_file() {
            match verify(&dest, sha) {
                Ok(()) => {
                    println!("{name}: present and verified");
                    continue;
                }
                Err(e) => println!("{name}: existing file is invalid ({e:#}), fetching again"),
            }
        }
        match &args.from {
            Some(from) => import(from, name, sha, &dest)?,
            None => download(&agent, &mirrors, args.retries, name, sha, &dest)?,
        }
    }
    println!("MNIST is ready in {}", dir.display());
    Ok(())
}

/// Fetches into `dir` as `cargo xtask fetch-mnist` does, from `mirrors` (empty: the
/// default ones).
pub fn fetch_into(dir: &Path, mirrors: &[String], project_root: &Path) -> Result<()> {
    let args = Args {
        dir: Some(dir.to_path_buf()),
        mirrors: mirrors.to_vec(),
        from: None,
        retries: 2,
        timeout: 30,
    };
    run(&args, project_root)
}

/// Whether `dir` holds the four files (verified or not).
/// The MNIST folder a task reads: `explicit` (its `--data`), else `$NABLA_DATA`, else
/// `datasets/mnist`, fetched there first when missing (a `--data` folder that lacks the files
/// is an error instead: the user named it, and downloading into it unasked would surprise).
pub fn ensure(explicit: Option<&Path>, mirrors: &[String], root: &Path) -> Result<PathBuf> {
    let dir = nabla_datasets::resolve_data_dir(explicit, root);
    if !present(&dir) {
        if explicit.is_some() {
            anyhow::bail!(
                "{} does not hold the four MNIST files; fetch them with `cargo xtask fetch-mnist --dir {0}`",
                dir.display()
            );
        }
        eprintln!("MNIST is not in {}: fetching it first", dir.display());
        fetch_into(&dir, mirrors, root)?;
    }
    Ok(dir)
}

pub fn present(dir: &Path) -> bool {
    FILES
        .iter()
        .all(|(name, _)| dir.join(format!("{name}.gz")).is_file() || dir.join(name).is_file())
}

/// Verifies the four files in `dir` (`NAME.gz` or raw `NAME`) and returns each with its
/// SHA-256.
pub fn verified(dir: &Path) -> Result<Vec<(String, String)>> {
    FILES
        .iter()
        .map(|(name, sha)| {
            let gz = dir.join(format!("{name}.gz"));
            let path = if gz.is_file() { gz } else { dir.join(name) };
            verify(&path, sha)
                .with_context(|| format!("{} is not the MNIST file", path.display()))?;
            Ok((name.to_string(), sha.to_string()))
        })
        .collect()
}

/// Copies `from/NAME.gz` (or raw `from/NAME`) to `dest` if it verifies.
fn import(from: &Path, name: &str, sha: &str, dest: &Path) -> Result<()> {
    let source = [format!("{name}.gz"), name.to_string()]
        .into_iter()
        .map(|n| from.join(n))
        .find(|p| p.is_file())
        .with_context(|| format!("{name}: neither {name}.gz nor {name} in {}", from.display()))?;
    verify(&source, sha)
        .with_context(|| format!("{name}: {} does not verify", source.display()))?;
    let tmp = partial_path(dest);
    let copied = (|| -> Result<()> {
        let mut input = File::open(&source)?;
        let mut output = File::create(&tmp)?;
        if is_gzip(&source)? {
            io::copy(&mut input, &mut output)?;
        } else {
            // Keep one on-disk form: gzip raw copies, under the .gz name every reader expects.
            let mut gz = flate2::write::GzEncoder::new(output, flate2::Compression::default());
            io::copy(&mut input, &mut gz)?;
            output = gz.finish()?;
        }
        output.sync_all()?;
        verify(&tmp, sha)?;
        std::fs::rename(&tmp, dest)?;
        Ok(())
    })();
    if copied.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    copied.with_context(|| format!("{name}: cannot import {}", source.display()))?;
    println!("{name}: imported from {} and verified", source.display());
    Ok(())
}

/// Tries every mirror in order, `retries` times each, until one gives a file that verifies.
fn download(
    agent: &ureq::Agent,
    mirrors: &[String],
    retries: u32,
    name: &str,
    sha: &str,
    dest: &Path,
) -> Result<()> {
    let mut failures = Vec::new();
    for mirror in mirrors {
        let url = format!("{}/{name}.gz", mirror.trim_end_matches('/'));
        for attempt in 1..=retries {
            match download_once(agent, &url, name, sha, dest) {
                Ok(()) => {
                    println!("{name}: downloaded from {mirror} and verified");
                    return Ok(());
                }
                Err(e) => {
                    eprintln!("{name}: {url} (attempt {attempt}/{retries}): {e:#}");
                    if attempt == retries {
                        failures.push(format!("  {mirror}: {e:#}"));
                    }
                }
            }
        }
    }
    bail!(
        "could not fetch {name} from any mirror:\n{}\nIf you have the files, import them with `cargo xtask fetch-mnist --from DIR`",
        failures.join("\n")
    )
}

fn download_once(agent: &ureq::Agent, url: &str, name: &str, sha: &str, dest: &Path) -> Result<()> {
    let tmp = partial_path(dest);
    let result = (|| -> Result<()> {
        let response = agent.get(url).call().context("request failed")?;
        let total = response.body().content_length();
        let mut reader = response.into_body().into_reader();
        let mut out =
            File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let bar = progress_bar(name, total);
        let mut buf = vec![0u8; 1 << 16];
        let mut received = 0u64;
        loop {
            let n = reader.read(&mut buf).context("connection lost")?;
            if n == 0 {
                break;
            }
            out.write_all(&buf[..n])?;
            received += n as u64;
            bar.set_position(received);
        }
        bar.finish_and_clear();
        if let Some(total) = total.filter(|&t| t != received) {
            bail!("received {received} of {total} bytes");
        }
        out.sync_all()?;
        verify(&tmp, sha)?;
        std::fs::rename(&tmp, dest)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A byte/rate bar on a terminal; plain start and end lines otherwise.
fn progress_bar(name: &str, total: Option<u64>) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total.unwrap_or(0));
    let style = ProgressStyle::with_template(
        "{msg:24} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(name.to_string());
    bar
}

fn partial_path(dest: &Path) -> PathBuf {
    let mut tmp = dest.as_os_str().to_owned();
    tmp.push(".partial");
    PathBuf::from(tmp)
}

fn is_gzip(path: &Path) -> Result<bool> {
    let mut magic = [0u8; 2];
    let n = File::open(path)?.read(&mut magic)?;
    Ok(n == 2 && magic == [0x1f, 0x8b])
}

/// Checks the SHA-256 of the file's decompressed content (or of its bytes if not gzip'ed).
fn verify(path: &Path, expected: &str) -> Result<()> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut reader: Box<dyn Read> = if is_gzip(path)? {
        Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::new(file)))
    } else {
        Box::new(io::BufReader::new(file))
    };
    io::copy(&mut reader, &mut hasher).context("not a valid gzip stream")?;
    let actual = format!("{:x}", hasher.finalize());
    if actual != expected {
        bail!("SHA-256 of the content is {actual}, expected {expected}");
    }
    Ok(())
}
