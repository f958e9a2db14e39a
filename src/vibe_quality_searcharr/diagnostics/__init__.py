"""The checks `vqs doctor` runs beyond configuration and files: the *arr stack, the host, data."""
