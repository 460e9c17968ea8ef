-- Drives rinfra-lsp from Neovim 0.7+ the way docs/editors.md tells users to (vim.lsp.start_client +
-- buf_attach_client), then writes what Neovim received to $RINFRA_OUT as JSON for the Rust test.
-- Every wait is bounded, and the script always quits, so a broken server fails instead of hanging.

local out = {}

local function write_results()
  local f = assert(io.open(vim.env.RINFRA_OUT, "w"))
  f:write(vim.fn.json_encode(out))
  f:close()
end

-- "LINE:COL" (0-based, UTF-16 as LSP wants) from the environment.
local function position(name)
  local line, col = string.match(vim.env[name] or "", "^(%d+):(%d+)$")
  return { line = tonumber(line), character = tonumber(col) }
end

local function request(buf, method, pos)
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = pos }
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, 10000)
  assert(responses, method .. " failed: " .. tostring(err))
  for _, response in pairs(responses) do
    assert(not response.err, method .. " error: " .. vim.inspect(response.err))
    return response.result
  end
  error(method .. ": no response")
end

local function run()
  out.nvim = tostring(vim.version().major) .. "." .. tostring(vim.version().minor)
  vim.cmd("edit " .. vim.fn.fnameescape(vim.env.RINFRA_DEPLOY))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = "python"
  local client_id = vim.lsp.start_client({
    name = "rinfra",
    cmd = { vim.env.RINFRA_LSP, "server" },
    root_dir = vim.fn.fnamemodify(vim.env.RINFRA_DEPLOY, ":p:h"),
  })
  assert(client_id, "start_client failed")
  assert(vim.lsp.buf_attach_client(buf, client_id), "buf_attach_client failed")

  local got = vim.wait(15000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  assert(got, "no diagnostics within 15 s")
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out.diagnostics, {
      lnum = d.lnum, col = d.col, severity = d.severity, code = d.code, message = d.message, source = d.source,
    })
  end

  local completion = request(buf, "textDocument/completion", position("RINFRA_COMPLETE"))
  local items = completion and (completion.items or completion) or {}
  out.completion = {}
  for _, item in ipairs(items) do
    table.insert(out.completion, item.label)
  end

  local hover = request(buf, "textDocument/hover", position("RINFRA_HOVER"))
  local contents = hover and hover.contents
  out.hover = type(contents) == "table" and (contents.value or vim.inspect(contents)) or contents

  vim.lsp.stop_client(client_id)
end

local ok, err = pcall(run)
if not ok then
  out.error = tostring(err)
end
pcall(write_results)
vim.cmd("qall!")
