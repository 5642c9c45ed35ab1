//! The cascade walker: deleting a resource walks everything below it, deepest
//! first, in ZStack's phases: `deletion.check` (any node may veto; skipped in
//! Enforcing mode), `deletion.delete` (Enforcing: failures are logged and the
//! walk goes on) and `deletion.cleanup`. What a node does depends on its
//! parent and on the root (a VM under a host being deleted with its zone is
//! destroyed; under an L3 network it only loses its NIC), so the graph gets
//! both. Siblings are processed concurrently, a bounded number at a time.

use crate::error::{codes, ApiError, ApiResult};
use futures::future::LocalBoxFuture;
use futures::StreamExt;
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Node {
    pub kind: &'static str,
    pub uuid: String,
}

impl Node {
    pub fn new(kind: &'static str, uuid: impl Into<String>) -> Self {
        Node { kind, uuid: uuid.into() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteMode {
    Permissive,
    Enforcing,
}

impl DeleteMode {
    pub fn parse(s: Option<&str>) -> ApiResult<Self> {
        match s {
            None | Some("Permissive") => Ok(DeleteMode::Permissive),
            Some("Enforcing") => Ok(DeleteMode::Enforcing),
            Some(other) => Err(ApiError::invalid_argument(format!(
                "deleteMode must be Permissive or Enforcing, got [{other}]"
            ))),
        }
    }
}

/// One visit of a node: the node, the parent it was reached from, and the root.
#[derive(Debug, Clone)]
pub struct Visit {
    pub node: Node,
    pub parent: Node,
}

pub trait CascadeGraph {
    fn children<'a>(&'a self, node: &'a Node) -> LocalBoxFuture<'a, ApiResult<Vec<Node>>>;
    fn check<'a>(&'a self, visit: &'a Visit, root: &'a Node) -> LocalBoxFuture<'a, ApiResult<()>>;
    /// Delete (or detach/stop, depending on parent and root) one node. Must be
    /// idempotent: a node reached through two parents is visited twice.
    fn delete<'a>(&'a self, visit: &'a Visit, root: &'a Node, mode: DeleteMode) -> LocalBoxFuture<'a, ApiResult<()>>;
    fn cleanup<'a>(&'a self, _visit: &'a Visit) -> LocalBoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

/// How many siblings are deleted at once.
pub const SIBLING_PARALLELISM: usize = 32;

/// Walk everything below `root` (not `root` itself), leaves first.
pub async fn cascade(graph: &dyn CascadeGraph, root: &Node, mode: DeleteMode) -> ApiResult<()> {
    let levels = collect_levels(graph, root).await?;
    if mode == DeleteMode::Permissive {
        for level in levels.iter().rev() {
            for visit in level {
                graph.check(visit, root).await.map_err(|e| e.wrap(codes::DELETE_RESOURCE, "deletion check failed"))?;
            }
        }
    }
    for level in levels.iter().rev() {
        let results: Vec<(ApiResult<()>, &Visit)> = futures::stream::iter(level.iter())
            .map(|v| async move { (graph.delete(v, root, mode).await, v) })
            .buffer_unordered(SIBLING_PARALLELISM)
            .collect()
            .await;
        for (result, visit) in results {
            if let Err(e) = result {
                if mode == DeleteMode::Permissive {
                    return Err(e.wrap(
                        codes::DELETE_RESOURCE,
                        format!("failed to delete {}[uuid:{}]", visit.node.kind, visit.node.uuid),
                    ));
                }
                log::warn!("force delete of {}[uuid:{}] failed, going on: {e}", visit.node.kind, visit.node.uuid);
            }
        }
    }
    for level in levels.iter().rev() {
        for visit in level {
            graph.cleanup(visit).await;
        }
    }
    Ok(())
}

/// Breadth-first levels below the root; an edge (parent, child) is visited once.
async fn collect_levels(graph: &dyn CascadeGraph, root: &Node) -> ApiResult<Vec<Vec<Visit>>> {
    let mut levels: Vec<Vec<Visit>> = Vec::new();
    let mut seen_edges: HashSet<(Node, Node)> = HashSet::new();
    let mut frontier = vec![root.clone()];
    while !frontier.is_empty() {
        let mut next_level = Vec::new();
        for parent in &frontier {
            for child in graph.children(parent).await? {
                if seen_edges.insert((parent.clone(), child.clone())) {
                    next_level.push(Visit { node: child, parent: parent.clone() });
                }
            }
        }
        frontier = next_level.iter().map(|v| v.node.clone()).collect::<HashSet<_>>().into_iter().collect();
        if !next_level.is_empty() {
            levels.push(next_level);
        }
    }
    Ok(levels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// zone z -> clusters c1, c2 -> host h1 (in c1) -> vm v1
    struct Tree {
        children: HashMap<String, Vec<Node>>,
        deleted: RefCell<Vec<String>>,
        veto: Option<String>,
        fail: Option<String>,
    }

    fn tree() -> Tree {
        let mut children = HashMap::new();
        children.insert("z".to_string(), vec![Node::new("ClusterVO", "c1"), Node::new("ClusterVO", "c2")]);
        children.insert("c1".to_string(), vec![Node::new("HostVO", "h1")]);
        children.insert("h1".to_string(), vec![Node::new("VmInstanceVO", "v1")]);
        Tree { children, deleted: RefCell::new(vec![]), veto: None, fail: None }
    }

    impl CascadeGraph for Tree {
        fn children<'a>(&'a self, node: &'a Node) -> LocalBoxFuture<'a, ApiResult<Vec<Node>>> {
            Box::pin(async move { Ok(self.children.get(&node.uuid).cloned().unwrap_or_default()) })
        }
        fn check<'a>(&'a self, visit: &'a Visit, _root: &'a Node) -> LocalBoxFuture<'a, ApiResult<()>> {
            Box::pin(async move {
                match &self.veto {
                    Some(v) if *v == visit.node.uuid => Err(ApiError::operation("vetoed")),
                    _ => Ok(()),
                }
            })
        }
        fn delete<'a>(&'a self, visit: &'a Visit, _root: &'a Node, _mode: DeleteMode) -> LocalBoxFuture<'a, ApiResult<()>> {
            Box::pin(async move {
                if self.fail.as_deref() == Some(visit.node.uuid.as_str()) {
                    return Err(ApiError::operation("broken"));
                }
                self.deleted.borrow_mut().push(visit.node.uuid.clone());
                Ok(())
            })
        }
    }

    #[tokio::test]
    async fn deletes_leaves_first() {
        let t = tree();
        cascade(&t, &Node::new("ZoneVO", "z"), DeleteMode::Permissive).await.unwrap();
        let d = t.deleted.borrow();
        let pos = |u: &str| d.iter().position(|x| x == u).unwrap();
        assert!(pos("v1") < pos("h1") && pos("h1") < pos("c1"));
        assert_eq!(d.len(), 4);
    }

    #[tokio::test]
    async fn a_veto_stops_permissive_but_not_enforcing() {
        let mut t = tree();
        t.veto = Some("v1".into());
        let e = cascade(&t, &Node::new("ZoneVO", "z"), DeleteMode::Permissive).await.unwrap_err();
        assert_eq!(e.code, "SYS.1004");
        assert!(t.deleted.borrow().is_empty(), "nothing may be deleted after a veto");
        cascade(&t, &Node::new("ZoneVO", "z"), DeleteMode::Enforcing).await.unwrap();
        assert_eq!(t.deleted.borrow().len(), 4);
    }

    #[tokio::test]
    async fn enforcing_goes_on_after_a_failure() {
        let mut t = tree();
        t.fail = Some("h1".into());
        assert!(cascade(&t, &Node::new("ZoneVO", "z"), DeleteMode::Permissive).await.is_err());
        t.deleted.borrow_mut().clear();
        cascade(&t, &Node::new("ZoneVO", "z"), DeleteMode::Enforcing).await.unwrap();
        assert_eq!(t.deleted.borrow().len(), 3);
    }
}
