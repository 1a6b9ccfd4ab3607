"""ferme: build and verify a collectivité's telework infrastructure from one YAML inventory."""

__version__ = "0.1.0"
