//! Code actions and hovers on published diagnostics: "suppress PL00N here" inserts a
//! suppression comment above the finding; the hover shows the rule and its fix.

use super::diagnostics::{hover_markdown, rule_code};
use super::position::Lines;
use lsp_types::{CodeAction, CodeActionKind, Diagnostic, Position, Range, TextEdit, Url, WorkspaceEdit};
use std::collections::HashMap;

/// What the inserted comment says after the rule code: a reason is expected, and the
/// placeholder makes a forgotten one easy to find in review.
pub const REASON_PLACEHOLDER: &str = "TODO: say why this is safe here";

/// The quick fix for one of our rule diagnostics: a `// pairlint: allow(CODE) reason`
/// line above the diagnostic's first line, indented like it (a suppression covers its
/// own line and the next one). `text` is the document as the client has it.
pub fn suppress_action(uri: &Url, text: &str, diagnostic: &Diagnostic) -> Option<CodeAction> {
    let code = rule_code(diagnostic)?;
    let line = diagnostic.range.start.line;
    let line_text = Lines::new(text).line(line);
    let indent: String = line_text.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    let at = Position::new(line, 0);
    let edit = TextEdit {
        range: Range::new(at, at),
        new_text: format!("{indent}// pairlint: allow({code}) {REASON_PLACEHOLDER}\n"),
    };
    Some(CodeAction {
        title: format!("suppress {code} here"),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
            ..WorkspaceEdit::default()
        }),
        ..CodeAction::default()
    })
}

/// Whether two ranges overlap or touch (a cursor at either end of a diagnostic counts).
pub fn touches(a: &Range, b: &Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// Whether two ranges share a line: "suppress here" is offered anywhere on the
/// finding's lines, as clients ask with the cursor position or the line.
pub fn shares_line(a: &Range, b: &Range) -> bool {
    a.start.line <= b.end.line && b.start.line <= a.end.line
}

/// Hover markdown for the rule diagnostics under `position`, if any.
pub fn hover_text(diagnostics: &[Diagnostic], position: Position) -> Option<String> {
    let here = Range::new(position, position);
    let parts: Vec<String> =
        diagnostics.iter().filter(|d| touches(&d.range, &here)).filter_map(hover_markdown).collect();
    (!parts.is_empty()).then(|| parts.join("\n\n---\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::NumberOrString;

    fn rule_diagnostic(line: u32) -> Diagnostic {
        Diagnostic {
            range: Range::new(Position::new(line, 8), Position::new(line, 20)),
            code: Some(NumberOrString::String("PL001".into())),
            source: Some("pairlint".into()),
            message: "m".into(),
            ..Diagnostic::default()
        }
    }

    // The comment must land on its own line with the finding line's indentation, or rustfmt/reviewers fight it.
    #[test]
    fn suppression_is_inserted_above_with_the_same_indentation() {
        let uri = Url::parse("file:///x/src/lib.rs").unwrap();
        let text = "fn f() {\n\t    let x = q.pop_front();\n}\n";
        let action = suppress_action(&uri, text, &rule_diagnostic(1)).unwrap();
        assert_eq!(action.title, "suppress PL001 here");
        let edits = &action.edit.unwrap().changes.unwrap()[&uri];
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].range, Range::new(Position::new(1, 0), Position::new(1, 0)));
        assert_eq!(edits[0].new_text, format!("\t    // pairlint: allow(PL001) {REASON_PLACEHOLDER}\n"));
    }

    // Other tools' diagnostics (rustc, clippy) in the same request must not get a pairlint suppression.
    #[test]
    fn no_action_for_foreign_or_meta_diagnostics() {
        let uri = Url::parse("file:///x/src/lib.rs").unwrap();
        let mut foreign = rule_diagnostic(0);
        foreign.source = Some("rustc".into());
        assert!(suppress_action(&uri, "x", &foreign).is_none());
        let mut meta = rule_diagnostic(0);
        meta.code = Some(NumberOrString::String("unused-suppression".into()));
        assert!(suppress_action(&uri, "x", &meta).is_none());
    }
}
