//! syn's positions as pairlint [`Span`]s: the only bridge from proc-macro2 to the base
//! crate's position model, so the base crate needs no syntax dependency.

use pairlint_base::finding::Span;
use pairlint_base::source::LineIndex;

/// `idx.span(syn_span)` for a [`LineIndex`].
pub(crate) trait SpanOfSyntax {
    fn span(&self, span: proc_macro2::Span) -> Span;
}

impl SpanOfSyntax for LineIndex<'_> {
    fn span(&self, span: proc_macro2::Span) -> Span {
        let (start, end) = (span.start(), span.end());
        self.span_between((start.line, start.column), (end.line, end.column))
    }
}
