"""PowerShell that ferme emits: quoting, and the static check against the cmdlet catalogue (WINDOWS.md)."""
