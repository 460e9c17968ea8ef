# The hand-written part of rinfra's `pyinfra` package (module `pyinfra._rt`). The operation and fact
# modules are generated from rinfra's schema at start-up and call into this file; `_rinfra` is the
# native bridge into the Rust executor (record an operation call, gather a fact, plan an operation).
import functools
import io
import json
import re
import sys

import _rinfra


class OperationError(Exception):
    """An operation cannot be run against this host."""


class DeployError(Exception):
    """A deploy script used pyinfra wrongly."""


def _default(value):
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, (range, type({}.keys()), type({}.values()))):
        return list(value)
    if isinstance(value, io.StringIO):
        return "io:" + value.getvalue()
    if hasattr(value, "__fspath__"):
        return value.__fspath__()
    raise TypeError(f"rinfra cannot pass a value of type {type(value).__name__} to an operation yet")


def to_json(value):
    return json.dumps(value, default=_default)


def _encode_call(full_name, encode, args, kwargs):
    """The call's arguments as JSON text; a value JSON cannot carry raises a TypeError that names
    the operation and the argument (raised here, so the traceback ends at the user's call)."""
    try:
        return encode(list(args)), encode(kwargs)
    except (TypeError, ValueError):
        pass
    named = [(f"positional argument {i + 1}", v) for i, v in enumerate(args)]
    named += [(f"argument `{k}`", v) for k, v in kwargs.items()]
    for what, value in named:
        try:
            encode(value)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{full_name}: the {what}: {e}") from None
    raise TypeError(f"{full_name}: rinfra cannot pass these arguments to an operation")


class HostData:
    """`host.data`: the host's data, attribute or `.get` access; `@deploy` defaults underneath."""

    def __init__(self, data):
        self._data = data
        self._layers = []

    def get(self, key, default=None):
        if key in self._data:
            return self._data[key]
        for layer in reversed(self._layers):
            if key in layer:
                return layer[key]
        return default

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        return self.get(key)

    def __getitem__(self, key):
        return self.get(key)

    def __contains__(self, key):
        return key in self._data or any(key in layer for layer in self._layers)

    def dict(self):
        merged = {}
        for layer in self._layers:
            merged.update(layer)
        merged.update(self._data)
        return merged


class Host:
    """The host that deploy.py is running for (deploy.py runs once per host)."""

    def __init__(self):
        self.name = None
        self.data = HostData({})
        self.groups = []
        self.loop_position = []

    def _reset(self, name, data, groups):
        self.name = name
        self.data = HostData(data)
        self.groups = list(groups)
        self.loop_position = []

    def loop(self, iterable):
        """Iterate, keeping operations called in the loop in iteration order across hosts."""
        self.loop_position.append(0)
        for i, item in enumerate(iterable):
            self.loop_position[-1] = i
            yield item
        self.loop_position.pop()

    def get_fact(self, fact, *args, **kwargs):
        name = getattr(fact, "_rinfra_name", None)
        if name is None:
            if isinstance(fact, type) and issubclass(fact, FactBase):
                return _user_fact(fact, args, kwargs)
            raise TypeError(f"{fact!r} is not a fact class (pyinfra.facts.* or a FactBase subclass)")
        return json.loads(_rinfra.get_fact(name, to_json(list(args)), to_json(kwargs)))

    def noop(self, description):
        import logging

        logging.getLogger("pyinfra").info("%s: %s", self.name, description)

    def __repr__(self):
        return f"Host({self.name!r})"


class Inventory:
    """The hosts of this run, by name."""

    def __init__(self):
        self._hosts = []

    def get_host(self, name, default=None):
        return name if name in self._hosts else default

    def __len__(self):
        return len(self._hosts)


class Config:
    """`from pyinfra import config`: settings a deploy may read or set."""

    SUDO = False
    SUDO_USER = None
    USE_SUDO_PASSWORD = False
    USE_SUDO_LOGIN = False
    PRESERVE_SUDO_ENV = False
    SU_USER = None
    USE_SU_LOGIN = False
    PRESERVE_SU_ENV = False
    SU_SHELL = False
    SU_PASSWORD = None
    SUDO_PASSWORD = None
    DOAS = False
    DOAS_USER = None
    DZDO = False
    DZDO_USER = None
    RETRY = 0
    RETRY_DELAY = 5
    SHELL = "sh"
    TEMP_DIR = "/tmp"
    FAIL_PERCENT = None
    PARALLEL = 0
    CONNECT_TIMEOUT = 10
    IGNORE_ERRORS = False
    REQUIRE_PYINFRA_VERSION = None
    REQUIRE_PACKAGES = None


class State:
    """`from pyinfra import state`: run-wide state a deploy may read."""

    def __init__(self):
        import os

        self.cwd = os.getcwd()
        self.config = config


host = Host()
inventory = Inventory()
config = Config()
state = State()


def __getattr__(name):
    """`logger` (`from pyinfra import logger`) is made on first use: `logging` and what it imports
    cost ~1 MB that most runs never use."""
    if name == "logger":
        import logging

        return logging.getLogger("pyinfra")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_conditions = {}
# `_retry_until` callables by (host name, call index).
_retry_until = {}
_results = {}
# Each host's data and groups, to set `host` again when its `_if` callables run.
_host_context = {}


class OperationMeta:
    """What an operation call returns. While deploy.py runs only `changed` / `will_change` are
    known (planned now); after execution (e.g. in `_if` callables) the results are."""

    def __init__(self, host_name, index, name):
        self._key = (host_name, index)
        self._name = name

    def _result(self):
        result = _results.get(self._key)
        if result is None:
            raise RuntimeError("Cannot evaluate operation result before execution")
        return result

    @property
    def will_change(self):
        result = _results.get(self._key)
        if result is not None:
            return result["changed"]
        return _rinfra.will_change(self._key[1])

    @property
    def changed(self):
        return self.will_change

    def did_change(self):
        return self._result()["changed"]

    def did_not_change(self):
        return not self.did_change()

    def did_succeed(self, _raise_if_not_complete=True):
        return self._result()["success"]

    def did_error(self):
        return not self._result()["success"]

    @property
    def stdout_lines(self):
        return list(self._result()["stdout"])

    @property
    def stderr_lines(self):
        return list(self._result()["stderr"])

    @property
    def stdout(self):
        return "\n".join(self._result()["stdout"])

    @property
    def stderr(self):
        return "\n".join(self._result()["stderr"])

    def __repr__(self):
        return f"OperationMeta({self._name!r})"


_CALL_SOURCES = {}


def _call_source(frame):
    """The source text of the call expression a frame is executing (Python 3.11+ positions), or ''.
    Kept per code object and instruction: deploy.py runs once per host, its calls are the same."""
    key = (frame.f_code, frame.f_lasti)
    text = _CALL_SOURCES.get(key)
    if text is None:
        text = _CALL_SOURCES[key] = _find_call_source(frame)
    return text


def _find_call_source(frame):
    try:
        import linecache

        import itertools

        positions = frame.f_code.co_positions()
        first, last, start, end = next(itertools.islice(positions, frame.f_lasti // 2, None))
        lines = linecache.getlines(frame.f_code.co_filename)[first - 1 : last]
        if not lines or start is None or end is None:
            return ""
        # Column offsets count UTF-8 bytes, not characters: slice the encoded lines.
        raw = [line.encode("utf-8") for line in lines]
        if len(raw) == 1:
            text = raw[0][start:end]
        else:
            text = raw[0][start:] + b"".join(raw[1:-1]) + raw[-1][:end]
        return text.decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - the source text is informative only
        return ""


def _user_frames():
    """The calling user frame's (file, line, call source) and the line numbers of every user frame
    on the stack, outermost first: the call's place in deploy order, as pyinfra's op order."""
    frame = sys._getframe(2)
    lines = []
    first = None
    while frame is not None:
        if not frame.f_code.co_filename.startswith("<rinfra"):
            if first is None:
                first = (frame.f_code.co_filename, frame.f_lineno, _call_source(frame))
            lines.append(frame.f_lineno)
        frame = frame.f_back
    lines.reverse()
    return first or ("<unknown>", 0, ""), lines


def _take_retry_until(full_name, kwargs):
    """Pop a `_retry_until` callable from an operation call's keywords, leaving a marker: the
    executor asks for it by call index after each attempt."""
    judge = kwargs.pop("_retry_until", None)
    if judge is None:
        return None
    if not callable(judge):
        raise TypeError(f"{full_name}: _retry_until takes a callable (given the output dictionary)")
    kwargs["_retry_until"] = True
    return judge


def _conditions_of(full_name, value):
    if callable(value):
        return [value]
    if isinstance(value, (list, tuple)) and all(callable(c) for c in value):
        return list(value)
    raise TypeError(f"{full_name}: _if takes a callable or a list of callables (e.g. other_op.did_change)")


# Config attributes that act as defaults for global arguments (pyinfra's config -> op defaults).
# Each: (config attribute, global argument, the argument's default, which adds nothing).
_CONFIG_GLOBALS = (
    ("SUDO", "_sudo", False),
    ("SUDO_USER", "_sudo_user", None),
    ("USE_SUDO_LOGIN", "_use_sudo_login", False),
    ("PRESERVE_SUDO_ENV", "_preserve_sudo_env", False),
    ("SU_USER", "_su_user", None),
    ("USE_SU_LOGIN", "_use_su_login", False),
    ("PRESERVE_SU_ENV", "_preserve_su_env", False),
    ("SU_SHELL", "_su_shell", False),
    ("SUDO_PASSWORD", "_sudo_password", None),
    ("SU_PASSWORD", "_su_password", None),
    ("DOAS", "_doas", False),
    ("DOAS_USER", "_doas_user", None),
    ("DZDO", "_dzdo", False),
    ("DZDO_USER", "_dzdo_user", None),
    ("RETRY", "_retries", 0),
    ("RETRY_DELAY", "_retry_delay", 5),
    ("IGNORE_ERRORS", "_ignore_errors", False),
    ("SHELL", "_shell_executable", "sh"),
)


def load_config(path):
    """Run config.py: its upper-case names become attributes of `pyinfra.config`. None, or the error text."""
    try:
        namespace = {"__name__": "config", "__file__": path}
        exec_file(path, namespace)
        for name, value in namespace.items():
            if name.isupper():
                setattr(config, name, value)
        return None
    except BaseException as e:  # noqa: BLE001 - user code: reported, not raised
        return _format_exception(e, path)


def op(full_name):
    """An operation function that records its call for the executor."""

    def call(*args, **kwargs):
        (filename, line, source), order = _user_frames()
        order.extend(host.loop_position)
        for attr, arg, default in _CONFIG_GLOBALS:
            value = getattr(config, attr, default)
            if value != default and arg not in kwargs:
                kwargs[arg] = value
        conditions = kwargs.pop("_if", None)
        if conditions is not None:
            conditions = _conditions_of(full_name, conditions)
            # The executor only learns that there is a condition; the callables stay here.
            kwargs["_if"] = True
        judge = _take_retry_until(full_name, kwargs)
        place = {"file": filename, "line": line, "order": order, "source": source}
        rendered = _render_template(full_name, args, kwargs)
        if rendered is not None:
            place["rendered"] = rendered
        # Once rendered, the template's data is not planned with: a value JSON cannot carry is
        # passed as its text (it stays visible in the run cache).
        encode = _to_json_lenient if rendered is not None else to_json
        args_json, kwargs_json = _encode_call(full_name, encode, args, kwargs)
        index = _rinfra.record(full_name, args_json, kwargs_json, json.dumps(place))
        if conditions is not None:
            _conditions[(host.name, index)] = conditions
        if judge is not None:
            _retry_until[(host.name, index)] = judge
        return OperationMeta(host.name, index, full_name)

    call.__name__ = full_name.rsplit(".", 1)[1]
    call.__qualname__ = call.__name__
    call._inner = functools.partial(_inner, full_name)
    return call


# Template operations (name -> own argument names, signature order) and the global argument
# names, set by `install`: what separates a template's data from the operation's arguments.
_TEMPLATE_OPS = {}
_GLOBAL_ARGS = frozenset()


def _to_json_lenient(value):
    def fallback(v):
        try:
            return _default(v)
        except TypeError:
            return str(v)

    return json.dumps(value, default=fallback)


def _template_text(src):
    """The template source (a path relative to the working directory, or a file-like object),
    or None when it cannot be read (the planner then reports the missing file as pyinfra does)."""
    import os

    if hasattr(src, "getvalue"):
        return src.getvalue()
    if hasattr(src, "read"):
        return None
    try:
        with open(os.path.join(os.getcwd(), os.fspath(src)), encoding="utf-8") as f:
            return f.read()
    except (OSError, TypeError, ValueError):
        return None


def _template_line(e):
    """The template line a jinja2 error refers to, found as pyinfra finds it."""
    import traceback

    import jinja2

    if isinstance(e, jinja2.TemplateSyntaxError) and e.lineno:
        return e.lineno
    frames = [
        f for f in traceback.extract_tb(e.__traceback__)
        if f.name in ("template", "<module>", "top-level template code")
    ]
    return frames[-1].lineno if frames else (getattr(e, "lineno", None) or 0)


def _render_template(full_name, args, kwargs):
    """Render a template operation's source with the real jinja2 and pyinfra's environment
    (StrictUndefined, keep_trailing_newline, `host` / `state` / `inventory` and the call's data in
    scope): {"text": output} or {"error": {"line", "message"}}. None when it is not a template
    operation, jinja2 is not importable or the source cannot be read: the planner renders then."""
    own = _TEMPLATE_OPS.get(full_name)
    if own is None:
        return None
    try:
        import jinja2
    except ImportError:
        return None
    import os

    bound = dict(zip(own, args))
    bound.update({k: v for k, v in kwargs.items() if k in own})
    text = _template_text(bound.get("src"))
    if text is None:
        return None
    data = {k: v for k, v in kwargs.items() if k not in own and k not in _GLOBAL_ARGS}
    data.setdefault("host", host)
    data.setdefault("state", state)
    data.setdefault("inventory", inventory)
    env_kwargs = dict(bound.get("jinja_env_kwargs") or {})
    loader = env_kwargs.pop("loader", jinja2.FileSystemLoader(os.getcwd()))
    try:
        environment = jinja2.Environment(
            undefined=jinja2.StrictUndefined, keep_trailing_newline=True, loader=loader, **env_kwargs
        )
        return {"text": environment.from_string(text).render(data)}
    except jinja2.TemplateError as e:
        return {"error": {"line": _template_line(e), "message": str(e)}}
    except Exception as e:  # noqa: BLE001 - an error raised while rendering fails the operation
        return {"error": {"line": _template_line(e), "message": f"{type(e).__name__}: {e}"}}


class _Planned:
    """A command planned by rinfra for `yield from files.directory._inner(...)`."""

    def __init__(self, command):
        self.command = command


def _inner(full_name, *args, **kwargs):
    """`yield from <builtin op>._inner(...)`: the builtin's commands, planned now for this host."""
    rendered = _render_template(full_name, args, kwargs)
    encode = _to_json_lenient if rendered is not None else to_json
    rendered_json = json.dumps(rendered) if rendered is not None else None
    for command in json.loads(_rinfra.plan_inner(full_name, encode(list(args)), encode(kwargs), rendered_json)):
        yield _Planned(command)


class QuoteString:
    """A value to be shell-quoted inside a StringCommand."""

    def __init__(self, obj):
        self.obj = obj


class StringCommand:
    """A shell command built from bits joined by spaces (QuoteString bits quoted)."""

    def __init__(self, *bits, separator=" "):
        self.bits = bits
        self.separator = separator

    def __str__(self):
        import shlex

        def text(bit):
            if isinstance(bit, QuoteString):
                return shlex.quote(str(bit.obj))
            return str(bit)

        return self.separator.join(text(b) for b in self.bits)


def _command_of(item):
    if isinstance(item, _Planned):
        return item.command
    if isinstance(item, (str, StringCommand)):
        return {"type": "shell", "raw": str(item)}
    raise TypeError(f"rinfra runs operations that yield shell commands (str, StringCommand) or "
                    f"`yield from other_op._inner(...)`; got a {type(item).__name__}")


def any_changed(*metas):
    """`pyinfra.operations.util.any_changed`: an `_if` callable, true when any of the calls changed."""
    return lambda: any(meta.did_change() for meta in metas)


def all_changed(*metas):
    """`pyinfra.operations.util.all_changed`: an `_if` callable, true when all of the calls changed."""
    return lambda: all(meta.did_change() for meta in metas)


def operation(*dargs, **dkwargs):
    """`@operation()`: a user-defined operation, a generator yielding shell commands. Its body runs
    when deploy.py calls it, per host (facts asked with host.get_fact are gathered then, before
    earlier operations have run: unlike pyinfra 3 it is not planned again at execution)."""

    def wrap(fn):
        full_name = fn.__name__ if fn.__module__ == "__main__" else f"{fn.__module__}.{fn.__name__}"

        @functools.wraps(fn)
        def call(*args, **kwargs):
            (filename, line, source), order = _user_frames()
            order.extend(host.loop_position)
            own = {k: v for k, v in kwargs.items() if not (k.startswith("_") or k == "name")}
            global_kwargs = {k: v for k, v in kwargs.items() if k not in own}
            conditions = global_kwargs.pop("_if", None)
            if conditions is not None:
                conditions = _conditions_of(full_name, conditions)
                global_kwargs["_if"] = True
            judge = _take_retry_until(full_name, global_kwargs)
            commands = [_command_of(item) for item in (fn(*args, **own) or ())]
            place = {"file": filename, "line": line, "order": order, "source": source, "planned": commands}
            _, kwargs_json = _encode_call(full_name, to_json, (), global_kwargs)
            index = _rinfra.record(full_name, "[]", kwargs_json, json.dumps(place))
            if conditions is not None:
                _conditions[(host.name, index)] = conditions
            if judge is not None:
                _retry_until[(host.name, index)] = judge
            return OperationMeta(host.name, index, full_name)

        call._inner = fn
        return call

    if len(dargs) == 1 and callable(dargs[0]) and not dkwargs:
        return wrap(dargs[0])
    return wrap


def check_if(host_name, index):
    """(whether every `_if` callable of this call is true now, None) or (False, the error text)."""
    context = _host_context.get(host_name)
    if context is not None:
        # `host` in the callables is the host the operation runs on, as pyinfra's context has it.
        host._reset(host_name, context[0], context[1])
    try:
        return all(bool(c()) for c in _conditions.get((host_name, index), [])), None
    except BaseException as e:  # noqa: BLE001 - user code: reported, not raised
        return False, _format_exception(e, "_if")


def retry_until(host_name, index, data_json):
    """(whether the call should run again, None) or (False, the error text): the call's
    `_retry_until` callable given pyinfra's output dictionary (True means retry, as in pyinfra)."""
    judge = _retry_until.get((host_name, index))
    if judge is None:
        return False, None
    context = _host_context.get(host_name)
    if context is not None:
        host._reset(host_name, context[0], context[1])
    try:
        return bool(judge(json.loads(data_json))), None
    except BaseException as e:  # noqa: BLE001 - user code: reported, not raised
        return False, _format_exception(e, "_retry_until")


def set_result(host_name, index, changed, success, stdout, stderr):
    """Record how a call ended, for `did_change()` and friends."""
    _results[(host_name, index)] = {"changed": changed, "success": success, "stdout": stdout, "stderr": stderr}


class FactBase:
    """Base of fact classes: the ones generated from rinfra's schema (gathered in Rust) and the
    user's own (`command()`, `process(output)`, `requires_command`, `default()`), run as pyinfra does."""

    _rinfra_name = None

    @staticmethod
    def default():
        return None

    def process(self, output):
        return "\n".join(output)


_MISSING_COMMAND_MARKER = "__pyinfra_missing_command__"


def _call_or_value(attr, args, kwargs):
    return attr(*args, **kwargs) if callable(attr) else attr


def _user_fact(cls, args, kwargs):
    """A user-defined fact on the current host: its command run through the connector, its output
    processed here. A missing `requires_command` or no output gives `default()`."""
    fact = cls()
    command = _call_or_value(getattr(fact, "command", None), args, kwargs)
    if command is None:
        raise TypeError(f"fact {cls.__name__} has no command")
    command = str(command)
    requires = _call_or_value(getattr(fact, "requires_command", None), args, kwargs)
    if requires:
        command = (
            f"if command -v {requires} >/dev/null 2>&1; then ( {command} ); "
            f"else echo '{_MISSING_COMMAND_MARKER}'; fi"
        )
    ok, stdout, stderr = json.loads(_rinfra.run_command(command))
    if ok and stdout == [_MISSING_COMMAND_MARKER]:
        return fact.default()
    if not ok:
        detail = "\n".join(stderr).strip()
        raise RuntimeError(f"could not load fact {cls.__name__}: {detail}")
    return fact.process(stdout) if stdout else fact.default()


class ShortFactBase(FactBase):
    """A fact derived from another fact."""


def deploy(name=None, data_defaults=None):
    """`@deploy("Name", data_defaults={...})`: group operations; defaults fill missing host data."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            layer = dict(data_defaults or {})
            host.data._layers.append(layer)
            try:
                return fn(*args, **kwargs)
            finally:
                host.data._layers.remove(layer)

        return inner

    if callable(name):
        return wrap(name)
    return wrap


class Local:
    """`from pyinfra import local`: run other deploy files, or commands on the controller."""

    def include(self, filename, data=None):
        layer = dict(data or {})
        host.data._layers.append(layer)
        try:
            exec_file(filename, {"__name__": "__main__", "__file__": filename})
        finally:
            host.data._layers.remove(layer)

    def shell(self, commands, splitlines=False, ignore_errors=False, print_output=False, print_input=False):
        if isinstance(commands, str):
            commands = [commands]
        import subprocess

        out = ""
        for command in commands:
            done = subprocess.run(command, shell=True, capture_output=True, text=True)
            if done.returncode != 0 and not ignore_errors:
                raise RuntimeError(f"local command failed: {command}: {done.stderr.strip()}")
            out = done.stdout
        out = out.strip()
        return out.splitlines() if splitlines else out


local = Local()


_compiled = {}


def _code(path):
    """The compiled file, compiled once per run (deploy.py runs once per host)."""
    code = _compiled.get(path)
    if code is None:
        with open(path, encoding="utf-8") as f:
            source = f.read()
        code = _compiled[path] = compile(source, path, "exec")
    return code


def exec_file(path, namespace):
    exec(_code(path), namespace)


def compile_deploy(path):
    """None, or the `file:LINE: SyntaxError: ...` text: checked before any host is contacted."""
    try:
        _code(path)
        return None
    except (SyntaxError, ValueError) as e:
        return _format_exception(e, path)
    except OSError as e:
        return f"{path}: {e.strerror or e}"


def run_deploy(path, name, data, groups, hosts):
    """Run deploy.py for one host; None, or the error text naming the user's file and line."""
    host._reset(name, data, groups)
    _host_context[name] = (data, list(groups))
    inventory._hosts = list(hosts)
    try:
        exec_file(path, {"__name__": "__main__", "__file__": path})
        return None
    except BaseException as e:  # noqa: BLE001 - any failure of user code is reported, not raised
        text = _format_exception(e, path)
        if len(hosts) > 1 and not isinstance(e, SyntaxError):
            # The script runs once per host: which host's run raised (its data may be the cause).
            first, _, rest = text.partition("\n")
            text = f"{first}\n(raised while running for host {name})" + (f"\n{rest}" if rest else "")
        return text


def _format_exception(e, where):
    """`file:LINE: Type: message` and the traceback, with the user's frames only."""
    import traceback  # with linecache and tokenize: only when there is an error to show

    if isinstance(e, SyntaxError) and e.filename and not str(e.filename).startswith("<rinfra"):
        text = (e.text or "").strip()
        detail = f"\n    {text}" if text else ""
        return f"{e.filename}:{e.lineno}: {type(e).__name__}: {e.msg}{detail}"
    frames = [f for f in traceback.extract_tb(e.__traceback__) if not f.filename.startswith("<rinfra")]
    message = "".join(traceback.format_exception_only(type(e), e)).strip()
    # Python names a module by its file; rinfra's generated modules have none worth showing.
    message = re.sub(r" \(<rinfra:[^>]*>\)", "", message)
    if not frames:
        return f"{where}: {message}"
    last = frames[-1]
    trace = "".join(traceback.format_list(frames)).rstrip("\n")
    return f"{_shown_path(last.filename)}:{last.lineno}: {message}\nTraceback (most recent call last):\n{trace}"


def _shown_path(path):
    """A user file as output shows it: relative to the working directory when it lies below it."""
    import os

    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def _hosts_of(value):
    """The hosts of an inventory group value, or None when it is not a group."""
    data = {}
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], dict) and isinstance(value[0], (list, tuple)):
        value, data = value
    if not isinstance(value, (list, tuple)):
        return None
    hosts = []
    for item in value:
        if isinstance(item, str):
            hosts.append((item, {}))
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], dict):
            hosts.append(item)
        else:
            return None
    return hosts, data


def _module_data(path):
    """The public module-level names of a group_data file, as a dict."""
    namespace = {"__name__": "group_data", "__file__": path}
    exec_file(path, namespace)
    return {
        k: v
        for k, v in namespace.items()
        if not k.startswith("_") and not isinstance(v, type(sys)) and not callable(v)
    }


def load_inventory(path, group_data_dir, overrides):
    """Hosts of inventory.py as JSON text [[name, data, groups], ...], or (None, error text).

    Data precedence as pyinfra's: overrides (--data) > host > group (inventory tuple, then
    group_data/<group>.py) > group_data/all.py."""
    import os

    try:
        namespace = {"__name__": "inventory", "__file__": path}
        exec_file(path, namespace)
        file_group = os.path.splitext(os.path.basename(path))[0]
        order = []
        host_data = {}
        host_groups = {}
        group_inline = {}
        for name, value in list(namespace.items()):
            if name.startswith("_"):
                continue
            found = _hosts_of(value)
            if found is None:
                continue
            hosts, data = found
            group_inline[name] = data
            for host_name, data in hosts:
                if host_name not in host_data:
                    order.append(host_name)
                    host_data[host_name] = {}
                    host_groups[host_name] = []
                host_data[host_name].update(data)
                host_groups[host_name].append(name)
        def group_file(group):
            file = os.path.join(group_data_dir, group + ".py")
            return _module_data(file) if os.path.isfile(file) else {}
        all_data = group_file("all")
        result = []
        for host_name in order:
            groups = host_groups[host_name] + [file_group]
            merged = dict(all_data)
            for group in groups:
                merged.update(group_file(group))
                merged.update(group_inline.get(group, {}))
            merged.update(host_data[host_name])
            merged.update(overrides)
            result.append([host_name, merged, groups])
        return to_json(result), None
    except BaseException as e:  # noqa: BLE001 - user code: reported, not raised
        return None, _format_exception(e, path)


def unified_diff(old, new, name):
    """`--diff`: the unified diff of a file's old and new text, as lines."""
    import difflib

    return [
        line.rstrip("\n")
        for line in difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"{name} (host)", f"{name} (new)"
        )
    ]


class _OnFirstImport:
    """Import hook for the generated operation and fact modules: each is compiled when a deploy
    first imports it, as pyinfra's own modules are. Installing all of them at start-up cost ~1 MB
    of Python objects that most deploys never use."""

    def __init__(self, sources):
        self.sources = sources

    def find_spec(self, name, path=None, target=None):
        if name not in self.sources:
            return None
        import _frozen_importlib  # always loaded: the import system itself

        return _frozen_importlib.ModuleSpec(name, self, origin="<rinfra:" + name + ">", is_package=True)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__file__ = "<rinfra:" + module.__name__ + ">"
        # The source stays: `importlib.reload` or a re-import after `del sys.modules[...]` needs it.
        exec(compile(self.sources[module.__name__], module.__file__, "exec"), module.__dict__)


def install(sources, template_ops, global_args):
    """Register the generated modules (name, source, eager; parents first): the eager ones (the
    `pyinfra` API) in sys.modules now, the others (operation and fact modules) on first import;
    note the template operations and the global argument names."""
    import types

    global _GLOBAL_ARGS
    _TEMPLATE_OPS.update({name: list(own) for name, own in template_ops})
    _GLOBAL_ARGS = frozenset(global_args)

    lazy = {}
    for name, source, eager in sources:
        if not eager:
            lazy[name] = source
            continue
        module = types.ModuleType(name)
        module.__file__ = "<rinfra:" + name + ">"
        module.__path__ = []
        sys.modules[name] = module
        parent, _, child = name.rpartition(".")
        # `pyinfra.api.deploy` is a module, but `from pyinfra.api import deploy` is the decorator:
        # a name the parent already defines wins, as in pyinfra's own package.
        if parent and not hasattr(sys.modules[parent], child):
            setattr(sys.modules[parent], child, module)
        exec(compile(source, module.__file__, "exec"), module.__dict__)
    # Ahead of the path finders: a `pyinfra` directory beside deploy.py must not shadow them.
    sys.meta_path.insert(0, _OnFirstImport(lazy))
