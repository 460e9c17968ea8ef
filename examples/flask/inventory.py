"""The servers the Flask app goes to: the `web` group (data in group_data/web.py).

Replace the names with your own servers (SSH host names, or `("name", {"ssh_user": ...})`).
To try the deploy on this machine without changing it, see the README (`@local` and `--dry`).
"""

web = [
    "web1.example.net",
    "web2.example.net",
]
