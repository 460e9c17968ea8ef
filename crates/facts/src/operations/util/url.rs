//! Python's `urllib.parse.urlparse`, for planners that branch on whether a source is a URL.

/// The parts of a URL as `urlparse` splits them (`scheme://netloc/path;params?query#fragment`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlParts {
    /// Lower-cased scheme (`https`), empty when there is none.
    pub scheme: String,
    /// Network location (`user@host:port`), empty when there is none.
    pub netloc: String,
    /// The path, without `;params`.
    pub path: String,
    /// The `;params` of the last path segment.
    pub params: String,
    /// The query, without `?`.
    pub query: String,
    /// The fragment, without `#`.
    pub fragment: String,
}

/// Schemes for which `urlparse` splits `;params` off the path (Python's `uses_params`).
const USES_PARAMS: &[&str] = &[
    "", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtsps", "rtspu", "sip", "sips", "mms",
    "sftp", "tel",
];

fn is_scheme_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')
}

/// Split `url` exactly as Python's `urllib.parse.urlparse` does (IPv6 checks aside).
pub fn urlparse(url: &str) -> UrlParts {
    // Python strips leading C0 controls and spaces, and drops tabs and newlines anywhere.
    let cleaned: String =
        url.trim_start_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\r' | '\n')).collect();
    let mut rest = cleaned.as_str();
    let mut out = UrlParts::default();
    if let Some(i) = rest.find(':') {
        let candidate = &rest[..i];
        let first_alpha = candidate.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if i > 0 && first_alpha && candidate.chars().all(is_scheme_char) {
            out.scheme = candidate.to_ascii_lowercase();
            rest = &rest[i + 1..];
        }
    }
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        out.netloc = after[..end].to_string();
        rest = &after[end..];
    }
    if let Some((before, fragment)) = rest.split_once('#') {
        out.fragment = fragment.to_string();
        rest = before;
    }
    if let Some((before, query)) = rest.split_once('?') {
        out.query = query.to_string();
        rest = before;
    }
    let (path, params) = if USES_PARAMS.contains(&out.scheme.as_str()) { split_params(rest) } else { (rest, "") };
    out.path = path.to_string();
    out.params = params.to_string();
    out
}

/// `;params` belong to the last path segment only.
fn split_params(url: &str) -> (&str, &str) {
    let start = url.rfind('/').unwrap_or(0);
    match url[start..].find(';') {
        Some(i) => (&url[..start + i], &url[start + i + 1..]),
        None => (url, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::urlparse;

    #[test]
    fn splits_like_python() {
        let u = urlparse("HTTPS://user@example.com:8080/a/b.deb;x=1?q=2#frag");
        assert_eq!(u.scheme, "https");
        assert_eq!(u.netloc, "user@example.com:8080");
        assert_eq!(u.path, "/a/b.deb");
        assert_eq!(u.params, "x=1");
        assert_eq!(u.query, "q=2");
        assert_eq!(u.fragment, "frag");
        assert_eq!(urlparse("http://mykey").path, "");
        assert_eq!(urlparse("/tmp/file.deb").scheme, "");
        assert_eq!(urlparse("git@github.com:org/repo.git").scheme, "");
        assert_eq!(urlparse("c:/x").scheme, "c");
        assert_eq!(urlparse("1http://x").scheme, "");
    }
}
