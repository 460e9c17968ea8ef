"""A helper module next to deploy.py: deploy scripts import their own modules as usual."""

from pyinfra import host
from pyinfra.api import deploy
from pyinfra.operations import files


@deploy("App config", data_defaults={"app_port": 8080})
def configure_app(root):
    files.line(
        name="Set the app's port",
        path=f"{root}/app/app.conf",
        line=f"port={host.data.app_port}",
    )
    files.line(
        name="Turn debug off",
        path=f"{root}/app/app.conf",
        line="debug=false",
    )
