"""pyinfra connectors of ferme: `winrm` for Windows hosts (entry point `pyinfra.connectors`)."""
