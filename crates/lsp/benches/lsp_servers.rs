//! rinfra-lsp beside pyright-langserver on a generated 2,000-line deploy.py, over stdio JSON-RPC:
//! time to first diagnostics after start, diagnostics after an edit, completion, inlay hints, and
//! resident memory. Results go to docs/PERFORMANCE.md (`## rinfra-lsp`); not a timed test.
//!
//! ```sh
//! cargo bench -p rinfra-lsp --bench lsp_servers            # rinfra-lsp only
//! RINFRA_BENCH_PYRIGHT=/tmp/bench-lsp/pyright/node_modules/.bin/pyright-langserver \
//! RINFRA_BENCH_VENV=/tmp/bench-lsp/venv cargo bench -p rinfra-lsp --bench lsp_servers
//! ```
//!
//! `RINFRA_BENCH_VENV` is a virtualenv with pyinfra installed, so pyright resolves the imports (it is
//! named in the workspace's `pyrightconfig.json`). `RINFRA_BENCH_EDITS` sets the number of edits (20);
//! `RINFRA_BENCH_RECORDS=0` leaves out the call-site records (hints from static evaluation only).
//! Without `--bench` on the command line (`cargo test --benches`) it makes one quick pass over a small
//! file with rinfra-lsp only, checking that every measurement gets an answer.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use rinfra_facts::cache::{FactCache, HostFacts};
use rinfra_facts::fact_source::FactKey;
use rinfra_lsp::hints::records::source_sha1;
use serde_json::{Value, json};

/// Long enough for pyright's first analysis on a loaded machine.
const TIMEOUT: Duration = Duration::from_secs(120);

/// One language server process driven over stdio.
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<(Instant, Value)>,
    next_id: i64,
}

impl Server {
    fn start(command: &[String], cwd: &Path) -> Result<Server, String> {
        let (program, args) = command.split_first().ok_or("empty server command")?;
        let mut child = Command::new(program)
            .args(args)
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("start {program}: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = common::read_message(&mut reader) {
                if tx.send((Instant::now(), message)).is_err() {
                    break;
                }
            }
        });
        Ok(Server { child, stdin, messages, next_id: 1 })
    }

    fn send(&mut self, message: &Value) -> Result<(), String> {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).map_err(|e| e.to_string())?;
        self.stdin.flush().map_err(|e| e.to_string())
    }

    fn notify(&mut self, method: &str, params: Value) -> Result<(), String> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    /// The next message, answering the server's own requests (configuration, registrations) on the way.
    fn next(&mut self) -> Result<(Instant, Value), String> {
        loop {
            let (at, message) = self.messages.recv_timeout(TIMEOUT).map_err(|_| "no answer before the timeout")?;
            if let (Some(id), Some(method)) = (message.get("id"), message["method"].as_str()) {
                let result = match method {
                    "workspace/configuration" => {
                        let n = message["params"]["items"].as_array().map_or(0, Vec::len);
                        Value::Array(vec![Value::Null; n])
                    }
                    _ => Value::Null,
                };
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}))?;
                continue;
            }
            return Ok((at, message));
        }
    }

    /// Send a request; its result and the time to it.
    fn request(&mut self, method: &str, params: Value) -> Result<(Value, Duration), String> {
        let id = self.next_id;
        self.next_id += 1;
        let sent = Instant::now();
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        loop {
            let (at, message) = self.next()?;
            if message["id"] == id {
                if let Some(error) = message.get("error") {
                    return Err(format!("{method}: {error}"));
                }
                return Ok((message["result"].clone(), at - sent));
            }
        }
    }

    /// When diagnostics for `uri` arrive (for `version` or later, when the server says which), and
    /// their messages.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Result<(Instant, Vec<String>), String> {
        loop {
            let (at, message) = self.next()?;
            let params = &message["params"];
            if message["method"] == "textDocument/publishDiagnostics"
                && params["uri"] == uri
                && params["version"].as_i64().is_none_or(|v| v >= version)
            {
                let messages = params["diagnostics"].as_array().cloned().unwrap_or_default();
                return Ok((at, messages.iter().map(|d| d["message"].as_str().unwrap_or("").to_string()).collect()));
            }
        }
    }

    /// Resident memory of the process and its descendants, now and at peak (kB).
    fn memory(&self) -> (u64, u64) {
        let mut pids = vec![self.child.id()];
        let mut i = 0;
        while i < pids.len() {
            let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", pids[i])).unwrap_or_default();
            pids.extend(children.split_whitespace().filter_map(|p| p.parse::<u32>().ok()));
            i += 1;
        }
        let field = |pid: u32, name: &str| -> u64 {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
                .unwrap_or(0)
        };
        (pids.iter().map(|p| field(*p, "VmRSS:")).sum(), pids.iter().map(|p| field(*p, "VmHWM:")).sum())
    }

    fn stop(mut self) {
        let _ = self.request("shutdown", Value::Null);
        let _ = self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The generated deploy: its text, where to complete, and where each edit goes (0-based line, column).
struct Deploy {
    text: String,
    complete_at: (usize, usize),
    edit_at: (usize, usize),
    /// Paths of the directories and files it manages, for the fact cache.
    dirs: Vec<String>,
    files: Vec<String>,
    /// The call-site records a run would write, and whether only web1 runs the call.
    calls: Vec<(Value, bool)>,
}

/// Lines before the first generated block.
const HEADER_LINES: usize = 7;

/// Lines per generated block.
const BLOCK_LINES: usize = 30;

/// A deploy in the style of pyinfra's documentation, `lines` long: blocks of packages, directories,
/// loops, a host condition and shell commands, padded with comments to the exact length.
fn generate(lines: usize) -> Deploy {
    let mut out = vec![
        "\"\"\"A generated deploy for benchmarking the language servers.\"\"\"".to_string(),
        String::new(),
        "from pyinfra import host".into(),
        "from pyinfra.operations import apt, files, server".into(),
        String::new(),
        "APP_USER = \"www-data\"".into(),
        String::new(),
    ];
    debug_assert_eq!(out.len(), HEADER_LINES);
    let (mut dirs, mut files, mut calls) = (Vec::new(), Vec::new(), Vec::new());
    let mut complete_at = (0, 0);
    let mut edit_at = (0, 0);
    // The block in the middle of the file gets the completion and the edits.
    let middle = lines.saturating_sub(out.len()) / BLOCK_LINES / 2;
    let mut i = 0;
    loop {
        let root = format!("/srv/app{i}");
        let block = vec![
            format!("# --- application {i} ---"),
            format!("ROOT_{i} = \"{root}\""),
            String::new(),
            "apt.packages(".into(),
            format!("    name=\"Install the packages of application {i}\","),
            "    packages=[\"nginx\", \"curl\"],".into(),
            "    update=False,".into(),
            "    _sudo=True,".into(),
            ")".into(),
            String::new(),
            "files.directory(".into(),
            format!("    name=\"Release directory of application {i}\","),
            format!("    path=f\"{{ROOT_{i}}}/releases\","),
            "    user=APP_USER,".into(),
            "    group=APP_USER,".into(),
            "    mode=\"755\",".into(),
            "    ".into(),
            ")".into(),
            String::new(),
            "for sub in [\"logs\", \"tmp\"]:".into(),
            format!("    files.directory(path=ROOT_{i} + \"/\" + sub)"),
            String::new(),
            "if host.name == \"web1\":".into(),
            format!("    files.file(path=\"/etc/app{i}.conf\", mode=\"644\")"),
            String::new(),
            "server.shell(".into(),
            format!("    name=\"Reload application {i}\","),
            "    commands=[\"systemctl reload nginx\"],".into(),
            ")".into(),
            String::new(),
        ];
        if out.len() + block.len() > lines {
            break;
        }
        debug_assert_eq!(block.len(), BLOCK_LINES);
        if i == middle {
            // Completion on the blank line inside `files.directory(`; edits inside its name string.
            complete_at = (out.len() + 16, 4);
            edit_at = (out.len() + 11, 10);
        }
        dirs.extend([format!("{root}/releases"), format!("{root}/logs"), format!("{root}/tmp")]);
        files.push(format!("/etc/app{i}.conf"));
        // What `rinfra-exec` would record: lines 1-based, each call's exact source text.
        let base = out.len() + 1;
        let mut record = |operation: &str, from: usize, to: usize, keywords: Value, web1_only: bool| {
            let source = block[from..=to].join("\n");
            let record = json!({"operation": operation, "line": base + from, "keywords": keywords, "positional": [],
                                "source_sha1": source_sha1(source.trim_start())});
            calls.push((record, web1_only));
        };
        let packages = json!({"name": format!("Install the packages of application {i}"),
                              "packages": ["nginx", "curl"], "update": false, "_sudo": true});
        record("apt.packages", 3, 8, packages, false);
        let releases = json!({"name": format!("Release directory of application {i}"), "path": format!("{root}/releases"),
                              "user": "www-data", "group": "www-data", "mode": "755"});
        record("files.directory", 10, 17, releases, false);
        for sub in ["logs", "tmp"] {
            record("files.directory", 20, 20, json!({"path": format!("{root}/{sub}")}), false);
        }
        record("files.file", 23, 23, json!({"path": format!("/etc/app{i}.conf"), "mode": "644"}), true);
        let shell = json!({"name": format!("Reload application {i}"), "commands": ["systemctl reload nginx"]});
        record("server.shell", 25, 28, shell, false);
        out.extend(block);
        i += 1;
    }
    while out.len() < lines {
        out.push(format!("# padding line {}", out.len() + 1));
    }
    Deploy { text: out.join("\n") + "\n", complete_at, edit_at, dirs, files, calls }
}

/// Facts and call-site records for three hosts: web1 matches the deploy, web2 lacks every other
/// directory, web3 never gathered its packages.
fn write_cache(root: &Path, deploy: &Deploy, now: u64, records: bool) -> std::io::Result<()> {
    let cache = FactCache::in_workspace(root);
    for (n, name) in ["web1", "web2", "web3"].into_iter().enumerate() {
        let mut h = HostFacts { host: name.into(), gathered_at: now, ..HostFacts::default() };
        let key = |fact: &str, path: Option<&str>| {
            FactKey::new(fact, path.map(|p| vec![("path".to_string(), json!(p))]).unwrap_or_default())
        };
        h.insert(&key("server.Os", None), json!("Linux"));
        if n != 2 {
            h.insert(&key("deb.DebPackages", None), json!({"nginx": ["1.24.0-2"], "curl": ["8.5.0-2"]}));
        }
        for (k, dir) in deploy.dirs.iter().enumerate() {
            let value = if n == 1 && k % 2 == 1 {
                Value::Null
            } else {
                json!({"user": "www-data", "group": "www-data", "mode": 755, "size": 4096})
            };
            h.insert(&key("files.Directory", Some(dir)), value);
        }
        for file in &deploy.files {
            h.insert(&key("files.File", Some(file)), json!({"user": "root", "group": "root", "mode": 644, "size": 12}));
        }
        cache.store(&h)?;
        if !records {
            continue;
        }
        let file = root.join("deploy.py").display().to_string();
        let calls: Vec<Value> = deploy
            .calls
            .iter()
            .filter(|(_, web1_only)| n == 0 || !web1_only)
            .map(|(call, _)| {
                let mut call = call.clone();
                call["file"] = json!(file);
                call
            })
            .collect();
        let run = json!({"version": 1, "host": name, "written_at": now, "groups": ["web"], "data": {}, "calls": calls});
        std::fs::create_dir_all(root.join(".rinfra/runs"))?;
        std::fs::write(root.join(format!(".rinfra/runs/{name}.json")), run.to_string())?;
    }
    Ok(())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// What one server measured.
#[derive(Default)]
struct Figures {
    first_diagnostics: Vec<Duration>,
    edit_diagnostics: Vec<Duration>,
    completion: Vec<Duration>,
    completion_items: usize,
    inlay_cold: Option<Duration>,
    inlay_after_edit: Vec<Duration>,
    inlay_count: usize,
    rss_kb: u64,
    peak_kb: u64,
    /// Whether the hints were planned from the call-site records.
    from_records: bool,
    /// The messages of the first diagnostics (to see that imports resolved).
    diagnostics: Vec<String>,
}

/// Start the server `starts` times to time the first diagnostics; in the last session, time `edits`
/// edits, `completions` completions and the inlay hints.
fn measure(
    command: &[String],
    dir: &Path,
    deploy: &Deploy,
    starts: usize,
    edits: usize,
    completions: usize,
) -> Result<Figures, String> {
    let path = dir.join("deploy.py");
    let uri = format!("file://{}", path.display());
    let root_uri = format!("file://{}", dir.display());
    let mut figures = Figures::default();
    for start in 0..starts {
        let started = Instant::now();
        let mut server = Server::start(command, dir)?;
        let capabilities = json!({
            "textDocument": {
                "publishDiagnostics": {"versionSupport": true},
                "completion": {"completionItem": {"snippetSupport": false}},
                "inlayHint": {},
            },
            "workspace": {"configuration": true, "workspaceFolders": true},
        });
        let (init, _) = server.request(
            "initialize",
            json!({"processId": std::process::id(), "rootUri": root_uri, "capabilities": capabilities,
                   "workspaceFolders": [{"uri": root_uri, "name": "bench"}]}),
        )?;
        let has_inlay = init["capabilities"].get("inlayHintProvider").is_some_and(|v| !v.is_null() && *v != false);
        server.notify("initialized", json!({}))?;
        server.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": deploy.text}}),
        )?;
        let (first, messages) = server.diagnostics(&uri, 1)?;
        figures.first_diagnostics.push(first - started);
        figures.diagnostics = messages;
        if start + 1 < starts {
            server.stop();
            continue;
        }
        let full = json!({"textDocument": {"uri": uri},
                          "range": {"start": {"line": 0, "character": 0}, "end": {"line": 100000, "character": 0}}});
        if has_inlay {
            let (hints, took) = server.request("textDocument/inlayHint", full.clone())?;
            figures.inlay_cold = Some(took);
            figures.inlay_count = hints.as_array().map_or(0, Vec::len);
            // The loop's call in the first block: its hover says where its arguments came from.
            let (hover, _) = server.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": HEADER_LINES + 20, "character": 6}}),
            )?;
            let md = hover["contents"]["value"].as_str().unwrap_or("");
            figures.from_records = md.contains("_arguments recorded by the last run_");
        }
        // Typing one character into a string, then deleting it, alternately.
        let (line, character) = deploy.edit_at;
        for n in 0..edits {
            let version = 2 + n as i64;
            let (end, text) = if n % 2 == 0 { (character, "x") } else { (character + 1, "") };
            let change = json!({"range": {"start": {"line": line, "character": character},
                                          "end": {"line": line, "character": end}}, "text": text});
            let sent = Instant::now();
            server.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
            )?;
            let (at, _) = server.diagnostics(&uri, version)?;
            figures.edit_diagnostics.push(at - sent);
            if has_inlay {
                figures.inlay_after_edit.push(server.request("textDocument/inlayHint", full.clone())?.1);
            }
        }
        let (line, character) = deploy.complete_at;
        for _ in 0..completions {
            let (items, took) = server.request(
                "textDocument/completion",
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
            )?;
            figures.completion.push(took);
            figures.completion_items = items.as_array().or_else(|| items["items"].as_array()).map_or(0, Vec::len);
        }
        (figures.rss_kb, figures.peak_kb) = server.memory();
        server.stop();
    }
    Ok(figures)
}

fn report(name: &str, f: &Figures) {
    let inlay = |d: Option<Duration>| d.map_or("n/a (no inlay hints)".to_string(), ms);
    println!("### {name}");
    println!("| measurement | value |\n|---|---|");
    println!(
        "| first diagnostics after start (median of {}) | {} |",
        f.first_diagnostics.len(),
        ms(median(f.first_diagnostics.clone()))
    );
    println!(
        "| diagnostics after an edit (median of {}) | {} |",
        f.edit_diagnostics.len(),
        ms(median(f.edit_diagnostics.clone()))
    );
    println!(
        "| completion in a call, {} items (median of {}) | {} |",
        f.completion_items,
        f.completion.len(),
        ms(median(f.completion.clone()))
    );
    let source = if f.from_records { ", from call-site records" } else { "" };
    println!("| inlay hints, whole file, first request ({} hints{source}) | {} |", f.inlay_count, inlay(f.inlay_cold));
    let after = (!f.inlay_after_edit.is_empty()).then(|| median(f.inlay_after_edit.clone()));
    println!("| inlay hints, whole file, after an edit (median) | {} |", inlay(after));
    println!("| resident memory at the end / peak | {} MB / {} MB |", f.rss_kb / 1024, f.peak_kb / 1024);
    let mut kinds: Vec<&str> = f.diagnostics.iter().map(|m| m.lines().next().unwrap_or("")).collect();
    kinds.sort_unstable();
    kinds.dedup();
    println!("\n{} diagnostics on the file; distinct: {kinds:?}", f.diagnostics.len());
    println!();
}

fn run() -> Result<(), String> {
    let full = std::env::args().any(|a| a == "--bench");
    let lines = if full { 2000 } else { 200 };
    let edits = std::env::var("RINFRA_BENCH_EDITS").ok().and_then(|n| n.parse().ok()).unwrap_or(20);
    let (edits, starts) = if full { (edits, 5) } else { (2, 1) };
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = std::fs::canonicalize(dir.path()).map_err(|e| e.to_string())?;
    let deploy = generate(lines);
    std::fs::write(dir.join("deploy.py"), &deploy.text).map_err(|e| e.to_string())?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let records = std::env::var("RINFRA_BENCH_RECORDS").map_or(true, |v| v != "0");
    write_cache(&dir, &deploy, now, records).map_err(|e| e.to_string())?;
    println!("deploy.py: {} lines, {} bytes\n", deploy.text.lines().count(), deploy.text.len());

    let lsp = vec![env!("CARGO_BIN_EXE_rinfra-lsp").to_string(), "server".to_string()];
    let ours = measure(&lsp, &dir, &deploy, starts, edits, if full { 100 } else { 3 })?;
    report(&format!("rinfra-lsp {}", env!("CARGO_PKG_VERSION")), &ours);
    if !full {
        let answered = !ours.edit_diagnostics.is_empty()
            && ours.completion_items > 0
            && ours.inlay_count > 0
            && ours.from_records == records;
        return if answered { Ok(()) } else { Err("a measurement got no answer".into()) };
    }

    let Ok(pyright) = std::env::var("RINFRA_BENCH_PYRIGHT") else {
        println!("(RINFRA_BENCH_PYRIGHT not set: pyright-langserver skipped)");
        return Ok(());
    };
    if let Ok(venv) = std::env::var("RINFRA_BENCH_VENV") {
        let venv = PathBuf::from(venv);
        let config = json!({
            "venvPath": venv.parent().map(|p| p.display().to_string()),
            "venv": venv.file_name().map(|n| n.to_string_lossy().into_owned()),
        });
        std::fs::write(dir.join("pyrightconfig.json"), config.to_string()).map_err(|e| e.to_string())?;
    }
    let theirs = measure(&[pyright.clone(), "--stdio".into()], &dir, &deploy, 3, edits, 20)?;
    report(&format!("pyright-langserver ({pyright})"), &theirs);
    let ratio =
        |a: &[Duration], b: &[Duration]| median(b.to_vec()).as_secs_f64() / median(a.to_vec()).as_secs_f64().max(1e-9);
    println!("### pyright / rinfra-lsp");
    println!("| measurement | ratio |\n|---|---|");
    println!("| first diagnostics | {:.0}x |", ratio(&ours.first_diagnostics, &theirs.first_diagnostics));
    println!("| diagnostics after an edit | {:.0}x |", ratio(&ours.edit_diagnostics, &theirs.edit_diagnostics));
    println!("| completion | {:.0}x |", ratio(&ours.completion, &theirs.completion));
    println!("| resident memory | {:.1}x |", theirs.rss_kb as f64 / ours.rss_kb.max(1) as f64);
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("lsp_servers: {e}");
        std::process::exit(1);
    }
}
