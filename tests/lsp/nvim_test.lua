-- A real editor as the client: Neovim opens the flawed sample file with the
-- configuration in docs/editors.md, waits for pairlint's diagnostics, checks code,
-- range and related information, asks for the quick fix, then replaces the (unsaved)
-- buffer with the fixed version and waits for the diagnostics to clear. Exits 0 on
-- success; on failure prints why and exits 1 (`cq`). Run by tests/lsp/run-nvim.sh.

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local sample = here .. '/sample'

local function fail(message)
  io.stderr:write('nvim lsp test: FAILED: ' .. message .. '\n')
  local log = vim.lsp.get_log_path and vim.lsp.get_log_path()
  if log and vim.fn.filereadable(log) == 1 then
    io.stderr:write('--- tail of ' .. log .. '\n')
    for _, line in ipairs(vim.fn.readfile(log, '', -30)) do
      io.stderr:write(line .. '\n')
    end
  end
  vim.cmd('cq')
end

local function check(cond, message)
  if not cond then
    error(message, 0)
  end
end

-- Debian 12 ships Neovim 0.7, which predates `vim.lsp.start` and `vim.fs` (0.8). These
-- shims give 0.7 exactly the calls the docs/editors.md snippet makes, built on 0.7's
-- `vim.lsp.start_client` + `vim.lsp.buf_attach_client`; on 0.8+ they are not used.
if not vim.fs then
  vim.fs = {
    dirname = function(path)
      return path and vim.fn.fnamemodify(path, ':h') or nil
    end,
    find = function(names, opts)
      local found = vim.fn.findfile(names[1], opts.path .. ';')
      return found ~= '' and { vim.fn.fnamemodify(found, ':p') } or {}
    end,
  }
end
if not vim.lsp.start then
  vim.lsp.start = function(config)
    local bufnr = vim.api.nvim_get_current_buf()
    for _, client in pairs(vim.lsp.get_active_clients()) do
      if client.name == config.name and client.config.root_dir == config.root_dir then
        vim.lsp.buf_attach_client(bufnr, client.id)
        return client.id
      end
    end
    local id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(bufnr, id)
    return id
  end
end

local function run()
  -- The sample crate, copied so the test owns its files.
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir .. '/src', 'p')
  for _, file in ipairs({ 'Cargo.toml', 'src/lib.rs', 'src/helpers.rs' }) do
    vim.fn.writefile(vim.fn.readfile(sample .. '/' .. file, 'b'), dir .. '/' .. file, 'b')
  end
  local on_disk = vim.fn.readfile(dir .. '/src/lib.rs')

  dofile(here .. '/nvim-config.lua')
  vim.cmd('edit ' .. vim.fn.fnameescape(dir .. '/src/lib.rs'))
  local bufnr = vim.api.nvim_get_current_buf()
  check(vim.bo[bufnr].filetype == 'rust', 'filetype detection did not say rust')

  check(vim.wait(30000, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 50), 'no diagnostics within 30 s')
  local diagnostics = vim.diagnostic.get(bufnr)
  check(#diagnostics == 1, 'expected one diagnostic, got ' .. vim.inspect(diagnostics))
  local d = diagnostics[1]
  check(d.code == 'PL001', 'code is ' .. tostring(d.code))
  check(d.source == 'pairlint', 'source is ' .. tostring(d.source))
  check(d.severity == vim.diagnostic.severity.ERROR, 'severity is ' .. tostring(d.severity))
  -- Neovim turned the server's UTF-16 columns into byte columns using the line's text:
  -- if pairlint had miscounted 受付🎫, these bytes would not be the taken call.
  check(d.lnum == 20, 'line is ' .. d.lnum)
  local line = vim.api.nvim_buf_get_lines(bufnr, 20, 21, true)[1]
  local underlined = line:sub(d.col + 1, d.end_col)
  check(underlined == 'helpers::next_image(&self.queue)', 'range covers ' .. vim.inspect(underlined))
  local lsp = d.user_data and d.user_data.lsp or {}
  local related = lsp.relatedInformation or {}
  local in_helper
  for _, r in ipairs(related) do
    if r.location.uri:match('/src/helpers%.rs$') then
      in_helper = r
    end
  end
  check(in_helper, 'no related information in helpers.rs: ' .. vim.inspect(related))
  check(in_helper.location.range.start.line == 6 and in_helper.location.range.start.character == 26,
    'helpers.rs label at ' .. vim.inspect(in_helper.location.range))
  check(lsp.data and lsp.data.help and lsp.data.help:match('requester'), 'no help in data')

  -- The quick fix, asked the way `vim.lsp.buf.code_action()` asks: the cursor's range
  -- and the line's diagnostics.
  vim.api.nvim_win_set_cursor(0, { 21, 0 })
  local params = vim.lsp.util.make_range_params()
  params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr) }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 10000) or {}
  local titles = {}
  for _, response in pairs(responses) do
    for _, action in ipairs(response.result or {}) do
      table.insert(titles, action.title)
    end
  end
  check(vim.tbl_contains(titles, 'suppress PL001 here'), 'code actions: ' .. vim.inspect(responses))

  -- Replace the buffer with the fixed version without saving: diagnostics must clear.
  local fixed = vim.fn.readfile(sample .. '/lib_fixed.rs')
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, true, fixed)
  check(vim.wait(30000, function()
    return #vim.diagnostic.get(bufnr) == 0
  end, 50), 'diagnostics did not clear: ' .. vim.inspect(vim.diagnostic.get(bufnr)))
  check(vim.deep_equal(vim.fn.readfile(dir .. '/src/lib.rs'), on_disk), 'the file on disk changed')

  io.stdout:write('nvim lsp test: ok (Neovim ' .. tostring(vim.version().major) .. '.'
    .. tostring(vim.version().minor) .. '.' .. tostring(vim.version().patch)
    .. '): PL001 at 21:' .. (d.col + 1) .. ' bytes, related info in helpers.rs, quick fix offered, cleared after the edit\n')
  vim.lsp.stop_client(vim.lsp.get_active_clients())
  vim.wait(5000, function()
    return #vim.lsp.get_active_clients() == 0
  end, 50)
  vim.cmd('qa!')
end

local ok, err = pcall(run)
if not ok then
  fail(tostring(err))
end
