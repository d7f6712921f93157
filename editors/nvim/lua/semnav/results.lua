-- Showing hits: the quickfix list always, then a picker.
local M = {}

--- The first non-blank line of a preview, trimmed and on one line.
local function one_line(s)
  for line in tostring(s or ""):gmatch("[^\r\n]+") do
    local t = vim.trim(line)
    if t ~= "" then
      return t
    end
  end
  return ""
end

--- A hit's label: `Container.name`, or its kind alone.
function M.label(hit)
  if hit.name and hit.name ~= vim.NIL then
    if hit.container and hit.container ~= vim.NIL and hit.container ~= "" then
      return hit.container .. "." .. hit.name
    end
    return hit.name
  end
  return ""
end

--- Hits to quickfix items. Ranges are whole lines: `end` is the start of the
--- line after the last one (or a position inside the last line).
---@param hits table[]
---@return vim.quickfix.entry[]
function M.to_items(hits)
  local items = {}
  for _, hit in ipairs(hits or {}) do
    local start = hit.range.start
    local stop = hit.range["end"]
    local last = stop.line
    if stop.character == 0 and stop.line > start.line then
      last = stop.line - 1
    end
    local item = {
      lnum = start.line + 1,
      end_lnum = last + 1,
      col = 1,
      text = string.format("%.2f %s %s │ %s", hit.score or 0, hit.kind or "", M.label(hit), one_line(hit.preview)),
      user_data = hit,
    }
    if hit.uri:match("^file:") then
      item.filename = vim.uri_to_fname(hit.uri)
    else
      item.bufnr = vim.uri_to_bufnr(hit.uri)
    end
    items[#items + 1] = item
  end
  return items
end

--- A picker that shows the quickfix list through the plugin `module`:
--- `show(plugin)` opens it, or returns false when this plugin cannot.
local function quickfix_picker(name, module, show)
  return {
    name = name,
    open = function()
      local ok, plugin = pcall(require, module)
      if not ok then
        return false
      end
      return show(plugin) ~= false
    end,
  }
end

-- Pickers that can show the quickfix list, in the order "auto" tries them.
-- Each is optional: a missing plugin is skipped.
M.pickers = {
  quickfix_picker("telescope", "telescope.builtin", function(builtin)
    builtin.quickfix()
  end),
  quickfix_picker("fzf-lua", "fzf-lua", function(fzf)
    fzf.quickfix()
  end),
  quickfix_picker("snacks", "snacks", function(snacks)
    if not snacks.picker then
      return false
    end
    snacks.picker.qflist()
  end),
}

--- vim.ui.select over the items; choosing one jumps to it (`:cc N`).
local function select(title, items)
  vim.ui.select(items, {
    prompt = title,
    kind = "semnav",
    format_item = function(item)
      local name = item.filename and vim.fn.fnamemodify(item.filename, ":~:.") or vim.api.nvim_buf_get_name(item.bufnr)
      return string.format("%s:%d  %s", name, item.lnum, item.text)
    end,
  }, function(_, idx)
    if idx then
      vim.cmd("cc " .. idx)
    end
  end)
end

--- Opens the picker `which` ("auto" picks the first installed one). Returns
--- the name of the picker used.
function M.open_picker(which, title, items)
  if which == "quickfix" then
    vim.cmd("botright copen")
    return "quickfix"
  end
  if which ~= "select" then
    for _, p in ipairs(M.pickers) do
      if which == "auto" or which == p.name then
        local ok, opened = pcall(p.open)
        if ok and opened then
          return p.name
        end
        if not ok then
          vim.notify("semnav: the " .. p.name .. " picker failed: " .. tostring(opened), vim.log.levels.WARN)
        end
      end
    end
  end
  select(title, items)
  return "select"
end

---@class semnav.ShowOpts
---@field title string
---@field indexing? boolean  the server was still indexing
---@field picker? string
---@field open_quickfix? boolean
---@field kind string        "search" or "similar", for the User event

--- Fills the quickfix list with the hits, then shows them in a picker.
--- Fires `User SemnavResults` with data { kind, title, hits, items, picker }.
---@param hits table[]
---@param opts semnav.ShowOpts
function M.show(hits, opts)
  local items = M.to_items(hits)
  vim.fn.setqflist({}, " ", { title = opts.title, items = items, context = { semnav = opts.kind } })
  if opts.indexing then
    vim.notify("semnav: still indexing; results may be incomplete", vim.log.levels.INFO)
  end
  local picker
  if #items == 0 then
    vim.notify(opts.title .. ": no results", vim.log.levels.INFO)
  else
    picker = M.open_picker(opts.picker or "auto", opts.title, items)
    if opts.open_quickfix and picker ~= "quickfix" then
      vim.cmd("botright copen")
    end
  end
  vim.api.nvim_exec_autocmds("User", {
    pattern = "SemnavResults",
    modeline = false,
    data = { kind = opts.kind, title = opts.title, hits = hits, items = items, picker = picker },
  })
  return items
end

return M
