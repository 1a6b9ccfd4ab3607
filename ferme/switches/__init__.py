"""Switches: the intended configuration per switch (intent.py), its text per vendor (render.py), the
remediation and rollback between the running and the intended configuration (remediation.py)."""
