//! Recursion in the type space: which references must be boxed so every
//! type has a finite size, and which aliases refer to themselves (Rust
//! rejects cyclic `type` aliases, so those become newtypes).

use foldhash::HashSet;

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
    // `from → to` lies on a cycle exactly when `to` reaches `from` back.
    let component = components(&graph);
    let mut boxed = HashSet::default();
    for (from, targets) in graph.iter().enumerate() {
        for &to in targets {
            if component[from] == component[to] {
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
    let component = components(&graph);
    (0..graph.len())
        .filter(|&id| {
            graph[id]
                .iter()
                .any(|&next| component[next] == component[id])
        })
        .collect()
}

/// The strongly connected component of each node (Tarjan's algorithm,
/// without recursion: a chain of a million types must not overflow the
/// stack): two nodes share one exactly when each reaches the other. Linear
/// in the graph, where asking "does `to` reach `from`?" for every edge was
/// quadratic.
fn components(graph: &[Vec<TypeId>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = graph.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut component = vec![UNSEEN; n];
    let mut stack = Vec::new();
    let (mut next_index, mut next_component) = (0, 0);
    // Nodes being explored, each with the next of its edges to follow.
    let mut work: Vec<(TypeId, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        work.push((root, 0));
        while let Some(&(v, edge)) = work.last() {
            if edge == 0 && index[v] == UNSEEN {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = graph[v].get(edge) {
                if let Some(top) = work.last_mut() {
                    top.1 += 1;
                }
                if index[w] == UNSEEN {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::components;

    #[test]
    fn components_group_nodes_that_reach_each_other() {
        // 0 → 1 → 2 → 0, 2 → 3, 3 → 3, 4 → 0.
        let graph = vec![vec![1], vec![2], vec![0, 3], vec![3], vec![0]];
        let c = components(&graph);
        assert!(c[0] == c[1] && c[1] == c[2]);
        assert!(c[3] != c[0] && c[4] != c[0] && c[4] != c[3]);
    }

    #[test]
    fn a_long_chain_does_not_recurse() {
        let n = 1_000_000;
        let graph: Vec<Vec<usize>> = (0..n).map(|i| vec![(i + 1) % n]).collect();
        let c = components(&graph);
        assert!(c.iter().all(|&x| x == c[0]));
    }
}
