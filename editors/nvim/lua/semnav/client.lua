-- Finding the semnav client and talking to it.
local M = {}

M.name = "semnav"

--- The semnav client for a buffer, else any running one (searching works
--- from any buffer: a file tree, the dashboard, a quickfix window).
---@param bufnr? integer
---@return vim.lsp.Client?
function M.get(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local attached = get({ name = M.name, bufnr = bufnr })
  if attached[1] then
    return attached[1]
  end
  -- Prefer the client whose root holds the current working directory.
  local cwd = vim.fs.normalize(vim.fn.getcwd())
  local any = get({ name = M.name })
  for _, c in ipairs(any) do
    local root = c.root_dir or (c.config and c.config.root_dir)
    if type(root) == "string" and (cwd == root or vim.startswith(cwd, root .. "/")) then
      return c
    end
  end
  return any[1]
end

--- The semnav client attached to a buffer, if any.
---@param bufnr integer
---@return vim.lsp.Client?
function M.get_attached(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get({ name = M.name, bufnr = bufnr })[1]
end

--- Like get(), but reports why there is none.
---@param bufnr? integer
---@return vim.lsp.Client?
function M.require(bufnr)
  local c = M.get(bufnr)
  if not c then
    vim.notify(
      "semnav: no language server is running. Open a file inside a project (a .git folder or a "
        .. "project file marks its root) with vim.lsp.enable('semnav') or require('semnav').setup(); "
        .. "see :checkhealth semnav",
      vim.log.levels.WARN
    )
  end
  return c
end

--- client:request on 0.11+, client.request before.
---@param client vim.lsp.Client
---@param method string
---@param params table
---@param handler fun(err: lsp.ResponseError?, result: any, ctx: lsp.HandlerContext)
---@param bufnr? integer
function M.request(client, method, params, handler, bufnr)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- A blocking request; returns result, err.
---@param client vim.lsp.Client
function M.request_sync(client, method, params, timeout_ms, bufnr)
  local resp, err
  if vim.fn.has("nvim-0.11") == 1 then
    resp, err = client:request_sync(method, params, timeout_ms, bufnr)
  else
    resp, err = client.request_sync(method, params, timeout_ms, bufnr)
  end
  if not resp then
    return nil, err or "no answer"
  end
  return resp.result, resp.err
end

---@param client vim.lsp.Client
function M.notify(client, method, params)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

--- A request's error as one line.
---@param err lsp.ResponseError|string
function M.describe(err)
  if type(err) == "table" then
    return err.message or vim.inspect(err)
  end
  return tostring(err)
end

--- The position encoding the client negotiated.
---@param client vim.lsp.Client
function M.encoding(client)
  return client.offset_encoding or "utf-16"
end

return M
