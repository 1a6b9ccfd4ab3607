"""What `ferme verify` expects of hosts that it cannot check with testinfra (Windows)."""
