//! Checks that keep the project's documents and manifests honest (in the spirit of
//! rust-analyzer's `tidy.rs`): the crate graph ARCHITECTURE.md draws is the one Cargo sees,
//! every crate has a README and a crate doc, and no library pulls in what only programs need.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

struct Package {
    name: String,
    manifest: PathBuf,
    is_lib: bool,
    /// Normal (not dev, not build) dependencies by crate name.
    deps: BTreeSet<String>,
    meta: serde_json::Value,
}

/// `cargo metadata --format-version 1 --offline` with `extra` arguments, as JSON.
fn metadata(extra: &[&str]) -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(extra)
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("metadata is JSON")
}

fn packages() -> Vec<Package> {
    let doc = metadata(&["--no-deps"]);
    doc["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| Package {
            name: p["name"].as_str().unwrap_or_default().to_string(),
            manifest: PathBuf::from(p["manifest_path"].as_str().unwrap_or_default()),
            is_lib: p["targets"].as_array().is_some_and(|ts| {
                ts.iter().any(|t| {
                    t["kind"]
                        .as_array()
                        .is_some_and(|k| k.iter().any(|k| k == "lib"))
                })
            }),
            deps: p["dependencies"]
                .as_array()
                .map(|ds| {
                    ds.iter()
                        .filter(|d| d["kind"].is_null())
                        .filter_map(|d| d["name"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            meta: p.clone(),
        })
        .collect()
}

/// The "Direct dependencies" list of ARCHITECTURE.md: lines "- `crate`: a, b" or ": none",
/// optionally followed by a note in parentheses.
fn documented_graph() -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    text.lines()
        .filter_map(|l| l.strip_prefix("- `"))
        .filter_map(|l| l.split_once("`: "))
        .map(|(name, deps)| {
            // A note may follow in parentheses.
            let deps = deps.split(" (").next().unwrap_or_default();
            let deps = match deps.trim() {
                "none" => BTreeSet::new(),
                list => list.split(',').map(|d| d.trim().to_string()).collect(),
            };
            (name.to_string(), deps)
        })
        .collect()
}

#[test]
fn architecture_md_lists_exactly_the_crate_graph_cargo_sees() {
    let packages = packages();
    let ours: BTreeSet<String> = packages.iter().map(|p| p.name.clone()).collect();
    let actual: BTreeMap<String, BTreeSet<String>> = packages
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.deps.intersection(&ours).cloned().collect(),
            )
        })
        .collect();
    assert_eq!(
        documented_graph(),
        actual,
        "ARCHITECTURE.md's 'Direct dependencies' list differs from the manifests"
    );
}

#[test]
fn every_crate_has_a_readme_and_a_crate_doc() {
    for p in packages() {
        let dir = p.manifest.parent().expect("manifest in a folder");
        if p.name != "xtask" {
            assert!(
                dir.join("README.md").is_file(),
                "{} has no README.md",
                p.name
            );
            assert!(
                p.meta["readme"].is_string(),
                "{}: no `readme` in Cargo.toml",
                p.name
            );
        }
        let entry = if p.is_lib {
            "src/lib.rs"
        } else {
            "src/main.rs"
        };
        let source = std::fs::read_to_string(dir.join(entry)).expect("crate root");
        assert!(
            source.trim_start().starts_with("//!"),
            "{}/{entry} does not start with a crate doc (//!)",
            p.name
        );
    }
}

#[test]
fn libraries_do_not_depend_on_what_only_programs_need() {
    let program_only = [
        "clap",
        "anyhow",
        "indicatif",
        "ureq",
        "reqwest",
        "hyper",
        "mimalloc",
        "libmimalloc-sys",
    ];
    for p in packages().iter().filter(|p| p.is_lib) {
        let bad: Vec<_> = program_only
            .iter()
            .filter(|d| p.deps.contains(**d))
            .collect();
        assert!(bad.is_empty(), "library {} depends on {bad:?}", p.name);
    }
}

#[test]
fn published_crates_carry_full_metadata() {
    for p in packages() {
        if p.meta["publish"].as_array().is_some_and(|a| a.is_empty()) {
            continue; // publish = false
        }
        for field in [
            "description",
            "license",
            "repository",
            "readme",
            "rust_version",
        ] {
            assert!(
                p.meta[field].as_str().is_some_and(|v| !v.is_empty()),
                "{}: `{field}` missing from Cargo.toml",
                p.name
            );
        }
        for list in ["keywords", "categories"] {
            assert!(
                p.meta[list].as_array().is_some_and(|v| !v.is_empty()),
                "{}: `{list}` missing from Cargo.toml",
                p.name
            );
        }
    }
}

/// Every package each library reaches through normal dependencies, transitively, from the
/// resolved graph (`cargo metadata` with dependencies; offline, from the lock file).
fn library_trees() -> BTreeMap<String, BTreeSet<String>> {
    // This machine's platform only: other platforms' packages are not downloaded here.
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .expect("rustc runs");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("rustc names its host");
    let doc = metadata(&["--filter-platform", &host]);
    let name_of: BTreeMap<&str, &str> = doc["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap_or(""),
                p["name"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let nodes: BTreeMap<&str, Vec<&str>> = doc["resolve"]["nodes"]
        .as_array()
        .expect("resolve")
        .iter()
        .map(|n| {
            let normal = n["deps"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| {
                    d["dep_kinds"]
                        .as_array()
                        .is_some_and(|ks| ks.iter().any(|k| k["kind"].is_null()))
                })
                .filter_map(|d| d["pkg"].as_str())
                .collect();
            (n["id"].as_str().unwrap_or(""), normal)
        })
        .collect();
    let members: Vec<&str> = doc["workspace_members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m.as_str())
        .collect();
    members
        .into_iter()
        .map(|id| {
            let mut seen = BTreeSet::new();
            let mut todo = vec![id];
            while let Some(next) = todo.pop() {
                for &dep in nodes.get(next).into_iter().flatten() {
                    if seen.insert(name_of[dep].to_string()) {
                        todo.push(dep);
                    }
                }
            }
            (name_of[id].to_string(), seen)
        })
        .collect()
}

#[test]
fn http_stays_out_of_the_training_libraries_trees() {
    let http = [
        "hyper",
        "axum",
        "tokio",
        "tungstenite",
        "ureq",
        "reqwest",
        "tiny_http",
    ];
    let trees = library_trees();
    for lib in [
        "nabla-tensor",
        "nabla-init",
        "nabla-layers",
        "nabla-optim",
        "nabla-datasets",
        "nabla-nn",
        "nabla-experiments",
    ] {
        let tree = trees
            .get(lib)
            .unwrap_or_else(|| panic!("{lib} is a workspace member"));
        let found: Vec<&&str> = http.iter().filter(|h| tree.contains(**h)).collect();
        assert!(found.is_empty(), "{lib} reaches {found:?}");
    }
    // The live page's and the playground's crates are where HTTP lives; they must actually
    // have it for this to mean anything.
    for web in ["nabla-live", "nabla-playground"] {
        assert!(
            trees[web].contains("axum") && trees[web].contains("hyper"),
            "{web}"
        );
    }
}
