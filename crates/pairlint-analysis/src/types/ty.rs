//! [`Type`], the resolved type inference works with, and the two operations on it the
//! std model and crate signatures need: matching a pattern against a type (binding its
//! parameters) and substituting the bindings into a result type.

use std::collections::BTreeMap;
use std::fmt;

/// A resolved type. Names are canonical: a std-model family key (`VecDeque`,
/// `tokio::Mutex`, `Iter`), a primitive, `crate::Name` for the crate's own structs,
/// enums and traits, or a library path as its import wrote it (`axum::extract::Path`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Type {
    Named {
        name: String,
        args: Vec<Type>,
    },
    /// A bare name nothing resolved (no import, crate item or prelude entry named it):
    /// the std model tries it as each family of that name ([`super::std_model`]).
    Unresolved {
        name: String,
        args: Vec<Type>,
    },
    /// A generic parameter (`T`) of the signature it appears in.
    Param(String),
    Ref {
        mutable: bool,
        inner: Box<Type>,
    },
    Slice(Box<Type>),
    /// `()` is the empty tuple.
    Tuple(Vec<Type>),
    Never,
    /// `dyn Trait` / `impl Trait`: the bounds, each a [`Type::Named`] trait with its
    /// associated-type bindings folded into [`Type::Bound`].
    Opaque {
        is_dyn: bool,
        bounds: Vec<Bound>,
    },
    /// A fn pointer or closure: parameter types and the return type.
    Fn {
        params: Vec<Type>,
        ret: Box<Type>,
    },
    /// Not known. Never guessed: anything computed from it stays unknown.
    #[default]
    Unknown,
}

/// A trait bound: `Iterator<Item = Job>` is trait `Iterator`, no args, binding Item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bound {
    pub trait_name: String,
    pub args: Vec<Type>,
    pub bindings: Vec<(String, Type)>,
}

impl Bound {
    pub fn binding(&self, name: &str) -> Option<&Type> {
        self.bindings.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }
}

/// Values of pattern parameters found by [`Type::bind`].
pub type Bindings = BTreeMap<String, Type>;

impl Type {
    pub fn named(name: &str, args: Vec<Type>) -> Type {
        Type::Named { name: name.to_string(), args }
    }

    pub fn unit() -> Type {
        Type::Tuple(Vec::new())
    }

    pub fn reference(inner: Type) -> Type {
        Type::Ref { mutable: false, inner: Box::new(inner) }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Type::Unknown)
    }

    /// The name of a named type, if it is one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Type::Named { name, .. } => Some(name),
            _ => None,
        }
    }

    pub fn args(&self) -> &[Type] {
        match self {
            Type::Named { args, .. } => args,
            _ => &[],
        }
    }

    /// This type without its outer references.
    pub fn peel_refs(&self) -> &Type {
        match self {
            Type::Ref { inner, .. } => inner.peel_refs(),
            other => other,
        }
    }

    /// Some part of the type is unknown.
    pub fn has_unknown(&self) -> bool {
        let mut found = false;
        self.walk(&mut |t| found |= t.is_unknown());
        found
    }

    fn walk(&self, f: &mut impl FnMut(&Type)) {
        f(self);
        match self {
            Type::Named { args, .. } | Type::Unresolved { args, .. } | Type::Tuple(args) => {
                args.iter().for_each(|a| a.walk(f))
            }
            Type::Ref { inner, .. } | Type::Slice(inner) => inner.walk(f),
            Type::Fn { params, ret } => {
                params.iter().for_each(|a| a.walk(f));
                ret.walk(f);
            }
            Type::Opaque { bounds, .. } => bounds.iter().for_each(|b| {
                b.args.iter().for_each(|a| a.walk(f));
                b.bindings.iter().for_each(|(_, a)| a.walk(f));
            }),
            Type::Param(_) | Type::Never | Type::Unknown => {}
        }
    }

    /// Matches this pattern (whose [`Type::Param`]s are variables) against `actual`,
    /// adding to `bindings`. A variable met twice must get equal types, except that an
    /// unknown side never conflicts (it just binds nothing new). References match
    /// whatever their mutability: the model only cares what they point to.
    pub fn bind(&self, actual: &Type, bindings: &mut Bindings) -> bool {
        match (self, actual) {
            (Type::Param(p), _) => match bindings.get(p) {
                Some(Type::Unknown) | None => {
                    bindings.insert(p.clone(), actual.clone());
                    true
                }
                Some(_) if actual.is_unknown() => true,
                Some(known) => known == actual,
            },
            (_, Type::Unknown) => true,
            (Type::Named { name: a, args: xs }, Type::Named { name: b, args: ys }) => {
                a == b && (ys.is_empty() || xs.len() == ys.len()) && xs.iter().zip(ys).all(|(x, y)| x.bind(y, bindings))
            }
            (Type::Ref { inner: a, .. }, Type::Ref { inner: b, .. }) | (Type::Slice(a), Type::Slice(b)) => {
                a.bind(b, bindings)
            }
            (Type::Tuple(xs), Type::Tuple(ys)) => {
                xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| x.bind(y, bindings))
            }
            (Type::Fn { params: xs, ret: a }, Type::Fn { params: ys, ret: b }) => {
                xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| x.bind(y, bindings)) && a.bind(b, bindings)
            }
            (Type::Never, Type::Never) => true,
            (Type::Opaque { .. } | Type::Unresolved { .. }, _) => self == actual,
            _ => false,
        }
    }

    /// Replaces each bound parameter by its value; an unbound one becomes
    /// [`Type::Unknown`] (a result type never names a variable nothing fixed).
    pub fn substitute(&self, bindings: &Bindings) -> Type {
        self.map_params(&mut |p| bindings.get(p).cloned().unwrap_or(Type::Unknown))
    }

    /// Replaces only the bound parameters, keeping the others (for signatures whose
    /// own generics stay variables).
    pub fn substitute_partial(&self, bindings: &Bindings) -> Type {
        self.map_params(&mut |p| bindings.get(p).cloned().unwrap_or_else(|| Type::Param(p.to_string())))
    }

    fn map_params(&self, f: &mut impl FnMut(&str) -> Type) -> Type {
        match self {
            Type::Param(p) => f(p),
            Type::Named { name, args } => {
                Type::Named { name: name.clone(), args: args.iter().map(|a| a.map_params(f)).collect() }
            }
            Type::Unresolved { name, args } => {
                Type::Unresolved { name: name.clone(), args: args.iter().map(|a| a.map_params(f)).collect() }
            }
            Type::Ref { mutable, inner } => Type::Ref { mutable: *mutable, inner: Box::new(inner.map_params(f)) },
            Type::Slice(inner) => Type::Slice(Box::new(inner.map_params(f))),
            Type::Tuple(items) => Type::Tuple(items.iter().map(|a| a.map_params(f)).collect()),
            Type::Fn { params, ret } => {
                Type::Fn { params: params.iter().map(|a| a.map_params(f)).collect(), ret: Box::new(ret.map_params(f)) }
            }
            Type::Opaque { is_dyn, bounds } => Type::Opaque {
                is_dyn: *is_dyn,
                bounds: bounds
                    .iter()
                    .map(|b| Bound {
                        trait_name: b.trait_name.clone(),
                        args: b.args.iter().map(|a| a.map_params(f)).collect(),
                        bindings: b.bindings.iter().map(|(n, a)| (n.clone(), a.map_params(f))).collect(),
                    })
                    .collect(),
            },
            Type::Never | Type::Unknown => self.clone(),
        }
    }
}

fn joined(items: &[Type]) -> String {
    items.iter().map(Type::to_string).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut inside: Vec<String> = self.args.iter().map(Type::to_string).collect();
        inside.extend(self.bindings.iter().map(|(n, t)| format!("{n} = {t}")));
        if inside.is_empty() {
            f.write_str(&self.trait_name)
        } else {
            write!(f, "{}<{}>", self.trait_name, inside.join(", "))
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Named { name, args } if args.is_empty() => f.write_str(name),
            Type::Named { name, args } => write!(f, "{name}<{}>", joined(args)),
            Type::Unresolved { name, args } if args.is_empty() => write!(f, "{name}?"),
            Type::Unresolved { name, args } => write!(f, "{name}?<{}>", joined(args)),
            Type::Param(p) => f.write_str(p),
            Type::Ref { mutable, inner } => write!(f, "&{}{inner}", if *mutable { "mut " } else { "" }),
            Type::Slice(inner) => write!(f, "[{inner}]"),
            Type::Tuple(items) if items.len() == 1 => write!(f, "({},)", items[0]),
            Type::Tuple(items) => write!(f, "({})", joined(items)),
            Type::Never => f.write_str("!"),
            Type::Opaque { is_dyn, bounds } => {
                let bounds: Vec<String> = bounds.iter().map(Bound::to_string).collect();
                write!(f, "{} {}", if *is_dyn { "dyn" } else { "impl" }, bounds.join(" + "))
            }
            Type::Fn { params, ret } => write!(f, "|{}| {ret}", joined(params)),
            Type::Unknown => f.write_str("?"),
        }
    }
}
