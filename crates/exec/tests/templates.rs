//! `files.template` end to end on `@local`: rendered with the real jinja2 through the embedded
//! Python when it imports (a virtualenv with jinja2 is made when the system Python lacks it),
//! with rinfra's own engine when it does not; template errors name `template:LINE` and fail that
//! operation only.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const BIN: &str = env!("CARGO_BIN_EXE_rinfra-exec");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Ask the embedded Python (not the `python3` on PATH, which may be another one) whether it
/// imports jinja2, and where its installation lives.
fn embedded_python() -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let probe = "import sys\ntry:\n    import jinja2\n    ok = 'yes'\nexcept ImportError:\n    ok = 'no'\nprint('PROBE', ok, sys.base_prefix)\n";
    std::fs::write(dir.path().join("deploy.py"), probe).expect("probe");
    let out = Command::new(BIN).current_dir(dir.path()).args(["@local", "deploy.py"]).output().expect("probe run");
    let stdout = text(&out.stdout);
    let line = stdout.lines().find_map(|l| l.strip_prefix("PROBE ")).expect("probe output").to_string();
    let (ok, prefix) = line.split_once(' ').expect("probe fields");
    (ok == "yes", prefix.to_string())
}

/// A virtualenv with jinja2 for the embedded Python when it cannot import it (`None`: it can).
/// Made once under the target directory; concurrent test processes race to rename theirs in.
fn jinja_venv() -> &'static Option<PathBuf> {
    static VENV: OnceLock<Option<PathBuf>> = OnceLock::new();
    VENV.get_or_init(|| {
        let (has, prefix) = embedded_python();
        if has {
            return None;
        }
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let done = root.join("jinja2-venv");
        if done.join("ok").exists() {
            return Some(done);
        }
        let work = root.join(format!("jinja2-venv-{}", std::process::id()));
        let python = format!("{prefix}/bin/python3");
        let made = Command::new(&python).args(["-m", "venv"]).arg(&work).status().expect("python -m venv");
        assert!(made.success(), "{python} -m venv failed");
        let pip = Command::new(work.join("bin/pip")).args(["install", "-q", "jinja2"]).status().expect("pip");
        assert!(pip.success(), "pip install jinja2 failed");
        std::fs::write(work.join("ok"), "").expect("mark venv");
        if std::fs::rename(&work, &done).is_err() {
            // Another test process got there first; use its venv.
            let _ = std::fs::remove_dir_all(&work);
        }
        Some(done)
    })
}

/// Run `rinfra-exec @local deploy.py <extra>` in `dir`, with jinja2 importable.
fn run(dir: &Path, extra: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir).arg("@local").arg("deploy.py").args(extra);
    if let Some(venv) = jinja_venv() {
        cmd.env("VIRTUAL_ENV", venv);
    }
    cmd.output().expect("run rinfra-exec")
}

/// A project in `dir` whose deploy renders `templates/<name>` (`template`) to `out/<name>`, with
/// keyword data `extra` (Python source), then writes a marker file (to show the run went on).
fn project(dir: &Path, name: &str, template: &str, extra: &str) {
    std::fs::create_dir_all(dir.join("templates")).expect("templates dir");
    std::fs::write(dir.join("templates").join(name), template).expect("template");
    let out = dir.join("out");
    let deploy = format!(
        r#"from pyinfra.operations import files
files.template(name="render", src="templates/{name}", dest="{out}/{name}"{extra})
files.file(name="after", path="{out}/after")
"#,
        out = out.display()
    );
    std::fs::write(dir.join("deploy.py"), deploy).expect("deploy.py");
}

/// Jinja2 features rinfra's own engine lacks: a macro, `{% set %}` with a filter chain, a
/// `namespace`, a `dictsort` loop.
const RICH: &str = r#"{% macro entry(key, value) -%}
{{ key | upper }}={{ value }}
{%- endmacro -%}
{% set names = users | map(attribute="name") | map("title") | join(", ") -%}
host={{ host.name }} role={{ host.data.role }} port={{ port }}
users: {{ names }}
{% for u in users -%}
{{ loop.index }}/{{ loop.length }} {{ entry(u.name, u.shell) }}
{% endfor -%}
{% set ns = namespace(total=0) %}{% for u in users %}{% set ns.total = ns.total + u.uid %}{% endfor -%}
total={{ ns.total }}
{% for k, v in settings | dictsort -%}
{{ k }}: {{ v }}
{% endfor %}"#;

#[test]
fn jinja2_renders_macros_filters_loops_and_host() {
    let dir = tempfile::tempdir().expect("tempdir");
    let extra = r#", port=8080, users=[{"name": "ann", "shell": "bash", "uid": 1000}, {"name": "bob", "shell": "zsh", "uid": 1001}], settings={"b": 2, "a": 1}"#;
    project(dir.path(), "app.conf.j2", RICH, extra);
    let out = run(dir.path(), &["--data", "role=web"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let rendered = std::fs::read_to_string(dir.path().join("out/app.conf.j2")).expect("rendered file");
    assert_eq!(
        rendered,
        "host=@local role=web port=8080\nusers: Ann, Bob\n1/2 ANN=bash\n2/2 BOB=zsh\ntotal=2001\na: 1\nb: 2\n"
    );
    // Rendered the same way again: nothing to change.
    let again = run(dir.path(), &["--data", "role=web"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert!(text(&again.stdout).contains("@local: No change"), "{}", text(&again.stdout));
    assert!(!text(&again.stdout).contains("@local: Success"), "{}", text(&again.stdout));
}

#[test]
fn undefined_variable_fails_the_operation_naming_template_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path(), "bad.j2", "first\n{{ host.name }}\nport={{ missing_port }}\nlast\n", "");
    let out = run(dir.path(), &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let want = format!("{}:3: 'missing_port' is undefined", dir.path().join("templates/bad.j2").display());
    assert!(stdout.contains(&want), "want {want} in:\n{stdout}");
    assert!(stdout.contains("port={{ missing_port }}"), "the failing line is shown: {stdout}");
    assert!(!dir.path().join("out/bad.j2").exists(), "nothing written");
    assert!(!stdout.contains("panicked"), "{stdout}");
}

#[test]
fn syntax_error_fails_the_operation_naming_template_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path(), "broken.j2", "ok\n\n{% for x in items %}\n{{ x }}\n{% endfro %}\n", ", items=[1]");
    let out = run(dir.path(), &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let want = format!("{}:5: Encountered unknown tag 'endfro'", dir.path().join("templates/broken.j2").display());
    assert!(stdout.contains(&want), "want {want} in:\n{stdout}");
}

/// A deploy directory that shadows jinja2 with a package that refuses to import, so the
/// embedded Python cannot import the real one whatever is installed.
fn block_jinja2(dir: &Path) {
    std::fs::create_dir_all(dir.join("jinja2")).expect("jinja2 dir");
    std::fs::write(dir.join("jinja2/__init__.py"), "raise ImportError('jinja2 is blocked for this test')\n")
        .expect("blocker");
}

#[test]
fn rust_engine_renders_when_jinja2_is_not_importable() {
    let dir = tempfile::tempdir().expect("tempdir");
    block_jinja2(dir.path());
    let template = "host={{ host.name }} role={{ host.data.role }}\n{% for u in users %}{{ loop.index }}:{{ u | upper }}\n{% endfor %}";
    project(dir.path(), "plain.j2", template, r#", users=["ann", "bob"]"#);
    let out = run(dir.path(), &["--data", "role=db"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let rendered = std::fs::read_to_string(dir.path().join("out/plain.j2")).expect("rendered file");
    assert_eq!(rendered, "host=@local role=db\n1:ANN\n2:BOB\n");

    // The Rust engine does not know macros: a clear error naming the template line, not a crash.
    let dir = tempfile::tempdir().expect("tempdir");
    block_jinja2(dir.path());
    project(dir.path(), "macro.j2", "a\n{% macro m() %}x{% endmacro %}\n", "");
    let out = run(dir.path(), &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let want = format!("{}:2: ", dir.path().join("templates/macro.j2").display());
    assert!(stdout.contains(&want), "want {want} in:\n{stdout}");

    // And an undefined variable names its line too.
    let dir = tempfile::tempdir().expect("tempdir");
    block_jinja2(dir.path());
    project(dir.path(), "undef.j2", "a\nb\n{{ nope }}\n", "");
    let out = run(dir.path(), &[]);
    let stdout = text(&out.stdout);
    let want = format!("{}:3: 'nope' is undefined", dir.path().join("templates/undef.j2").display());
    assert!(stdout.contains(&want), "want {want} in:\n{stdout}");
}

#[test]
fn jinja2_renders_includes_script_templates_and_nested_templates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    std::fs::create_dir_all(dir.path().join("templates")).expect("templates dir");
    std::fs::create_dir_all(&out).expect("out dir");
    let write = |name: &str, body: &str| std::fs::write(dir.path().join(name), body).expect("write");
    // `include` resolves from the working directory, as pyinfra's default loader does.
    write("templates/part.j2", "{% macro shout(x) %}{{ x | upper }}!{% endmacro %}");
    write(
        "templates/run.sh.j2",
        "#!/bin/sh\n{% from 'templates/part.j2' import shout %}echo '{{ shout(word) }}' > {{ target }}\n",
    );
    write("templates/nested.j2", "{% set xs = items | map('string') | join('+') %}{{ xs }}={{ items | sum }}\n");
    let deploy = format!(
        r#"from pyinfra.api import operation
from pyinfra.operations import files, server

server.script_template(name="script", src="templates/run.sh.j2", word="hello", target="{out}/said")

@operation()
def render_twice(dest):
    yield from files.template._inner(src="templates/nested.j2", dest=dest, items=[1, 2, 3])

render_twice(dest="{out}/nested")
"#,
        out = out.display()
    );
    write("deploy.py", &deploy);
    let run_out = run(dir.path(), &[]);
    assert_eq!(run_out.status.code(), Some(0), "{}{}", text(&run_out.stdout), text(&run_out.stderr));
    assert_eq!(std::fs::read_to_string(out.join("said")).expect("said"), "HELLO!\n");
    assert_eq!(std::fs::read_to_string(out.join("nested")).expect("nested"), "1+2+3=6\n");
}

#[test]
fn an_exception_while_rendering_fails_the_operation_naming_template_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path(), "div.j2", "a\nb\n{{ 10 // zero }}\n", ", zero=0");
    let out = run(dir.path(), &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let want = format!(
        "{}:3: ZeroDivisionError: integer division or modulo by zero",
        dir.path().join("templates/div.j2").display()
    );
    assert!(stdout.contains(&want), "want {want} in:\n{stdout}");
}
