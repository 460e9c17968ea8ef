"""Data for every host of the inventory (host data and --data take precedence)."""

app_workers = ["alpha", "beta"]
app_port = 8080
