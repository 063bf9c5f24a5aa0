//! A report's `results.json` reduced to what the suite measured, for comparing two reports
//! that should agree to the bit (a sharded sweep and the whole suite on one machine).

use std::path::Path;

use serde_json::Value;

/// `dir/results.json` without what measures time (`seconds`, `step_times`, `run_seconds`,
/// `wall_seconds`, the one claim whose evidence is a measured time) or says how and where
/// the suite ran (the manifest's command, shards, machine, jobs and threads).
///
/// # Panics
/// When the file cannot be read or is not JSON: a test's failure.
pub fn measurements(dir: &Path) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for key in ["seconds", "step_times", "run_seconds", "wall_seconds"] {
                    map.remove(key);
                }
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            Value::String(s) if s.contains("measured time") => *s = "<time>".into(),
            _ => {}
        }
    }
    let path = dir.join("results.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut json: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    if let Some(manifest) = json.get_mut("manifest").and_then(Value::as_object_mut) {
        for key in ["command", "shards", "machine", "jobs", "threads_per_run"] {
            manifest.remove(key);
        }
    }
    strip(&mut json);
    json
}
