#!/usr/bin/env bash
# Debian packages ferme needs on the controller. Installs only what is missing (fast on re-runs).
set -euo pipefail
# The lab: systemd-nspawn (systemd-container), mmdebstrap for its base image, iproute2, ssh-keygen.
# apt-cacher-ng serves Debian packages to the lab's hosts, which have no route out.
# nmap scans the lab from the teleworker's side in the tests; openvpn is the teleworker's VPN client there and
# chromium (headless) its browser at the OTP portal. litmus and testssl.sh check the collaboration server;
# slapd plays the site's directory for it (the lab runs its own slapd in a namespace: the package's service
# is never started here).
PACKAGES=(python3-venv age nftables systemd-container mmdebstrap iproute2 openssh-client apt-cacher-ng nmap openvpn chromium litmus testssl.sh slapd ldap-utils)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ferme: missing Debian packages: ${missing[*]} (run as root, or: apt-get install --no-install-recommends ${missing[*]})" >&2
  exit 1
fi
echo "ferme: installing Debian packages: ${missing[*]}"
apt-get update -q
guard=""
if [ ! -e /usr/sbin/policy-rc.d ]; then  # no daemon starts during the install (slapd's would listen on 389)
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && guard=1
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
if [ -n "$guard" ]; then rm -f /usr/sbin/policy-rc.d; fi
