//! Which workspace a command works on, and the running server that may hold
//! its index: a command run in a subfolder of an indexed clone works on the
//! clone ([`semnav::index::enclosing_root`]) with the subfolder as a path
//! filter; beside an editor or an agent whose server holds the index (its
//! lock), the command asks that server ([`semnav::ipc`]) and prints its
//! answers as its own.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use semnav::ipc::{self, Request};
use semnav::usage::Invalid;
use serde_json::Value;

use super::Common;

/// The root a command works on, and the folder under it the command was run
/// from (relative, `/`-separated) when no root was named and it is not the
/// root itself.
pub struct Place {
    pub root: PathBuf,
    pub subfolder: Option<String>,
}

/// `path` as named (`--path`, or a positional PATH the user typed), else the
/// enclosing root of the current folder.
pub fn place(path: Option<&Path>, common: &Common) -> Result<Place> {
    if let Some(path) = path {
        let root = path.canonicalize().with_context(|| format!("cannot open workspace {}", path.display()))?;
        return Ok(Place { root, subfolder: None });
    }
    let cwd = std::env::current_dir().context("cannot read the current folder")?.canonicalize().context("cannot read the current folder")?;
    let root = semnav::index::enclosing_root(&cwd, common.index_dir.as_deref());
    let subfolder = semnav::discover::relative_path(&root, &cwd).filter(|rel| !rel.is_empty());
    Ok(Place { root, subfolder })
}

/// The index directory of `root` with these options.
pub fn index_dir(root: &Path, common: &Common) -> PathBuf {
    common.index_dir.clone().unwrap_or_else(|| semnav::index::default_index_dir(root))
}

/// The index directory of `root` when a running semnav server serves it
/// (its socket answers a status).
pub fn server_for(root: &Path, common: &Common) -> Option<PathBuf> {
    let dir = index_dir(root, common);
    if !ipc::socket_path(&dir).exists() {
        return None;
    }
    ipc::ask(&dir, &Request::Status).ok().filter(|r| r.ok.is_some()).map(|_| dir)
}

/// Asks the server at `dir`; its notes (what it does not know yet) go to
/// stderr, a refusal of the request is a usage error as it would be here.
pub fn ask(dir: &Path, request: &Request) -> Result<Value> {
    let reply = ipc::ask(dir, request)?;
    for note in &reply.notes {
        eprintln!("semnav: {note}");
    }
    match (reply.ok, reply.error) {
        (_, Some(e)) if reply.invalid => Err(Invalid(e).into()),
        (_, Some(e)) => bail!("the running semnav server says: {e}"),
        (Some(ok), None) => Ok(ok),
        (None, None) => Err(anyhow!("the running semnav server at {} gave an empty answer", dir.display())),
    }
}

/// A glob that keeps what is under `subfolder`.
pub fn under(subfolder: &str) -> String {
    format!("{}/**", globset::escape(subfolder))
}
