//! ## wrong-literal-type (RI005)
//!
//! ### What it does
//! Reports a literal whose type the parameter's annotation rules out: a string for a `bool` or an `int`,
//! a list for a `str`, a scalar for a `list[...]` or a `dict[...]`, `True` for a `str`. Unions are
//! understood (`str | list[str] | None` takes a string or a list). Global arguments are checked too.
//!
//! ### Why is this bad?
//! pyinfra does not check types. `present="false"` is a non-empty string, so it counts as true and the
//! package is installed, the opposite of what was meant; `groups="sudo"` is iterated letter by letter;
//! `cache_time="3600"` fails deep inside the run.
//!
//! Only literals are judged (numbers, strings and f-strings, bytes, lists, tuples, dicts, sets, booleans,
//! and comprehensions, whose type is certain); names, calls, subscripts and `*`/`**` are never judged,
//! and neither is an annotation the rule cannot read (`Any`, `Callable`, `IO[Any]`, enums). Where pyinfra
//! accepts more than its annotation says, the rule accepts it too:
//! - a number for a `str` parameter: pyinfra turns every command argument into text (`QuoteString` and
//!   f-strings call `str()`), so `user=1000` works;
//! - a string for the `int` parameters that pyinfra only writes into a command (`mysql_port="3306"`);
//! - a number for a `bool` parameter (`present=1`), `False` or `None` wherever `None` is allowed (pyinfra
//!   tests such parameters for truth), and `None` anywhere (a no-op for pyinfra's `is True` checks);
//! - lists, tuples and sets for each other: pyinfra iterates them all;
//! - one string for the list parameters pyinfra wraps or joins (`files.flags(flags="hidden")`,
//!   `files.line(flags="i")`), and a list for `server.modprobe`'s `module`;
//! - a parameter's own default (`_su_shell=False`, though annotated `str`);
//! - `True` or a number for `mode` / `dir_mode`: `files.sync` hands them to `files.put`, where
//!   `True` copies the local file's mode.
//!
//! ### Example
//! ```python
//! apt.packages(packages=["nginx"], present="false")
//! ```
//!
//! Use instead:
//! ```python
//! apt.packages(packages=["nginx"], present=False)
//! ```

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use rinfra_facts::schema::Dflt;

use crate::diagnostic::Diagnostic;
use crate::operation::OpCall;
use crate::rules::Rule;

/// Report literals of a type the parameter never accepts.
pub fn check(call: &OpCall<'_>, out: &mut Vec<Diagnostic>) {
    let op = call.full_name();
    // The allow-lists name the operation that defines the parameters, which an alias re-exports.
    let target = call.row.alias_of.unwrap_or(&op);
    for (arg, value) in call.bound_args() {
        let (Some(admits), Some(kind)) = (Admits::of(arg.ty), Kind::of(value)) else { continue };
        if admits.accepts(kind, target, arg.name) || default_kind(arg.default) == Some(kind) {
            continue;
        }
        out.push(Diagnostic::new(
            Rule::WrongLiteralType,
            value.range(),
            format!("`{}` of `{op}` expects `{}`, not {}", arg.name, arg.ty, kind.describe()),
        ));
    }
}

/// The kind of a literal, as far as its type goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    FString,
    Bytes,
    Int,
    Float,
    /// Complex numbers (`1j`).
    Complex,
    True,
    False,
    None,
    List,
    Tuple,
    Dict,
    Set,
}

impl Kind {
    /// What kind of literal `expr` is, if it is one.
    fn of(expr: &Expr) -> Option<Kind> {
        use ruff_python_ast::Number;
        Some(match expr {
            Expr::StringLiteral(_) => Kind::Str,
            Expr::FString(_) | Expr::TString(_) => Kind::FString,
            Expr::BytesLiteral(_) => Kind::Bytes,
            Expr::NumberLiteral(n) => match n.value {
                Number::Int(_) => Kind::Int,
                Number::Float(_) => Kind::Float,
                Number::Complex { .. } => Kind::Complex,
            },
            Expr::BooleanLiteral(b) if b.value => Kind::True,
            Expr::BooleanLiteral(_) => Kind::False,
            Expr::NoneLiteral(_) => Kind::None,
            Expr::List(_) | Expr::ListComp(_) => Kind::List,
            Expr::Tuple(_) => Kind::Tuple,
            Expr::Dict(_) | Expr::DictComp(_) => Kind::Dict,
            Expr::Set(_) | Expr::SetComp(_) => Kind::Set,
            _ => return None,
        })
    }

    /// The kind as the message names it.
    fn describe(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::FString => "an f-string",
            Kind::Bytes => "bytes",
            Kind::Int => "an integer",
            Kind::Float => "a float",
            Kind::Complex => "a complex number",
            Kind::True => "`True`",
            Kind::False => "`False`",
            Kind::None => "`None`",
            Kind::List => "a list",
            Kind::Tuple => "a tuple",
            Kind::Dict => "a dict",
            Kind::Set => "a set",
        }
    }
}

/// `int` parameters that pyinfra only writes into a command (`f"-P{port}"`, `str(uid)`, comparisons with
/// the fact's text), so a numeric string works the same as the number. Read off pyinfra 3.10's code.
const TEXT_INTS: &[&str] = &[
    "mysql_port",
    "psql_port",
    "connection_limit",
    "max_connections",
    "max_queries_per_hour",
    "max_updates_per_hour",
    "max_connections_per_hour",
    "docker.container.cpus",
    "git.repo.depth",
    "iptables.rule.destination_port",
    "iptables.rule.source_port",
    "puppet.agent.port",
    "runit.wait_runsv.timeout",
    "selinux.port.port_num",
    "server.kill.pid",
    "server.security_limit.value",
    "server.user.uid",
    "server.wait.port",
    "ssh.command.port",
    "ssh.download.port",
    "ssh.keyscan.port",
    "ssh.upload.port",
    "sysvinit.enable.start_priority",
    "sysvinit.enable.stop_priority",
];

/// List parameters that also take one string: `files.flags` wraps a non-list in a list (its own docs show
/// `flags="hidden"`); `files.line` / `files.replace` join their sed flags with `"".join`, so `flags="i"`
/// is the same as `["i"]`; `sysvinit.enable` loops over the runlevels into paths, so `start_levels="2345"`
/// yields `/etc/rc2.d` ... `/etc/rc5.d`.
const STR_LISTS: &[&str] = &[
    "files.flags.flags",
    "files.line.flags",
    "files.replace.flags",
    "sysvinit.enable.start_levels",
    "sysvinit.enable.stop_levels",
];

/// `str` parameters that pyinfra also accepts as a list (`server.modprobe` checks `isinstance(module, str)`).
const LISTY_STRS: &[&str] = &["server.modprobe.module"];

/// Permission modes: `files.sync` hands `mode` / `dir_mode` to `files.put` and `files.directory`, which take
/// an int, an octal string or (`files.put`) `True` to copy the local mode.
const MODES: &[&str] = &["mode", "dir_mode"];

/// Whether `op.name` or the bare `name` is in `list`.
fn listed(list: &[&str], op: &str, name: &str) -> bool {
    list.iter().any(|e| *e == name || e.strip_prefix(op).and_then(|r| r.strip_prefix('.')) == Some(name))
}

/// What an annotation admits, member by member of its union.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Admits {
    str: bool,
    bytes: bool,
    int: bool,
    float: bool,
    bool: bool,
    none: bool,
    list: bool,
    tuple: bool,
    dict: bool,
    set: bool,
}

impl Admits {
    /// Read `ty`, or `None` if any member of its union is outside what this rule understands.
    fn of(ty: &str) -> Option<Admits> {
        let mut a = Admits::default();
        for part in top_level_union(ty) {
            let base = part.split('[').next().unwrap_or(part).trim();
            match base {
                "None" => a.none = true,
                "bool" => a.bool = true,
                "str" => a.str = true,
                "bytes" => a.bytes = true,
                // `int` admits `bool` and `float` admits `int`, as in Python's typing.
                "int" => (a.int, a.bool) = (true, true),
                "float" => (a.float, a.int, a.bool) = (true, true, true),
                "list" | "List" => a.list = true,
                "tuple" | "Tuple" => a.tuple = true,
                "dict" | "Dict" => a.dict = true,
                "set" | "Set" => a.set = true,
                _ => return None,
            }
        }
        // A bare `None` annotation says nothing useful.
        (a != Admits { none: true, ..Admits::default() }).then_some(a)
    }

    /// Whether a literal of `kind` can be right for parameter `name` of operation `op`.
    fn accepts(self, kind: Kind, op: &str, name: &str) -> bool {
        let mode = MODES.contains(&name) && self.str;
        match kind {
            // pyinfra's `is True` / truth tests treat `None` as "not given".
            Kind::None => true,
            Kind::False => self.bool || self.none || mode,
            Kind::True => self.bool || mode,
            // Numbers stand in for booleans (`present=1`), and pyinfra formats them into text for `str`.
            Kind::Int => self.int || self.bool || self.str,
            // A float where an `int` is annotated still works wherever pyinfra does arithmetic or text.
            Kind::Float => self.float || self.int || self.bool || self.str,
            Kind::Complex => false,
            Kind::Str | Kind::FString => {
                self.str || (self.int && listed(TEXT_INTS, op, name)) || (self.list && listed(STR_LISTS, op, name))
            }
            Kind::Bytes => self.bytes,
            Kind::List | Kind::Tuple | Kind::Set => {
                self.list || self.tuple || self.set || (self.str && listed(LISTY_STRS, op, name))
            }
            Kind::Dict => self.dict,
        }
    }
}

/// The kind of a parameter's default: pyinfra accepts its own default even where the annotation leaves
/// it out (`_su_shell: str = False`).
fn default_kind(default: Dflt) -> Option<Kind> {
    Some(match default {
        Dflt::Required => return None,
        Dflt::None => Kind::None,
        Dflt::Bool(true) => Kind::True,
        Dflt::Bool(false) => Kind::False,
        Dflt::Int(_) => Kind::Int,
        Dflt::Float(_) => Kind::Float,
        Dflt::Str(_) => Kind::Str,
        Dflt::Json(json) => match json.trim_start().chars().next() {
            Some('[') => Kind::List,
            Some('{') => Kind::Dict,
            _ => return None,
        },
    })
}

/// The members of a `A | B[C | D] | E` union, split at the top level only.
fn top_level_union(ty: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in ty.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            '|' if depth == 0 => {
                parts.push(ty[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(ty[start..].trim());
    parts
}

#[cfg(test)]
mod tests {
    use super::{Admits, Dflt, top_level_union};
    use crate::rules::fixture::run;
    use crate::rules::{Rule, findings};

    #[test]
    fn annotation_shapes() {
        let bool_ = Admits::of("bool | None").unwrap();
        assert!(bool_.bool && bool_.none && !bool_.str);
        let int = Admits::of("int").unwrap();
        assert!(int.int && int.bool && !int.float && !int.none);
        assert!(Admits::of("float | None").unwrap().int);
        let crontab = Admits::of("list[str | int] | str | int | None").unwrap();
        assert!(crontab.list && crontab.str && crontab.int && crontab.none && !crontab.dict);
        assert!(Admits::of("tuple[str, str] | None").unwrap().tuple);
        assert!(Admits::of("str | list[str] | set[str]").unwrap().set);
        for unread in [
            "collections.abc.Mapping[str, str | pyinfra.api.hiddenvalue.HiddenValue]",
            "int | str | bool | None | datetime",
            "str | IO[Any]",
            "str | Path | None",
            "Protocol | str",
            "Literal['clone', 'copy'] | None",
            "Any",
            "Callable",
            "Boolean",
            "None",
        ] {
            assert_eq!(Admits::of(unread), None, "{unread}");
        }
        assert_eq!(top_level_union("dict[str, int | None] | None"), ["dict[str, int | None]", "None"]);
    }

    #[test]
    fn a_default_outside_the_annotation_is_accepted() {
        use rinfra_facts::schema::catalogue;
        let su_shell = catalogue().global("_su_shell").expect("_su_shell");
        assert_eq!((su_shell.ty, su_shell.default), ("str", Dflt::Bool(false)));
        assert!(run("demo.key('k', _su_shell=False)", Rule::WrongLiteralType).is_empty());
        assert_eq!(
            run("demo.key('k', _su_shell=True)", Rule::WrongLiteralType),
            ["25 `_su_shell` of `demo.key` expects `str`, not `True`"]
        );
    }

    #[test]
    fn every_catalogue_annotation_is_read_or_skipped_on_purpose() {
        use rinfra_facts::schema::catalogue;
        // Members this rule knows it cannot judge from a literal.
        const OPAQUE: &[&str] = &[
            "collections.abc.",
            "Any",
            "Callable",
            "IO",
            "Path",
            "datetime",
            "Protocol",
            "Literal",
            "BrewItemKind",
            "Boolean",
            "type",
        ];
        let globals = catalogue().globals.iter();
        let ops = catalogue().all_operations().flat_map(|(_, op)| op.args.iter());
        for arg in globals.chain(ops) {
            if Admits::of(arg.ty).is_some() {
                continue;
            }
            let opaque = top_level_union(arg.ty).iter().any(|p| OPAQUE.iter().any(|o| p.starts_with(o)));
            assert!(opaque, "`{}: {}` is neither read nor known to be opaque", arg.name, arg.ty);
        }
    }

    #[test]
    fn string_for_a_bool() {
        assert_eq!(
            run("demo.packages(['x'], present='false')", Rule::WrongLiteralType),
            ["30 `present` of `demo.packages` expects `bool`, not a string"]
        );
        assert_eq!(
            run("demo.packages('x', 'no')", Rule::WrongLiteralType),
            ["20 `present` of `demo.packages` expects `bool`, not a string"]
        );
        assert_eq!(
            run("demo.service('x', enabled=[1])", Rule::WrongLiteralType),
            ["27 `enabled` of `demo.service` expects `bool | None`, not a list"]
        );
    }

    #[test]
    fn scalar_for_a_dict() {
        assert_eq!(
            run("demo.service('x', env='A=b')", Rule::WrongLiteralType),
            ["23 `env` of `demo.service` expects `dict[str, str] | None`, not a string"]
        );
    }

    #[test]
    fn wrong_literals_for_str_int_and_unions() {
        assert_eq!(
            run("demo.key(['k'])", Rule::WrongLiteralType),
            ["10 `src` of `demo.key` expects `str`, not a list"]
        );
        assert_eq!(
            run("demo.key('k', keyserver=True)", Rule::WrongLiteralType),
            ["25 `keyserver` of `demo.key` expects `str | None`, not `True`"]
        );
        assert_eq!(
            run("demo.key(b'k', keyserver={'a': 1})", Rule::WrongLiteralType),
            [
                "10 `src` of `demo.key` expects `str`, not bytes",
                "26 `keyserver` of `demo.key` expects `str | None`, not a dict"
            ]
        );
        assert_eq!(
            run("demo.packages({'x': 1}, cache_time=f'{n}')", Rule::WrongLiteralType),
            [
                "15 `packages` of `demo.packages` expects `str | list[str] | None`, not a dict",
                "36 `cache_time` of `demo.packages` expects `int | None`, not an f-string"
            ]
        );
        assert_eq!(
            run("demo.packages(3, cache_time='3600')", Rule::WrongLiteralType),
            ["29 `cache_time` of `demo.packages` expects `int | None`, not a string"]
        );
    }

    #[test]
    fn globals_are_checked() {
        assert_eq!(
            run("demo.key('k', _sudo='yes')", Rule::WrongLiteralType),
            ["21 `_sudo` of `demo.key` expects `bool`, not a string"]
        );
        assert_eq!(
            run("demo.key('k', _timeout='10', _sudo_user=['root'])", Rule::WrongLiteralType),
            [
                "24 `_timeout` of `demo.key` expects `int`, not a string",
                "41 `_sudo_user` of `demo.key` expects `str`, not a list"
            ]
        );
    }

    #[test]
    fn plausible_values_pass() {
        for ok in [
            "demo.packages(present=False, latest=1)",
            "demo.packages(present=None, latest=0.0)",
            "demo.packages(present=flag, cache_time='3600' if x else 1)",
            "demo.packages(('a', 'b'), cache_time=True)",
            "demo.packages({'a', 'b'}, cache_time=3600.0)",
            "demo.packages([p for p in ps], cache_time=None)",
            "demo.packages(f'{name}-dev')",
            "demo.service('x', env={'A': 'b'}, enabled=True)",
            "demo.service('x', env=dict(A='b'), enabled=0)",
            "demo.service(1000, env=None)",
            "demo.service(*args, env=env)",
            "demo.service(**kwargs)",
            "demo.key(src=1, _sudo=host.data.sudo)",
            "demo.key(src=CONST, keyserver=False)",
            "demo.key(src=ks[0], keyserver=f'hkp://{h}')",
            "demo.key('k', _env={'A': 'b'}, _timeout=1.5, _sudo_user=0)",
            "demo.template(src='a', dest='b', anything=[1], other={'x': 1})",
        ] {
            assert!(run(ok, Rule::WrongLiteralType).is_empty(), "{ok}: {:?}", run(ok, Rule::WrongLiteralType));
        }
    }

    #[test]
    fn what_pyinfra_accepts_beyond_its_annotations_passes() {
        let src = "\
from pyinfra.operations import files, gpg, mysql, server, ssh, sysvinit
files.sync(src='a', dest='/b', mode=644, dir_mode='755')
files.sync(src='a', dest='/b', mode=True)
gpg.key(src='k', dest='/d', mode=600)
mysql.sql(sql='SELECT 1', mysql_port='3306')
server.user(user='deploy', uid='1000', home=None)
server.modprobe(module=['a', 'b'])
files.flags(path='/p', flags='hidden')
files.line(path='/p', line='a', replace='b', flags='i')
sysvinit.enable(service='x', start_levels='2345', start_priority='20')
ssh.keyscan(hostname='h', port='2222')
server.wait(port='22')
";
        assert_eq!(findings(src, Rule::WrongLiteralType), Vec::<String>::new());
    }

    #[test]
    fn real_operations_report_exact_positions() {
        let src = "\
from pyinfra.operations import apt, server, docker, files
apt.update(cache_time='3600')
server.user(user='deploy', groups='sudo')
docker.container(container='c', image='nginx', ports='80:80')
files.line(path='/etc/x', line=['a'])
server.reboot(delay='10')
";
        assert_eq!(
            findings(src, Rule::WrongLiteralType),
            [
                "2:23 `cache_time` of `apt.update` expects `int | None`, not a string",
                "3:35 `groups` of `server.user` expects `list[str] | None`, not a string",
                "4:54 `ports` of `docker.container` expects `list[str] | None`, not a string",
                "5:32 `line` of `files.line` expects `str`, not a list",
                "6:21 `delay` of `server.reboot` expects `int`, not a string",
            ]
        );
    }
}
