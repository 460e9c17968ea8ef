//! `textDocument/signatureHelp`: inside a call of an operation (the catalogue's or the user's own
//! `@operation` / `@deploy`) or of `host.get_fact(Fact, ...)`, the signature with the parameter being
//! typed highlighted (by position, or by keyword name once `name=` is written).

use ruff_python_ast as ast;
use ruff_python_ast::token::TokenKind;
use ruff_text_size::{Ranged, TextSize};
use tower_lsp_server::ls_types::{
    Documentation, MarkupContent, MarkupKind, ParameterInformation, ParameterLabel, Position, SignatureHelp,
    SignatureInformation,
};

use rinfra_facts::schema::{Arg, ArgKind};

use super::{enclosing_call, param_signature};
use crate::fact::{self, FACTS, FactPath, GET_FACT, fact_argument};
use crate::session::{OpenDocument, position};
use crate::workspace::{DefKind, ParamKind, UserDef};

/// One parameter as shown: its signature text, its doc, and how it is given.
struct Shown {
    text: String,
    doc: String,
    name: String,
    kind: ParamKind,
}

/// What signature help shows for one call: the callee's name and doc, its parameters, and how many
/// leading arguments are not its own (the fact class of `host.get_fact`).
struct Callee {
    name: String,
    doc: String,
    params: Vec<Shown>,
    skip: usize,
}

/// Catalogue parameters as shown: normal ones after `*args` can only be given by keyword.
fn schema_params(args: &[Arg]) -> Vec<Shown> {
    let mut seen_var = false;
    args.iter()
        .map(|arg| {
            let kind = match arg.kind {
                ArgKind::VarArgs => ParamKind::VarArgs,
                ArgKind::VarKwargs => ParamKind::VarKwargs,
                ArgKind::Normal if seen_var => ParamKind::KeywordOnly,
                ArgKind::Normal => ParamKind::Normal,
            };
            seen_var |= arg.kind != ArgKind::Normal;
            Shown { text: param_signature(arg), doc: arg.doc.to_string(), name: arg.name.to_string(), kind }
        })
        .collect()
}

/// The parameters of a user definition as shown.
fn user_params(def: &UserDef) -> Option<Vec<Shown>> {
    let params = def.params.as_ref()?;
    Some(
        params
            .iter()
            .map(|p| Shown { text: p.signature(), doc: p.doc.clone(), name: p.name.clone(), kind: p.kind })
            .collect(),
    )
}

/// The callee of `call`: a catalogue operation, the user's own operation or deploy, or the fact of a
/// `host.get_fact(Fact, ...)` (catalogue or user's).
fn shown(doc: &OpenDocument, call: &ast::ExprCall) -> Option<Callee> {
    if let Some(op) = doc.module.op_call(call) {
        let params = schema_params(op.target.args);
        return Some(Callee { name: op.full_name(), doc: op.target.doc.to_string(), params, skip: 0 });
    }
    if doc.module.bindings.qualified(&call.func).as_deref() == Some(GET_FACT) {
        let fact_expr = fact_argument(call)?;
        if let Some(path) = doc.module.bindings.qualified(fact_expr) {
            let below = path.strip_prefix(FACTS)?.strip_prefix('.')?;
            let FactPath::Fact { module, fact } = fact::classify(below) else { return None };
            let name = format!("{}.{}", module.name, fact.name);
            return Some(Callee { name, doc: fact.doc.to_string(), params: schema_params(fact.args), skip: 1 });
        }
        let def = doc.module.user_def(fact_expr).filter(|d| d.kind == DefKind::Fact)?;
        return Some(Callee { name: def.name.clone(), doc: def.doc.clone(), params: user_params(&def)?, skip: 1 });
    }
    let def = doc.module.user_def(&call.func).filter(|d| matches!(d.kind, DefKind::Operation | DefKind::Deploy))?;
    Some(Callee { name: def.name.clone(), doc: def.doc.clone(), params: user_params(&def)?, skip: 0 })
}

/// The signature help at `at`.
pub fn signature_help(doc: &OpenDocument, at: Position) -> Option<SignatureHelp> {
    let offset = doc.document.offset(position(at));
    let call = enclosing_call(&doc.module.parsed.syntax().body, doc.document.text(), offset)?;
    let Callee { name: full, doc: doc_text, params, skip } = shown(doc, call)?;
    // The label is built piece by piece so each parameter's offsets (in UTF-16 units) are known.
    let mut label = format!("{full}(");
    let mut parameters = Vec::new();
    for (i, param) in params.iter().enumerate() {
        if i > 0 {
            label.push_str(", ");
        }
        let start = label.encode_utf16().count() as u32;
        label.push_str(&param.text);
        let end = label.encode_utf16().count() as u32;
        parameters.push(ParameterInformation {
            label: ParameterLabel::LabelOffsets([start, end]),
            documentation: (!param.doc.is_empty()).then(|| Documentation::String(param.doc.clone())),
        });
    }
    label.push(')');
    let documentation = (!doc_text.is_empty())
        .then_some(Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: doc_text }));
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label,
            documentation,
            parameters: Some(parameters),
            active_parameter: None,
        }],
        active_signature: Some(0),
        active_parameter: active_parameter(doc, call, &params, skip, offset),
    })
}

/// The index of the parameter the cursor is on: the keyword being written, or the positional slot.
fn active_parameter(
    doc: &OpenDocument,
    call: &ast::ExprCall,
    params: &[Shown],
    skip: usize,
    offset: TextSize,
) -> Option<u32> {
    let args_start = call.arguments.range.start();
    // Tokens of this call's argument list before the cursor, at the call's own nesting level.
    let mut depth = 0i32;
    let mut commas = 0usize;
    let mut segment_start = 0usize;
    let tokens: Vec<_> =
        doc.module.parsed.tokens().iter().filter(|t| t.start() > args_start && t.end() <= offset).collect();
    for (i, token) in tokens.iter().enumerate() {
        match token.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => depth += 1,
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => depth -= 1,
            TokenKind::Comma if depth == 0 => {
                commas += 1;
                segment_start = i + 1;
            }
            _ => {}
        }
    }
    // `name=` at the start of the current argument: that parameter, wherever it is.
    let segment = &tokens[segment_start.min(tokens.len())..];
    if let [name, equal, ..] = segment
        && name.kind() == TokenKind::Name
        && equal.kind() == TokenKind::Equal
    {
        let text = doc.document.text().get(name.range().to_std_range()).unwrap_or("");
        return params
            .iter()
            .position(|p| matches!(p.kind, ParamKind::Normal | ParamKind::KeywordOnly) && p.name == text)
            .map(|i| i as u32);
    }
    if segment.first().is_some_and(|t| matches!(t.kind(), TokenKind::Star | TokenKind::DoubleStar)) {
        return None;
    }
    let positional =
        params.iter().take_while(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Normal)).count();
    // On the fact class of `host.get_fact(`: no parameter of the fact yet.
    let commas = commas.checked_sub(skip)?;
    if commas < positional {
        return Some(commas as u32);
    }
    params.iter().position(|p| p.kind == ParamKind::VarArgs).map(|i| i as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::at_cursor;

    fn help(src: &str) -> Option<(String, Option<u32>)> {
        let (doc, at) = at_cursor(src);
        let help = signature_help(&doc, at)?;
        Some((help.signatures[0].label.clone(), help.active_parameter))
    }

    const IMPORT: &str = "from pyinfra.operations import dnf, python\n";

    #[test]
    fn label_and_parameter_offsets() {
        let (doc, at) = at_cursor(&format!("{IMPORT}dnf.rpm($0)"));
        let help = signature_help(&doc, at).unwrap_or_else(|| panic!("no help"));
        let sig = &help.signatures[0];
        assert_eq!(sig.label, "dnf.rpm(src: str, present: bool = True)");
        let params = sig.parameters.as_deref().unwrap_or_default();
        let labels: Vec<&str> = params
            .iter()
            .map(|p| match p.label {
                ParameterLabel::LabelOffsets([s, e]) => &sig.label[s as usize..e as usize],
                ParameterLabel::Simple(_) => "",
            })
            .collect();
        assert_eq!(labels, ["src: str", "present: bool = True"]);
    }

    #[test]
    fn active_parameter_by_position_and_keyword() {
        assert_eq!(help(&format!("{IMPORT}dnf.rpm($0)")).map(|h| h.1), Some(Some(0)));
        assert_eq!(help(&format!("{IMPORT}dnf.rpm('a', $0)")).map(|h| h.1), Some(Some(1)));
        assert_eq!(help(&format!("{IMPORT}dnf.rpm(['a', 'b'], f(1, 2), $0")).map(|h| h.1), Some(None));
        assert_eq!(help(&format!("{IMPORT}dnf.rpm(present=$0)")).map(|h| h.1), Some(Some(1)));
        assert_eq!(help(&format!("{IMPORT}dnf.rpm('a', _sudo=$0)")).map(|h| h.1), Some(None));
        assert_eq!(help(&format!("{IMPORT}python.call(f, 1, 2, $0)")).map(|h| h.1), Some(Some(1)));
    }

    #[test]
    fn user_operations() {
        let src = "from pyinfra.api import operation\n@operation()\ndef my_op(path, mode='644', *, user=None):\n    \
                   \"Set a mode.\"\n    yield 'x'\n";
        assert_eq!(
            help(&format!("{src}my_op('/a', $0)")),
            Some(("my_op(path, mode='644', user=None)".into(), Some(1)))
        );
        assert_eq!(help(&format!("{src}my_op(user=$0)")).and_then(|h| h.1), Some(2));
        assert_eq!(help(&format!("{src}my_op('/a', '1', $0)")).map(|h| h.1), Some(None));
    }

    #[test]
    fn facts_in_get_fact() {
        let src = "from pyinfra import host\nfrom pyinfra.api import FactBase\nfrom pyinfra.facts.files import File\n\
                   class Mounts(FactBase):\n    def command(self, path, depth=1):\n        return 'x'\n";
        assert_eq!(
            help(&format!("{src}host.get_fact(Mounts, '/', $0)")),
            Some(("Mounts(path, depth=1)".into(), Some(1)))
        );
        assert_eq!(help(&format!("{src}host.get_fact(Mounts$0)")).map(|h| h.1), Some(None));
        let got = help(&format!("{src}host.get_fact(File, $0)"));
        assert_eq!(got, Some(("files.File(path: str)".into(), Some(0))));
    }

    #[test]
    fn only_inside_operation_calls() {
        assert_eq!(help(&format!("{IMPORT}print($0)")), None);
        assert_eq!(help(&format!("{IMPORT}dnf.rpm('a')$0")), None);
        // The innermost call wins: inside `print(...)` nested in an operation call there is no help.
        assert_eq!(help(&format!("{IMPORT}dnf.rpm(print($0))")), None);
    }
}
