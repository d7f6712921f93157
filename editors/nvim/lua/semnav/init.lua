-- semnav for Neovim: semantic search, similar code, code lenses, status.
--
--   require("semnav").setup({ server = { indexDir = ... } })
--
-- The language server config itself is `lsp/semnav.lua`; this module adds
-- the commands, the code-lens refresh, the `semnav.showSimilar` lens command
-- and progress notifications. See README.md.
local config = require("semnav.config")
local clients = require("semnav.client")
local results = require("semnav.results")

local M = {}

local LENS_REFRESH = "workspace/codeLens/refresh"

-- ---------------------------------------------------------------------------
-- Setup and the language server config
-- ---------------------------------------------------------------------------

--- The table in `lsp/semnav.lua` (found on the runtimepath).
---@return vim.lsp.Config
function M.lsp_config()
  local file = vim.api.nvim_get_runtime_file("lsp/semnav.lua", false)[1]
  if not file then
    error("semnav: lsp/semnav.lua is not on the runtimepath")
  end
  return dofile(file)
end

--- The overrides setup() applies on top of lsp/semnav.lua.
local function overrides()
  local cfg = { init_options = config.server_settings() }
  if config.options.cmd then
    cfg.cmd = config.options.cmd
  end
  return cfg
end

--- Registers the server with nvim-lspconfig's legacy framework (Neovim 0.10,
--- or lspconfig before v2). Returns false when lspconfig is not installed.
local function lspconfig_setup(cfg)
  local ok, configs = pcall(require, "lspconfig.configs")
  if not ok then
    return false
  end
  if not configs.semnav then
    local base = M.lsp_config()
    local util = require("lspconfig.util")
    configs.semnav = {
      default_config = {
        cmd = base.cmd,
        filetypes = base.filetypes,
        root_dir = util.root_pattern(unpack(base.root_markers)),
        init_options = base.init_options,
      },
      docs = { description = "semnav: search code by meaning" },
    }
  end
  if config.options.enable then
    require("lspconfig").semnav.setup(cfg)
  end
  return true
end

--- Neovim 0.10 without lspconfig: start the client from a FileType autocmd.
local function manual_setup(cfg)
  local base = vim.tbl_deep_extend("force", M.lsp_config(), cfg)
  vim.api.nvim_create_autocmd("FileType", {
    group = vim.api.nvim_create_augroup("semnav.start", { clear = true }),
    pattern = base.filetypes,
    callback = function(args)
      local root = vim.fs.root(args.buf, base.root_markers)
      if root then
        vim.lsp.start({ name = "semnav", cmd = base.cmd, root_dir = root, init_options = base.init_options }, { bufnr = args.buf })
      end
    end,
  })
end

--- Configures and (unless `enable = false`) enables the language server.
---@param opts? semnav.Options
function M.setup(opts)
  config.set(opts)
  M._init()
  local cfg = overrides()
  if vim.lsp.config and vim.lsp.enable then
    vim.lsp.config("semnav", cfg)
    if config.options.enable then
      vim.lsp.enable("semnav")
    end
  elseif not lspconfig_setup(cfg) and config.options.enable then
    manual_setup(cfg)
  end
end

--- Changes server settings at run time (workspace/didChangeConfiguration);
--- e.g. `require("semnav").configure({ hover = false })`.
---@param settings semnav.ServerSettings
function M.configure(settings)
  config.options.server = vim.tbl_deep_extend("force", config.options.server or {}, settings)
  if vim.lsp.config then
    vim.lsp.config("semnav", overrides())
  end
  for _, c in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = clients.name })) do
    clients.notify(c, "workspace/didChangeConfiguration", { settings = { semnav = config.server_settings() } })
  end
end

-- ---------------------------------------------------------------------------
-- Code lenses
-- ---------------------------------------------------------------------------

--- Whether this Neovim has vim.lsp.codelens.enable (0.12+), which keeps the
--- lenses fresh by itself and deprecates refresh().
local function has_enable_api()
  return vim.lsp.codelens.enable ~= nil
end

--- Refreshes the lenses of one buffer, with whichever API this Neovim has.
--- `force`: ask again even where Neovim refreshes by itself (the index changed
--- under the buffer).
---@param bufnr integer
---@param force? boolean
function M.refresh_codelens(bufnr, force)
  if not vim.api.nvim_buf_is_valid(bufnr) or not clients.get_attached(bufnr) then
    return
  end
  local codelens = vim.lsp.codelens
  if has_enable_api() then
    local on = codelens.is_enabled and codelens.is_enabled({ bufnr = bufnr })
    if on and force then
      pcall(codelens.enable, false, { bufnr = bufnr })
      on = false
    end
    if not on then
      pcall(codelens.enable, true, { bufnr = bufnr })
    end
  elseif vim.fn.has("nvim-0.10") == 1 then
    codelens.refresh({ bufnr = bufnr })
  elseif bufnr == vim.api.nvim_get_current_buf() then
    codelens.refresh() -- 0.9: the current buffer only
  end
end

--- Every buffer attached to a semnav client.
local function attached_buffers(client_id)
  local bufs = {}
  for _, c in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = clients.name, id = client_id })) do
    for bufnr in pairs(c.attached_buffers or {}) do
      bufs[#bufs + 1] = bufnr
    end
  end
  return bufs
end

local lens_group

--- Buffer-local autocmds that keep the lenses fresh.
---@param bufnr integer
local function watch_codelens(bufnr)
  lens_group = lens_group or vim.api.nvim_create_augroup("semnav.codelens", { clear = true })
  vim.api.nvim_clear_autocmds({ group = lens_group, buffer = bufnr })
  if has_enable_api() then
    -- Neovim refreshes enabled lenses itself.
    M.refresh_codelens(bufnr)
    return
  end
  vim.api.nvim_create_autocmd(config.options.codelens_events, {
    group = lens_group,
    buffer = bufnr,
    desc = "semnav: refresh code lenses",
    callback = function(args)
      M.refresh_codelens(args.buf)
    end,
  })
  M.refresh_codelens(bufnr)
end

--- The server asks for a lens refresh when indexing ends; Neovim versions
--- without a handler for workspace/codeLens/refresh get this one.
local function on_lens_refresh(_, _, ctx)
  for _, bufnr in ipairs(attached_buffers(ctx.client_id)) do
    M.refresh_codelens(bufnr, true)
  end
  return vim.NIL
end

-- ---------------------------------------------------------------------------
-- Attaching
-- ---------------------------------------------------------------------------

---@param client vim.lsp.Client
---@param bufnr integer
function M.on_attach(client, bufnr)
  if client.handlers and not client.handlers[LENS_REFRESH] and not vim.lsp.handlers[LENS_REFRESH] then
    client.handlers[LENS_REFRESH] = on_lens_refresh
  end
  local caps = client.server_capabilities or {}
  if config.options.codelens and caps.codeLensProvider then
    watch_codelens(bufnr)
  end
end

-- ---------------------------------------------------------------------------
-- Progress
-- ---------------------------------------------------------------------------

---@type table<integer, {title?: string, message?: string, percentage?: integer, done: boolean}>
M.progress = {}

local function on_progress(args)
  local data = args.data or {}
  local c = data.client_id and vim.lsp.get_client_by_id(data.client_id)
  if not c or c.name ~= clients.name then
    return
  end
  local value = data.params and data.params.value
  if type(value) ~= "table" or not value.kind then
    return
  end
  local state = M.progress[c.id] or { done = true }
  M.progress[c.id] = state
  if value.kind == "begin" then
    state.title, state.message, state.percentage, state.done = value.title, value.message, value.percentage, false
  elseif value.kind == "report" then
    state.message = value.message or state.message
    state.percentage = value.percentage or state.percentage
  elseif value.kind == "end" then
    state.message, state.percentage, state.done = value.message, 100, true
    -- The server also asks for a refresh (workspace/codeLens/refresh); this
    -- covers clients that ignore that request.
    for _, bufnr in ipairs(attached_buffers(c.id)) do
      M.refresh_codelens(bufnr)
    end
  end
  -- fidget.nvim and statuslines read $/progress themselves; without one,
  -- say when indexing starts and ends.
  if config.options.progress == "notify" and not package.loaded["fidget"] and value.kind ~= "report" then
    local text = value.kind == "begin" and ((value.title or "Indexing") .. "…") or (value.message or "done")
    vim.notify("semnav: " .. text, vim.log.levels.INFO)
  end
end

--- A short statusline component: "semnav 42%" while indexing, "" otherwise.
function M.statusline()
  for _, state in pairs(M.progress) do
    if not state.done then
      return string.format("semnav %d%%%%", state.percentage or 0)
    end
  end
  return ""
end

-- ---------------------------------------------------------------------------
-- Actions
-- ---------------------------------------------------------------------------

local function on_error(what, err)
  vim.notify("semnav: " .. what .. " failed: " .. clients.describe(err), vim.log.levels.ERROR)
end

--- The answer handler of semnav/search and semnav/findSimilar: shows the
--- hits (or says what failed) and hands them to `opts.callback`.
local function show_hits(action, kind, title, opts)
  return function(err, result)
    if err or not result then
      on_error(action, err or "no answer")
      return opts.callback and opts.callback(nil, err)
    end
    results.show(result.results, {
      kind = kind,
      title = title,
      indexing = result.indexing,
      picker = opts.picker or config.options.picker,
      open_quickfix = config.options.open_quickfix,
    })
    if opts.callback then
      opts.callback(result.results)
    end
  end
end

---@class semnav.SearchOpts
---@field limit? integer
---@field languages? string[]
---@field globs? string[]
---@field picker? string
---@field callback? fun(hits: table[]|nil, err: any)

--- Searches the workspace by meaning; results go to the quickfix list and a
--- picker.
---@param query string
---@param opts? semnav.SearchOpts
function M.search(query, opts)
  opts = opts or {}
  query = vim.trim(query or "")
  if query == "" then
    vim.ui.input({ prompt = "semnav search: " }, function(input)
      if input and vim.trim(input) ~= "" then
        M.search(input, opts)
      end
    end)
    return
  end
  local client = clients.require()
  if not client then
    return
  end
  local params = { query = query, limit = opts.limit or config.options.limit, languages = opts.languages, globs = opts.globs }
  clients.request(client, "semnav/search", params, show_hits("search", "search", "semnav: " .. query, opts))
end

---@class semnav.SimilarOpts
---@field bufnr? integer
---@field line1? integer  1-based first line of a range
---@field line2? integer  1-based last line of a range
---@field position? lsp.Position  instead of the cursor
---@field limit? integer
---@field picker? string
---@field callback? fun(hits: table[]|nil, err: any)

--- Code similar to the chunk at the cursor (or the given range / position),
--- computed from the current buffer text, unsaved edits included.
---@param opts? semnav.SimilarOpts
function M.similar(opts)
  opts = opts or {}
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local client = clients.get_attached(bufnr)
  if not client then
    vim.notify("semnav: the language server is not attached to this buffer", vim.log.levels.WARN)
    return
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, limit = opts.limit or config.options.limit }
  local line
  if opts.line1 and opts.line2 then
    params.range = { start = { line = opts.line1 - 1, character = 0 }, ["end"] = { line = opts.line2, character = 0 } }
    line = opts.line1
  elseif opts.position then
    params.position = opts.position
    line = opts.position.line + 1
  else
    local win = vim.fn.bufwinid(bufnr)
    params.position = vim.lsp.util.make_position_params(win ~= -1 and win or 0, clients.encoding(client)).position
    line = params.position.line + 1
  end
  local where = string.format("%s:%d", vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ":~:."), line)
  clients.request(client, "semnav/findSimilar", params, show_hits("find similar", "similar", "semnav: similar to " .. where, opts), bufnr)
end

local function human_bytes(n)
  n = tonumber(n) or 0
  local units = { "B", "KiB", "MiB", "GiB" }
  local i = 1
  while n >= 1024 and i < #units do
    n, i = n / 1024, i + 1
  end
  return i == 1 and string.format("%d B", n) or string.format("%.1f %s", n, units[i])
end

--- The status lines shown by :SemnavStatus.
function M.format_status(s)
  local lines = {
    "semnav status",
    "  root:     " .. tostring(s.root),
    "  index:    " .. tostring(s.indexDir),
    "  model:    " .. tostring(s.model),
    string.format("  files:    %s, chunks: %s, on disk: %s", tostring(s.files), tostring(s.chunks), human_bytes(s.diskBytes)),
  }
  if s.indexing or (tonumber(s.pendingEmbeddings) or 0) > 0 then
    lines[#lines + 1] = string.format("  indexing: %s, pending embeddings: %s", tostring(s.indexing), tostring(s.pendingEmbeddings))
  else
    lines[#lines + 1] = "  up to date"
  end
  if type(s.roots) == "table" and #s.roots > 1 then
    lines[#lines + 1] = "  roots:    " .. table.concat(s.roots, ", ")
  end
  return lines
end

--- Asks the server for its status; shows it unless a callback is given.
---@param callback? fun(status: table|nil, err: any)
function M.status(callback)
  local client = clients.require()
  if not client then
    return callback and callback(nil, "not running")
  end
  clients.request(client, "semnav/status", vim.empty_dict(), function(err, result)
    if callback then
      return callback(result, err)
    end
    if err then
      return on_error("status", err)
    end
    vim.notify(table.concat(M.format_status(result), "\n"), vim.log.levels.INFO)
  end)
end

--- Starts a full refresh of the index; progress follows through $/progress.
function M.reindex()
  local client = clients.require()
  if not client then
    return
  end
  clients.request(client, "semnav/reindex", vim.empty_dict(), function(err)
    if err then
      return on_error("reindex", err)
    end
    vim.notify("semnav: reindexing " .. tostring(client.root_dir or ""), vim.log.levels.INFO)
  end)
end

--- The handler of the lens command: `arguments = [uri, {line, character}]`.
---@param command lsp.Command
---@param ctx table
function M.show_similar_command(command, ctx)
  local args = command.arguments or {}
  local uri, position = args[1], args[2]
  if type(uri) ~= "string" then
    return vim.notify("semnav.showSimilar: no document given", vim.log.levels.WARN)
  end
  local bufnr = vim.uri_to_bufnr(uri)
  if ctx and ctx.bufnr and vim.uri_from_bufnr(ctx.bufnr) == uri then
    bufnr = ctx.bufnr
  end
  M.similar({ bufnr = bufnr, position = position or { line = 0, character = 0 } })
end

-- ---------------------------------------------------------------------------
-- Commands and autocmds (from plugin/semnav.lua, and setup())
-- ---------------------------------------------------------------------------

local initialized = false

function M._init()
  if initialized then
    return
  end
  initialized = true

  vim.lsp.commands["semnav.showSimilar"] = M.show_similar_command

  local cmd = vim.api.nvim_create_user_command
  cmd("SemnavSearch", function(args)
    M.search(args.args)
  end, { nargs = "*", desc = "semnav: search the workspace by meaning" })
  cmd("SemnavSimilar", function(args)
    if args.range > 0 then
      M.similar({ line1 = args.line1, line2 = args.line2 })
    else
      M.similar()
    end
  end, { range = true, desc = "semnav: code similar to the cursor's chunk or the range" })
  cmd("SemnavStatus", function()
    M.status()
  end, { nargs = 0, desc = "semnav: index and model status" })
  cmd("SemnavReindex", function()
    M.reindex()
  end, { nargs = 0, desc = "semnav: refresh the whole index" })

  local group = vim.api.nvim_create_augroup("semnav", { clear = true })
  vim.api.nvim_create_autocmd("LspAttach", {
    group = group,
    callback = function(args)
      local c = args.data and vim.lsp.get_client_by_id(args.data.client_id)
      if c and c.name == clients.name then
        M.on_attach(c, args.buf)
      end
    end,
  })
  vim.api.nvim_create_autocmd("LspDetach", {
    group = group,
    callback = function(args)
      local c = args.data and vim.lsp.get_client_by_id(args.data.client_id)
      if c and c.name == clients.name and lens_group then
        pcall(vim.api.nvim_clear_autocmds, { group = lens_group, buffer = args.buf })
      end
    end,
  })
  if vim.fn.exists("##LspProgress") == 1 then
    vim.api.nvim_create_autocmd("LspProgress", { group = group, callback = on_progress })
  end
  -- Clients that attached before this module was loaded.
  for _, c in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = clients.name })) do
    for bufnr in pairs(c.attached_buffers or {}) do
      M.on_attach(c, bufnr)
    end
  end
end

return M
