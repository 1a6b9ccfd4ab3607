"""Pure renderers: plan data in, text out. Golden-file tested; no I/O here."""
