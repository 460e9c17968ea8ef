//! Shell quoting, byte-for-byte identical to Python's `shlex.quote`.
//!
//! Every value that reaches a remote shell goes through [`quote`]; planners never build
//! quoted strings by hand, so the commands rinfra runs are exactly the ones pyinfra runs.

/// Quote `s` for a POSIX shell exactly as Python's `shlex.quote` does.
pub fn quote(s: &str) -> String {
    if s.is_empty() {
        return "''".to_string();
    }
    if s.bytes().all(is_safe) {
        return s.to_string();
    }
    // Close the quote, emit an escaped quote in double quotes, reopen: '"'"'
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    out.push_str(&s.replace('\'', "'\"'\"'"));
    out.push('\'');
    out
}

/// Characters `shlex.quote` leaves unquoted: `[\w@%+=:,./-]` in ASCII mode.
fn is_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'@' | b'%' | b'+' | b'=' | b':' | b',' | b'.' | b'/' | b'-')
}

/// Python's `shlex.split(s, comments=comments)` in POSIX mode: words split on shell whitespace,
/// quotes and backslashes removed; with `comments`, `#` outside quotes ends the line.
pub fn split(s: &str, comments: bool) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '#' if comments => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '\\' => {
                word.push(chars.next().ok_or("No escaped character")?);
                in_word = true;
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next().ok_or("No closing quotation")? {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next().ok_or("No closing quotation")? {
                        '"' => break,
                        '\\' => match chars.next().ok_or("No closing quotation")? {
                            c @ ('"' | '\\') => word.push(c),
                            c => {
                                word.push('\\');
                                word.push(c);
                            }
                        },
                        c => word.push(c),
                    }
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::quote;
    use proptest::prelude::*;
    use std::process::Command;

    #[test]
    fn splits_like_shlex() {
        use super::split;
        assert_eq!(split("a  'b c' \"d\\\"e\" f\\ g ''", false).unwrap(), vec!["a", "b c", "d\"e", "f g", ""]);
        assert!(split("'open", false).is_err());
        assert_eq!(split("a#b c", false).unwrap(), vec!["a#b", "c"]);
        assert_eq!(split("X='a b' # c\nY=a#z\nZ=1", true).unwrap(), vec!["X=a b", "Y=a", "Z=1"]);
    }

    #[test]
    fn matches_shlex_on_known_cases() {
        assert_eq!(quote(""), "''");
        assert_eq!(quote("abc"), "abc");
        assert_eq!(quote("/etc/a-b_c.conf"), "/etc/a-b_c.conf");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), "'it'\"'\"'s'");
        assert_eq!(quote("$(whoami)"), "'$(whoami)'");
        assert_eq!(quote("é"), "'é'");
    }

    /// Run `printf %s <quoted>` through a real `sh` and return what it printed.
    fn through_sh(s: &str) -> Vec<u8> {
        let script = format!("printf %s {}", quote(s));
        Command::new("sh").arg("-c").arg(script).output().expect("run sh").stdout
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn round_trips_through_real_sh(s in "\\PC*|[ -~\n\t'\"$`\\\\]*") {
            // A NUL byte cannot be passed in argv, so it cannot reach a shell either.
            prop_assume!(!s.contains('\0'));
            prop_assert_eq!(through_sh(&s), s.as_bytes());
        }

        #[test]
        fn round_trips_shell_metacharacters(s in proptest::collection::vec(
            prop_oneof![Just("'"), Just("\""), Just("$("), Just(")"), Just("`"), Just("\n"), Just("\\"),
                        Just(";"), Just("&&"), Just("*"), Just("é"), Just("日本"), Just(" "), Just("a"), Just("%s")],
            0..12).prop_map(|v| v.concat())) {
            prop_assert_eq!(through_sh(&s), s.as_bytes());
        }
    }
}
