"""Facts: what ferme reads from hosts before it decides what to change."""
