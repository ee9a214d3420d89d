//! Recursion in the type space: which references must be boxed so every
//! type has a finite size, and which aliases refer to themselves (Rust
//! rejects cyclic `type` aliases, so those become newtypes).

use std::collections::{HashSet, VecDeque};

use crate::ir::{Api, TypeId, TypeKind, TypeRef};

/// The type references a definition holds, for walks over the type space.
pub fn refs_of(kind: &TypeKind) -> Vec<&TypeRef> {
    match kind {
        TypeKind::Struct { fields, additional } => fields
            .iter()
            .map(|f| &f.ty)
            .chain(additional.allowed())
            .collect(),
        TypeKind::Union { variants, .. } => variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Alias { target } => vec![target],
        TypeKind::Enum { .. } => Vec::new(),
    }
}

/// Named types `ty` holds inline (not behind a `Vec` or map, which already allocate).
fn direct_refs(ty: &TypeRef, out: &mut Vec<TypeId>) {
    match ty {
        TypeRef::Named(id) => out.push(*id),
        TypeRef::Nullable(inner) => direct_refs(inner, out),
        _ => {}
    }
}

/// The direct references that lie on a cycle: boxing them gives every
/// recursive type a finite size.
pub fn cyclic_edges(api: &Api) -> HashSet<(TypeId, TypeId)> {
    let graph: Vec<Vec<TypeId>> = api
        .types
        .types
        .iter()
        .map(|def| {
            let mut out = Vec::new();
            match &def.kind {
                // The flattened `additional` map already allocates.
                TypeKind::Struct { fields, .. } => {
                    fields.iter().for_each(|f| direct_refs(&f.ty, &mut out))
                }
                kind => refs_of(kind)
                    .into_iter()
                    .for_each(|ty| direct_refs(ty, &mut out)),
            }
            out
        })
        .collect();
    let mut boxed = HashSet::new();
    for (from, targets) in graph.iter().enumerate() {
        for &to in targets {
            if reaches(&graph, to, from) {
                boxed.insert((from, to));
            }
        }
    }
    boxed
}

/// Aliases that mention themselves through aliases only (at any depth).
pub fn alias_cycles(api: &Api) -> HashSet<TypeId> {
    let graph: Vec<Vec<TypeId>> = api
        .types
        .types
        .iter()
        .map(|def| {
            let mut out = Vec::new();
            if let TypeKind::Alias { target } = &def.kind {
                super::visit_named(target, &mut |id| {
                    if matches!(api.types.get(id).kind, TypeKind::Alias { .. }) {
                        out.push(id);
                    }
                });
            }
            out
        })
        .collect();
    (0..graph.len())
        .filter(|&id| graph[id].iter().any(|&next| reaches(&graph, next, id)))
        .collect()
}

/// Breadth-first: is `to` reachable from `from` (or equal to it)?
fn reaches(graph: &[Vec<TypeId>], from: TypeId, to: TypeId) -> bool {
    let mut seen = vec![false; graph.len()];
    let mut queue = VecDeque::from([from]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            return true;
        }
        if std::mem::replace(&mut seen[node], true) {
            continue;
        }
        queue.extend(graph[node].iter().copied());
    }
    false
}
