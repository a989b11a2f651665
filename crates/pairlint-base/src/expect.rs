//! Inline expectations: `//~ PL001` at the end of the line a finding's primary span is
//! on. Fixtures, the reference service and the demo's self-test all use this one
//! reading of them.

use std::collections::BTreeSet;

/// (line, rule code) pairs a source's `//~` comments expect.
pub fn expectations(text: &str) -> BTreeSet<(u32, String)> {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let Some(pos) = line.find("//~") else { continue };
        for code in line[pos + 3..].split(|c: char| c.is_whitespace() || c == ',') {
            if code.starts_with("PL") || code.ends_with("-suppression") {
                out.insert((i as u32 + 1, code.to_string()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_codes_after_the_marker() {
        let e = super::expectations("a\nlet x = q.pop_front(); //~ PL001, PL003\n// no marker PL002\n");
        assert_eq!(e.into_iter().collect::<Vec<_>>(), [(2, "PL001".into()), (2, "PL003".into())]);
    }
}
