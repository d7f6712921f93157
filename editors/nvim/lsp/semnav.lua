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
  -- Every filetype whose files semnav indexes (server/src/lang.rs).
  filetypes = {
    -- Chunked by syntax (tree-sitter).
    "rust", "python", "javascript", "javascriptreact", "typescript", "typescriptreact",
    "go", "java", "c", "cpp", "cuda", "arduino", "sh", "bash", "zsh", "ksh", "cs", "elixir",
    "haskell", "lhaskell", "kotlin", "lua", "php", "ruby", "scala", "swift", "zig",
    -- Chunked by lines.
    "markdown", "mdx", "toml", "yaml", "json", "jsonc", "json5", "text", "rst", "asciidoc",
    "org", "tex", "dosini", "cfg", "conf", "jproperties",
    "clojure", "erlang", "dart", "r", "julia", "ocaml", "fsharp", "perl", "nim", "groovy",
    "objc", "objcpp", "lisp", "vim", "nix", "solidity", "verilog", "systemverilog", "vhdl",
    "haxe", "crystal", "elm", "eruby", "d", "pascal", "fortran", "tcl", "awk", "fish", "ps1",
    "dosbatch", "vb", "asm", "html", "xml", "xsd", "css", "scss", "sass", "less", "vue",
    "svelte", "astro", "sql", "proto", "thrift", "graphql", "prisma", "glsl", "hlsl", "wgsl",
    "terraform", "terraform-vars", "hcl", "cmake", "make", "bzl", "gn", "dockerfile", "just",
    "jsonnet", "cue", "rego", "dhall",
  },
  -- The whole repository is one index: the version-control root wins over
  -- the nearest project file (vim.fs.root tries the markers in this order).
  root_markers = {
    ".git", ".hg", ".jj", ".svn",
    "Cargo.toml", "go.mod", "package.json", "pyproject.toml", "setup.py",
    "pom.xml", "build.gradle", "build.gradle.kts", "build.sbt", "mix.exs", "Gemfile",
    "composer.json", "Package.swift", "build.zig", "stack.yaml", "cabal.project", "Makefile",
  },
  -- Without a root there is nothing to index: don't start a server for a
  -- stray file (Neovim 0.11.1+; ignored by older versions).
  workspace_required = true,
  -- Server settings, all optional: model, modelDir, indexDir, exclude,
  -- maxFileBytes, hover, codeLens, debounceMs.
  init_options = vim.empty_dict(),
}
