"""An example deploy that only writes under /tmp/rinfra-example (safe to run on @local).

    cargo run -p rinfra-exec -- @local examples/local/deploy.py --dry -v   # what would change
    cargo run -p rinfra-exec -- @local examples/local/deploy.py            # change it
    cargo run -p rinfra-exec -- @local examples/local/deploy.py            # again: no change
    cargo run -p rinfra-exec -- examples/local/inventory.py examples/local/deploy.py  # with inventory data
"""

import os

from pyinfra import host
from pyinfra.facts.files import Directory
from pyinfra.facts.server import Hostname
from pyinfra.operations import files, server

from tasks import configure_app

ROOT = "/tmp/rinfra-example"
HERE = os.path.dirname(os.path.abspath(__file__))

print(f"Deploying to {host.name} (hostname {host.get_fact(Hostname)})")
if host.get_fact(Directory, path=ROOT) is None:
    print(f"{ROOT} does not exist yet: this run creates it")

for sub in ("app", "app/logs"):
    files.directory(name=f"Create {ROOT}/{sub}", path=f"{ROOT}/{sub}", mode="755")

files.put(
    name="Upload the message of the day",
    src=os.path.join(HERE, "files", "motd"),
    dest=f"{ROOT}/app/motd",
    mode="644",
)

configure_app(ROOT)

files.template(
    name="Render the app's ini file",
    src=os.path.join(HERE, "templates", "app.ini.j2"),
    dest=f"{ROOT}/app/app.ini",
    app_name=host.data.get("app_name", "example"),
    port=host.data.get("app_port", 8080),
    workers=host.data.get("app_workers", ["alpha", "beta"]),
)

files.link(name="Link the current release", path=f"{ROOT}/current", target=f"{ROOT}/app")

server.shell(
    name="Stamp the first deploy (only once)",
    commands=[f"test -e {ROOT}/app/deployed-at || date > {ROOT}/app/deployed-at"],
)
