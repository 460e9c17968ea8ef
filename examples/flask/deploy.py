"""Deploy a Flask app behind nginx: packages, the code, a virtualenv, a systemd unit, an nginx site.

    rinfra-exec inventory.py deploy.py --dry     # what would change on each web server
    rinfra-exec inventory.py deploy.py           # do it (as root, or add --sudo)

The same file runs unchanged with pyinfra: `pyinfra inventory.py deploy.py`.
"""

import os

from pyinfra import host
from pyinfra.facts.files import Directory
from pyinfra.operations import apt, files, pip, systemd
from pyinfra.operations.util import any_changed

HERE = os.path.dirname(os.path.abspath(__file__))

app = host.data.app_name
app_dir = host.data.app_dir
venv = f"{app_dir}/venv"
# systemd creates this directory when it boots the machine; in most containers it is not the init
# system, and systemctl cannot start or even query services there.
has_systemd = host.get_fact(Directory, path="/run/systemd/system") is not None

apt.packages(
    name="Install Python, venv and nginx",
    packages=["python3", "python3-venv", "nginx"],
    update=True,
    cache_time=3600,
)

# files.put takes one file; a directory goes up with files.sync, which also deletes what the
# app no longer has.
code = files.sync(
    name="Upload the app",
    src=os.path.join(HERE, "app"),
    dest=f"{app_dir}/app",
    user=host.data.app_user,
    group=host.data.app_user,
    delete=True,
    exclude=["__pycache__", "*.pyc"],
)

pip.venv(name="Create the virtualenv", path=venv, python="python3")

pip.packages(
    name="Install the app's requirements",
    requirements=f"{app_dir}/app/requirements.txt",
    virtualenv=venv,
)

unit = files.template(
    name="Install the app's systemd unit",
    src=os.path.join(HERE, "templates", "app.service.j2"),
    dest=f"/etc/systemd/system/{app}.service",
    app_name=app,
    app_user=host.data.app_user,
    app_dir=app_dir,
    venv=venv,
    port=host.data.app_port,
    workers=host.data.get("gunicorn_workers", 2),
)

if has_systemd:
    systemd.service(
        name="Enable and start the app",
        service=f"{app}.service",
        running=True,
        enabled=True,
        daemon_reload=unit.changed,
    )

    systemd.service(
        name="Restart the app after an update",
        service=f"{app}.service",
        restarted=True,
        # A new requirements.txt comes with the code; pip.packages itself reports a change on every
    # run (pip install -r always runs), so it is no signal here.
    _if=any_changed(code, unit),
    )
else:
    print(f"{host.name}: systemd is not running, so the app is not started")

site = files.template(
    name="Write the nginx site",
    src=os.path.join(HERE, "templates", "nginx-site.conf.j2"),
    dest=f"/etc/nginx/sites-available/{app}",
    port=host.data.app_port,
    server_names=host.data.server_names,
)

enabled = files.link(
    name="Enable the nginx site",
    path=f"/etc/nginx/sites-enabled/{app}",
    target=f"/etc/nginx/sites-available/{app}",
)

files.link(
    name="Disable nginx's default site",
    path="/etc/nginx/sites-enabled/default",
    present=False,
)

if has_systemd:
    systemd.service(
        name="Reload nginx when its site changed",
        service="nginx.service",
        running=True,
        reloaded=True,
        _if=any_changed(site, enabled),
    )
