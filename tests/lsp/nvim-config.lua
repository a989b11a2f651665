-- pairlint's language server for Rust buffers (Neovim 0.8+; the snippet in
-- docs/editors.md, run verbatim by tests/lsp/run-nvim.sh).
vim.api.nvim_create_autocmd('FileType', {
  pattern = 'rust',
  callback = function(args)
    local file = vim.api.nvim_buf_get_name(args.buf)
    local manifest = vim.fs.find({ 'Cargo.toml' }, { upward = true, path = vim.fs.dirname(file) })[1]
    vim.lsp.start({
      name = 'pairlint',
      cmd = { 'cargo', 'pairlint', 'lsp' },
      root_dir = manifest and vim.fs.dirname(manifest) or vim.fs.dirname(file),
    })
  end,
})
