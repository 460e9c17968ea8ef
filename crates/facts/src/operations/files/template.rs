//! `files.template`: render a template (with the real jinja2 when the executor did, else with
//! [`super::jinja`]) and upload it like `files.put`.

use serde_json::json;

use super::jinja::{HostView, Options, render};
use super::util::{local_join, path_str};
use crate::args::Args;
use crate::plan::{Ctx, ErrorKind, PlanError, TemplateFailure};
use crate::value::{Value, as_io, truthy};

/// The template's view of the host: its name and data from the plan environment.
struct EnvHost<'a>(&'a dyn crate::fact_source::PlanEnv);

impl HostView for EnvHost<'_> {
    fn name(&self) -> String {
        self.0.host_name().to_string()
    }
    fn data(&self, key: &str) -> Option<Value> {
        self.0.host_data(key)
    }
}

/// The Jinja environment options of `jinja_env_kwargs` that rinfra honours.
fn options(kwargs: &Value) -> Result<Options, PlanError> {
    let mut o = Options::default();
    let Some(map) = kwargs.as_object() else { return Ok(o) };
    for (k, v) in map {
        match k.as_str() {
            "trim_blocks" => o.trim_blocks = truthy(v),
            "lstrip_blocks" => o.lstrip_blocks = truthy(v),
            // Only used by include/extends, which rinfra's renderer does not support.
            "loader" => {}
            other => {
                return Err(PlanError::value(format!(
                    "jinja_env_kwargs option `{other}` is not supported by rinfra's template renderer"
                )));
            }
        }
    }
    Ok(o)
}

/// `files.template`.
pub fn template(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let (source, name, file) = match as_io(a.get("src")) {
        Some(contents) => (contents.to_string(), "<_io.StringIO object>".to_string(), None),
        None => {
            let path = local_join(&ctx.local.cwd(), &path_str(a.get("src")));
            let Some(text) = ctx.local.read(&path) else {
                return Err(PlanError::new(
                    ErrorKind::IOError,
                    format!("[Errno 2] No such file or directory: '{path}'"),
                ));
            };
            (text, path.clone(), Some(path))
        }
    };
    // The executor may have rendered it already with the real jinja2; else rinfra's own engine.
    let rendered = match ctx.env.rendered_template() {
        Some(r) => r,
        None => render(&source, &a.extra, &EnvHost(ctx.env), options(a.get("jinja_env_kwargs"))?),
    };
    let output = match rendered {
        Ok(o) => o,
        Err(e) => {
            // The failing line with one line of context either side, as pyinfra shows it.
            let lines = match &file {
                Some(p) => ctx.local.read_lines(p).unwrap_or_default(),
                None => source.split_inclusive('\n').map(str::to_string).collect(),
            };
            let lines: Vec<&str> = lines.iter().map(|l| l.trim()).collect();
            let from = e.line.saturating_sub(2).min(lines.len());
            let to = (e.line + 1).min(lines.len()).max(from);
            return Err(PlanError::Template(TemplateFailure {
                name,
                line: e.line,
                message: e.message,
                context: lines[from..to].iter().map(|l| l.to_string()).collect(),
            }));
        }
    };
    crate::nested(
        ctx,
        "files.put",
        &[
            ("src", json!(format!("io:{output}"))),
            ("dest", a.get("dest").clone()),
            ("user", a.get("user").clone()),
            ("group", a.get("group").clone()),
            ("mode", a.get("mode").clone()),
            ("add_deploy_dir", json!(false)),
            ("create_remote_dir", a.get("create_remote_dir").clone()),
        ],
    )
}
