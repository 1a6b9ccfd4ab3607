"""The built-in lab: the Debian hosts of an inventory as systemd-nspawn containers on this machine."""
