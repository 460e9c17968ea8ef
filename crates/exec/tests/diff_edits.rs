//! `--diff` for `files.line`, `files.block` and `files.replace` on `@local`: the diff shown (with
//! `--dry`, before anything runs) is what the real run then does to the file.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_rinfra-exec");

fn run(dir: &Path, extra: &[&str]) -> Output {
    Command::new(BIN).current_dir(dir).arg("@local").arg("deploy.py").args(extra).output().expect("run rinfra-exec")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The diff lines printed under the operation named `op` (the indented block after its header).
fn diff_under(stdout: &str, op: &str) -> Vec<String> {
    let after = stdout.split(&format!("--> {op} ")).nth(1).unwrap_or("");
    after
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with("        "))
        .map(|l| l.trim_start_matches("        ").to_string())
        .collect()
}

#[test]
fn dry_diff_of_line_block_and_replace_is_what_the_run_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |name: &str| dir.path().join(name);
    std::fs::write(p("app.conf"), "name=app\nport=80\ndebug=true\n").expect("app.conf");
    std::fs::write(p("hosts"), "127.0.0.1 localhost\n").expect("hosts");
    std::fs::write(p("motd"), "Welcome to OLD\nbye OLD\n").expect("motd");
    std::fs::write(p("env"), "A=1\n").expect("env");
    let deploy = format!(
        r#"from pyinfra.operations import files
files.line(name="port", path="{app}", line="^port=.*$", replace="port=8080")
files.line(name="nodebug", path="{app}", line="debug", present=False)
files.block(name="hosts block", path="{hosts}", content="10.0.0.1 db\n10.0.0.2 cache")
files.replace(name="rename", path="{motd}", text="OLD", replace="NEW", flags=["g"])
files.line(name="home", path="{env}", line="HOME=$HOME", interpolate_variables=True)
"#,
        app = p("app.conf").display(),
        hosts = p("hosts").display(),
        motd = p("motd").display(),
        env = p("env").display(),
    );
    std::fs::write(p("deploy.py"), deploy).expect("deploy.py");

    let dry = run(dir.path(), &["--dry", "--diff"]);
    let stdout = text(&dry.stdout);
    assert_eq!(dry.status.code(), Some(0), "{stdout}{}", text(&dry.stderr));
    let app = p("app.conf").display().to_string();
    assert_eq!(
        diff_under(&stdout, "port"),
        [
            format!("--- {app} (host)"),
            format!("+++ {app} (new)"),
            "@@ -1,3 +1,3 @@".into(),
            " name=app".into(),
            "-port=80".into(),
            "+port=8080".into(),
            " debug=true".into(),
        ],
        "{stdout}"
    );
    let nodebug = diff_under(&stdout, "nodebug");
    assert!(
        nodebug.contains(&"-debug=true".to_string())
            && !nodebug.iter().any(|l| l.starts_with('+') && !l.starts_with("+++")),
        "{stdout}"
    );
    let block = diff_under(&stdout, "hosts block");
    assert!(
        block.ends_with(&[
            " 127.0.0.1 localhost".into(),
            "+# BEGIN PYINFRA BLOCK".into(),
            "+10.0.0.1 db".into(),
            "+10.0.0.2 cache".into(),
            "+# END PYINFRA BLOCK".into(),
        ]),
        "{stdout}"
    );
    let rename = diff_under(&stdout, "rename");
    assert!(
        rename.ends_with(&["-Welcome to OLD".into(), "-bye OLD".into(), "+Welcome to NEW".into(), "+bye NEW".into()]),
        "{stdout}"
    );
    let env = p("env").display().to_string();
    assert_eq!(
        diff_under(&stdout, "home"),
        [format!("(no diff for {env}: the host's shell expands variables in it)")],
        "{stdout}"
    );
    assert_eq!(std::fs::read_to_string(p("app.conf")).expect("app.conf"), "name=app\nport=80\ndebug=true\n", "--dry");

    let real = run(dir.path(), &[]);
    assert_eq!(real.status.code(), Some(0), "{}{}", text(&real.stdout), text(&real.stderr));
    assert_eq!(std::fs::read_to_string(p("app.conf")).expect("app.conf"), "name=app\nport=8080\n");
    assert_eq!(
        std::fs::read_to_string(p("hosts")).expect("hosts"),
        "127.0.0.1 localhost\n# BEGIN PYINFRA BLOCK\n10.0.0.1 db\n10.0.0.2 cache\n# END PYINFRA BLOCK\n"
    );
    assert_eq!(std::fs::read_to_string(p("motd")).expect("motd"), "Welcome to NEW\nbye NEW\n");
}
