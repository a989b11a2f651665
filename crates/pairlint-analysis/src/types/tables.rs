//! The crate's type tables: structs with field types, enums with variant payloads,
//! aliases, traits and fn/method signatures, every type resolved in the scope it was
//! written in. [`Resolver`] turns a written type into a [`Type`] the way rustc looks a
//! name up: generic parameters, `Self`, the module's imports, the crate's own items,
//! the prelude, glob imports; what none of them names stays [`Type::Unresolved`].

use super::facts::{CrateSigs, FnSig, GenericParam, Import, ScopeId, SelfKind, WrittenTy};
use super::std_model::{StdModel, PRELUDE, PRIMITIVES, REQUEST_EXTRACTOR_TRAITS};
use super::ty::{Bindings, Bound, Type};
use std::collections::HashMap;

/// How deep alias expansion goes: deeper means an alias cycle (`type A = B; type B = A;`).
const ALIAS_DEPTH: u32 = 16;

/// A generic parameter with its bounds resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generic {
    pub name: String,
    pub bounds: Vec<Bound>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructInfo {
    pub name: String,
    pub generics: Vec<Generic>,
    pub fields: Vec<(String, Type)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumInfo {
    pub name: String,
    pub generics: Vec<Generic>,
    pub variants: Vec<(String, Vec<(String, Type)>)>,
}

/// A fn, method or trait method with every type resolved; the impl's and the fn's
/// generics are [`Type::Param`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnInfo {
    pub name: String,
    pub self_ty: Option<Type>,
    pub trait_name: Option<String>,
    pub generics: Vec<Generic>,
    pub receiver: Option<SelfKind>,
    pub params: Vec<Type>,
    /// What a call gives: `Future<R>` for an `async fn` returning `R`.
    pub ret: Type,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraitInfo {
    pub name: String,
    pub methods: Vec<FnInfo>,
}

/// The crate's items, resolved. Item names are unique per kind (as in today's
/// `CrateModel`): two structs of one name in different modules are one entry, the
/// first.
#[derive(Debug, Clone, Default)]
pub struct TypeTables {
    scopes: Vec<Vec<Import>>,
    structs: HashMap<String, StructInfo>,
    enums: HashMap<String, EnumInfo>,
    aliases: HashMap<String, (ScopeId, Vec<GenericParam>, WrittenTy)>,
    traits: HashMap<String, TraitInfo>,
    /// Free fns by name.
    fns: HashMap<String, Vec<FnInfo>>,
    /// Methods and associated fns (inherent, trait impls, trait declarations) by name.
    methods: HashMap<String, Vec<FnInfo>>,
    statics: HashMap<String, Type>,
    /// Crates of the workspace analysed with this one (its path dependencies), by the
    /// name their paths start with (`db` in `db::notes::Note`): their items are read
    /// as the crate's own.
    local_crates: Vec<String>,
    /// For each method name, the indexes into `methods[name]` by the last segment of
    /// the self type: a body finds its own signature in one lookup, not a scan of
    /// every method of its name (thousands in a generated crate).
    methods_by_owner: HashMap<(String, String), Vec<usize>>,
}

impl TypeTables {
    pub fn build(sigs: &CrateSigs) -> TypeTables {
        let mut tables = TypeTables { scopes: with_glob_imports(&sigs.scopes, &sigs.modules), ..TypeTables::default() };
        // Names first, so every resolution below sees every item of the crate.
        for s in &sigs.structs {
            tables.structs.entry(s.name.clone()).or_insert(StructInfo {
                name: s.name.clone(),
                generics: Vec::new(),
                fields: Vec::new(),
            });
        }
        for e in &sigs.enums {
            tables.enums.entry(e.name.clone()).or_insert(EnumInfo {
                name: e.name.clone(),
                generics: Vec::new(),
                variants: Vec::new(),
            });
        }
        for a in &sigs.aliases {
            tables.aliases.entry(a.name.clone()).or_insert((a.scope, a.generics.clone(), a.ty.clone()));
        }
        for t in &sigs.traits {
            tables.traits.entry(t.name.clone()).or_insert(TraitInfo { name: t.name.clone(), methods: Vec::new() });
        }
        let mut structs = HashMap::new();
        for s in &sigs.structs {
            let resolver = tables.resolver(s.scope, &s.generics, None);
            let info = StructInfo {
                name: s.name.clone(),
                generics: resolver.generics(),
                fields: s.fields.iter().map(|(n, t)| (n.clone(), resolver.resolve(t))).collect(),
            };
            structs.entry(s.name.clone()).or_insert(info);
        }
        let mut enums = HashMap::new();
        for e in &sigs.enums {
            let resolver = tables.resolver(e.scope, &e.generics, None);
            let variants = e
                .variants
                .iter()
                .map(|v| (v.name.clone(), v.fields.iter().map(|(n, t)| (n.clone(), resolver.resolve(t))).collect()))
                .collect();
            enums.entry(e.name.clone()).or_insert(EnumInfo {
                name: e.name.clone(),
                generics: resolver.generics(),
                variants,
            });
        }
        let mut traits = HashMap::new();
        let mut methods: HashMap<String, Vec<FnInfo>> = HashMap::new();
        for t in &sigs.traits {
            let self_ty = Type::Param("Self".into());
            let infos: Vec<FnInfo> =
                t.methods.iter().map(|m| tables.fn_info(m, Some(&self_ty), Some(&t.name))).collect();
            for info in &infos {
                methods.entry(info.name.clone()).or_default().push(info.clone());
            }
            traits.entry(t.name.clone()).or_insert(TraitInfo { name: t.name.clone(), methods: infos });
        }
        let mut fns: HashMap<String, Vec<FnInfo>> = HashMap::new();
        for f in &sigs.fns {
            let self_ty = f.self_ty.as_ref().map(|t| tables.resolver(f.scope, &f.generics, None).resolve(t));
            let info = tables.fn_info(f, self_ty.as_ref(), f.trait_name.as_deref());
            let index = if info.self_ty.is_some() { &mut methods } else { &mut fns };
            index.entry(info.name.clone()).or_default().push(info);
        }
        for (scope, name, ty) in &sigs.statics {
            let ty = tables.resolver(*scope, &[], None).resolve(ty);
            tables.statics.entry(name.clone()).or_insert(ty);
        }
        tables.structs = structs;
        tables.enums = enums;
        tables.traits = traits;
        tables.fns = fns;
        for (name, infos) in &methods {
            for (i, info) in infos.iter().enumerate() {
                if let Some(owner) = info.self_ty.as_ref().and_then(Type::name) {
                    let owner = owner.rsplit("::").next().unwrap_or(owner).to_string();
                    tables.methods_by_owner.entry((name.clone(), owner)).or_default().push(i);
                }
            }
        }
        tables.methods = methods;
        tables
    }

    fn fn_info(&self, f: &FnSig, self_ty: Option<&Type>, trait_name: Option<&str>) -> FnInfo {
        let resolver = self.resolver(f.scope, &f.generics, self_ty);
        let ret = resolver.resolve(&f.ret);
        FnInfo {
            name: f.name.clone(),
            self_ty: self_ty.cloned(),
            trait_name: trait_name.map(str::to_owned),
            generics: resolver.generics(),
            receiver: f.receiver,
            params: f.params.iter().map(|(_, t)| resolver.resolve(t)).collect(),
            ret: if f.is_async { Type::named("Future", vec![ret]) } else { ret },
        }
    }

    /// A resolver for types written in `scope`, with `generics` in scope and `Self`
    /// meaning `self_ty`.
    pub fn resolver<'t>(
        &'t self,
        scope: ScopeId,
        generics: &'t [GenericParam],
        self_ty: Option<&Type>,
    ) -> Resolver<'t> {
        let imports = self.scopes.get(scope.0 as usize).map(Vec::as_slice).unwrap_or(&[]);
        Resolver { tables: self, imports, generics, self_ty: self_ty.cloned() }
    }

    pub fn struct_info(&self, ty: &Type) -> Option<&StructInfo> {
        self.structs.get(crate_item(ty)?)
    }

    pub fn enum_info(&self, ty: &Type) -> Option<&EnumInfo> {
        self.enums.get(crate_item(ty)?)
    }

    pub fn trait_info(&self, name: &str) -> Option<&TraitInfo> {
        self.traits.get(name.strip_prefix("crate::")?)
    }

    /// The type of `ty.field` for a struct of the crate (generic fields substituted)
    /// or a tuple (`.0`).
    pub fn field(&self, ty: &Type, field: &str) -> Option<Type> {
        if let Type::Tuple(items) = ty {
            return items.get(field.parse::<usize>().ok()?).cloned();
        }
        let info = self.struct_info(ty)?;
        let (_, field_ty) = info.fields.iter().find(|(n, _)| n == field)?;
        Some(field_ty.substitute(&generic_bindings(&info.generics, ty.args())))
    }

    /// The payload fields of `variant` of an enum of the crate.
    pub fn variant_fields(&self, ty: &Type, variant: &str) -> Option<Vec<(String, Type)>> {
        let info = self.enum_info(ty)?;
        let (_, fields) = info.variants.iter().find(|(n, _)| n == variant)?;
        let bindings = generic_bindings(&info.generics, ty.args());
        Some(fields.iter().map(|(n, t)| (n.clone(), t.substitute(&bindings))).collect())
    }

    /// The enum of the crate that has a variant of this name, when exactly one does.
    pub fn enum_with_variant(&self, variant: &str) -> Option<&EnumInfo> {
        let mut found = self.enums.values().filter(|e| e.variants.iter().any(|(n, _)| n == variant));
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }

    /// The type of a static or const, by its path's last segment.
    pub fn static_type(&self, path: &str) -> Option<&Type> {
        self.statics.get(path.rsplit("::").next().unwrap_or(path))
    }

    /// Free fns of the crate with this name.
    pub fn fns_named(&self, name: &str) -> &[FnInfo] {
        self.fns.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Methods, associated fns and trait methods of the crate with this name.
    pub fn methods_named(&self, name: &str) -> &[FnInfo] {
        self.methods.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The crate's types it implements a web framework's request-extractor trait for
    /// (see [`REQUEST_EXTRACTOR_TRAITS`]), by full name: their values are built per
    /// request (authentication guards, typed headers).
    pub fn request_extractors(&self) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        for (trait_name, method) in REQUEST_EXTRACTOR_TRAITS {
            for info in self.methods_named(method) {
                let implemented = info.trait_name.as_deref().map(|t| {
                    let path = t.split('<').next().unwrap_or(t);
                    path.rsplit("::").next().unwrap_or(path).trim()
                });
                if implemented == Some(*trait_name) {
                    if let Some(name) = info.self_ty.as_ref().and_then(Type::name) {
                        out.insert(name.to_string());
                    }
                }
            }
        }
        out
    }

    /// Reads the items of these crates of the workspace (path dependencies analysed
    /// together with the crate) as the crate's own.
    pub fn set_local_crates(&mut self, names: &[String]) {
        self.local_crates = names.iter().map(|n| n.replace('-', "_")).collect();
    }

    /// The methods named `name` whose self type's last segment is `owner`.
    pub fn methods_of<'t>(&'t self, name: &str, owner: &str) -> impl Iterator<Item = &'t FnInfo> + 't {
        let all = self.methods_named(name);
        self.methods_by_owner
            .get(&(name.to_string(), owner.to_string()))
            .into_iter()
            .flatten()
            .filter_map(move |&i| all.get(i))
    }

    fn is_item(&self, name: &str) -> bool {
        self.structs.contains_key(name)
            || self.enums.contains_key(name)
            || self.aliases.contains_key(name)
            || self.traits.contains_key(name)
    }
}

/// The crate item name of `crate::Name`.
fn crate_item(ty: &Type) -> Option<&str> {
    ty.name()?.strip_prefix("crate::")
}

/// The generics of an item bound to the arguments a use of it gives (missing ones
/// unknown).
pub fn generic_bindings(generics: &[Generic], args: &[Type]) -> Bindings {
    generics.iter().enumerate().map(|(i, g)| (g.name.clone(), args.get(i).cloned().unwrap_or(Type::Unknown))).collect()
}

/// Resolves written types in one scope.
#[derive(Debug, Clone)]
pub struct Resolver<'t> {
    tables: &'t TypeTables,
    imports: &'t [Import],
    generics: &'t [GenericParam],
    self_ty: Option<Type>,
}

impl Resolver<'_> {
    fn generics(&self) -> Vec<Generic> {
        self.generics
            .iter()
            .map(|g| Generic { name: g.name.clone(), bounds: g.bounds.iter().filter_map(|b| self.bound(b)).collect() })
            .collect()
    }

    pub fn resolve(&self, written: &WrittenTy) -> Type {
        self.resolve_at(written, 0)
    }

    fn resolve_at(&self, written: &WrittenTy, depth: u32) -> Type {
        let all = |items: &[WrittenTy]| items.iter().map(|t| self.resolve_at(t, depth)).collect::<Vec<_>>();
        match written {
            WrittenTy::Path { segments, args, .. } => self.path_type(segments, all(args), depth),
            WrittenTy::Ref { mutable, inner } => {
                Type::Ref { mutable: *mutable, inner: Box::new(self.resolve_at(inner, depth)) }
            }
            WrittenTy::Slice(inner) => Type::Slice(Box::new(self.resolve_at(inner, depth))),
            WrittenTy::Tuple(items) => Type::Tuple(all(items)),
            WrittenTy::Never => Type::Never,
            WrittenTy::Dyn(bounds) | WrittenTy::Impl(bounds) => Type::Opaque {
                is_dyn: matches!(written, WrittenTy::Dyn(_)),
                bounds: bounds.iter().filter_map(|b| self.bound(b)).collect(),
            },
            WrittenTy::Fn { params, ret } => {
                Type::Fn { params: all(params), ret: Box::new(self.resolve_at(ret, depth)) }
            }
            WrittenTy::Infer => Type::Unknown,
        }
    }

    /// `T::Item` is what a bound of `T` binds `Item` to (`T: Iterator<Item = Job>`);
    /// `Self::Item` and unbound projections are not modelled, so unknown.
    fn associated_type(&self, owner: &str, assoc: &str, depth: u32) -> Type {
        // A bound may name the same projection again (`C: AsChangeset<Target =
        // <C as HasTable>::Table>`): bounded like aliases.
        if depth >= ALIAS_DEPTH {
            return Type::Unknown;
        }
        self.generics
            .iter()
            .filter(|g| g.name == owner)
            .flat_map(|g| &g.bounds)
            .find_map(|b| self.bound_at(b, depth + 1)?.binding(assoc).cloned())
            .unwrap_or(Type::Unknown)
    }

    /// A trait bound: its trait's canonical name (family key, `crate::Trait` or the
    /// path) with arguments and associated-type bindings; `Fn(A) -> R` keeps `R` as
    /// the `Output` binding.
    fn bound(&self, written: &WrittenTy) -> Option<Bound> {
        self.bound_at(written, 0)
    }

    fn bound_at(&self, written: &WrittenTy, depth: u32) -> Option<Bound> {
        let WrittenTy::Path { segments, args, bindings } = written else {
            return None;
        };
        let trait_name = match self.canonical(segments) {
            Canonical::Family(key) => key.to_string(),
            Canonical::CrateItem(name) => format!("crate::{name}"),
            Canonical::Path(path) => path,
            Canonical::Unresolved(name) => name,
            Canonical::Generic(_) | Canonical::SelfType | Canonical::Primitive(_) => return None,
        };
        Some(Bound {
            trait_name,
            args: args.iter().map(|a| self.resolve_at(a, depth)).collect(),
            bindings: bindings.iter().map(|(n, t)| (n.clone(), self.resolve_at(t, depth))).collect(),
        })
    }

    fn path_type(&self, segments: &[String], args: Vec<Type>, depth: u32) -> Type {
        if let [owner, assoc] = segments {
            if owner == "Self" || self.generics.iter().any(|g| &g.name == owner) {
                return self.associated_type(owner, assoc, depth);
            }
        }
        match self.canonical(segments) {
            Canonical::Generic(name) => Type::Param(name),
            Canonical::SelfType => self.self_ty.clone().unwrap_or(Type::Unknown),
            Canonical::Primitive(name) => Type::Named { name, args },
            Canonical::Family(key) => Type::Named { name: key.to_string(), args },
            Canonical::CrateItem(name) => match self.tables.aliases.get(&name) {
                Some(_) if depth >= ALIAS_DEPTH => Type::Unknown,
                Some((scope, generics, aliased)) => {
                    let inner = self.tables.resolver(*scope, generics, self.self_ty.as_ref());
                    let target = inner.resolve_at(aliased, depth + 1);
                    let generics: Vec<Generic> =
                        generics.iter().map(|g| Generic { name: g.name.clone(), bounds: Vec::new() }).collect();
                    target.substitute_partial(&generic_bindings(&generics, &args))
                }
                None => Type::Named { name: format!("crate::{name}"), args },
            },
            Canonical::Path(path) => Type::Named { name: path, args },
            Canonical::Unresolved(name) => Type::Unresolved { name, args },
        }
    }

    /// What a path names, following rustc's order: generic parameter, `Self`,
    /// primitive, imported name, the crate's item, the prelude, a glob import.
    pub fn canonical(&self, segments: &[String]) -> Canonical {
        let model = StdModel::get();
        let [first, rest @ ..] = segments else {
            return Canonical::Unresolved(String::new());
        };
        if rest.is_empty() {
            if self.generics.iter().any(|g| &g.name == first) {
                return Canonical::Generic(first.clone());
            }
            if first == "Self" {
                return Canonical::SelfType;
            }
            if PRIMITIVES.contains(&first.as_str()) {
                return Canonical::Primitive(first.clone());
            }
        }
        let mut full: Vec<String> = match self.imports.iter().find(|i| &i.alias == first) {
            Some(import) => import.path.iter().chain(rest).cloned().collect(),
            None => segments.to_vec(),
        };
        // A path into a workspace crate read with this one is a path into this one.
        if self.tables.local_crates.contains(&full[0]) {
            full[0] = "crate".into();
        }
        if matches!(full[0].as_str(), "crate" | "self" | "super") {
            let last = full.last().cloned().unwrap_or_default();
            return if self.tables.is_item(&last) {
                Canonical::CrateItem(last)
            } else {
                Canonical::Path(full.join("::"))
            };
        }
        if full.len() == 1 && self.imports.iter().all(|i| &i.alias != first) {
            if self.tables.is_item(first) {
                return Canonical::CrateItem(first.clone());
            }
            if let Some((_, path)) = PRELUDE.iter().find(|(name, _)| name == first) {
                full = path.split("::").map(str::to_owned).collect();
            } else {
                let from_glob = self.imports.iter().filter(|i| i.alias == "*").find_map(|i| {
                    let path = format!("{}::{first}", i.path.join("::"));
                    model.family_of_path(&path)
                });
                return match from_glob {
                    Some(key) => Canonical::Family(key),
                    None => Canonical::Unresolved(first.clone()),
                };
            }
        }
        let path = full.join("::");
        match model.family_of_path(&path) {
            Some(key) => Canonical::Family(key),
            None => Canonical::Path(path),
        }
    }

    /// The canonical full path of a called fn (`mem::take` with `use std::mem;` gives
    /// `std::mem::take`), for the std model's [`StdModel::fn_key`] or the crate's fns.
    pub fn fn_path(&self, segments: &[String]) -> String {
        let Some((last, prefix)) = segments.split_last() else {
            return String::new();
        };
        if prefix.is_empty() {
            return match self.imports.iter().find(|i| &i.alias == last) {
                Some(import) => match import.path.split_first() {
                    Some((first, rest)) if self.tables.local_crates.contains(first) => {
                        std::iter::once("crate").chain(rest.iter().map(String::as_str)).collect::<Vec<_>>().join("::")
                    }
                    _ => import.path.join("::"),
                },
                None => last.clone(),
            };
        }
        let owner = match self.canonical(prefix) {
            Canonical::Family(key) => key.to_string(),
            Canonical::CrateItem(name) => format!("crate::{name}"),
            Canonical::SelfType => match &self.self_ty {
                Some(Type::Named { name, .. }) => name.clone(),
                _ => "Self".into(),
            },
            Canonical::Path(path) => path,
            Canonical::Generic(name) | Canonical::Primitive(name) | Canonical::Unresolved(name) => name,
        };
        format!("{owner}::{last}")
    }
}

/// Each scope's imports plus what its `use super::*` / `use self::m::*` /
/// `use crate::m::*` globs bring from the crate's own modules: those modules' own
/// imports (a child module's `use super::*` sees the parent's `use std::sync::Mutex`).
/// Two rounds follow a glob of a glob; modules are matched by path (`CrateSigs::modules`).
fn with_glob_imports(scopes: &[Vec<Import>], modules: &[Vec<String>]) -> Vec<Vec<Import>> {
    let mut out = scopes.to_vec();
    for _ in 0..2 {
        let current = out.clone();
        for (i, imports) in current.iter().enumerate() {
            let Some(here) = modules.get(i) else { continue };
            for glob in imports.iter().filter(|imp| imp.alias == "*") {
                let Some(target) = crate_module(here, &glob.path) else { continue };
                for (j, module) in modules.iter().enumerate() {
                    if j == i || *module != target {
                        continue;
                    }
                    for imp in current[j].iter().filter(|imp| imp.alias != "*") {
                        if !out[i].iter().any(|mine| mine.alias == imp.alias) {
                            out[i].push(imp.clone());
                        }
                    }
                }
            }
        }
    }
    out
}

/// The crate module a glob's path names from module `here`, if it is the crate's own.
fn crate_module(here: &[String], path: &[String]) -> Option<Vec<String>> {
    let mut module = here.to_vec();
    let mut segments = path.iter();
    match segments.next()?.as_str() {
        "crate" => module.clear(),
        "self" => {}
        "super" => {
            module.pop()?;
        }
        _ => return None,
    }
    for segment in segments {
        match segment.as_str() {
            "super" => {
                module.pop()?;
            }
            name => module.push(name.to_string()),
        }
    }
    Some(module)
}

/// What a written path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Canonical {
    Generic(String),
    SelfType,
    Primitive(String),
    /// A std-model family, by key.
    Family(&'static str),
    /// A struct, enum, alias or trait of the crate, by name.
    CrateItem(String),
    /// A path nothing in the model knows (`axum::extract::Path`).
    Path(String),
    /// A bare name with no import, item or prelude entry.
    Unresolved(String),
}
