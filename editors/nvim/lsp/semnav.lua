-- semnav: search code by meaning (a language server).
--
-- A `vim.lsp.Config` for Neovim 0.11+:
--
--     vim.lsp.enable("semnav")
--
-- Override any field with `vim.lsp.config("semnav", { ... })`, e.g. the
-- server settings in `init_options` (see `:help semnav` / README.md).
-- nvim-lspconfig (v2+) reads this file from the runtimepath the same way;
-- `require("semnav").setup()` also registers it with older lspconfig.

---@type vim.lsp.Config
return {
  cmd = { "semnav", "lsp" },
  -- Every filetype whose files semnav indexes (code with a syntax-aware
  -- chunker, plus text-like files chunked by lines).
  filetypes = {
    "rust", "python", "javascript", "javascriptreact", "typescript", "typescriptreact",
    "go", "java", "c", "cpp", "markdown", "toml", "yaml", "json", "sh", "bash", "zsh",
    "text", "rst", "dosini", "cfg", "sql", "proto", "graphql", "lua", "ruby", "kotlin",
    "swift", "scala", "cs", "php", "html", "css", "scss", "vue", "svelte",
  },
  -- The whole repository is one index: the version-control root wins over
  -- the nearest project file (vim.fs.root tries the markers in this order).
  root_markers = {
    ".git", ".hg", ".jj", ".svn",
    "Cargo.toml", "go.mod", "package.json", "pyproject.toml", "setup.py",
    "pom.xml", "build.gradle", "build.gradle.kts", "Makefile",
  },
  -- Without a root there is nothing to index: don't start a server for a
  -- stray file (Neovim 0.11.1+; ignored by older versions).
  workspace_required = true,
  -- Server settings, all optional: model, modelDir, indexDir, exclude,
  -- maxFileBytes, hover, codeLens, debounceMs.
  init_options = vim.empty_dict(),
}
