-- semnav: commands (:SemnavSearch, :SemnavSimilar, :SemnavStatus,
-- :SemnavReindex), the code-lens command and progress notifications.
-- The server itself starts with vim.lsp.enable("semnav") or
-- require("semnav").setup().
if vim.g.loaded_semnav then
  return
end
vim.g.loaded_semnav = 1
if vim.fn.has("nvim-0.10") == 0 then
  vim.notify_once("semnav needs Neovim 0.10 or newer (0.11+ recommended)", vim.log.levels.WARN)
  return
end
require("semnav")._init()
