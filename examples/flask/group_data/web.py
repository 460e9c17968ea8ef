"""Data for the `web` group: how the app is served."""

# gunicorn listens here; nginx forwards to it.
app_port = 8000
gunicorn_workers = 2
# The nginx site answers for these names (`_` is nginx's catch-all).
server_names = ["hello.example.net", "_"]
