-- Options of the Neovim side, and the server settings sent as
-- initializationOptions / workspace/didChangeConfiguration.
local M = {}

---@class semnav.ServerSettings
---@field model? string          embedding model name
---@field modelDir? string       directory holding model.onnx and the tokenizer files
---@field indexDir? string       where the index lives (default: under $XDG_CACHE_HOME/semnav/indexes)
---@field exclude? string[]      extra globs to leave out
---@field maxFileBytes? integer  skip files larger than this
---@field hover? boolean         "Similar code" section in hovers
---@field codeLens? boolean      "N similar" lenses on functions and types
---@field debounceMs? integer    delay before re-embedding an edited buffer

---@class semnav.Options
---@field cmd? string[]                     server command (default { "semnav", "lsp" })
---@field server? semnav.ServerSettings     server settings
---@field enable? boolean                   call vim.lsp.enable("semnav") in setup() (default true)
---@field limit? integer                    results per search / similar request
---@field picker? "auto"|"telescope"|"fzf-lua"|"snacks"|"select"|"quickfix"
---@field open_quickfix? boolean            also :copen after filling the quickfix list
---@field codelens? boolean                 refresh code lenses on BufEnter/CursorHold/InsertLeave
---@field codelens_events? string[]
---@field progress? "notify"|false          vim.notify at the start/end of indexing when no progress UI (fidget.nvim) is installed

---@type semnav.Options
M.defaults = {
  cmd = nil,
  server = {},
  enable = true,
  limit = 20,
  picker = "auto",
  open_quickfix = false,
  codelens = true,
  codelens_events = { "BufEnter", "CursorHold", "InsertLeave" },
  progress = "notify",
}

---@type semnav.Options
M.options = vim.deepcopy(M.defaults)

---@param opts? semnav.Options
function M.set(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  return M.options
end

--- The server settings as a JSON object (never an empty Lua table, which
--- would be encoded as an array).
function M.server_settings()
  local s = vim.deepcopy(M.options.server or {})
  if vim.tbl_isempty(s) then
    return vim.empty_dict()
  end
  -- The server takes paths as they are: expand ~ and $VARS here.
  for _, key in ipairs({ "indexDir", "modelDir" }) do
    if type(s[key]) == "string" then
      s[key] = vim.fs.normalize(s[key])
    end
  end
  return s
end

return M
