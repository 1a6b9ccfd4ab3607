#!/usr/bin/env bash
# `make demo`: what ferme does today, on the three example inventories.
set -euo pipefail
BIN=.venv/bin
for inventory in inventories/mairie-exemple inventories/departement-exemple inventories/lab; do
  echo "== $inventory"
  # Example secrets are random values made on this machine, encrypted with your age key
  # (~/.config/ferme/age-key.txt); they never appear on screen or in git.
  $BIN/ferme secrets init "$inventory"
  $BIN/ferme check "$inventory"
  $BIN/ferme plan "$inventory"
  echo
done
cat <<'TXT'
== What was done
  - the three inventories were validated (schema, cross-references, secrets) and planned:
    build/<site>/plan.json holds hosts, zones, switches, sizing and waves.
== Not yet in this version
  - the built-in lab (`ferme lab up`: Debian hosts in systemd-nspawn, one bridge per zone),
    `ferme apply` and `ferme verify` on it;
  - flows, nftables, switch configurations and the matrice des flux;
  - Windows: no Windows host runs here; RDS code will be checked statically and against a
    WinRM protocol double, never claimed to have run on Windows.
TXT
