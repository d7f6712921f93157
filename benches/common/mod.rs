//! Helpers shared by the benches: parameters from the environment, timing
//! statistics, table printing, peak memory, and the cargo-registry crates
//! whose real sources some benches read. `synth` generates synthetic source.
//!
//! Each bench does `mod common;` and uses only part of this.
#![allow(dead_code)]

pub mod synth;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// `name` from the environment as a number, else `default`. A value that is
/// set but not a number is an error, not silently the default.
pub fn env_usize(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => {
            v.trim().replace('_', "").parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a whole number"))
        }
        _ => default,
    }
}

/// A comma-separated list of numbers (`10000,100000`), else `default`.
pub fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .split(',')
            .map(|s| s.trim().replace('_', "").parse().unwrap_or_else(|_| panic!("{name}={v:?}: {s:?} is not a whole number")))
            .collect(),
        _ => default.to_vec(),
    }
}

/// Whether `name` is set to something other than empty, `0` or `false`.
pub fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// Turns the machine's vector cache off for this process and the semnav
/// processes it starts (`SEMNAV_VECTOR_CACHE=off`): a cold index measured is
/// cold (no vector comes from an earlier run), and the vectors of a stand-in
/// embedder never go into the user's cache. Call first in `main`, while it
/// is the only thread.
pub fn without_machine_vector_cache() {
    std::env::set_var("SEMNAV_VECTOR_CACHE", "off");
}

/// ONNX Runtime threads for every embedding variant: `SEMNAV_BENCH_THREADS`,
/// else one per core.
pub fn threads() -> usize {
    env_usize("SEMNAV_BENCH_THREADS", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

/// Runs `f` and returns its result with the seconds it took.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64())
}

/// Timing samples in seconds.
#[derive(Default, Clone)]
pub struct Samples(pub Vec<f64>);

impl Samples {
    pub fn push(&mut self, secs: f64) {
        self.0.push(secs);
    }

    pub fn push_duration(&mut self, d: Duration) {
        self.0.push(d.as_secs_f64());
    }

    /// The `p`-th percentile (0–100), nearest rank.
    pub fn pct(&self, p: f64) -> f64 {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
        v[rank.clamp(1, v.len()) - 1]
    }

    pub fn median(&self) -> f64 {
        self.pct(50.0)
    }

    pub fn min(&self) -> f64 {
        self.0.iter().copied().fold(f64::INFINITY, f64::min)
    }

    pub fn max(&self) -> f64 {
        self.0.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }
}

/// A duration for a table cell, in the unit that keeps 3 significant digits.
pub fn fmt_secs(secs: f64) -> String {
    if !secs.is_finite() {
        "-".into()
    } else if secs >= 1.0 {
        format!("{secs:.2} s")
    } else if secs >= 1e-3 {
        format!("{:.2} ms", secs * 1e3)
    } else {
        format!("{:.1} µs", secs * 1e6)
    }
}

/// A rate for a table cell (`12.3k/s`).
pub fn fmt_rate(per_sec: f64) -> String {
    if !per_sec.is_finite() {
        "-".into()
    } else if per_sec >= 1e6 {
        format!("{:.2}M/s", per_sec / 1e6)
    } else if per_sec >= 1e4 {
        format!("{:.1}k/s", per_sec / 1e3)
    } else {
        format!("{per_sec:.1}/s")
    }
}

/// Prints a title and the parameters of the run, one per line.
pub fn print_header(title: &str, params: &[(&str, String)]) {
    println!("\n== {title} ==");
    for (k, v) in params {
        println!("  {k}: {v}");
    }
}

/// Prints a table with right-aligned columns (the first left-aligned).
pub fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let mut width: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            width[i] = width[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| if i == 0 { format!("{c:<w$}", w = width[i]) } else { format!("{c:>w$}", w = width[i]) })
            .collect();
        println!("  {}", parts.join("  "));
    };
    println!();
    line(headers.to_vec());
    line(width.iter().map(|&w| "-".repeat(w)).collect::<Vec<_>>().iter().map(String::as_str).collect());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// Peak resident memory of this process (VmHWM), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    proc_status_mib("self", "VmHWM:")
}

/// Current resident memory (VmRSS), in MiB.
pub fn rss_mib() -> Option<f64> {
    proc_status_mib("self", "VmRSS:")
}

/// A memory `field` (in kB there) of `/proc/<process>/status`, in MiB;
/// `process` is `self` or a pid (a child such as the spawned server).
pub fn proc_status_mib(process: &str, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].trim().trim_end_matches("kB").trim().parse::<f64>().ok().map(|k| k / 1024.0)
}

/// A memory figure for a table: `123 MiB`, or `-` where it is unknown.
pub fn fmt_mib(mib: Option<f64>) -> String {
    mib.map(|m| format!("{m:.0} MiB")).unwrap_or_else(|| "-".into())
}

/// Resets the peak (VmHWM) to the current RSS, so the next reading is the
/// peak of what follows. Returns false where the kernel refuses.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// A crate from the cargo registry at the version Cargo.lock pins: the first
/// of `names` present (or the one `SEMNAV_BENCH_CRATE` names). Returns
/// `name-version` and its source directory; panics, saying how to get it,
/// when none is there.
pub fn registry_crate(names: &[&str]) -> (String, PathBuf) {
    let wanted: Vec<String> = match std::env::var("SEMNAV_BENCH_CRATE") {
        Ok(v) if !v.trim().is_empty() => vec![v.trim().to_string()],
        _ => names.iter().map(|s| s.to_string()).collect(),
    };
    let lock_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path).unwrap_or_else(|e| panic!("cannot read {}: {e}", lock_path.display()));
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME is not set")).join(".cargo"));
    let registry = cargo_home.join("registry").join("src");
    let mut looked = Vec::new();
    for name in &wanted {
        let Some(version) = locked_version(&lock, name) else {
            looked.push(format!("{name} (not in Cargo.lock)"));
            continue;
        };
        let dir_name = format!("{name}-{version}");
        for index in std::fs::read_dir(&registry).into_iter().flatten().flatten() {
            let dir = index.path().join(&dir_name);
            if dir.join("Cargo.toml").is_file() {
                return (dir_name, dir);
            }
        }
        looked.push(dir_name);
    }
    panic!(
        "this bench reads real sources from the cargo registry, but none of {looked:?} is under {}/*/: \
         run `cargo fetch` in {} first (or set SEMNAV_BENCH_CRATE to a crate in Cargo.lock)",
        registry.display(),
        env!("CARGO_MANIFEST_DIR")
    );
}

/// The version of package `name` in a Cargo.lock (the first, if several).
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let needle = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == needle {
            let version = lines.next()?.trim().strip_prefix("version = \"")?.trim_end_matches('"');
            return Some(version.to_string());
        }
    }
    None
}

/// Every file under `dir` whose name ends with `.ext`, with its text, in path
/// order (files that are not UTF-8 are left out).
pub fn read_files(dir: &Path, ext: &str) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display())).flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    out.push((path, text));
                }
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Copies the directory tree `from` into `to` (files and directories only,
/// `.git` left out); returns the files and bytes copied.
pub fn copy_tree(from: &Path, to: &Path) -> (usize, u64) {
    let (mut files, mut bytes) = (0, 0);
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        if entry.file_name() == ".git" {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            let (f, b) = copy_tree(&src, &dst);
            files += f;
            bytes += b;
        } else if kind.is_file() {
            bytes += std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("cannot copy {}: {e}", src.display()));
            files += 1;
        }
    }
    (files, bytes)
}

/// CPU seconds used by this process so far, all threads (user + system, from
/// /proc/self/stat in USER_HZ = 1/100 s). Unlike wall time, this is not
/// inflated when other processes take the cores.
pub fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let field = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
    // After "pid (comm)": state is field 0, utime 11, stime 12.
    (field(11) + field(12)) / 100.0
}
