//! Completion on `host`: its members after `host.`, and the data keys the workspace's inventory and
//! `group_data` files define after `host.data.` and inside `host.data.get("` / `host.data["`.

use tower_lsp_server::ls_types::{CompletionItem, CompletionItemKind};

use super::{dotted_word, markdown};
use crate::host_members::{HOST, HOST_DATA, HOST_DATA_MEMBERS, HOST_MEMBERS, Member, MemberKind};
use crate::session::OpenDocument;
use crate::workspace::inventory::{DataKey, data_keys};

/// Longest detail shown for a key set in several places.
const MAX_DETAIL_CHARS: usize = 80;

/// Members after `path.` when `path` is `host` or `host.data`.
pub fn member_items(doc: &OpenDocument, path: &str) -> Option<Vec<CompletionItem>> {
    match path {
        HOST => Some(HOST_MEMBERS.iter().enumerate().map(|(i, m)| member_item(m, i)).collect()),
        HOST_DATA => {
            let keys = doc.path().map(data_keys).unwrap_or_default();
            let keys = keys.iter().filter(|k| is_identifier(&k.key)).enumerate().map(|(i, k)| key_item(k, i));
            let own = HOST_DATA_MEMBERS.iter().enumerate().map(|(i, m)| member_item(m, 900 + i));
            Some(keys.chain(own).collect())
        }
        _ => None,
    }
}

/// Data keys inside `host.data.get("` or `host.data["` (the text before the cursor is `prefix`).
pub fn data_key_string_items(doc: &OpenDocument, prefix: &str) -> Option<Vec<CompletionItem>> {
    let partial_start = prefix.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '-').len();
    let before = prefix.get(..partial_start)?;
    let before = before.strip_suffix(['"', '\''])?;
    let base = match before.strip_suffix("get(") {
        Some(head) => head.strip_suffix('.')?,
        None => before.strip_suffix('[')?,
    };
    if doc.module.bindings.qualified_text(dotted_word(base)).as_deref() != Some(HOST_DATA) {
        return None;
    }
    let keys = doc.path().map(data_keys).unwrap_or_default();
    Some(keys.iter().enumerate().map(|(i, k)| key_item(k, i)).collect())
}

fn is_identifier(key: &str) -> bool {
    key.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_alphanumeric() || c == '_')
}

fn member_item(member: &Member, index: usize) -> CompletionItem {
    CompletionItem {
        label: member.name.to_string(),
        kind: Some(match member.kind {
            MemberKind::Attribute => CompletionItemKind::PROPERTY,
            MemberKind::Method => CompletionItemKind::METHOD,
        }),
        detail: Some(member.signature.to_string()),
        documentation: Some(markdown(member.doc.to_string())),
        sort_text: Some(format!("{index:03}")),
        ..CompletionItem::default()
    }
}

/// A data key, with its value as the detail (`8080`, or `web1: 8080, group db: 5432` when it differs).
fn key_item(key: &DataKey, index: usize) -> CompletionItem {
    let first = key.values.first().map(|v| v.value.as_str()).unwrap_or("");
    let detail = if key.values.iter().all(|v| v.value == first) {
        first.to_string()
    } else {
        let all: Vec<String> = key.values.iter().map(|v| format!("{}: {}", v.place, v.value)).collect();
        let joined = all.join(", ");
        if joined.chars().count() > MAX_DETAIL_CHARS {
            format!("{}…", joined.chars().take(MAX_DETAIL_CHARS).collect::<String>())
        } else {
            joined
        }
    };
    let mut doc = String::from("Host data, set in the workspace:\n\n");
    for v in &key.values {
        doc.push_str(&format!("- `{}`: `{}`\n", v.place, v.value));
    }
    CompletionItem {
        label: key.key.clone(),
        kind: Some(CompletionItemKind::FIELD),
        detail: Some(detail),
        documentation: Some(markdown(doc)),
        sort_text: Some(format!("{index:03}")),
        ..CompletionItem::default()
    }
}

#[cfg(test)]
mod tests {
    use super::super::items;
    use super::super::tests::labels;
    use crate::session::OpenDocument;
    use tower_lsp_server::ls_types::{CompletionItem, Position};

    #[test]
    fn host_members() {
        let got = labels("from pyinfra import host\nhost.$0");
        assert_eq!(&got[..3], ["name", "data", "groups"]);
        assert!(got.contains(&"get_fact".to_string()) && got.contains(&"loop".to_string()));
        assert_eq!(labels("from pyinfra import host\nif host.na$0"), got);
        assert!(labels("host = 1\nhost.$0").is_empty());
    }

    #[test]
    fn data_keys_from_the_inventory_on_disk() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        std::fs::create_dir_all(root.path().join("group_data"))?;
        std::fs::write(
            root.path().join("inventory.py"),
            "web = [('web1', {'port': 8080}), ('web2', {'port': 9090})]\n",
        )?;
        std::fs::write(root.path().join("group_data/all.py"), "app_user = 'deploy'\n")?;
        let in_file = |src: &str| -> Vec<CompletionItem> {
            let offset = src.find("$0").unwrap_or(src.len());
            let text = src.replacen("$0", "", 1);
            let doc = OpenDocument::new(1, text, Some(&root.path().join("deploy.py")));
            let p = doc.document.position(ruff_text_size::TextSize::new(offset as u32));
            items(&doc, Position { line: p.line, character: p.character })
        };
        let got = in_file("from pyinfra import host\nhost.data.$0");
        let summary: Vec<(String, Option<String>)> = got.iter().map(|i| (i.label.clone(), i.detail.clone())).collect();
        assert_eq!(summary[0], ("app_user".to_string(), Some("'deploy'".to_string())));
        assert_eq!(summary[1], ("port".to_string(), Some("web1: 8080, web2: 9090".to_string())));
        assert_eq!(summary[2].0, "get");
        let got: Vec<String> =
            in_file("from pyinfra import host\nx = host.data.get(\"p$0\")").into_iter().map(|i| i.label).collect();
        assert_eq!(got, ["app_user", "port"]);
        let got: Vec<String> =
            in_file("from pyinfra import host\nx = host.data['$0").into_iter().map(|i| i.label).collect();
        assert_eq!(got, ["app_user", "port"]);
        assert!(in_file("from pyinfra import host\nx = other.get('$0')").is_empty());
        Ok(())
    }
}
