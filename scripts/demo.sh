#!/usr/bin/env bash
# `make demo`: validate and plan the examples, build the lab, converge it twice, verify it, report.
set -euo pipefail
BIN=.venv/bin
LAB=inventories/lab
START=$(date +%s)
step() { printf '\n== %s\n' "$*"; }

step "Examples: check and plan"
for inventory in inventories/mairie-exemple inventories/departement-exemple "$LAB"; do
  # Example secrets are random values made on this machine, encrypted with your age key
  # (~/.config/ferme/age-key.txt); they never appear on screen or in git.
  $BIN/ferme secrets init "$inventory" >/dev/null
  $BIN/ferme check "$inventory"
  $BIN/ferme plan "$inventory" | tail -1
done

step "The DAT of the lab (French, HTML + PDF by headless Chromium)"
$BIN/ferme docs "$LAB" --out build/lab/dat

step "Lab: up (Debian hosts in systemd-nspawn, one bridge per zone, 198.18.0.0/15 only)"
$BIN/ferme lab up "$LAB"

step "Apply (first run)"
$BIN/ferme apply "$LAB" --report build/lab/apply-1.json 2>build/lab/apply-1.log | tail -12
T_APPLY=$(date +%s)

step "Apply again: a converged lab must change nothing"
$BIN/ferme apply "$LAB" --report build/lab/apply-2.json 2>build/lab/apply-2.log | tail -1
$BIN/python - <<'PY'
import json, sys
report = json.load(open("build/lab/apply-2.json"))
changed = {h: r["changed"] for h, r in report["hosts"].items() if r["changed"]}
if changed:
    sys.exit(f"second apply changed something: {changed}")
print("second apply: 0 changes on every host")
PY

step "Verify (testinfra suites from the plan)"
$BIN/ferme verify "$LAB" --junit build/lab/verify.xml

step "SSH audit with a real client (ssh-audit, policy 'Hardened Debian 12 (version 3)')"
# Each running Debian host at the address ferme connects to (its mgmt or mgmt-dmz leg), from the plan.
ADDRESSES=$($BIN/ferme lab status "$LAB" --json | $BIN/python -c '
import json, sys
plan = json.load(open("build/lab/plan.json"))
running = [h["name"] for h in json.load(sys.stdin)["hosts"] if h["state"] == "running" and h["os"] == "debian"]
for name in running:
    print(plan["hosts"][name]["connection"]["address"])')
[ -n "$ADDRESSES" ] || { echo "  no running host to audit"; exit 1; }
for address in $ADDRESSES; do
  if $BIN/ssh-audit -P "Hardened Debian 12 (version 3)" "$address" | grep -q "Passed"; then echo "  $address: passed"; else echo "  $address: FAILED"; exit 1; fi
done

step "Report"
cat <<TXT
  Built: the Debian hosts of $LAB (see \`ferme lab status\`), converged by \`ferme apply\`
  (roles base and edge_firewall: the nftables ruleset from the flows, applied with commit-confirm;
  mfa: privacyIDEA + FreeRADIUS, probe it with the test agent agent.demo; vpn: OpenVPN with PIN+OTP,
  the teleworkers' profile is build/lab/vpn/lab.ovpn; portal: the OTP login page before RD Web at
  acces.lab.ferme.test on 198.18.0.4; collab: Plone with the libraries pilote, documents and rh at
  https://partage.lab.ferme.test/ (from the users' zone and the VPN, certificate from the site CA
  inventories/lab/certificats/ferme-ca.crt; accounts agent.demo and agent.tous; backups:
  \`ferme collab backups $LAB\`) — see the README),
  checked by \`ferme verify\`. The matrice des flux is in build/lab/matrice-des-flux.html,
  the DAT in build/lab/dat/dat.pdf (and .html).
  Windows hosts of the small farm are planned only: there is no Windows on this machine, and
  nothing claims to have run there.
  Reports: build/lab/apply-1.json, build/lab/apply-2.json, build/lab/verify.xml, build/<site>/plan.json
  Total: $(( $(date +%s) - START )) s.
  Tear down: .venv/bin/ferme lab down        (removes every namespace, mount, cgroup and process)
TXT
