//! The LSP lifecycle and text synchronisation: initialize, workspace roots,
//! configuration, watched files, open/change/save/close.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::convert::{self, doc_key, line_pos};
use super::progress::{self, ChannelProgress};
use crate::document::Change;
use crate::engine::{Engine, RootOptions, Settings};
use crate::position::Encoding;

pub struct Backend {
    pub(super) client: Client,
    pub(super) engine: OnceLock<Arc<Engine>>,
    pub(super) encoding: RwLock<Encoding>,
    pub(super) roots: RwLock<Vec<PathBuf>>,
    pub(super) work_done_progress: AtomicBool,
    pub(super) watch_dynamic: AtomicBool,
    /// Whether the client takes `workspace/codeLens/refresh`.
    lens_refresh: AtomicBool,
    pub(super) refresh_counter: AtomicU64,
    /// Whether the user was told that the model is missing.
    model_warned: Arc<AtomicBool>,
    initial_settings: RwLock<Settings>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend {
            client,
            engine: OnceLock::new(),
            encoding: RwLock::new(Encoding::Utf16),
            roots: RwLock::new(Vec::new()),
            work_done_progress: AtomicBool::new(false),
            watch_dynamic: AtomicBool::new(false),
            lens_refresh: AtomicBool::new(false),
            refresh_counter: AtomicU64::new(0),
            model_warned: Arc::new(AtomicBool::new(false)),
            initial_settings: RwLock::new(Settings::default()),
        }
    }

    /// The engine, created by `initialize` once it has the settings and the
    /// roots (which it names to the engine at once); the model loads in the
    /// background.
    pub(super) fn engine(&self) -> Arc<Engine> {
        self.engine
            .get_or_init(|| {
                let engine = Engine::start(self.initial_settings.read().unwrap_or_else(|e| e.into_inner()).clone());
                for root in self.roots.read().unwrap_or_else(|e| e.into_inner()).iter() {
                    engine.expect_root(root);
                }
                engine
            })
            .clone()
    }

    pub(super) fn encoding(&self) -> Encoding {
        *self.encoding.read().unwrap_or_else(|e| e.into_inner())
    }

    async fn warn(&self, message: String) {
        tracing::warn!("{message}");
        self.client.log_message(MessageType::WARNING, message).await;
    }

    /// Opens every root (if not yet) and refreshes it in the background,
    /// reporting progress; the roots are named to the engine before this
    /// returns.
    pub(super) fn refresh_all(&self) {
        let engine = self.engine();
        let roots = self.roots.read().unwrap_or_else(|e| e.into_inner()).clone();
        for root in &roots {
            engine.expect_root(root);
        }
        let client = self.client.clone();
        let supported = self.work_done_progress.load(Ordering::SeqCst);
        let n = self.refresh_counter.fetch_add(1, Ordering::SeqCst);
        let model_warned = self.model_warned.clone();
        let model_engine = engine.clone();
        let model_client = client.clone();
        tokio::spawn(async move {
            // Without the model the index is searched by words (and the
            // ranking stage); say so once, with the fix.
            while model_engine.model_loading() {
                model_engine.wait_ready(std::time::Duration::from_secs(60)).await;
            }
            if let Some(e) = model_engine.model_error() {
                if !model_warned.swap(true, Ordering::SeqCst) {
                    model_client.show_message(MessageType::WARNING, format!("semnav searches by words only until the embedding model is installed: {e}")).await;
                }
            }
        });
        tokio::spawn(async move {
            for (i, path) in roots.into_iter().enumerate() {
                let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                let forward = tokio::spawn(progress::forward(client.clone(), supported, format!("semnav-index-{n}-{i}"), rx));
                // A note (another process holds the root's index) is shown
                // as soon as the root is open, not after its refresh.
                let (notes_tx, mut notes_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
                let notifier = client.clone();
                tokio::spawn(async move {
                    while let Some(note) = notes_rx.recv().await {
                        notifier.show_message(MessageType::WARNING, format!("semnav: {note}")).await;
                    }
                });
                let options = RootOptions {
                    watch: false,
                    progress: Box::new(ChannelProgress(tx)),
                    on_note: Box::new(move |note| {
                        let _ = notes_tx.send(note.to_string());
                    }),
                };
                let result = engine.start_root(&path, options).await;
                let _ = forward.await;
                match result {
                    Ok(stats) => tracing::info!("indexed: {stats:?}"),
                    Err(e) => client.show_message(MessageType::ERROR, format!("semnav: indexing failed: {e:#}")).await,
                }
            }
        });
    }

    /// Asks the client to refresh its code lenses whenever vectors arrive
    /// (a lens said "similar: indexing…" until then), at most twice a second.
    fn refresh_lenses_on_vectors(&self) {
        if !self.lens_refresh.load(Ordering::SeqCst) {
            return;
        }
        let mut arrived = self.engine().vectors_arrived();
        // Once at the start too: vectors may have come before this watch.
        arrived.mark_changed();
        let client = self.client.clone();
        tokio::spawn(async move {
            while arrived.changed().await.is_ok() {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                arrived.borrow_and_update();
                if client.code_lens_refresh().await.is_err() {
                    tracing::debug!("the client refused a code lens refresh");
                }
            }
        });
    }

    /// After an edit: the document's reparse and re-chunk, off the handler
    /// (milliseconds in a large file), then the debounced embedding of its
    /// new chunks.
    fn schedule_catch_up(&self, key: String, generation: u64) {
        let engine = self.engine();
        let parse_key = key.clone();
        let parser = engine.clone();
        tokio::task::spawn_blocking(move || parser.catch_up(&parse_key));
        tokio::spawn(async move { engine.embed_document(&key, generation).await });
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let (encoding, kind) = convert::negotiate_encoding(params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_ref()));
        *self.encoding.write().unwrap_or_else(|e| e.into_inner()) = encoding;
        let window = params.capabilities.window.as_ref();
        self.work_done_progress.store(window.and_then(|w| w.work_done_progress).unwrap_or(false), Ordering::SeqCst);
        let dynamic = params.capabilities.workspace.as_ref().and_then(|w| w.did_change_watched_files.as_ref()).and_then(|d| d.dynamic_registration).unwrap_or(false);
        self.watch_dynamic.store(dynamic, Ordering::SeqCst);
        let lens_refresh = params.capabilities.workspace.as_ref().and_then(|w| w.code_lens.as_ref()).and_then(|c| c.refresh_support).unwrap_or(false);
        self.lens_refresh.store(lens_refresh, Ordering::SeqCst);

        let mut roots: Vec<PathBuf> = params.workspace_folders.unwrap_or_default().iter().filter_map(|f| convert::file_path(&f.uri)).collect();
        #[allow(deprecated)]
        if roots.is_empty() {
            if let Some(p) = params.root_uri.as_ref().and_then(convert::file_path) {
                roots.push(p);
            }
        }
        *self.roots.write().unwrap_or_else(|e| e.into_inner()) = roots;
        if let Some(options) = &params.initialization_options {
            let (settings, problems) = convert::settings_from(options, &Settings::default());
            *self.initial_settings.write().unwrap_or_else(|e| e.into_inner()) = settings;
            for p in problems {
                self.warn(p).await;
            }
        }
        // Names the roots to the engine before the reply: a request that
        // comes the moment the client is initialized knows they are loading.
        self.engine();
        Ok(InitializeResult {
            server_info: Some(ServerInfo { name: "semnav".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            capabilities: ServerCapabilities {
                position_encoding: Some(kind),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                })),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(true) }),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities { supported: Some(true), change_notifications: Some(OneOf::Left(true)) }),
                    file_operations: None,
                }),
                ..Default::default()
            },
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.refresh_lenses_on_vectors();
        if self.watch_dynamic.load(Ordering::SeqCst) {
            let options = DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![FileSystemWatcher { glob_pattern: GlobPattern::String("**/*".into()), kind: None }],
            };
            let registration = Registration {
                id: "semnav-watch".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(e) = self.client.register_capability(vec![registration]).await {
                self.warn(format!("cannot register file watchers: {e}")).await;
            }
        }
        self.refresh_all();
    }

    async fn shutdown(&self) -> Result<()> {
        if let Some(engine) = self.engine.get().cloned() {
            let _ = tokio::task::spawn_blocking(move || engine.shut_down()).await;
        }
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let (key, path) = doc_key(&params.text_document.uri);
        let engine = self.engine();
        let generation = engine.open(&key, path.as_deref(), params.text_document.text, params.text_document.version);
        self.schedule_catch_up(key, generation);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Applied before any await: see the module comment.
        let (key, _) = doc_key(&params.text_document.uri);
        let changes: Vec<Change> = params.content_changes.into_iter().map(|c| Change { range: c.range.map(|r| (line_pos(r.start), line_pos(r.end))), text: c.text }).collect();
        let result = self.engine().change(&key, &changes, params.text_document.version, self.encoding());
        match result {
            Ok(generation) => self.schedule_catch_up(key, generation),
            Err(e) => self.warn(format!("didChange ignored: {e:#}")).await,
        }
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {
        // The buffer is already what we index; the watcher reports the disk.
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let (key, _) = doc_key(&params.text_document.uri);
        let engine = self.engine();
        if let Some(path) = engine.close(&key) {
            let e = engine.clone();
            if let Ok(Err(err)) = tokio::task::spawn_blocking(move || e.file_changed(&path)).await {
                self.warn(format!("cannot re-read {key}: {err:#}")).await;
            }
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let engine = self.engine();
        let paths: Vec<PathBuf> = params.changes.iter().filter_map(|c| convert::file_path(&c.uri)).collect();
        let result = tokio::task::spawn_blocking(move || {
            // A folder (created, removed, or swapped for a link) is taken
            // whole, as the MCP server's watcher takes it.
            for p in paths {
                engine.path_changed(&p)?;
            }
            anyhow::Ok(())
        })
        .await;
        if let Ok(Err(e)) = result {
            self.warn(format!("cannot apply a file change: {e:#}")).await;
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let added: Vec<PathBuf> = params.event.added.iter().filter_map(|f| convert::file_path(&f.uri)).collect();
        self.roots.write().unwrap_or_else(|e| e.into_inner()).extend(added);
        self.refresh_all();
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let value = params.settings.get("semnav").cloned().unwrap_or(params.settings);
        let engine = self.engine();
        let (settings, problems) = convert::settings_from(&value, &engine.settings());
        for p in problems {
            self.warn(p).await;
        }
        let e = engine.clone();
        let rebuild = tokio::task::spawn_blocking(move || e.update_settings(settings)).await.unwrap_or(false);
        if rebuild {
            engine.reset_roots();
            self.refresh_all();
        }
        let _ = self.client.code_lens_refresh().await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        super::requests::guard(self.hover_impl(params)).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        super::requests::guard(self.code_lens_impl(params)).await
    }

    async fn code_lens_resolve(&self, lens: CodeLens) -> Result<CodeLens> {
        super::requests::guard(self.code_lens_resolve_impl(lens)).await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        super::requests::guard(self.symbol_impl(params)).await
    }
}
