//! `pyinfra.operations.python`: run Python code of the deploy itself, on the controller.

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::schema::{ArgKind, Dflt, Operation, arg, var_arg};
use crate::value::py_str;

/// What this module manages.
pub const DOC: &str = "Call Python functions of the deploy (on the controller) in the middle of a run.";

/// The operations of `python`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "call",
        doc: "Call a Python function of the deploy when the run reaches this point. The function runs on \
              the controller, in order with the other operations of the host, and may itself run commands \
              on the host. It always counts as a change.",
        args: &[
            arg("function", "Callable", Dflt::Required, "The function to call."),
            var_arg("args", ArgKind::VarArgs, "Positional arguments passed to the function."),
            var_arg("kwargs", ArgKind::VarKwargs, "Keyword arguments passed to the function."),
        ],
        planner: Some(call),
        ..Operation::NEW
    },
    Operation {
        name: "raise_exception",
        doc: "Fail the host at this point of the run by raising the given exception class, built from the \
              remaining arguments. Useful to stop a deploy on a condition only known at run time.",
        args: &[
            arg("exception", "type[Exception]", Dflt::Required, "The exception class to raise."),
            var_arg("args", ArgKind::VarArgs, "Positional arguments for the exception."),
            var_arg("kwargs", ArgKind::VarKwargs, "Keyword arguments for the exception."),
        ],
        planner: Some(raise_exception),
        ..Operation::NEW
    },
];

/// The callback is the function itself; the executor resolves its handle.
fn call(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let name = py_str(a.get("function"));
    ctx.change(format!("call {name}"));
    ctx.callback(&name, a.rest.clone(), a.extra.clone());
    Ok(())
}

/// `raise_exc` is the executor's built-in callback that raises `exception(*args, **kwargs)`;
/// the executor takes the exception class from the call's own arguments, as pyinfra's closure does.
fn raise_exception(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    ctx.change(format!("raise {}", py_str(a.get("exception"))));
    ctx.callback("raise_exc", a.rest.clone(), a.extra.clone());
    Ok(())
}
