//! The members of pyinfra 3.10's `Host` (`from pyinfra import host`) and of its `host.data`, as
//! deploy code uses them: for completion after `host.` and `host.data.`.

/// The dotted path `host` resolves to.
pub const HOST: &str = "pyinfra.host";

/// The dotted path `host.data` resolves to.
pub const HOST_DATA: &str = "pyinfra.host.data";

/// What a member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberKind {
    /// An attribute or property.
    Attribute,
    /// A method.
    Method,
}

/// One member: name, kind, signature or type, one line of documentation.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    /// The attribute name.
    pub name: &'static str,
    /// Attribute or method.
    pub kind: MemberKind,
    /// `name: type` or `name(params) -> type`.
    pub signature: &'static str,
    /// What it is for.
    pub doc: &'static str,
}

const fn attr(name: &'static str, signature: &'static str, doc: &'static str) -> Member {
    Member { name, kind: MemberKind::Attribute, signature, doc }
}

const fn method(name: &'static str, signature: &'static str, doc: &'static str) -> Member {
    Member { name, kind: MemberKind::Method, signature, doc }
}

/// `Host`'s public members, the ones deploy code reads first.
pub const HOST_MEMBERS: &[Member] = &[
    attr("name", "name: str", "The host's name as the inventory gives it."),
    attr(
        "data",
        "data: HostData",
        "The host's data: override data, then host data, group data, global data and `@deploy` defaults; \
         the first that has the key wins (`host.data.port`, `host.data.get(\"port\", 22)`).",
    ),
    attr("groups", "groups: list[str]", "The inventory groups the host belongs to."),
    method(
        "get_fact",
        "get_fact(name_or_cls: type[FactBase[T]], *args, **kwargs) -> T",
        "The value of a fact on this host, gathered once and cached.",
    ),
    method(
        "loop",
        "loop(iterable) -> Iterator",
        "Iterate over `iterable` recording the position, so operations called in the loop stay distinct.",
    ),
    method(
        "when",
        "when(condition: Callable[[], bool])",
        "Context manager: the operations inside run only if `condition()` is true when they execute.",
    ),
    method(
        "arguments",
        "arguments(**arguments: Unpack[AllArguments])",
        "Context manager: global arguments (`_sudo=True`, ...) for every operation inside.",
    ),
    method("noop", "noop(description: str) -> None", "Log that an operation had nothing to do."),
    method(
        "log",
        "log(message: str, log_func: Callable[[str], Any] = logger.info) -> None",
        "Log a message prefixed with the host's name.",
    ),
    method(
        "log_styled",
        "log_styled(message: str, log_func: Callable[[str], Any] = logger.info, **kwargs) -> None",
        "Log a message with text styles (`bold=True`, colours) prefixed with the host's name.",
    ),
    attr("host_data", "host_data: dict[str, Any]", "The data the inventory gives this host alone."),
    attr("group_data", "group_data: dict[str, Any]", "The data of the host's groups, merged."),
    method("get_deploy_data", "get_deploy_data() -> dict[str, Any]", "The data defaults of the current `@deploy`."),
    method(
        "get_temp_filename",
        "get_temp_filename(hash_key: str | None = None, hash_filename: bool = True, *, temp_directory: str | None = None) -> str",
        "A temporary filename on the host, stable for the same `hash_key`.",
    ),
    method("get_temp_dir_config", "get_temp_dir_config() -> str", "The host's temporary directory."),
    attr("inventory", "inventory: Inventory", "The inventory the host belongs to."),
    attr("state", "state: State", "The state of the current run."),
    attr("connected", "connected: bool", "Whether the host is connected."),
    attr("connector_data", "connector_data: dict[str, Any]", "Data the host's connector keeps."),
    attr("in_op", "in_op: bool", "Whether an operation is being generated."),
    attr("in_deploy", "in_deploy: bool", "Whether a `@deploy` function is running."),
    attr("current_deploy_name", "current_deploy_name: str | None", "The name of the running `@deploy`."),
    attr("print_prefix", "print_prefix: str", "The `[name]` prefix of the host's log lines."),
    method(
        "connect",
        "connect(reason=None, show_errors: bool = True, raise_exceptions: bool = False)",
        "Connect to the host (done by pyinfra before the deploy runs).",
    ),
    method("disconnect", "disconnect() -> None", "Close the host's connection."),
    method(
        "run_shell_command",
        "run_shell_command(*args, **kwargs) -> tuple[bool, CommandOutput]",
        "Run a command now, outside any operation.",
    ),
    method("put_file", "put_file(*args, **kwargs) -> bool", "Upload a file now, outside any operation."),
    method("get_file", "get_file(*args, **kwargs) -> bool", "Download a file now, outside any operation."),
];

/// `HostData`'s own methods (every other attribute is a data key).
pub const HOST_DATA_MEMBERS: &[Member] = &[
    method("get", "get(key: str, default=None)", "The value of `key`, or `default` when no data source has it."),
    method("dict", "dict() -> dict[str, Any]", "All the host's data merged into one dict."),
];
