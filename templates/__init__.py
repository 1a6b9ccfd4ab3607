"""Jinja2 templates, one folder per target; installed as `ferme.templates`."""
