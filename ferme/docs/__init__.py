"""The documents a collectivité expects, rendered from the plan: the DAT (HTML, PDF), its topology, the ANSSI
checklist."""
