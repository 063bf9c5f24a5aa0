//! Test support for the nabla workspace, used only as a dev-dependency: a test harness in
//! which a test that needs the real MNIST files (or another program, such as Chromium) shows
//! as *ignored, with the reason* on a machine that lacks them, and fails under CI.
//!
//! A test file that uses it sets `harness = false` for its target in `Cargo.toml` and ends
//! with [`main!`], listing each test with what it needs:
//!
//! ```no_run
//! fn reads_the_training_set(mnist: &std::path::Path) {
//!     assert!(mnist.join("train-labels-idx1-ubyte.gz").is_file());
//! }
//! fn refuses_a_forged_file() { /* … */ }
//!
//! nabla_testdata::main!(mnist reads_the_training_set, test refuses_a_forged_file);
//! ```
//!
//! `cargo test` then prints, where MNIST is missing,
//! `test reads_the_training_set ... ignored (no MNIST files in …: run cargo xtask fetch-mnist
//! or set NABLA_DATA)`, and counts it among the ignored, not the passed. libtest's own
//! `#[ignore]` is decided when the code is compiled; whether the data is there is only known
//! when the tests run, hence this harness (libtest-mimic, which takes libtest's flags).
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

mod results;

pub use results::measurements;

/// The tests of one test file; see the crate's doc. [`main!`] builds and runs it.
pub struct Tests {
    trials: Vec<Trial>,
    mnist: Result<PathBuf, String>,
}

impl Default for Tests {
    fn default() -> Self {
        Self::new()
    }
}

impl Tests {
    /// No tests yet; the MNIST files are looked for once, here.
    pub fn new() -> Self {
        Tests {
            trials: Vec::new(),
            mnist: find_mnist(),
        }
    }

    /// A test that needs nothing.
    pub fn test(&mut self, name: &str, test: fn()) {
        self.trials.push(Trial::test(name, move || {
            test();
            Ok(())
        }));
    }

    /// A test that needs something other than the data (Chromium, say): `need` is what the
    /// test gets when it is there, or why it is not.
    pub fn needs<T: Send + 'static>(
        &mut self,
        name: &str,
        need: Result<T, String>,
        test: impl FnOnce(T) + Send + 'static,
    ) {
        self.trials.push(Trial::ignorable_test(name, move || {
            match need {
                Ok(thing) => test(thing),
                Err(why) if std::env::var_os("CI").is_some() => {
                    return Err(Failed::from(format!("CI must not skip this test: {why}")));
                }
                Err(why) => return Ok(Completion::ignored_with(why)),
            }
            Ok(Completion::Completed)
        }));
    }

    /// A test on the real MNIST files: it gets their folder.
    pub fn mnist(&mut self, name: &str, test: fn(&Path)) {
        self.mnist_and(name, Ok(()), move |dir, ()| test(dir));
    }

    /// A test on the real MNIST files that needs something more: `need` is what the test gets
    /// when it is there, or why it is not (`"no Chromium (apt-get install chromium)"`).
    pub fn mnist_and<T: Send + 'static>(
        &mut self,
        name: &str,
        need: Result<T, String>,
        test: impl FnOnce(&Path, T) + Send + 'static,
    ) {
        let ready = match (&self.mnist, need) {
            (Ok(dir), Ok(thing)) => Ok((dir.clone(), thing)),
            (Err(why), _) => Err(why.clone()),
            (Ok(_), Err(why)) => Err(why),
        };
        self.trials.push(Trial::ignorable_test(name, move || {
            let (dir, thing) = match ready {
                Ok(ready) => ready,
                // CI installs everything a test needs (.ci/run): a miss there is a failure.
                Err(why) if std::env::var_os("CI").is_some() => {
                    return Err(Failed::from(format!("CI must not skip this test: {why}")));
                }
                Err(why) => return Ok(Completion::ignored_with(why)),
            };
            test(&dir, thing);
            Ok(Completion::Completed)
        }));
    }

    /// Runs the tests selected by the command line (libtest's flags: a filter, `--exact`,
    /// `--test-threads`, `--list`, …) and exits with their verdict.
    pub fn run(self) -> std::process::ExitCode {
        libtest_mimic::run(&Arguments::from_args(), self.trials).exit_code()
    }
}

/// `fn main` for a test file: each test as `test name` (needs nothing) or `mnist name`
/// (takes the MNIST folder, `fn(&Path)`), separated by commas.
#[macro_export]
macro_rules! main {
    ($($kind:ident $name:ident),* $(,)?) => {
        fn main() -> std::process::ExitCode {
            let mut tests = $crate::Tests::new();
            $(tests.$kind(stringify!($name), $name);)*
            tests.run()
        }
    };
}

/// The folder of the real MNIST files, looked for where a developer, a user and CI keep
/// them, in this order: `$NABLA_DATA`, `datasets/mnist` in the checkout (where
/// `cargo xtask fetch-mnist` puts them), and `shared/datasets/mnist` beside the checkout;
/// else why not, naming the places looked in.
pub fn find_mnist() -> Result<PathBuf, String> {
    // This crate sits at crates/testdata in the checkout.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap_or(Path::new("."));
    let candidates: Vec<PathBuf> = std::env::var_os("NABLA_DATA")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .into_iter()
        .chain([
            root.join("datasets/mnist"),
            root.parent().unwrap_or(root).join("shared/datasets/mnist"),
        ])
        .collect();
    if let Some(dir) = candidates.iter().find(|d| has_mnist(d)) {
        return Ok(dir.clone());
    }
    let looked = candidates
        .iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Err(format!(
        "no MNIST files in {looked}: run `cargo xtask fetch-mnist` or set NABLA_DATA"
    ))
}

fn has_mnist(dir: &Path) -> bool {
    [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ]
    .iter()
    .all(|name| dir.join(format!("{name}.gz")).is_file() || dir.join(name).is_file())
}
