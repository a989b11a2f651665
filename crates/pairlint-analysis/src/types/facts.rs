//! The inputs of the type tables: types as written and the item signatures of one
//! crate (enums, fns, methods, traits, aliases, `use` imports).
//!
//! The per-item data lives in `pairlint_base::sigs` (the extractor fills a
//! [`FileSigs`] per file, and the syntax crate cannot depend on this one); it is
//! re-exported here. [`CrateSigs::from_files`] assembles a crate's from its files'
//! facts, turning file-local scopes into crate scopes. Tests also build them directly,
//! usually from text with [`WrittenTy::parse`].

use pairlint_base::model::{FileFacts, StructDef, Ty};
pub use pairlint_base::sigs::{
    AliasSig, EnumSig, FileSigs, FnSig, GenericParam, Import, ParseError, ScopeId, ScopeSig, SelfKind, StructSig,
    TraitSig, VariantSig, WrittenTy,
};
use std::path::{Component, Path};

/// Everything the type tables are built from, for one crate.
#[derive(Debug, Clone, Default)]
pub struct CrateSigs {
    /// The `use` imports of each module (a file, an inline `mod`), by [`ScopeId`].
    /// Scope 0 exists even when no module has imports.
    pub scopes: Vec<Vec<Import>>,
    pub structs: Vec<StructSig>,
    pub enums: Vec<EnumSig>,
    pub aliases: Vec<AliasSig>,
    pub fns: Vec<FnSig>,
    pub traits: Vec<TraitSig>,
    /// `static`s, consts and lazy globals: name and type.
    pub statics: Vec<(ScopeId, String, WrittenTy)>,
    /// The module path of each scope in the crate (`[a, b]` for `crate::a::b`), by
    /// [`ScopeId`]; filled by [`CrateSigs::from_files`] (empty when built by hand).
    pub modules: Vec<Vec<String>>,
    /// Per file given to [`CrateSigs::from_files`], in order: the crate scope of the
    /// file's own scope 0 (its other scopes follow it; see [`CrateSigs::scope_of`]).
    pub files: Vec<ScopeId>,
}

impl CrateSigs {
    /// The part today's facts already give: structs, aliases and statics, without
    /// generics, imports or full paths.
    pub fn from_facts(structs: &[StructDef], aliases: &[(String, Ty)], statics: &[(String, Ty)]) -> Self {
        CrateSigs {
            structs: structs
                .iter()
                .map(|s| StructSig {
                    scope: ScopeId::default(),
                    name: s.name.clone(),
                    generics: Vec::new(),
                    fields: s.fields.iter().map(|(n, t)| (n.clone(), WrittenTy::from(t))).collect(),
                })
                .collect(),
            aliases: aliases
                .iter()
                .map(|(n, t)| AliasSig {
                    scope: ScopeId::default(),
                    name: n.clone(),
                    generics: Vec::new(),
                    ty: WrittenTy::from(t),
                })
                .collect(),
            statics: statics.iter().map(|(n, t)| (ScopeId::default(), n.clone(), WrittenTy::from(t))).collect(),
            ..CrateSigs::default()
        }
    }
    /// Assembles a crate's sigs from its files' facts, in order. Each file's scopes
    /// are appended (so file `i`'s scope `s` becomes [`CrateSigs::scope_of`]`(i, s)`),
    /// a fn body's scope gets its parent's imports after its own, and each scope's
    /// module path is the file's (from its path under `crate_dir`, see
    /// [`module_of_file`]) followed by the inline `mod`s.
    pub fn from_files(files: &[FileFacts], crate_dir: &Path) -> Self {
        Self::from_file_refs(files.iter(), crate_dir)
    }

    /// [`CrateSigs::from_files`] over borrowed facts (the engine holds them shared).
    pub fn from_file_refs<'f>(files: impl Iterator<Item = &'f FileFacts>, crate_dir: &Path) -> Self {
        CrateSigs::from_file_dirs(files.map(|f| (f, crate_dir)))
    }

    /// [`CrateSigs::from_file_refs`] with each file's own crate directory (files of
    /// several crates of a workspace read together).
    pub fn from_file_dirs<'f, 'd>(files: impl Iterator<Item = (&'f FileFacts, &'d Path)>) -> Self {
        let mut sigs = CrateSigs::default();
        for (file, crate_dir) in files {
            let offset = sigs.scopes.len() as u32;
            let at = |scope: ScopeId| ScopeId(offset + scope.0);
            sigs.files.push(ScopeId(offset));
            let module = module_of_file(&file.path, crate_dir);
            let file_sigs = &file.sigs;
            if file_sigs.scopes.is_empty() {
                // Hand-made facts without scopes: the file is one scope with no imports.
                sigs.scopes.push(Vec::new());
                sigs.modules.push(module.clone());
            }
            for scope in &file_sigs.scopes {
                let mut imports = scope.imports.clone();
                if let Some(parent) = scope.parent.and_then(|p| sigs.scopes.get(at(p).0 as usize)) {
                    imports.extend(parent.iter().cloned());
                }
                sigs.scopes.push(imports);
                sigs.modules.push(module.iter().chain(&scope.module).cloned().collect());
            }
            sigs.structs.extend(file_sigs.structs.iter().map(|s| StructSig { scope: at(s.scope), ..s.clone() }));
            sigs.enums.extend(file_sigs.enums.iter().map(|e| EnumSig { scope: at(e.scope), ..e.clone() }));
            sigs.aliases.extend(file_sigs.aliases.iter().map(|a| AliasSig { scope: at(a.scope), ..a.clone() }));
            sigs.fns.extend(file_sigs.fns.iter().map(|f| FnSig { scope: at(f.scope), ..f.clone() }));
            sigs.traits.extend(file_sigs.traits.iter().map(|t| TraitSig {
                scope: at(t.scope),
                methods: t.methods.iter().map(|m| FnSig { scope: at(m.scope), ..m.clone() }).collect(),
                ..t.clone()
            }));
            sigs.statics.extend(file_sigs.statics.iter().map(|(s, n, t)| (at(*s), n.clone(), t.clone())));
        }
        if sigs.scopes.is_empty() {
            sigs.scopes.push(Vec::new());
            sigs.modules.push(Vec::new());
        }
        sigs
    }

    /// The crate scope of scope `local` of the `file`th file given to
    /// [`CrateSigs::from_files`] (scope 0 when out of range).
    pub fn scope_of(&self, file: usize, local: ScopeId) -> ScopeId {
        let scope = self.files.get(file).map_or(0, |first| first.0 + local.0);
        if (scope as usize) < self.scopes.len() {
            ScopeId(scope)
        } else {
            ScopeId::default()
        }
    }
}

/// The module path of a file in its crate, from its path relative to the crate's
/// directory (the one with its `Cargo.toml`): under `src`, `src/a/b.rs` and
/// `src/a/b/mod.rs` are `a::b` and `src/lib.rs`, `src/main.rs` the root. A file directly
/// under `src/bin`, `tests`, `examples` or `benches` (or a directory there with its
/// `main.rs`) is a target root. A path outside `crate_dir` is read as if under `src`.
/// `#[path]` attributes are not seen (discovery follows them, the facts do not record
/// them), so such a file gets the module its path says.
pub fn module_of_file(path: &Path, crate_dir: &Path) -> Vec<String> {
    let relative = path.strip_prefix(crate_dir).unwrap_or(path);
    let parts: Vec<&str> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => part.to_str(),
            _ => None,
        })
        .collect();
    let (target_roots, rest) = match parts.as_slice() {
        ["src", "bin", rest @ ..] if !rest.is_empty() => (true, rest),
        ["src", rest @ ..] => (false, rest),
        ["tests" | "examples" | "benches", rest @ ..] => (true, rest),
        rest => (false, rest),
    };
    let mut module: Vec<String> = rest.iter().map(|p| p.strip_suffix(".rs").unwrap_or(p).to_owned()).collect();
    if target_roots && !module.is_empty() {
        // The first part is the target itself: `tests/a.rs`, or `tests/a/` with its main.rs.
        module.remove(0);
    }
    if module.last().is_some_and(|m| m == "mod") {
        module.pop();
    }
    if matches!(module.as_slice(), [only] if only == "lib" || only == "main") {
        module.clear();
    }
    module
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(name: &str, args: Vec<WrittenTy>) -> WrittenTy {
        WrittenTy::Path { segments: name.split("::").map(str::to_owned).collect(), args, bindings: Vec::new() }
    }

    #[test]
    fn parses_the_written_type_grammar() {
        assert_eq!(
            WrittenTy::parse("std::sync::Arc<Mutex<VecDeque<Job>>>").unwrap(),
            path("std::sync::Arc", vec![path("Mutex", vec![path("VecDeque", vec![path("Job", vec![])])])])
        );
        assert_eq!(
            WrittenTy::parse("&'a mut [T; 4]").unwrap(),
            WrittenTy::Ref { mutable: true, inner: Box::new(WrittenTy::Slice(Box::new(path("T", vec![])))) }
        );
        assert_eq!(WrittenTy::parse("()").unwrap(), WrittenTy::unit());
        assert_eq!(WrittenTy::parse("!").unwrap(), WrittenTy::Never);
        let WrittenTy::Impl(bounds) = WrittenTy::parse("impl Iterator<Item = Job> + Send + 'static").unwrap() else {
            panic!("not an impl type");
        };
        assert_eq!(
            bounds,
            vec![
                WrittenTy::Path {
                    segments: vec!["Iterator".into()],
                    args: vec![],
                    bindings: vec![("Item".into(), path("Job", vec![]))]
                },
                path("Send", vec![])
            ]
        );
        assert_eq!(
            WrittenTy::parse("|&T, U| bool").unwrap(),
            WrittenTy::Fn {
                params: vec![WrittenTy::Ref { mutable: false, inner: Box::new(path("T", vec![])) }, path("U", vec![])],
                ret: Box::new(path("bool", vec![]))
            }
        );
        assert!(matches!(WrittenTy::parse("dyn Fn(u8) -> u8").unwrap(), WrittenTy::Dyn(_)));
        assert!(WrittenTy::parse("Vec<").is_err());
        assert!(WrittenTy::parse("Vec<T> x").is_err());
    }

    #[test]
    fn module_paths_follow_the_crate_layout() {
        let module = |path: &str| module_of_file(Path::new(path), Path::new("/w/app")).join("::");
        assert_eq!(module("/w/app/src/lib.rs"), "");
        assert_eq!(module("/w/app/src/main.rs"), "");
        assert_eq!(module("/w/app/src/a/b.rs"), "a::b");
        assert_eq!(module("/w/app/src/a/mod.rs"), "a");
        assert_eq!(module("/w/app/src/tests/mod.rs"), "tests");
        assert_eq!(module("/w/app/src/bin/tool.rs"), "");
        assert_eq!(module("/w/app/src/bin/tool/main.rs"), "");
        assert_eq!(module("/w/app/src/bin/tool/cli.rs"), "cli");
        assert_eq!(module("/w/app/tests/it.rs"), "");
        assert_eq!(module("/w/app/tests/it/helpers.rs"), "helpers");
        // In-memory sources named without a crate directory read as under `src`.
        assert_eq!(module("kiosk.rs"), "kiosk");
    }
}
