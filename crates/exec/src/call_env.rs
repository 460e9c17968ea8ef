//! The plan environment of one call: the host's, plus what the deploy script already worked out
//! for that call (a template rendered with the real jinja2).

use rinfra_facts::fact_source::PlanEnv;
use rinfra_facts::operations::files::jinja::TemplateError;
use rinfra_facts::value::Value;

use crate::python::OpCall;

/// A host's [`PlanEnv`] seen by one call.
pub(crate) struct CallEnv<'a> {
    host: &'a dyn PlanEnv,
    rendered: Option<&'a Result<String, TemplateError>>,
}

impl<'a> CallEnv<'a> {
    /// The environment `call` is planned in on the host `host`.
    pub(crate) fn new(host: &'a dyn PlanEnv, call: &'a OpCall) -> CallEnv<'a> {
        CallEnv { host, rendered: call.rendered.as_deref() }
    }
}

impl PlanEnv for CallEnv<'_> {
    fn host_name(&self) -> &str {
        self.host.host_name()
    }
    fn host_data(&self, key: &str) -> Option<Value> {
        self.host.host_data(key)
    }
    fn temp_filename(&self, key: &str) -> String {
        self.host.temp_filename(key)
    }
    fn timestamp(&self) -> String {
        self.host.timestamp()
    }
    fn temp_filename_in(&self, key: &str, dir: Option<&str>) -> String {
        self.host.temp_filename_in(key, dir)
    }
    fn temp_dir(&self) -> String {
        self.host.temp_dir()
    }
    fn rendered_template(&self) -> Option<Result<String, TemplateError>> {
        self.rendered.cloned()
    }
}
