"""Data for every host: the app's name and where it lives."""

app_name = "hello"
app_user = "www-data"
app_dir = "/opt/hello"
