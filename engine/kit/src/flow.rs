//! The flow engine: a named chain of steps run in order; when one fails, every
//! step that ran (the failing one first, as ZStack's SimpleFlowChain does) is
//! rolled back in reverse order. Steps share one context (`Shared<C>`).
//!
//! Hooks let the caller observe each finished step and inject a failure at
//! any step (so tests can fail every step in turn and check nothing is left
//! behind). A crashed flow is not replayed: the node derives what it took
//! from the rows keyed by its resource (see the node's recovery).

use crate::error::ApiResult;
use crate::ApiError;
use futures::future::LocalBoxFuture;
use std::cell::RefCell;
use std::rc::Rc;

pub type Shared<C> = Rc<RefCell<C>>;
pub type StepFn<C> = fn(Shared<C>) -> LocalBoxFuture<'static, ApiResult<()>>;
pub type UndoFn<C> = fn(Shared<C>) -> LocalBoxFuture<'static, ()>;

struct Step<C> {
    name: &'static str,
    run: StepFn<C>,
    rollback: Option<UndoFn<C>>,
}

pub struct FlowChain<C> {
    name: &'static str,
    steps: Vec<Step<C>>,
}

/// Observes and steers a running chain.
pub trait FlowHooks<C> {
    /// A step finished successfully; `done` lists every step finished so far.
    fn step_done(&self, _chain: &str, _done: &[&'static str], _ctx: &C) {}
    /// Return an error to make this step fail right after it ran (fault injection).
    fn inject_failure(&self, _chain: &str, _step: &str) -> Option<ApiError> {
        None
    }
}

pub struct NoHooks;
impl<C> FlowHooks<C> for NoHooks {}

impl<C: 'static> FlowChain<C> {
    pub fn new(name: &'static str) -> Self {
        FlowChain { name, steps: Vec::new() }
    }

    pub fn step(mut self, name: &'static str, run: StepFn<C>, rollback: Option<UndoFn<C>>) -> Self {
        self.steps.push(Step { name, run, rollback });
        self
    }

    pub fn step_names(&self) -> Vec<&'static str> {
        self.steps.iter().map(|s| s.name).collect()
    }

    /// Run every step; on failure roll back and return the error, located at
    /// the failing step.
    pub async fn run(&self, ctx: Shared<C>, hooks: &dyn FlowHooks<C>) -> ApiResult<()> {
        let mut done: Vec<&'static str> = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            let mut outcome = (step.run)(ctx.clone()).await;
            if outcome.is_ok() {
                if let Some(e) = hooks.inject_failure(self.name, step.name) {
                    outcome = Err(e);
                }
            }
            match outcome {
                Ok(()) => {
                    done.push(step.name);
                    hooks.step_done(self.name, &done, &ctx.borrow());
                }
                Err(e) => {
                    // The failing step is rolled back too: it may have taken
                    // something before it failed.
                    self.rollback_through(i, ctx).await;
                    return Err(e.at(format!("{}/{}", self.name, step.name)));
                }
            }
        }
        Ok(())
    }

    /// Roll back steps `0..=last` in reverse order.
    async fn rollback_through(&self, last: usize, ctx: Shared<C>) {
        for step in self.steps[..=last.min(self.steps.len().saturating_sub(1))].iter().rev() {
            if let Some(undo) = step.rollback {
                undo(ctx.clone()).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Ctx {
        taken: Vec<&'static str>,
        fail_in_b: bool,
    }

    fn push(c: &Shared<Ctx>, name: &'static str) {
        c.borrow_mut().taken.push(name);
    }
    fn pop(c: &Shared<Ctx>, name: &'static str) {
        c.borrow_mut().taken.retain(|t| *t != name);
    }
    fn run_a(c: Shared<Ctx>) -> LocalBoxFuture<'static, ApiResult<()>> {
        Box::pin(async move { push(&c, "a"); Ok(()) })
    }
    fn run_b(c: Shared<Ctx>) -> LocalBoxFuture<'static, ApiResult<()>> {
        Box::pin(async move {
            push(&c, "b");
            if c.borrow().fail_in_b {
                return Err(ApiError::operation("b broke"));
            }
            Ok(())
        })
    }
    fn run_c(c: Shared<Ctx>) -> LocalBoxFuture<'static, ApiResult<()>> {
        Box::pin(async move { push(&c, "c"); Ok(()) })
    }
    fn undo_a(c: Shared<Ctx>) -> LocalBoxFuture<'static, ()> {
        Box::pin(async move { pop(&c, "a") })
    }
    fn undo_b(c: Shared<Ctx>) -> LocalBoxFuture<'static, ()> {
        Box::pin(async move { pop(&c, "b") })
    }
    fn undo_c(c: Shared<Ctx>) -> LocalBoxFuture<'static, ()> {
        Box::pin(async move { pop(&c, "c") })
    }

    fn chain() -> FlowChain<Ctx> {
        FlowChain::new("test").step("a", run_a, Some(undo_a)).step("b", run_b, Some(undo_b)).step("c", run_c, Some(undo_c))
    }

    struct FailAt(&'static str);
    impl FlowHooks<Ctx> for FailAt {
        fn inject_failure(&self, _chain: &str, step: &str) -> Option<ApiError> {
            (step == self.0).then(|| ApiError::operation("injected"))
        }
    }

    #[tokio::test]
    async fn success_runs_every_step() {
        let ctx = Rc::new(RefCell::new(Ctx::default()));
        chain().run(ctx.clone(), &NoHooks).await.unwrap();
        assert_eq!(ctx.borrow().taken, vec!["a", "b", "c"]);
    }

    #[tokio::test]
    async fn a_failing_step_is_rolled_back_with_everything_before_it() {
        let ctx = Rc::new(RefCell::new(Ctx { fail_in_b: true, ..Default::default() }));
        let err = chain().run(ctx.clone(), &NoHooks).await.unwrap_err();
        assert_eq!(err.location.as_deref(), Some("test/b"));
        assert!(ctx.borrow().taken.is_empty(), "left behind: {:?}", ctx.borrow().taken);
    }

    #[tokio::test]
    async fn every_step_failing_in_turn_leaves_nothing() {
        for step in chain().step_names() {
            let ctx = Rc::new(RefCell::new(Ctx::default()));
            let err = chain().run(ctx.clone(), &FailAt(step)).await.unwrap_err();
            assert_eq!(err.details, "injected");
            assert!(ctx.borrow().taken.is_empty(), "failing {step} left {:?}", ctx.borrow().taken);
        }
    }
}
