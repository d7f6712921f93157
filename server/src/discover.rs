//! Finding the files of a workspace worth indexing, and reading them safely.
//!
//! Walking uses the `ignore` crate (ripgrep's walker): `.gitignore`, `.ignore`,
//! global git excludes, hidden files skipped, symlinks not followed (so no
//! loops and nothing outside the root), plus a built-in list of paths that are
//! never source (lock files, `node_modules`, `target`, minified bundles, …) and
//! the user's own excludes. [`read_text`] then refuses binary, huge, non-UTF-8
//! and minified-looking content, each with a reason that is counted. This module
//! does not chunk or embed.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::{Context, Result};
use ignore::overrides::OverrideBuilder;
use ignore::WalkBuilder;

use crate::lang::Language;

/// Files larger than this are skipped unless configured otherwise.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 1 << 20;
/// A line longer than this is generated or minified text, or data (an
/// image in base64, a table) inside a source file.
pub const MAX_LINE_BYTES: usize = 4_000;

/// A file is minified or generated when at least one line in this many is
/// longer than [`MAX_LINE_BYTES`]; fewer long lines are data literals in a
/// file written by hand (Plug's debugger page embeds two images in 589
/// lines), which is indexed: each long line becomes a chunk of its own.
const LONG_LINES_ONE_IN: usize = 10;

/// Never indexed, whatever the ignore files say.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    "**/node_modules/**",
    "**/target/**",
    "**/dist/**",
    "**/vendor/**",
    "**/third_party/**",
    "**/.git/**",
    "**/__pycache__/**",
    "**/.venv/**",
    "**/*.min.js",
    "**/*.min.css",
    "**/*.bundle.js",
    "**/*.map",
    "**/*.lock",
    "**/package-lock.json",
    "**/pnpm-lock.yaml",
    "**/yarn.lock",
    "**/go.sum",
];

/// Why a file was not indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    TooLarge,
    Binary,
    NotUtf8,
    LongLines,
    Unreadable,
    /// A link, or a path through one: never followed out of the root.
    Link,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::TooLarge => "too large",
            SkipReason::Binary => "binary",
            SkipReason::NotUtf8 => "not UTF-8",
            SkipReason::LongLines => "long lines (minified or generated)",
            SkipReason::Unreadable => "unreadable",
            SkipReason::Link => "a link (not followed)",
        }
    }
}

#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    pub max_file_bytes: u64,
    /// Extra glob patterns to leave out (relative to the root).
    pub exclude: Vec<String>,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        DiscoverOptions { max_file_bytes: DEFAULT_MAX_FILE_BYTES, exclude: Vec::new() }
    }
}

/// A candidate file and the metadata that decides whether to read it.
#[derive(Debug, Clone)]
pub struct FoundFile {
    /// Relative to the root, `/`-separated.
    pub rel_path: String,
    pub abs_path: PathBuf,
    pub language: Language,
    pub size: u64,
    pub mtime_ns: u64,
}

/// Everything the walk found: files to consider and files skipped by size.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<FoundFile>,
    pub skipped: Vec<(String, SkipReason)>,
    /// Folders (relative, `/`-separated) the walk could not read: what the
    /// index holds under them is kept, not taken for removed.
    pub unreadable: Vec<String>,
}

impl Discovery {
    /// Whether `rel_path` is under a folder the walk could not read, so that
    /// its absence from the walk says nothing.
    pub fn hides(&self, rel_path: &str) -> bool {
        self.unreadable.iter().any(|dir| rel_path.strip_prefix(dir.as_str()).is_some_and(|rest| rest.starts_with('/')))
    }
}

/// Walks `root` (canonical) and returns candidates in path order. A root
/// that cannot be read is an error, never an empty workspace; a folder under
/// it that cannot be read is listed in [`Discovery::unreadable`].
pub fn discover(root: &Path, options: &DiscoverOptions) -> Result<Discovery> {
    std::fs::read_dir(root).with_context(|| format!("cannot read the workspace {}", root.display()))?;
    let walker = walker(root, options)?;
    let mut out = Discovery::default();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                match error_path(&e).and_then(|p| relative_path(root, p)) {
                    Some(rel) if rel.is_empty() => return Err(anyhow::Error::new(e).context(format!("cannot read the workspace {}", root.display()))),
                    Some(rel) => {
                        tracing::warn!("cannot read {}: {e}", root.join(&rel).display());
                        out.unreadable.push(rel);
                    }
                    None => tracing::warn!("a part of {} cannot be read: {e}", root.display()),
                }
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let Some(language) = Language::from_path(path) else { continue };
        let Some(rel_path) = relative_path(root, path) else { continue };
        let Ok(meta) = entry.metadata() else {
            out.skipped.push((rel_path, SkipReason::Unreadable));
            continue;
        };
        if meta.len() > options.max_file_bytes {
            out.skipped.push((rel_path, SkipReason::TooLarge));
            continue;
        }
        out.files.push(FoundFile { rel_path, abs_path: path.to_path_buf(), language, size: meta.len(), mtime_ns: mtime_ns(&meta) });
    }
    out.files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    Ok(out)
}

/// The path a walk error is about, when it says.
fn error_path(e: &ignore::Error) -> Option<&Path> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

/// The walk over `root`: ignore files, hidden files and the excludes.
fn walker(root: &Path, options: &DiscoverOptions) -> Result<ignore::Walk> {
    let mut overrides = OverrideBuilder::new(root);
    for pattern in DEFAULT_EXCLUDES.iter().copied().chain(options.exclude.iter().map(String::as_str)) {
        overrides.add(&format!("!{pattern}")).with_context(|| format!("bad exclude pattern {pattern:?}"))?;
    }
    let overrides = overrides.build().context("cannot build the exclude list")?;
    Ok(WalkBuilder::new(root)
        .follow_links(false)
        .hidden(true)
        .git_ignore(true)
        .git_global(true)
        .git_exclude(true)
        .require_git(false)
        .overrides(overrides)
        .build())
}

/// The directories a walk of `root` enters, `root` first (for watchers).
pub fn directories(root: &Path, options: &DiscoverOptions) -> Result<Vec<PathBuf>> {
    Ok(walker(root, options)?.flatten().filter(|e| e.file_type().is_some_and(|t| t.is_dir())).map(|e| e.into_path()).collect())
}

/// Decides, for one path, what a walk would: used when a single file changes
/// (editor watchers) to avoid walking the whole tree.
pub struct PathFilter {
    excludes: globset::GlobSet,
    gitignore: ignore::gitignore::Gitignore,
}

impl PathFilter {
    pub fn new(root: &Path, options: &DiscoverOptions) -> Result<PathFilter> {
        let mut b = globset::GlobSetBuilder::new();
        for pattern in DEFAULT_EXCLUDES.iter().copied().chain(options.exclude.iter().map(String::as_str)) {
            b.add(globset::Glob::new(pattern).with_context(|| format!("bad exclude pattern {pattern:?}"))?);
        }
        let mut gi = ignore::gitignore::GitignoreBuilder::new(root);
        for name in [".gitignore", ".ignore"] {
            let _ = gi.add(root.join(name));
        }
        Ok(PathFilter { excludes: b.build()?, gitignore: gi.build().unwrap_or_else(|_| ignore::gitignore::Gitignore::empty()) })
    }

    /// Whether `rel_path` (relative, `/`-separated) would be indexed, judging
    /// by its name only.
    pub fn accepts(&self, rel_path: &str) -> bool {
        let hidden = rel_path.split('/').any(|part| part.starts_with('.'));
        !hidden
            && Language::from_path(Path::new(rel_path)).is_some()
            && !self.excludes.is_match(rel_path)
            && !self.gitignore.matched_path_or_any_parents(rel_path, false).is_ignore()
    }
}

impl PathFilter {
    /// Whether a walk would enter directory `rel_path` (relative,
    /// `/`-separated), judging by its name only.
    pub fn accepts_dir(&self, rel_path: &str) -> bool {
        let hidden = rel_path.split('/').any(|part| part.starts_with('.'));
        !hidden && !self.excludes.is_match(format!("{rel_path}/_")) && !self.gitignore.matched_path_or_any_parents(rel_path, true).is_ignore()
    }
}

/// `path` relative to `root`, with `/` separators; `None` outside the root.
pub fn relative_path(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// `path` relative to `root` (canonical), `/`-separated, when a walk of the
/// root could reach it: below the root by plain names only (no `..` or `.`),
/// through no symbolic link (a walk follows none, so a link never leads
/// outside the root). A part that does not exist yet, such as the file of an
/// unsaved buffer, cannot be a link. `None` otherwise, and for the root.
pub fn inside_root(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut at = root.to_path_buf();
    let mut parts = Vec::new();
    for part in rel.components() {
        let std::path::Component::Normal(name) = part else { return None };
        at.push(name);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return None;
        }
        parts.push(name.to_str()?);
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

pub fn mtime_ns(meta: &std::fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// Checks file content; `Err` says why it is not indexed.
pub fn check_text(bytes: &[u8], max_file_bytes: u64) -> std::result::Result<&str, SkipReason> {
    if bytes.len() as u64 > max_file_bytes {
        return Err(SkipReason::TooLarge);
    }
    // Like git and ripgrep: a NUL in the first 8 KiB means binary.
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err(SkipReason::Binary);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| SkipReason::NotUtf8)?;
    let (mut lines, mut long) = (0, 0);
    for line in text.split('\n') {
        lines += 1;
        long += usize::from(line.len() > MAX_LINE_BYTES);
    }
    if long > 0 && long * LONG_LINES_ONE_IN >= lines {
        return Err(SkipReason::LongLines);
    }
    Ok(text)
}

/// Reads a file and checks it with [`check_text`]. For a file of a
/// workspace use [`read_inside`], which refuses links.
pub fn read_text(path: &Path, max_file_bytes: u64) -> std::result::Result<String, SkipReason> {
    let bytes = std::fs::read(path).map_err(|_| SkipReason::Unreadable)?;
    check_text(&bytes, max_file_bytes)?;
    String::from_utf8(bytes).map_err(|_| SkipReason::NotUtf8)
}

/// Reads file `rel` of `root` (canonical) and checks it with
/// [`check_text`], making sure at read time that what was opened is that
/// file, inside the root: no part of the way is a link (a file or folder
/// swapped for a link to outside since it was indexed is refused, not
/// followed), the last part is opened without following a link, and on
/// Linux the opened descriptor's own path must be `root/rel`, so a swap
/// between the check and the open is caught too. What every read of a
/// workspace's file goes through: indexing, re-reading after an event,
/// excerpts and previews shown in answers.
pub fn read_inside(root: &Path, rel: &str, max_file_bytes: u64) -> std::result::Result<String, SkipReason> {
    use std::io::Read;
    let path = root.join(rel);
    if inside_root(root, &path).as_deref() != Some(rel) {
        return Err(SkipReason::Link);
    }
    let file = open_no_follow(&path).map_err(|e| if is_link_error(&e) { SkipReason::Link } else { SkipReason::Unreadable })?;
    if !opened_is(&file, &path) {
        return Err(SkipReason::Link);
    }
    let mut bytes = Vec::new();
    file.take(max_file_bytes.saturating_add(1)).read_to_end(&mut bytes).map_err(|_| SkipReason::Unreadable)?;
    check_text(&bytes, max_file_bytes)?;
    String::from_utf8(bytes).map_err(|_| SkipReason::NotUtf8)
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path)
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::other("a link"));
    }
    std::fs::File::open(path)
}

/// Whether opening failed because the last part is a link (`ELOOP` under
/// `O_NOFOLLOW`).
fn is_link_error(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        e.kind() == std::io::ErrorKind::Other
    }
}

/// Whether the opened `file` is the regular file at `path` itself (not one
/// reached through a folder swapped for a link after it was checked).
fn opened_is(file: &std::fs::File, path: &Path) -> bool {
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::io::AsRawFd;
        if let Ok(real) = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) {
            return real == path;
        }
    }
    // Elsewhere (or without /proc): the way is checked once more, after
    // the open.
    path.canonicalize().is_ok_and(|real| real == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, content: &[u8]) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    #[test]
    fn respects_gitignore_and_default_excludes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        write(&root, ".gitignore", b"generated/\n");
        write(&root, "src/main.rs", b"fn main() {}\n");
        write(&root, "generated/out.rs", b"fn x() {}\n");
        write(&root, "node_modules/dep/index.js", b"x\n");
        write(&root, "web/app.min.js", b"x\n");
        write(&root, "Cargo.lock", b"x\n");
        write(&root, ".hidden/secret.py", b"x\n");
        write(&root, "logo.png", b"\x89PNG");
        write(&root, "docs/guide.md", b"# Guide\n");
        write(&root, "skip_me/a.py", b"x = 1\n");
        let found = discover(&root, &DiscoverOptions { exclude: vec!["skip_me/**".into()], ..Default::default() }).unwrap();
        let paths: Vec<&str> = found.files.iter().map(|f| f.rel_path.as_str()).collect();
        assert_eq!(paths, ["docs/guide.md", "src/main.rs"]);
    }

    #[test]
    fn path_filter_agrees_with_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        write(&root, ".gitignore", b"generated/\n*.tmp.py\n");
        let f = PathFilter::new(&root, &DiscoverOptions { exclude: vec!["skip/**".into()], ..Default::default() }).unwrap();
        assert!(f.accepts("src/main.rs"));
        assert!(!f.accepts("generated/x.rs"));
        assert!(!f.accepts("a/b.tmp.py"));
        assert!(!f.accepts("node_modules/x/index.js"));
        assert!(!f.accepts("skip/a.py"));
        assert!(!f.accepts(".hidden/a.py"));
        assert!(!f.accepts("logo.png"));
    }

    #[test]
    fn large_files_are_skipped_by_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        write(&root, "big.rs", &vec![b'a'; 2000]);
        let found = discover(&root, &DiscoverOptions { max_file_bytes: 1000, exclude: vec![] }).unwrap();
        assert!(found.files.is_empty());
        assert_eq!(found.skipped, vec![("big.rs".to_string(), SkipReason::TooLarge)]);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_and_outside_links_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        write(&root, "a/x.rs", b"fn x() {}\n");
        write(outside.path(), "secret.rs", b"fn s() {}\n");
        std::os::unix::fs::symlink(&root, root.join("a/loop")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("out")).unwrap();
        let found = discover(&root, &DiscoverOptions::default()).unwrap();
        let paths: Vec<&str> = found.files.iter().map(|f| f.rel_path.as_str()).collect();
        assert_eq!(paths, ["a/x.rs"]);
    }

    #[cfg(unix)]
    #[test]
    fn only_paths_a_walk_reaches_are_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        write(&root, "a/x.rs", b"fn x() {}\n");
        write(outside.path(), "secret.rs", b"fn s() {}\n");
        std::os::unix::fs::symlink(outside.path(), root.join("out")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.rs"), root.join("a/link.rs")).unwrap();
        assert_eq!(inside_root(&root, &root.join("a/x.rs")).as_deref(), Some("a/x.rs"));
        assert_eq!(inside_root(&root, &root.join("a/unsaved/new.rs")).as_deref(), Some("a/unsaved/new.rs"), "not written yet");
        assert_eq!(inside_root(&root, &root.join("out/secret.rs")), None, "through a linked directory");
        assert_eq!(inside_root(&root, &root.join("a/link.rs")), None, "a linked file");
        assert_eq!(inside_root(&root, &root.join("a/../../etc/passwd")), None, "climbing out");
        assert_eq!(inside_root(&root, &root.join("a/./x.rs")).as_deref(), Some("a/x.rs"), "Path drops a `.` inside");
        assert_eq!(inside_root(&root, outside.path()), None);
        assert_eq!(inside_root(&root, &root), None);
        let found = discover(&root, &DiscoverOptions::default()).unwrap();
        let walked: Vec<&str> = found.files.iter().map(|f| f.rel_path.as_str()).collect();
        assert_eq!(walked, ["a/x.rs"], "a walk agrees");
    }

    #[test]
    fn content_checks_give_reasons() {
        assert_eq!(check_text(b"fn a() {}\n", 100), Ok("fn a() {}\n"));
        assert_eq!(check_text(b"ab\0cd", 100), Err(SkipReason::Binary));
        assert_eq!(check_text(b"caf\xe9", 100), Err(SkipReason::NotUtf8));
        assert_eq!(check_text(&vec![b'x'; 200], 100), Err(SkipReason::TooLarge));
        assert_eq!(check_text(&vec![b'x'; 5000], 10_000), Err(SkipReason::LongLines));
        let with_data = |short: usize, long: usize| {
            let mut text = "x = 1\n".repeat(short);
            text += &format!("IMAGE = \"{}\"\n", "A".repeat(MAX_LINE_BYTES)).repeat(long);
            text
        };
        assert!(check_text(with_data(18, 2).as_bytes(), 1 << 20).is_ok(), "two long lines in 21 are data in a source file");
        assert_eq!(check_text(with_data(17, 2).as_bytes(), 1 << 20), Err(SkipReason::LongLines), "one in ten is minified");
        assert_eq!(check_text(format!("{}\n//# sourceMappingURL=a.map\n", "a".repeat(5000)).as_bytes(), 1 << 20), Err(SkipReason::LongLines));
    }
}
