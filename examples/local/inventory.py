"""The example's inventory: the controller itself, in a group called `local_machines`."""

local_machines = [("@local", {"app_name": "example-from-inventory"})]
