//! Output formats of `rinfra-lsp check`: ruff's concise text, JSON, GitHub workflow commands, SARIF.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::diagnostic::{Diagnostic, Severity};
use crate::document::Document;
use crate::rules::Rule;

/// The diagnostics of one checked file.
pub struct FileReport {
    /// The file as found (relative to where it was named).
    pub path: PathBuf,
    /// Its text, for line and column numbers.
    pub document: Document,
    /// Its problems, ordered by position.
    pub diagnostics: Vec<Diagnostic>,
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `path:line:col: CODE message`, one per line.
    Text,
    /// A JSON array of diagnostics.
    Json,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
}

impl Format {
    /// Parse a `--output-format` value.
    pub fn parse(name: &str) -> Result<Format, String> {
        Ok(match name {
            "text" | "concise" => Format::Text,
            "json" => Format::Json,
            "github" => Format::Github,
            "sarif" => Format::Sarif,
            other => return Err(format!("unknown output format '{other}' (text, json, github, sarif)")),
        })
    }

    /// Write `reports` in this format.
    pub fn write(self, reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
        match self {
            Format::Text => write_text(reports, out),
            Format::Json => write_json(reports, out),
            Format::Github => write_github(reports, out),
            Format::Sarif => write_sarif(reports, out),
        }
    }
}

/// The path as printed: without a leading `./`.
fn display(path: &Path) -> String {
    let shown = path.strip_prefix(".").unwrap_or(path);
    shown.display().to_string()
}

/// Every diagnostic with its file and one-based start and end.
fn each(reports: &[FileReport]) -> impl Iterator<Item = Located<'_>> {
    reports.iter().flat_map(|r| {
        r.diagnostics.iter().map(move |d| {
            let start = r.document.line_col(d.range.start());
            let end = r.document.line_col(d.range.end());
            Located {
                path: display(&r.path),
                diagnostic: d,
                start: (start.line, start.column),
                end: (end.line, end.column),
            }
        })
    })
}

struct Located<'a> {
    path: String,
    diagnostic: &'a Diagnostic,
    start: (u32, u32),
    end: (u32, u32),
}

fn write_text(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    for l in each(reports) {
        let d = l.diagnostic;
        writeln!(out, "{}:{}:{}: {} {}", l.path, l.start.0, l.start.1, d.rule.code(), d.message)?;
    }
    Ok(())
}

fn write_json(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let items: Vec<_> = each(reports)
        .map(|l| {
            let d = l.diagnostic;
            json!({
                "code": d.rule.code(),
                "name": d.rule.name(),
                "severity": d.rule.severity().as_str(),
                "message": d.message,
                "filename": l.path,
                "location": {"row": l.start.0, "column": l.start.1},
                "end_location": {"row": l.end.0, "column": l.end.1},
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}

/// Escape data of a workflow command (`%`, CR, LF) and, in properties, also `:` and `,`.
fn escape(text: &str, property: bool) -> String {
    let mut s = text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property {
        s = s.replace(':', "%3A").replace(',', "%2C");
    }
    s
}

fn write_github(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    for l in each(reports) {
        let d = l.diagnostic;
        let level = match d.rule.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(
            out,
            "::{level} title={},file={},line={},col={},endLine={},endColumn={}::{}",
            escape(&format!("rinfra ({})", d.rule.code()), true),
            escape(&l.path, true),
            l.start.0,
            l.start.1,
            l.end.0,
            l.end.1,
            escape(&format!("{}:{}:{}: {} {}", l.path, l.start.0, l.start.1, d.rule.code(), d.message), false),
        )?;
    }
    Ok(())
}

fn write_sarif(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<_> = Rule::ALL
        .iter()
        .map(|r| json!({"id": r.code(), "name": r.name(), "shortDescription": {"text": r.summary()}}))
        .collect();
    let results: Vec<_> = each(reports)
        .map(|l| {
            let d = l.diagnostic;
            json!({
                "ruleId": d.rule.code(),
                "level": d.rule.severity().as_str(),
                "message": {"text": d.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": l.path.replace('\\', "/")},
                    "region": {"startLine": l.start.0, "startColumn": l.start.1, "endLine": l.end.0, "endColumn": l.end.1},
                }}],
            })
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "rinfra-lsp", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_text_size::{TextRange, TextSize};

    fn report() -> Vec<FileReport> {
        let document = Document::new("x = 1\né = apt.pakages()\n".into());
        let start = TextSize::new(document.text().find("pakages").unwrap_or(0) as u32);
        let range = TextRange::at(start, TextSize::new(7));
        vec![FileReport {
            path: "./deploy.py".into(),
            document,
            diagnostics: vec![Diagnostic::new(Rule::UnknownOperation, range, "Unknown operation `pakages`, really")],
        }]
    }

    fn render(format: Format) -> String {
        let mut out = Vec::new();
        format.write(&report(), &mut out).unwrap_or_default();
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn text_is_ruff_concise_with_character_columns() {
        assert_eq!(render(Format::Text), "deploy.py:2:9: RI001 Unknown operation `pakages`, really\n");
    }

    #[test]
    fn json_has_code_and_locations() {
        let v: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap_or_default();
        assert_eq!(v[0]["code"], "RI001");
        assert_eq!(v[0]["name"], "unknown-operation");
        assert_eq!(v[0]["location"], json!({"row": 2, "column": 9}));
        assert_eq!(v[0]["end_location"], json!({"row": 2, "column": 16}));
    }

    #[test]
    fn github_escapes_properties() {
        assert_eq!(
            render(Format::Github),
            "::error title=rinfra (RI001),file=deploy.py,line=2,col=9,endLine=2,endColumn=16::\
             deploy.py:2:9: RI001 Unknown operation `pakages`, really\n"
        );
        assert_eq!(escape("a:b,c%\n", true), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn sarif_lists_rules_and_results() {
        let v: serde_json::Value = serde_json::from_str(&render(Format::Sarif)).unwrap_or_default();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"].as_array().map(Vec::len), Some(Rule::ALL.len()));
        assert_eq!(run["results"][0]["ruleId"], "RI001");
        assert_eq!(run["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"], 9);
    }
}
