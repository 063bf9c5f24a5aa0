//! One line per evaluation in a file other tools read: CSV or JSON Lines.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use nabla_layers::Float;

use super::{Flow, Hook};
use crate::{Classifier, EvalPoint, NnError, Result};

/// The columns, in order, for evaluations measured on the split called `split`.
fn columns(split: &str) -> [String; 7] {
    [
        "step".into(),
        "epoch".into(),
        "loss".into(),
        "train_accuracy".into(),
        format!("{split}_accuracy"),
        "lr".into(),
        "seconds".into(),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    JsonLines,
}

/// Writes every evaluation (step, epoch, loss, train and test accuracy, learning rate,
/// seconds) as a line of CSV (`.csv`) or JSON Lines (`.jsonl`, `.ndjson`), chosen by the
/// file's extension. An existing file is appended to, so a resumed run continues its log:
/// the header is written once, seconds continue from the last line, and a line cut short by
/// a crash is ended before the next one. Each line is written whole and flushed.
///
/// ```
/// use nabla_nn::MetricLog;
/// let path = std::env::temp_dir().join(format!("doc-log-{}.csv", std::process::id()));
/// let log = MetricLog::create(&path)?;
/// assert_eq!(std::fs::read_to_string(&path)?, "step,epoch,loss,train_accuracy,test_accuracy,lr,seconds\n");
/// assert!(MetricLog::create(path.with_extension("txt")).is_err());
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct MetricLog {
    path: PathBuf,
    format: Format,
    file: File,
    started: Instant,
    /// Seconds logged by earlier runs into the same file.
    offset: f64,
    columns: [String; 7],
    failed: Option<std::io::Error>,
}

impl MetricLog {
    /// Opens `path` for appending (creating it and its header if new).
    pub fn create(path: impl AsRef<Path>) -> Result<Self> {
        MetricLog::for_split(path, "test")
    }

    /// As [`MetricLog::create`], for evaluations measured on the split called `split` (its
    /// accuracy column is `{split}_accuracy`: `val_accuracy` for a held-out validation split).
    pub fn for_split(path: impl AsRef<Path>, split: &str) -> Result<Self> {
        let path = path.as_ref();
        let columns = columns(split);
        let bad = |problem: String| NnError::Config(format!("log {}: {problem}", path.display()));
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => Format::Csv,
            Some("jsonl" | "ndjson") => Format::JsonLines,
            _ => {
                return Err(bad(
                    "the extension says the format: .csv or .jsonl".to_string()
                ));
            }
        };
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(|e| bad(e.to_string()))?;
        let mut existing = String::new();
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.read_to_string(&mut existing))
            .map_err(|e| bad(format!("cannot read what is there: {e}")))?;
        let header = columns.join(",");
        if format == Format::Csv
            && let Some(first) = existing.lines().next()
            && first != header
        {
            return Err(bad(format!(
                "holds other columns ({first}); log to a new file"
            )));
        }
        let mut start = String::new();
        if !existing.is_empty() && !existing.ends_with('\n') {
            start.push('\n');
        }
        if existing.is_empty() && format == Format::Csv {
            start.push_str(&header);
            start.push('\n');
        }
        if !start.is_empty() {
            file.write_all(start.as_bytes())
                .and_then(|()| file.flush())
                .map_err(|e| bad(e.to_string()))?;
        }
        Ok(MetricLog {
            path: path.to_path_buf(),
            format,
            file,
            started: Instant::now(),
            offset: last_seconds(&existing, format).unwrap_or(0.0),
            columns,
            failed: None,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The write error that stopped the run, if one did.
    pub fn error(&self) -> Option<&std::io::Error> {
        self.failed.as_ref()
    }

    fn line(&self, p: &EvalPoint) -> String {
        let seconds = self.offset + self.started.elapsed().as_secs_f64();
        let values = [
            p.step.to_string(),
            format!("{:.6}", p.epoch),
            number(p.train_loss),
            p.train_accuracy.map_or_else(String::new, number),
            number(p.test_accuracy),
            number(p.lr),
            format!("{seconds:.3}"),
        ];
        match self.format {
            Format::Csv => values.join(",") + "\n",
            Format::JsonLines => {
                let fields: Vec<String> = self
                    .columns
                    .iter()
                    .zip(&values)
                    .map(|(k, v)| {
                        let v = if v.is_empty() { "null" } else { v.as_str() };
                        format!("\"{k}\":{v}")
                    })
                    .collect();
                format!("{{{}}}\n", fields.join(","))
            }
        }
    }
}

/// A number as JSON and CSV both read it (non-finite values have no JSON form: null).
fn number(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        "null".to_string()
    }
}

/// The `seconds` of the last complete line, so that a resumed run's times continue.
fn last_seconds(existing: &str, format: Format) -> Option<f64> {
    let last = existing.lines().rev().find(|l| {
        !l.trim().is_empty() && l.contains(if format == Format::Csv { "," } else { ":" })
    })?;
    let value = match format {
        Format::Csv => last.rsplit(',').next()?,
        Format::JsonLines => last.split("\"seconds\":").nth(1)?.trim_end_matches('}'),
    };
    value.trim().parse().ok()
}

impl<F: Float> Hook<F> for MetricLog {
    fn after_eval(&mut self, point: &EvalPoint, _model: &mut dyn Classifier<F>) -> Flow {
        let line = self.line(point);
        match self
            .file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.flush())
        {
            Ok(()) => Flow::Continue,
            Err(e) => {
                // A log that cannot be written is not a run to keep going unseen.
                self.failed = Some(e);
                Flow::Stop
            }
        }
    }
}
