-- End-to-end tests of the Neovim integration against the real semnav server
-- and the real embedding model. Run through test/run.sh:
--
--   nvim --headless --clean -l test/semnav_test.lua TMPDIR
--
-- Env: SEMNAV_BIN (the server binary). Prints "N passed, M failed" last and
-- exits non-zero when anything failed.

local TMP = assert(arg[1], "usage: nvim --headless --clean -l semnav_test.lua TMPDIR")
local HERE = vim.fs.dirname(vim.fs.normalize(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p")))
local PLUGIN = vim.fs.dirname(HERE)
local REPO = vim.fs.dirname(vim.fs.dirname(PLUGIN))
local started = vim.uv.hrtime()

-- ---------------------------------------------------------------------------
-- A tiny test harness
-- ---------------------------------------------------------------------------

local passed, failed = 0, 0

local function log(...)
  io.stdout:write(string.format(...) .. "\n")
  io.stdout:flush()
end

local function elapsed()
  return string.format("%.1fs", (vim.uv.hrtime() - started) / 1e9)
end

--- Runs one test; an error (or a failed assert) fails it.
local function test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    passed = passed + 1
    log("ok   %s  [%s]", name, elapsed())
  else
    failed = failed + 1
    log("FAIL %s  [%s]\n     %s", name, elapsed(), tostring(err):gsub("\n", "\n     "))
  end
end

local function finish(code)
  for _, c in ipairs(vim.lsp.get_clients({ name = "semnav" })) do
    c:stop()
  end
  vim.wait(2000, function()
    return #vim.lsp.get_clients({ name = "semnav" }) == 0
  end, 50)
  log("%d passed, %d failed", passed, failed)
  os.exit(code or (failed == 0 and 0 or 1))
end

--- Aborts the whole run: the rest cannot work.
local function abort(msg)
  failed = failed + 1
  log("FAIL %s", msg)
  finish(1)
end

local function eq(want, got, what)
  if not vim.deep_equal(want, got) then
    error(string.format("%s: want %s, got %s", what or "value", vim.inspect(want), vim.inspect(got)), 2)
  end
end

local function check(cond, msg, ...)
  if not cond then
    error(string.format(msg, ...), 2)
  end
end

--- Waits for cond() to be truthy; errors with `what` after timeout_ms.
local function wait_for(what, timeout_ms, cond)
  local value
  local ok = vim.wait(timeout_ms, function()
    value = cond()
    return value and true or false
  end, 50)
  if not ok then
    error("timed out after " .. timeout_ms .. " ms waiting for " .. what, 2)
  end
  return value
end

-- ---------------------------------------------------------------------------
-- Neovim set-up: the plugin on the runtimepath, pickers stubbed
-- ---------------------------------------------------------------------------

vim.opt.runtimepath:prepend(PLUGIN)
vim.cmd("filetype on")
vim.o.swapfile = false
vim.o.shortmess = vim.o.shortmess .. "F"
vim.cmd("runtime plugin/semnav.lua")

-- Record notifications and vim.ui.select calls (the default ones would
-- print or wait for input).
local notes = {}
vim.notify = function(msg, level)
  notes[#notes + 1] = { msg = tostring(msg), level = level }
end
local selects = {}
vim.ui.select = function(items, opts, on_choice)
  selects[#selects + 1] = { items = items, opts = opts }
  on_choice(nil, nil)
end

-- Results: every User SemnavResults event.
local events = {}
vim.api.nvim_create_autocmd("User", {
  pattern = "SemnavResults",
  callback = function(args)
    events[#events + 1] = args.data
  end,
})

--- Runs fn (which should lead to one SemnavResults event) and returns the event.
local function results_of(what, fn)
  local before = #events
  fn()
  return wait_for(what .. " results", 30000, function()
    return events[before + 1]
  end)
end

-- Progress as Neovim sees it ($/progress → LspProgress).
local progress = {}
vim.api.nvim_create_autocmd("LspProgress", {
  callback = function(args)
    local c = vim.lsp.get_client_by_id(args.data.client_id)
    local value = args.data.params.value
    if c and c.name == "semnav" and type(value) == "table" then
      progress[#progress + 1] = value
    end
  end,
})

-- ---------------------------------------------------------------------------
-- Unit tests: no server needed
-- ---------------------------------------------------------------------------

test("hits become quickfix items (whole-line ranges, labels, URIs)", function()
  local results = require("semnav.results")
  local items = results.to_items({
    { uri = "file:///w/a.rs", range = { start = { line = 4, character = 0 }, ["end"] = { line = 9, character = 0 } },
      score = 0.8123, kind = "method", name = "load", container = "Config", language = "rust", preview = "\n  fn load() {\n}" },
    { uri = "file:///w/b.py", range = { start = { line = 0, character = 0 }, ["end"] = { line = 0, character = 12 } },
      score = 0.5, kind = "block", name = vim.NIL, language = "python", preview = "import os" },
    { uri = "untitled:Untitled-1", range = { start = { line = 2, character = 0 }, ["end"] = { line = 3, character = 0 } },
      score = 0.4, kind = "function", name = "f", language = "javascript", preview = "function f() {}" },
  })
  eq("/w/a.rs", items[1].filename, "filename")
  eq(5, items[1].lnum, "lnum")
  eq(9, items[1].end_lnum, "end_lnum (the range ends at the start of line 10)")
  eq("0.81 method Config.load │ fn load() {", items[1].text, "text")
  eq(1, items[2].end_lnum, "a range ending inside its line")
  eq("0.50 block  │ import os", items[2].text, "text without a name")
  check(items[3].bufnr and not items[3].filename, "a non-file URI gets a buffer: %s", vim.inspect(items[3]))
end)

test("picker = auto takes the first installed picker, else vim.ui.select", function()
  local results = require("semnav.results")
  local opened = {}
  local function stub(mod, fields)
    package.loaded[mod] = fields
  end
  local function unstub()
    package.loaded["telescope.builtin"], package.loaded["fzf-lua"], package.loaded["snacks"] = nil, nil, nil
  end
  local items = { { filename = "/w/a.rs", lnum = 1, text = "x" } }
  stub("snacks", { picker = { qflist = function() opened[#opened + 1] = "snacks" end } })
  eq("snacks", results.open_picker("auto", "t", items), "only snacks")
  stub("fzf-lua", { quickfix = function() opened[#opened + 1] = "fzf-lua" end })
  eq("fzf-lua", results.open_picker("auto", "t", items), "fzf-lua before snacks")
  eq("snacks", results.open_picker("snacks", "t", items), "asked for snacks")
  unstub()
  local n = #selects
  eq("select", results.open_picker("auto", "t", items), "none installed")
  eq(n + 1, #selects, "vim.ui.select calls")
  eq("select", results.open_picker("telescope", "t", items), "asked for a missing one")
  eq({ "snacks", "fzf-lua", "snacks" }, opened, "pickers opened")
end)

test("server settings: {} stays an object, ~ is expanded", function()
  local config = require("semnav.config")
  config.set({})
  eq("{}", vim.json.encode(config.server_settings()), "empty settings")
  config.set({ server = { indexDir = "~/idx", hover = false } })
  local s = config.server_settings()
  eq(vim.fs.normalize("~") .. "/idx", s.indexDir, "indexDir")
  eq(false, s.hover, "hover")
  eq("~/idx", config.options.server.indexDir, "the options themselves are not changed")
  config.set({})
end)

test("setup() registers with legacy nvim-lspconfig when vim.lsp.config is missing", function()
  local registered, setup_with
  package.loaded["lspconfig.configs"] = setmetatable({}, {
    __newindex = function(t, k, v)
      registered = v
      rawset(t, k, v)
    end,
  })
  package.loaded["lspconfig.util"] = { root_pattern = function(...) return { ... } end }
  package.loaded["lspconfig"] = { semnav = { setup = function(cfg) setup_with = cfg end } }
  local saved = vim.lsp.config
  rawset(vim.lsp, "config", nil)
  local ok, err = pcall(require("semnav").setup, { cmd = { "/opt/semnav", "lsp" }, server = { hover = false } })
  rawset(vim.lsp, "config", saved)
  package.loaded["lspconfig.configs"], package.loaded["lspconfig.util"], package.loaded["lspconfig"] = nil, nil, nil
  check(ok, "setup failed: %s", tostring(err))
  check(registered, "nothing registered in lspconfig.configs")
  eq("semnav", registered.default_config.cmd[1], "default cmd")
  check(vim.tbl_contains(registered.default_config.root_dir, ".git"), "root_dir markers: %s", vim.inspect(registered.default_config.root_dir))
  eq("/opt/semnav", setup_with.cmd[1], "cmd given to lspconfig")
  eq(false, setup_with.init_options.hover, "init_options given to lspconfig")
  require("semnav.config").set({})
end)

test("lenses on Neovim with vim.lsp.codelens.enable (0.12+) use it instead of refresh()", function()
  local semnav, clients = require("semnav"), require("semnav.client")
  local codelens = vim.lsp.codelens
  local saved = { enable = codelens.enable, is_enabled = codelens.is_enabled, refresh = codelens.refresh, get_attached = clients.get_attached }
  local calls, on = {}, false
  codelens.enable = function(v, f) calls[#calls + 1] = { "enable", v, f.bufnr } on = v end
  codelens.is_enabled = function() return on end
  codelens.refresh = function() calls[#calls + 1] = { "refresh" } end
  clients.get_attached = function() return {} end
  local buf = vim.api.nvim_get_current_buf()
  local ok, err = pcall(function()
    semnav.refresh_codelens(buf)
    semnav.refresh_codelens(buf)
    semnav.refresh_codelens(buf, true)
  end)
  codelens.enable, codelens.is_enabled, codelens.refresh, clients.get_attached = saved.enable, saved.is_enabled, saved.refresh, saved.get_attached
  check(ok, tostring(err))
  eq({ { "enable", true, buf }, { "enable", false, buf }, { "enable", true, buf } }, calls, "calls")
end)

test("statusline shows indexing progress", function()
  local semnav = require("semnav")
  semnav.progress[999] = { percentage = 42, done = false }
  eq("semnav 42%%", semnav.statusline(), "while indexing")
  semnav.progress[999].done = true
  eq("", semnav.statusline(), "done")
  semnav.progress[999] = nil
end)

-- ---------------------------------------------------------------------------
-- The server binary and the fixture workspace
-- ---------------------------------------------------------------------------

local BIN = vim.env.SEMNAV_BIN
if not BIN or BIN == "" then
  BIN = REPO .. "/target/debug/semnav"
end
if vim.fn.executable(BIN) ~= 1 then
  abort("semnav binary not found at " .. BIN .. ": run `cargo build --workspace` in " .. REPO .. " (or set SEMNAV_BIN)")
end

-- Targets are named with no word of the queries that should find them.
local FIXTURE = {
  ["src/config.rs"] = [[
use std::fs;
use std::path::Path;

pub struct Settings {
    pub port: u16,
    pub verbose: bool,
}

pub fn load_config(path: &Path) -> Result<Settings, String> {
    let text = fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut settings = Settings { port: 8080, verbose: false };
    for line in text.lines() {
        if let Some((key, value)) = line.split_once('=') {
            match key.trim() {
                "port" => settings.port = value.trim().parse().map_err(|_| "bad port".to_string())?,
                "verbose" => settings.verbose = value.trim() == "true",
                _ => {}
            }
        }
    }
    Ok(settings)
}

pub fn clamp_percent(value: i64) -> u8 {
    if value < 0 {
        0
    } else if value > 100 {
        100
    } else {
        value as u8
    }
}
]],
  ["src/text.rs"] = [[
pub fn to_slug(title: &str) -> String {
    let lowered = title.to_lowercase();
    let mut out = String::new();
    for c in lowered.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

pub fn count_vowels(word: &str) -> usize {
    word.chars().filter(|c| "aeiouAEIOU".contains(*c)).count()
}
]],
  ["app/net.py"] = [[
import hashlib
import time
import urllib.request


def fetch_with_backoff(url, attempts=5):
    delay = 0.5
    for attempt in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read()
        except OSError:
            if attempt == attempts - 1:
                raise
            time.sleep(delay)
            delay *= 2


def sha256_of_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(65536), b""):
            digest.update(block)
    return digest.hexdigest()
]],
  ["web/strings.js"] = [[
export function slugify(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export function debounce(fn, waitMs) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), waitMs);
  };
}
]],
}

-- The new function typed into src/config.rs, never saved: slug code, like
-- to_slug (src/text.rs) and slugify (web/strings.js).
local UNSAVED = {
  "",
  "pub fn url_segment(heading: &str) -> String {",
  "    let mut segment = String::new();",
  "    for ch in heading.to_lowercase().chars() {",
  "        if ch.is_ascii_alphanumeric() {",
  "            segment.push(ch);",
  "        } else if !segment.ends_with('-') {",
  "            segment.push('-');",
  "        }",
  "    }",
  "    segment.trim_matches('-').to_string()",
  "}",
}

local WS = vim.fs.normalize(TMP .. "/workspace")
local INDEX_DIR = vim.fs.normalize(TMP .. "/index")
vim.fn.mkdir(WS .. "/.git", "p") -- the root marker
for rel, text in pairs(FIXTURE) do
  local path = WS .. "/" .. rel
  vim.fn.mkdir(vim.fs.dirname(path), "p")
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

--- 1-based line of the first line of `rel` containing `needle`.
local function line_of(rel, needle)
  local n = 0
  for line in (FIXTURE[rel] .. "\n"):gmatch("(.-)\n") do
    n = n + 1
    if line:find(needle, 1, true) then
      return n
    end
  end
  error("fixture " .. rel .. " has no " .. needle)
end

-- Is the model installed? Without it nothing below can work: say so.
do
  local obj = vim.system({ BIN, "status", "--json", "--index-dir", INDEX_DIR, WS }, { text = true }):wait(20000)
  local ok, st = pcall(vim.json.decode, obj.stdout or "")
  if obj.code ~= 0 or not ok then
    abort("`semnav status --json` failed: " .. (obj.stderr or ""))
  end
  if tostring(st.model):find("not usable", 1, true) then
    abort("the embedding model is not installed: " .. st.model .. " (run `semnav provision`)")
  end
end

vim.cmd.cd(WS)

require("semnav").setup({
  cmd = { BIN, "lsp" },
  server = { indexDir = INDEX_DIR, debounceMs = 50 },
})

local client, bufnr

--- The fixture file's buffer, and the semnav client attached to it.
local function open(rel)
  vim.cmd.edit(vim.fn.fnameescape(WS .. "/" .. rel))
  local buf = vim.api.nvim_get_current_buf()
  local c = wait_for("semnav to attach to " .. rel, 20000, function()
    return vim.lsp.get_clients({ name = "semnav", bufnr = buf })[1]
  end)
  return buf, c
end

local function status_sync(c)
  local resp, err = c:request_sync("semnav/status", vim.empty_dict(), 10000)
  check(resp and not resp.err, "semnav/status failed: %s", vim.inspect(err or (resp and resp.err)))
  return resp.result
end

local function wait_indexed(c, timeout_ms)
  local last
  local ok = vim.wait(timeout_ms, function()
    last = status_sync(c)
    return last.indexing == false and last.pendingEmbeddings == 0 and (last.files or 0) > 0
  end, 200)
  check(ok, "index not ready after %d ms; last status: %s", timeout_ms, vim.inspect(last))
  return last
end

-- ---------------------------------------------------------------------------
-- Tests
-- ---------------------------------------------------------------------------

test("lsp/semnav.lua is a vim.lsp.Config that setup() extends", function()
  local cfg = vim.lsp.config["semnav"]
  check(cfg, "vim.lsp.config.semnav is nil")
  eq(BIN, cfg.cmd[1], "cmd[1]")
  eq("lsp", cfg.cmd[2], "cmd[2]")
  check(vim.tbl_contains(cfg.filetypes, "rust") and vim.tbl_contains(cfg.filetypes, "python"), "filetypes: %s", vim.inspect(cfg.filetypes))
  check(vim.tbl_contains(cfg.root_markers, ".git"), "root markers: %s", vim.inspect(cfg.root_markers))
  eq(INDEX_DIR, cfg.init_options.indexDir, "init_options.indexDir")
  local raw = dofile(PLUGIN .. "/lsp/semnav.lua")
  eq("semnav", raw.cmd[1], "the file's own cmd")
  check(vim.lsp.is_enabled("semnav"), "setup() did not enable semnav")
end)

test("the server starts at the workspace root and indexes it", function()
  bufnr, client = open("src/config.rs")
  eq(WS, client.root_dir, "root_dir")
  local st = wait_indexed(client, 60000)
  eq(WS, vim.fs.normalize(st.root), "status.root")
  check(vim.startswith(vim.fs.normalize(st.indexDir), INDEX_DIR), "index outside indexDir: %s", st.indexDir)
  eq(4, st.files, "files indexed")
  check(st.chunks >= 8, "chunks: %s", st.chunks)
end)

if not client then
  abort("no semnav client: the remaining tests need one")
end

test("$/progress reaches LspProgress and vim.lsp.status()", function()
  wait_for("a progress end", 10000, function()
    for _, v in ipairs(progress) do
      if v.kind == "end" then
        return true
      end
    end
  end)
  local kinds = {}
  for _, v in ipairs(progress) do
    kinds[v.kind] = true
  end
  check(kinds.begin and kinds["end"], "progress kinds: %s", vim.inspect(progress))
  local s = vim.lsp.status()
  check(s:find("Indexing", 1, true), "vim.lsp.status() = %q", s)
  local said = vim.tbl_filter(function(n)
    return n.msg:find("semnav: Indexing", 1, true)
  end, notes)
  check(#said > 0, "no start-of-indexing notification: %s", vim.inspect(notes))
end)

test(":SemnavSearch puts the right function first in the quickfix list", function()
  local ev = results_of("search", function()
    vim.cmd("SemnavSearch read settings from disk")
  end)
  eq("search", ev.kind, "event kind")
  local qf = vim.fn.getqflist({ title = 1, items = 1 })
  eq("semnav: read settings from disk", qf.title, "quickfix title")
  check(#qf.items > 0, "empty quickfix list")
  local first = qf.items[1]
  eq(vim.fn.bufnr(WS .. "/src/config.rs"), first.bufnr, "file of the first result (" .. vim.api.nvim_buf_get_name(first.bufnr) .. ")")
  eq(line_of("src/config.rs", "pub fn load_config"), first.lnum, "line of the first result")
  check(first.text:find("load_config", 1, true), "entry text: %s", first.text)
  check(first.end_lnum >= line_of("src/config.rs", "Ok(settings)"), "end_lnum %d", first.end_lnum)
  -- No picker plugin installed: vim.ui.select shows them.
  eq("select", ev.picker, "picker")
  eq(#qf.items, #selects[#selects].items, "items offered to vim.ui.select")
end)

test(":SemnavSearch finds Python and JavaScript targets by meaning", function()
  local cases = {
    { "ask a remote server for a resource, sleeping between tries", "app/net.py", "def fetch_with_backoff" },
    { "turn a headline into text usable in a URL", nil, nil },
  }
  for _, case in ipairs(cases) do
    results_of("search", function()
      vim.cmd("SemnavSearch " .. case[1])
    end)
    local first = vim.fn.getqflist()[1]
    check(first, "no results for %q", case[1])
    local file = vim.api.nvim_buf_get_name(first.bufnr)
    if case[2] then
      eq(WS .. "/" .. case[2], file, "file for " .. case[1])
      eq(line_of(case[2], case[3]), first.lnum, "line for " .. case[1])
    else
      -- Two slug functions: either is right.
      local ok = (file == WS .. "/web/strings.js" and first.lnum == line_of("web/strings.js", "function slugify"))
        or (file == WS .. "/src/text.rs" and first.lnum == line_of("src/text.rs", "fn to_slug"))
      check(ok, "first result for %q: %s:%d %s", case[1], file, first.lnum, first.text)
    end
  end
end)

test(":SemnavSimilar on an unsaved new function finds the similar code elsewhere", function()
  vim.api.nvim_set_current_buf(bufnr)
  local at = vim.api.nvim_buf_line_count(bufnr)
  vim.api.nvim_buf_set_lines(bufnr, at, at, false, UNSAVED)
  check(vim.bo[bufnr].modified, "the buffer should be modified")
  local fn_line = at + 2 -- UNSAVED[2] is the signature
  vim.api.nvim_win_set_cursor(0, { fn_line + 3, 8 })
  local ev = results_of("similar", function()
    vim.cmd("SemnavSimilar")
  end)
  eq("similar", ev.kind, "event kind")
  local names = {}
  for _, hit in ipairs(ev.hits) do
    names[#names + 1] = tostring(hit.name)
    check(hit.name ~= "url_segment", "findSimilar returned the query chunk: %s", vim.inspect(hit))
  end
  check(#names > 0, "no similar code found")
  check(names[1] == "to_slug" or names[1] == "slugify", "first similar: %s (all: %s)", names[1], table.concat(names, ", "))
  check(vim.tbl_contains(names, "to_slug") and vim.tbl_contains(names, "slugify"), "similar: %s", table.concat(names, ", "))
  local qf = vim.fn.getqflist()
  eq(#ev.hits, #qf, "quickfix entries")
  -- Never written to disk.
  check(not vim.fn.readfile(WS .. "/src/config.rs")[at + 2], "the fixture file changed on disk")
  check(vim.bo[bufnr].modified, "the buffer was saved")

  -- The same through a visual range over the new function.
  local ev2 = results_of("similar (range)", function()
    vim.cmd(string.format("%d,%dSemnavSimilar", fn_line, fn_line + 10))
  end)
  check(ev2.hits[1] and (ev2.hits[1].name == "to_slug" or ev2.hits[1].name == "slugify"), "range: first similar %s", vim.inspect(ev2.hits[1]))
end)

test("hover shows a Similar code section", function()
  vim.api.nvim_set_current_buf(bufnr)
  vim.api.nvim_win_set_cursor(0, { line_of("src/config.rs", "pub fn load_config"), 8 })
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local answers = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", params, 10000)
  local text
  for _, a in pairs(answers or {}) do
    if a.result and a.result.contents then
      local c = a.result.contents
      text = type(c) == "table" and (c.value or vim.inspect(c)) or tostring(c)
    end
  end
  check(text, "no hover: %s", vim.inspect(answers))
  check(text:find("Similar code", 1, true), "hover text: %s", text)
end)

test("code lenses resolve to 'N similar' and run semnav.showSimilar", function()
  local uri = vim.uri_from_bufnr(bufnr)
  local resp = client:request_sync("textDocument/codeLens", { textDocument = { uri = uri } }, 10000, bufnr)
  check(resp and resp.result and #resp.result > 0, "no code lenses: %s", vim.inspect(resp))
  local want = line_of("src/config.rs", "pub fn load_config") - 1
  local lens
  for _, l in ipairs(resp.result) do
    if l.range.start.line == want then
      lens = l
    end
  end
  check(lens, "no lens on load_config (line %d): %s", want, vim.inspect(resp.result))
  local resolved = client:request_sync("codeLens/resolve", lens, 10000, bufnr)
  check(resolved and resolved.result and resolved.result.command, "resolve: %s", vim.inspect(resolved))
  local command = resolved.result.command
  check(command.title:match("^%d+ similar$"), "lens title %q", command.title)
  eq("semnav.showSimilar", command.command, "lens command")
  check(vim.lsp.commands["semnav.showSimilar"], "no client command handler for semnav.showSimilar")
  -- The server asks for a lens refresh after indexing: someone must answer.
  local refresh = "workspace/codeLens/refresh"
  check(vim.lsp.handlers[refresh] or client.handlers[refresh], "no handler for %s", refresh)

  -- The built-in display: refreshed by the plugin's autocmds.
  vim.api.nvim_exec_autocmds("CursorHold", { buffer = bufnr })
  local shown = wait_for("resolved lenses in the buffer", 15000, function()
    for _, l in ipairs(vim.lsp.codelens.get(bufnr)) do
      if l.command and l.command.title:match("^%d+ similar$") then
        return l
      end
    end
  end)

  -- Running the lens: findSimilar at its line.
  local ev = results_of("lens command", function()
    vim.lsp.commands["semnav.showSimilar"](shown.command, { bufnr = bufnr, client_id = client.id })
  end)
  eq("similar", ev.kind, "event kind")
  check(ev.title:find("config.rs:" .. (shown.command.arguments[2].line + 1), 1, true), "title %q", ev.title)
end)

test(":SemnavStatus and :SemnavReindex", function()
  local before = #notes
  vim.cmd("SemnavStatus")
  local note = wait_for("status notification", 10000, function()
    for i = before + 1, #notes do
      if notes[i].msg:find("semnav status", 1, true) then
        return notes[i].msg
      end
    end
  end)
  check(note:find(INDEX_DIR, 1, true) and note:find("files:    4", 1, true), "status: %s", note)

  local ends = #vim.tbl_filter(function(v)
    return v.kind == "end"
  end, progress)
  vim.cmd("SemnavReindex")
  wait_for("reindex progress end", 30000, function()
    return #vim.tbl_filter(function(v)
      return v.kind == "end"
    end, progress) > ends
  end)
  wait_indexed(client, 30000)
end)

test("a picker plugin, when installed, gets the results", function()
  local opened
  package.loaded["telescope.builtin"] = {
    quickfix = function()
      opened = vim.fn.getqflist({ title = 1 }).title
    end,
  }
  local ev = results_of("search", function()
    vim.cmd("SemnavSearch checksum of a document's bytes")
  end)
  package.loaded["telescope.builtin"] = nil
  eq("telescope", ev.picker, "picker")
  eq("semnav: checksum of a document's bytes", opened, "what telescope showed")
  eq(line_of("app/net.py", "def sha256_of_file"), vim.fn.getqflist()[1].lnum, "line of the checksum function")
end)

test(":checkhealth semnav reports the binary, the model and the index", function()
  vim.cmd("silent checkhealth semnav")
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  vim.cmd("bwipeout!")
  check(text:find("semnav 0.", 1, true), "no version:\n%s", text)
  check(text:find("model: all-MiniLM", 1, true), "no model:\n%s", text)
  check(text:find("loads, 384 dimensions", 1, true), "the model was not run through `semnav doctor`:\n%s", text)
  check(text:find("runtime: ONNX Runtime", 1, true), "no ONNX Runtime:\n%s", text)
  check(text:find(INDEX_DIR, 1, true), "no index location:\n%s", text)
  check(text:find("4 files", 1, true), "no counts:\n%s", text)
  check(not text:find("ERROR", 1, true), "errors:\n%s", text)
end)

finish()
