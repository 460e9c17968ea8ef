//! `pyinfra.operations.files`: files, directories and links on the host, line and block edits,
//! uploads, downloads, templates, directory syncs and archive extraction.

mod edit;
mod fs;
pub mod jinja;
mod posix_regex;
pub mod preview;
mod template;
pub mod time;
mod transfer;
pub mod util;

use crate::schema::{ArgKind, Dflt, Operation, arg, var_arg};

/// What this module manages.
pub const DOC: &str = "Manage the host's filesystem: files, directories, links and their ownership and modes; \
                       edit lines and marked blocks in files; upload, download, template and sync files; \
                       extract archives.";

const USER: crate::schema::Arg = arg("user", "str | None", Dflt::None, "User that should own the result.");
const GROUP: crate::schema::Arg = arg("group", "str | None", Dflt::None, "Group that should own the result.");
const CREATE_REMOTE_DIR: crate::schema::Arg = arg(
    "create_remote_dir",
    "bool",
    Dflt::Bool(true),
    "Create the parent directory on the host first if it is missing (owned by `user`/`group`).",
);
const FORCE: crate::schema::Arg = arg(
    "force",
    "bool",
    Dflt::Bool(false),
    "If something of another type is in the way, move it aside (or delete it) and carry on.",
);
const FORCE_BACKUP: crate::schema::Arg = arg(
    "force_backup",
    "bool",
    Dflt::Bool(true),
    "With `force`, rename what is in the way to `PATH.TIMESTAMP` instead of deleting it.",
);
const FORCE_BACKUP_DIR: crate::schema::Arg =
    arg("force_backup_dir", "str | None", Dflt::None, "With `force`, move the renamed obstacle into this directory.");
const BACKUP: crate::schema::Arg = arg(
    "backup",
    "bool",
    Dflt::Bool(false),
    "Keep a copy of the file as it was, suffixed with a timestamp, when it is edited.",
);
const INTERPOLATE: crate::schema::Arg = arg(
    "interpolate_variables",
    "bool",
    Dflt::Bool(false),
    "Use double quotes so the remote shell expands `$VARIABLES` in the pattern and replacement.",
);
const EXTENDED: crate::schema::Arg = arg(
    "extended_regex",
    "bool",
    Dflt::Bool(false),
    "Use extended regular expressions (`grep -E`/`sed -E`): `+`, `?`, `(a|b)` without backslashes.",
);
const SED_FLAGS: crate::schema::Arg =
    arg("flags", "list[str] | None", Dflt::None, "sed flags for the substitution (`g`, `i`, ...).");

/// The operations of `files`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "download",
        doc: "Download a URL to a file on the host with `curl` (or `wget` when curl is missing), through a \
              temporary file that is then moved into place. An existing file is kept unless `force` is set, it \
              is older than `cache_time`, or a given checksum does not match; a downloaded file is checked \
              against the given checksums. Ownership and mode are corrected even when nothing is downloaded.",
        args: &[
            arg("src", "str", Dflt::Required, "URL to download."),
            arg("dest", "str", Dflt::Required, "File on the host to write."),
            USER,
            GROUP,
            arg("mode", "int | str | None", Dflt::None, "Permissions of the file (octal digits, e.g. `644`)."),
            arg(
                "cache_time",
                "int | None",
                Dflt::None,
                "Download again when the existing file is older than this many seconds.",
            ),
            arg("force", "bool", Dflt::Bool(false), "Always download, even if the file exists."),
            arg("sha384sum", "str | None", Dflt::None, "Expected SHA-384 of the file."),
            arg("sha256sum", "str | None", Dflt::None, "Expected SHA-256 of the file."),
            arg("sha1sum", "str | None", Dflt::None, "Expected SHA-1 of the file."),
            arg("md5sum", "str | None", Dflt::None, "Expected MD5 of the file."),
            arg("headers", "dict[str, str] | None", Dflt::None, "HTTP headers to send."),
            arg("insecure", "bool", Dflt::Bool(false), "Skip TLS certificate verification."),
            arg("proxy", "str | None", Dflt::None, "HTTP proxy to download through (`http://host:port`)."),
            arg("limit_rate", "str | None", Dflt::None, "Bandwidth cap in curl/wget syntax (`1M`, `500k`)."),
            arg(
                "temp_dir",
                "str | Path | None",
                Dflt::None,
                "Directory on the host for the temporary download (default: `_temp_dir` or the host's).",
            ),
            arg(
                "extra_curl_args",
                "dict[str, str] | None",
                Dflt::None,
                "Additional curl options, option name to value.",
            ),
            arg(
                "extra_wget_args",
                "dict[str, str] | None",
                Dflt::None,
                "Additional wget options, option name to value.",
            ),
        ],
        planner: Some(transfer::download),
        ..Operation::NEW
    },
    Operation {
        name: "line",
        doc: "Make sure a line matching a regex is in a file (appending it, or replacing matching lines with \
              `replace`), or that no such line is there (`present=False`). Unless anchored with `^`/`$`, the \
              regex matches anywhere in a line (it is wrapped as `^.*LINE.*$`), so `foo` also matches `#foo`; \
              anchors are dropped before the line is written. Lines are found with grep and edited with sed.",
        args: &[
            arg("path", "str", Dflt::Required, "File on the host to edit."),
            arg(
                "line",
                "str",
                Dflt::Required,
                "Regex matching the line (and the text appended when there is no `replace`).",
            ),
            arg("present", "bool", Dflt::Bool(true), "Whether a matching line should be in the file."),
            arg(
                "replace",
                "str | None",
                Dflt::None,
                "Text that replaces whole matching lines, or is appended when none match.",
            ),
            SED_FLAGS,
            BACKUP,
            INTERPOLATE,
            arg(
                "escape_regex_characters",
                "bool",
                Dflt::Bool(false),
                "Match `line` literally by escaping regex characters in it.",
            ),
            arg(
                "ensure_newline",
                "bool",
                Dflt::Bool(false),
                "Make sure an appended line starts on a new line even if the file lacks a final newline.",
            ),
            EXTENDED,
        ],
        planner: Some(edit::line),
        ..Operation::NEW
    },
    Operation {
        name: "replace",
        doc: "Replace text matching a regex in a file with `sed -i`. Nothing happens when the file exists \
              and no line matches; when the file is missing the edit is still attempted (it may be created by an \
              earlier operation).",
        args: &[
            arg("path", "str", Dflt::Required, "File on the host to edit."),
            arg("text", "str | None", Dflt::None, "Regex to match."),
            arg("replace", "str | None", Dflt::None, "Replacement text."),
            SED_FLAGS,
            BACKUP,
            INTERPOLATE,
            EXTENDED,
            arg("match", "str | None", Dflt::None, "Deprecated name of `text`."),
        ],
        planner: Some(edit::replace),
        ..Operation::NEW
    },
    Operation {
        name: "sync",
        doc: "Make a directory on the host mirror a directory on the controller: create its subdirectories, \
              upload new or changed files, recreate symbolic links as links, and with `delete` remove remote \
              files and links that do not exist locally (extra directories are kept). Files matching \
              `exclude` (full local path) and directories matching `exclude_dir` (path relative to `src`) are \
              skipped; both are shell-style patterns.",
        args: &[
            arg("src", "str", Dflt::Required, "Local directory to sync from."),
            arg("dest", "str", Dflt::Required, "Directory on the host to sync to."),
            USER,
            GROUP,
            arg(
                "mode",
                "str | None",
                Dflt::None,
                "Permissions of the files (and of directories when `dir_mode` is unset); default: the local ones.",
            ),
            arg("dir_mode", "str | None", Dflt::None, "Permissions of the directories."),
            arg(
                "delete",
                "bool",
                Dflt::Bool(false),
                "Remove files and links on the host that are not present locally.",
            ),
            arg(
                "exclude",
                "str | list[str] | tuple[str] | None",
                Dflt::None,
                "Pattern(s) of local files to leave out.",
            ),
            arg(
                "exclude_dir",
                "str | list[str] | tuple[str] | None",
                Dflt::None,
                "Pattern(s) of local directories (relative to `src`) to leave out.",
            ),
            arg("add_deploy_dir", "bool", Dflt::Bool(true), "Resolve `src` relative to the deploy directory."),
        ],
        planner: Some(transfer::sync),
        ..Operation::NEW
    },
    Operation {
        name: "rsync",
        doc: "Copy a local directory to the host by running the controller's `rsync` binary over the \
              connection (SSH or local only). Always counts as a change; only `_sudo`/`_sudo_user` apply.",
        args: &[
            arg("src", "str", Dflt::Required, "Local path to copy."),
            arg("dest", "str", Dflt::Required, "Path on the host."),
            arg("flags", "list[str] | None", Dflt::None, "rsync flags (default `-ax --delete`)."),
        ],
        planner: Some(transfer::rsync),
        ..Operation::NEW
    },
    Operation {
        name: "get",
        doc: "Download a file from the host to the controller. Skipped when the local copy has the same \
              checksum as the remote file, unless `force` is set. Note: planners do no local I/O, so \
              `create_local_dir` is not part of the plan (the local directory must exist or be made by the \
              executor).",
        args: &[
            arg("src", "str", Dflt::Required, "File on the host."),
            arg("dest", "str", Dflt::Required, "Local file to write."),
            arg("add_deploy_dir", "bool", Dflt::Bool(true), "Resolve `dest` relative to the deploy directory."),
            arg("create_local_dir", "bool", Dflt::Bool(false), "Create the local parent directory if missing."),
            arg("force", "bool", Dflt::Bool(false), "Always download, even if the local copy matches."),
        ],
        planner: Some(transfer::get),
        ..Operation::NEW
    },
    Operation {
        name: "put",
        doc: "Upload a local file (or in-memory contents) to the host. The upload is skipped when the remote \
              file has the same checksum; ownership, mode and (optionally) access/modification times are then \
              corrected. When `dest` is an existing directory the file keeps its name inside it. Times may be \
              datetimes (naive ones are taken in the host's timezone), timestamps, ISO strings, `True` (copy \
              the local file's) or the path of a remote reference file.",
        args: &[
            arg("src", "str | IO[Any]", Dflt::Required, "Local file, or a file-like object, to upload."),
            arg("dest", "str", Dflt::Required, "File (or existing directory) on the host."),
            USER,
            GROUP,
            arg(
                "mode",
                "int | str | bool | None",
                Dflt::None,
                "Permissions of the file; `True` copies the local file's.",
            ),
            arg("add_deploy_dir", "bool", Dflt::Bool(true), "Resolve `src` relative to the deploy directory."),
            CREATE_REMOTE_DIR,
            arg("force", "bool", Dflt::Bool(false), "Upload even if the remote file matches."),
            arg("assume_exists", "bool", Dflt::Bool(false), "Do not fail when the local file does not exist (yet)."),
            arg(
                "atime",
                "datetime | float | int | str | bool | None",
                Dflt::None,
                "Access time the remote file should have.",
            ),
            arg(
                "mtime",
                "datetime | float | int | str | bool | None",
                Dflt::None,
                "Modification time the remote file should have.",
            ),
        ],
        planner: Some(transfer::put),
        ..Operation::NEW
    },
    Operation {
        name: "template",
        doc: "Render a Jinja2 template with the call's extra keyword arguments (plus `host`) and upload the \
              result like `files.put`. rinfra renders a subset of Jinja2: `{{ expr }}` with attribute, item, \
              filter (`default`, `upper`, `lower`, `join`, `length`, `trim`, `replace`, `int`, `string`, \
              ...) and operator expressions; `{% if %}`/`elif`/`else`, `{% for %}` (with `loop`), \
              `{% set %}`, `{% raw %}`, comments and `-` whitespace control; undefined variables are errors.",
        args: &[
            arg(
                "src",
                "str | IO[Any]",
                Dflt::Required,
                "Template file (relative to the deploy directory) or file-like object.",
            ),
            arg("dest", "str", Dflt::Required, "File on the host to write."),
            USER,
            GROUP,
            arg("mode", "int | str | None", Dflt::None, "Permissions of the file."),
            CREATE_REMOTE_DIR,
            arg(
                "jinja_env_kwargs",
                "dict[str, Any] | None",
                Dflt::None,
                "Jinja environment options (rinfra supports `trim_blocks` and `lstrip_blocks`).",
            ),
            var_arg("data", ArgKind::VarKwargs, "Variables made available to the template."),
        ],
        planner: Some(template::template),
        ..Operation::NEW
    },
    Operation {
        name: "move",
        doc: "Move a file, directory or link on the host into an existing directory. Fails if the \
              destination already holds an entry of that name, unless `overwrite` removes it first.",
        args: &[
            arg("src", "str", Dflt::Required, "Path on the host to move."),
            arg("dest", "str", Dflt::Required, "Existing directory to move it into."),
            arg("overwrite", "bool", Dflt::Bool(false), "Replace an existing entry of the same name in `dest`."),
        ],
        planner: Some(fs::move_),
        ..Operation::NEW
    },
    Operation {
        name: "copy",
        doc: "Copy a file, directory or link on the host into an existing directory (`cp -r`). An identical \
              copy already there is a no-change; a different one is an error unless `overwrite` is set.",
        args: &[
            arg("src", "str", Dflt::Required, "Path on the host to copy."),
            arg("dest", "str", Dflt::Required, "Existing directory to copy it into."),
            arg("overwrite", "bool", Dflt::Bool(false), "Replace an existing entry of the same name in `dest`."),
        ],
        planner: Some(fs::copy),
        ..Operation::NEW
    },
    Operation {
        name: "link",
        doc: "Create, update or remove a link (symbolic by default). A link pointing elsewhere is removed and \
              recreated; ownership is set on the link itself. Something else at the path is an error unless \
              `force` moves it aside.",
        args: &[
            arg("path", "str", Dflt::Required, "Path of the link."),
            arg("target", "str | None", Dflt::None, "What the link points to (required when present)."),
            arg("present", "bool", Dflt::Bool(true), "Whether the link should exist."),
            USER,
            GROUP,
            arg("symbolic", "bool", Dflt::Bool(true), "Make a symbolic link rather than a hard link."),
            CREATE_REMOTE_DIR,
            FORCE,
            FORCE_BACKUP,
            FORCE_BACKUP_DIR,
        ],
        planner: Some(fs::link),
        ..Operation::NEW
    },
    Operation {
        name: "file",
        doc: "Create (with `touch`), update or remove a regular file, and set its owner and mode. Something \
              else at the path is an error unless `force` moves it aside.",
        args: &[
            arg("path", "str", Dflt::Required, "Path of the file."),
            arg("present", "bool", Dflt::Bool(true), "Whether the file should exist."),
            USER,
            GROUP,
            arg(
                "mode",
                "int | str | None",
                Dflt::None,
                "Permissions (octal digits like `644`, or symbolic like `+x`).",
            ),
            arg("touch", "bool", Dflt::Bool(false), "Update the file's times even when it exists (always a change)."),
            CREATE_REMOTE_DIR,
            FORCE,
            FORCE_BACKUP,
            FORCE_BACKUP_DIR,
        ],
        planner: Some(fs::file),
        ..Operation::NEW
    },
    Operation {
        name: "directory",
        doc: "Create (`mkdir -p`), update or remove a directory and set its owner and mode, optionally \
              recursively (applied only when the top directory differs). Something else at the path is an \
              error unless `force` moves it aside.",
        args: &[
            arg("path", "str", Dflt::Required, "Path of the directory."),
            arg("present", "bool", Dflt::Bool(true), "Whether the directory should exist."),
            USER,
            GROUP,
            arg("mode", "int | str | None", Dflt::None, "Permissions of the directory."),
            arg("recursive", "bool", Dflt::Bool(false), "Apply owner and mode to everything inside too."),
            FORCE,
            FORCE_BACKUP,
            FORCE_BACKUP_DIR,
            arg(
                "_no_check_owner_mode",
                "bool",
                Dflt::Bool(false),
                "Internal: do not correct an existing directory's owner and mode.",
            ),
            arg("_no_fail_on_link", "bool", Dflt::Bool(false), "Internal: accept a link at the path as the directory."),
        ],
        planner: Some(fs::directory),
        ..Operation::NEW
    },
    Operation {
        name: "flags",
        doc: "Set or clear BSD file flags (`chflags`, e.g. `hidden`, `uchg`) on a path; only the flags not \
              already in the wanted state are changed.",
        args: &[
            arg("path", "str", Dflt::Required, "Path on the host."),
            arg("flags", "list[str] | None", Dflt::None, "Flag or flags to set or clear."),
            arg("present", "bool", Dflt::Bool(true), "Set the flags (`True`) or clear them (`False`)."),
        ],
        planner: Some(fs::flags),
        ..Operation::NEW
    },
    Operation {
        name: "block",
        doc: "Keep a block of lines between two marker lines in a file, or remove it. A missing block is \
              added before or after the first line matching `line`, or at the start/end of the file (which \
              is created if needed); a block with other content is rewritten. Content is written literally \
              (shell-quoted, never expanded). Edits go through a temporary file and keep the owner and mode.",
        args: &[
            arg("path", "str", Dflt::Required, "File on the host."),
            arg("content", "str | list[str] | None", Dflt::None, "Lines that belong between the markers."),
            arg("present", "bool", Dflt::Bool(true), "Whether the block should be in the file."),
            arg("line", "str | None", Dflt::None, "Regex of the line to put a new block before or after."),
            BACKUP,
            arg(
                "escape_regex_characters",
                "bool",
                Dflt::Bool(false),
                "Match `line` literally by escaping regex characters in it.",
            ),
            arg(
                "try_prevent_shell_expansion",
                "bool",
                Dflt::Bool(false),
                "Deprecated and ignored: content is never shell-expanded.",
            ),
            arg(
                "before",
                "bool",
                Dflt::Bool(false),
                "Put a new block before `line` (or at the start of the file with `after`).",
            ),
            arg("after", "bool", Dflt::Bool(false), "Put a new block after `line`."),
            arg(
                "marker",
                "str | None",
                Dflt::None,
                "Marker template with a `{mark}` placeholder (default `# {mark} PYINFRA BLOCK`).",
            ),
            arg("begin", "str | None", Dflt::None, "Word for `{mark}` in the opening marker (default `BEGIN`)."),
            arg("end", "str | None", Dflt::None, "Word for `{mark}` in the closing marker (default `END`)."),
        ],
        planner: Some(edit::block),
        ..Operation::NEW
    },
    Operation {
        name: "unarchive",
        doc: "Extract a `.tar`, `.tar.gz`/`.tgz`, `.tar.bz2`/`.tbz2`, `.tar.xz`/`.txz`, `.tar.zst` or `.zip` \
              archive into an existing directory on the host, uploading it first unless `remote_src`. Skipped \
              when the `creates` path exists; otherwise it always extracts.",
        args: &[
            arg("src", "str", Dflt::Required, "Archive: a local file, or a file on the host with `remote_src`."),
            arg("dest", "str", Dflt::Required, "Existing directory on the host to extract into."),
            arg("remote_src", "bool", Dflt::Bool(false), "The archive is already on the host."),
            arg("creates", "str | None", Dflt::None, "Skip extraction when this path exists on the host."),
            arg("extra_opts", "list[str] | None", Dflt::None, "Extra arguments for tar/unzip."),
            USER,
            GROUP,
        ],
        planner: Some(transfer::unarchive),
        ..Operation::NEW
    },
];
