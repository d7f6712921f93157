-- :checkhealth semnav — the binary, the model, the index, the running server.
local M = {}

local health = vim.health
local clients = require("semnav.client")
local config = require("semnav.config")

local PROVISION = "`semnav provision` installs the model and ONNX Runtime"

--- The server command as Neovim will run it: vim.lsp.config (0.11+), else
--- setup()'s `cmd`, else lsp/semnav.lua.
local function server_cmd()
  if vim.lsp.config then
    local ok, cfg = pcall(function()
      return vim.lsp.config["semnav"]
    end)
    if ok and cfg and type(cfg.cmd) == "table" then
      return cfg.cmd, cfg
    end
  end
  if config.options.cmd then
    return config.options.cmd, nil
  end
  local ok, base = pcall(require("semnav").lsp_config)
  if ok then
    return base.cmd, base
  end
  return { "semnav", "lsp" }, nil
end

--- The server settings in effect: the resolved config's init_options, else setup()'s.
local function server_settings(cfg)
  local s = cfg and cfg.init_options
  if type(s) ~= "table" or vim.tbl_isempty(s) then
    s = config.options.server or {}
  end
  return s
end

local function run(argv, timeout_ms)
  local ok, obj = pcall(function()
    return vim.system(argv, { text = true }):wait(timeout_ms)
  end)
  if not ok then
    return nil, tostring(obj)
  end
  return obj
end

--- The workspace the index check looks at: a running client's root, else the
--- root the markers give for the current working directory, else the cwd.
local function workspace_root(cfg)
  local running = clients.get()
  if running and running.root_dir then
    return running.root_dir
  end
  local cwd = vim.fn.getcwd()
  local markers = cfg and cfg.root_markers
  if markers and vim.fs.root then
    return vim.fs.root(cwd, markers) or cwd
  end
  return cwd
end

-- `semnav <command> --json [extra…] [--model-dir …] [--model …] <root>`, with
-- the model settings the server is given.
local function cli_argv(path, command, settings, root, extra)
  local argv = { path, command, "--json" }
  vim.list_extend(argv, extra)
  if settings.modelDir then
    vim.list_extend(argv, { "--model-dir", vim.fn.expand(settings.modelDir) })
  end
  if settings.model then
    vim.list_extend(argv, { "--model", settings.model })
  end
  argv[#argv + 1] = root
  return argv
end

local function human_bytes(n)
  n = tonumber(n) or 0
  local units, i = { "B", "KiB", "MiB", "GiB" }, 1
  while n >= 1024 and i < #units do
    n, i = n / 1024, i + 1
  end
  return string.format(i == 1 and "%d %s" or "%.1f %s", n, units[i])
end

function M.check()
  health.start("semnav: Neovim")
  local v = vim.version()
  local version = string.format("%d.%d.%d", v.major, v.minor, v.patch)
  if vim.fn.has("nvim-0.11") == 1 then
    health.ok("Neovim " .. version)
  elseif vim.fn.has("nvim-0.10") == 1 then
    health.warn("Neovim " .. version .. ": vim.lsp.enable needs 0.11; use nvim-lspconfig or setup()")
  else
    health.error("Neovim " .. version .. " is too old: semnav needs 0.10+")
  end

  health.start("semnav: binary")
  local cmd, cfg = server_cmd()
  local bin = cmd[1]
  local path = vim.fn.exepath(bin)
  if path == "" then
    health.error(string.format("`%s` not found (cmd = %s)", bin, vim.inspect(cmd)), {
      "Build it: `cargo build --release` in the semnav repository, then put target/release on $PATH",
      "or set the full path: vim.lsp.config('semnav', { cmd = { '/path/to/semnav', 'lsp' } })",
    })
  else
    local obj, err = run({ path, "--version" }, 5000)
    if obj and obj.code == 0 then
      health.ok(string.format("%s (%s)", path, vim.trim(obj.stdout or "")))
    else
      health.error(string.format("%s --version failed: %s", path, obj and vim.trim(obj.stderr or "") or err))
    end
  end

  health.start("semnav: model")
  local settings = server_settings(cfg)
  local root = workspace_root(cfg)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local running = get({ name = clients.name })
  local status, live
  if path == "" then
    health.warn("skipped: the binary is missing")
  else
    local function status_json(index_dir)
      local argv = cli_argv(path, "status", settings, root, index_dir and { "--index-dir", index_dir } or {})
      local obj, err = run(argv, 15000)
      if not obj or obj.code ~= 0 then
        return nil, obj and vim.trim(obj.stderr or "") or err
      end
      local ok, decoded = pcall(vim.json.decode, obj.stdout or "")
      if not ok or type(decoded) ~= "table" then
        return nil, "cannot read its output: " .. tostring(obj.stdout)
      end
      return decoded
    end
    local err
    status, err = status_json(settings.indexDir and vim.fn.expand(settings.indexDir) or nil)
    if not status and tostring(err):find("in use by another semnav process", 1, true) then
      -- The running server holds the index: ask it for the counts, and the
      -- CLI (pointed at an empty index location) for the model only.
      for _, c in ipairs(running) do
        live = clients.request_sync(c, "semnav/status", vim.empty_dict(), 3000)
        if live then
          break
        end
      end
      local model_only = status_json(vim.fn.tempname())
      if model_only then
        status = { model = model_only.model, root = live and live.root or root, indexDir = live and live.indexDir, indexed = live ~= nil }
        if live then
          status.files, status.chunks, status.diskBytes = live.files, live.chunks, live.diskBytes
        end
        err = nil
      end
    end
    if not status then
      health.error("`semnav status --json " .. root .. "` failed: " .. tostring(err), { PROVISION })
    end
    -- ONNX Runtime and the model, loaded and run: what `semnav doctor` checks
    -- (the same report as in a terminal, with the fix for each).
    local obj, derr = run(cli_argv(path, "doctor", settings, root, {}), 30000)
    local ok, report = pcall(vim.json.decode, obj and obj.stdout or "")
    if not ok or type(report) ~= "table" or type(report.checks) ~= "table" then
      health.error("`semnav doctor --json` gave no report: " .. tostring(obj and vim.trim(obj.stderr or "") or derr), { PROVISION })
    else
      for _, c in ipairs(report.checks) do
        if c.name == "runtime" or c.name == "model" then
          local line = c.name .. ": " .. tostring(c.detail)
          local advice = type(c.fix) == "string" and { c.fix } or nil
          if c.state == "ok" then
            health.ok(line)
          elseif c.state == "warn" then
            health.warn(line, advice)
          else
            health.error(line, advice)
          end
        end
      end
    end
  end

  health.start("semnav: index")
  if status then
    health.info("workspace: " .. tostring(status.root))
    health.info("location: " .. tostring(status.indexDir) .. (live and " (in use by the running server)" or ""))
    if status.indexed then
      health.ok(string.format("%s files, %s chunks, %s on disk", tostring(status.files), tostring(status.chunks), human_bytes(status.diskBytes)))
      local stale = status.stale
      if type(stale) == "table" and ((stale.new or 0) + (stale.changed or 0) + (stale.removed or 0)) > 0 then
        health.info(string.format("on disk since the last refresh: %d new, %d changed, %d removed (the server refreshes them)", stale.new or 0, stale.changed or 0, stale.removed or 0))
      end
    else
      health.warn("no index yet: the language server builds it when it starts (or run `semnav index " .. tostring(status.root) .. "`)")
    end
  else
    health.warn("unknown: `semnav status` gave no answer")
  end

  health.start("semnav: language server")
  if #running == 0 then
    local enabled = vim.lsp.is_enabled and vim.lsp.is_enabled("semnav")
    health.info("not running" .. (enabled and " (enabled: it starts with a file inside a project)" or ""), {
      "Enable it: vim.lsp.enable('semnav') (Neovim 0.11+) or require('semnav').setup()",
      "It starts for buffers of a supported filetype inside a project (.git, Cargo.toml, package.json, …)",
    })
  end
  for _, c in ipairs(running) do
    local s, err = clients.request_sync(c, "semnav/status", vim.empty_dict(), 3000)
    if s then
      health.ok(string.format("client %d: root %s, index %s, %s files, %s chunks%s", c.id, tostring(s.root), tostring(s.indexDir), tostring(s.files), tostring(s.chunks), (s.indexing or (tonumber(s.pendingEmbeddings) or 0) > 0) and string.format(" (indexing, %s embeddings pending)", tostring(s.pendingEmbeddings)) or ""))
    else
      health.warn(string.format("client %d does not answer semnav/status: %s", c.id, clients.describe(err)))
    end
  end

  health.start("semnav: pickers")
  local found = {}
  for _, mod in ipairs({ "telescope", "fzf-lua", "snacks" }) do
    if pcall(require, mod) then
      found[#found + 1] = mod
    end
  end
  if #found > 0 then
    health.ok("results also open in: " .. table.concat(found, ", ") .. " (picker = " .. tostring(config.options.picker) .. ")")
  else
    health.info("no Telescope, fzf-lua or snacks.nvim: results go to the quickfix list and vim.ui.select")
  end
end

return M
