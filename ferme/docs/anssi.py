"""Security measures of the site checked against ANSSI's *Recommandations sur le nomadisme numérique*
(ANSSI-PA-054), each marked from the plan: conforme, non conforme, non applicable, or hors inventaire (an
organisational measure the inventory cannot show), with the evidence (which flow, which setting).

The recommendations' wording is summarised by ferme; their identifiers come from `REFERENCES` below, which
were transcribed without the guide's text at hand: until `REFERENCES_CHECKED` is set, the DAT prints them with
a mark asking the reader to check them against the guide.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ferme.plan.types import Plan

GUIDE = "ANSSI-PA-054, Recommandations sur le nomadisme numérique"
REFERENCES_CHECKED = False

MET, NOT_MET, NOT_APPLICABLE, OUTSIDE = "conforme", "non conforme", "non applicable", "hors inventaire"
Verdict = tuple[str, str]  # (status, evidence)


@dataclass(frozen=True)
class Measure:
    key: str
    ref: str  # the recommendation's identifier in the guide
    title: str  # summarised by ferme, in French
    check: Callable[[Plan], Verdict]


def _zones_of_kind(plan: Plan, kind: str) -> set[str]:
    return {z for z, info in plan["zones"].items() if info["kind"] == kind}


def _hosts_with(plan: Plan, role: str) -> list[str]:
    return sorted(h for h, host in plan["hosts"].items() if role in host["roles"])


def _flows_from(plan: Plan, zones: set[str]) -> list[Any]:
    return [f for f in plan["flows"] if set(f["source"]["zones"]) & zones]


def _mfa(plan: Plan) -> Verdict:
    mfa, vpn, rds = plan["settings"].get("mfa"), plan["settings"].get("vpn"), plan["settings"].get("rds")
    if mfa is None:
        return NOT_MET, "aucun serveur d'authentification multifacteur (section mfa absente)"
    gaps: list[str] = []
    evidence = [f"privacyIDEA, domaine {mfa['realm']}, jetons {mfa['token'].upper()}"]
    if vpn is not None:
        (evidence if vpn.get("mfa") else gaps).append(
            "VPN : code à usage unique demandé" if vpn.get("mfa") else "VPN sans second facteur"
        )
    if rds is not None:
        modes = rds["gateway"].get("mfa") or []
        if not modes or modes == ["none"]:
            gaps.append("passerelle RD sans second facteur (rds.gateway.mfa)")
        else:
            evidence.append("passerelle RD : " + ", ".join(modes))
    return (NOT_MET, "; ".join(gaps)) if gaps else (MET, "; ".join(evidence))


def _tunnel(plan: Plan) -> Verdict:
    vpn = plan["settings"].get("vpn")
    if vpn is None:
        if plan["settings"].get("rds") is not None:
            return MET, "pas de VPN : accès par la passerelle RD en HTTPS (TLS) seulement"
        return NOT_MET, "aucun VPN ni passerelle chiffrée"
    return MET, f"{vpn['kind']} {vpn['protocol'].upper()}/{vpn['port']} ({vpn['fqdn']}), pool {vpn['pool']}"


def _split_tunnel(plan: Plan) -> Verdict:
    vpn = plan["settings"].get("vpn")
    if vpn is None:
        return NOT_APPLICABLE, "pas de VPN"
    if vpn.get("redirect_gateway"):
        return MET, "tout le trafic du poste passe dans le tunnel (redirect-gateway)"
    reached = sorted({z for f in _flows_from(plan, _zones_of_kind(plan, "vpn")) for z in f["destination"]["zones"]})
    return NOT_MET, (
        "tunnel partagé : seules les routes des zones atteintes sont poussées ("
        + ", ".join(reached)
        + ") ; le reste du trafic du poste sort par son accès Internet"
    )


def _gateways_in_dmz(plan: Plan) -> Verdict:
    dmz = [ipaddress.ip_network(plan["zones"][z]["subnet"]) for z in _zones_of_kind(plan, "dmz")]
    publications = plan["edge"]["publications"] if plan["edge"] else []
    published = [(", ".join(p["hosts"]), p["addresses"]) for p in publications]
    if not published:
        return NOT_APPLICABLE, "aucun service publié sur Internet"
    exposed = sorted({name for name, _ in published})
    outside_dmz = sorted(
        {
            name
            for name, addresses in published
            if not all(any(ipaddress.ip_address(a) in net for net in dmz) for a in addresses)
        }
    )
    if outside_dmz:
        return NOT_MET, "publiés hors DMZ : " + ", ".join(outside_dmz)
    return MET, "publiés depuis la DMZ : " + ", ".join(exposed)


def _remote_flows_filtered(plan: Plan) -> Verdict:
    vpn_zones = _zones_of_kind(plan, "vpn")
    if not vpn_zones:
        return NOT_APPLICABLE, "pas de zone VPN"
    flows = _flows_from(plan, vpn_zones)
    wide = [f["id"] for f in flows if f["destination"]["kind"] == "any" or not f["destination"]["zones"]]
    if wide:
        return NOT_MET, "flux du VPN vers toutes destinations : " + ", ".join(wide)
    return MET, f"{len(flows)} flux autorisés depuis le VPN, chacun vers un service nommé : " + ", ".join(
        f["id"] for f in flows
    )


def _no_admin_from_remote(plan: Plan) -> Verdict:
    admin_ports = {"22", "3389", "5985", "5986"}
    remote = _zones_of_kind(plan, "vpn") | _zones_of_kind(plan, "outside")
    mgmt = _zones_of_kind(plan, "mgmt")
    risky = [
        f["id"]
        for f in _flows_from(plan, remote)
        if set(f["destination"]["zones"]) & mgmt
        or (f["service"] in ("ssh", "winrm") and any(r["ports"] in admin_ports for r in f["rules"]))
    ]
    if risky:
        return NOT_MET, "administration joignable depuis l'extérieur ou le VPN : " + ", ".join(risky)
    admin = sorted(_zones_of_kind(plan, "admin"))
    where = f"depuis la zone d'administration ({', '.join(admin)})" if admin else "depuis le réseau d'administration"
    return MET, f"aucun flux d'administration depuis le VPN ou Internet ; administration {where}"


ADMIN_SERVICES = {"ssh", "winrm", "rdp", "snmp", "https", "rds-deployment"}  # what administers a host or a switch


def _admin_network(plan: Plan) -> Verdict:
    admin, mgmt = _zones_of_kind(plan, "admin"), _zones_of_kind(plan, "mgmt")
    if not admin or not mgmt:
        return NOT_MET, "pas de zone d'administration dédiée (kind: admin) ou de réseau de gestion (kind: mgmt)"
    into_mgmt = [
        f
        for f in plan["flows"]
        if set(f["destination"]["zones"]) & mgmt and f["source"]["zones"] and f["service"] in ADMIN_SERVICES
    ]
    others = sorted({z for f in into_mgmt for z in f["source"]["zones"]} - admin - mgmt)
    if others:
        return NOT_MET, "réseau de gestion administrable depuis : " + ", ".join(others)
    return MET, (
        f"administration (SSH, WinRM, RDP, SNMP, HTTPS) des réseaux de gestion ({', '.join(sorted(mgmt))}) "
        f"depuis {', '.join(sorted(admin))} seulement"
    )


def _published_encrypted(plan: Plan) -> Verdict:
    from ferme.plan.services import encryption_fr

    published = [f for f in plan["flows"] if f["published"]]
    if not published:
        return NOT_APPLICABLE, "aucun service publié"
    clear = [f["id"] for f in published if encryption_fr(f["service"]).startswith("non")]
    if clear:
        return NOT_MET, "publiés sans chiffrement : " + ", ".join(clear)
    return MET, "; ".join(f"{f['id']} : {encryption_fr(f['service'])}" for f in published)


def _logging(plan: Plan) -> Verdict:
    edge = plan.get("edge")
    firewall = plan["settings"].get("firewall", {})
    syslog = {
        h: host["state"].get("syslog")
        for h, host in plan["hosts"].items()
        if host["os"] == "debian" and isinstance(host.get("state"), dict)
    }
    forwarded = sorted(h for h, target in syslog.items() if target)
    evidence = []
    if edge is not None:
        evidence.append(
            "bordure : nouvelles connexions depuis Internet journalisées"
            + (", refus journalisés" if firewall.get("log_drops") else "")
        )
    if forwarded:
        evidence.append(f"journaux envoyés au collecteur du site depuis {len(forwarded)} hôtes Debian")
        return MET, "; ".join(evidence)
    return NOT_MET, "; ".join(
        [*evidence, "aucun collecteur de journaux (outbound.syslog) : journaux restés sur les hôtes"]
    )


def _data_stays(plan: Plan) -> Verdict:
    rds = plan["settings"].get("rds")
    if rds is None:
        return NOT_APPLICABLE, "pas de ferme RDS"
    redirection = rds["redirection"]
    leaks = [name for name in ("drives", "usb") if redirection.get(name)]
    clipboard = redirection.get("clipboard")
    if clipboard in (True, "both", "to_client"):
        leaks.append("presse-papiers vers le poste")
    if leaks:
        return NOT_MET, "redirections ouvertes vers le poste : " + ", ".join(leaks)
    return MET, f"lecteurs et USB non redirigés ; presse-papiers : {clipboard or 'fermé'}"


def _idle_sessions(plan: Plan) -> Verdict:
    rds = plan["settings"].get("rds")
    if rds is None:
        return NOT_APPLICABLE, "pas de ferme RDS"
    missing = [c["name"] for c in rds["collections"] if not c.get("idle_minutes")]
    if missing:
        return NOT_MET, "collections sans délai d'inactivité : " + ", ".join(missing)
    text = ", ".join(f"{c['name']} {c['idle_minutes']} min" for c in rds["collections"])
    portal = rds.get("portal") or {}
    if portal.get("idle_minutes"):
        text += f" ; portail {portal['idle_minutes']} min d'inactivité, {portal['session_hours']} h au plus"
    return MET, "sessions inactives fermées : " + text


def _lockout(plan: Plan) -> Verdict:
    mfa = plan["settings"].get("mfa")
    if mfa is None:
        return NOT_MET, "pas de serveur d'authentification multifacteur"
    return MET, f"jeton verrouillé après {mfa['lockout_after']} codes faux consécutifs"


def _remote_access_group(plan: Plan) -> Verdict:
    mfa = plan["settings"].get("mfa")
    if mfa is None:
        return NOT_APPLICABLE, "pas de serveur d'authentification multifacteur"
    access = mfa["remote_access"]
    return MET, (
        f"groupe {access['group']} tenu par ferme ; un jeton ne fonctionne que pour un agent autorisé "
        f"(vagues ouvertes, agents nommés) ; {len(plan['waves'])} vague(s) planifiée(s)"
    )


def _capacity(plan: Plan) -> Verdict:
    sizing = plan["sizing"]
    if sizing.get("verdict") == "ok" and not sizing["warnings"]:
        return MET, f"{sizing['concurrent_sessions']} sessions simultanées ; dimensionnement sans alerte"
    if not sizing["warnings"]:
        return MET, f"{sizing['concurrent_sessions']} sessions simultanées"
    return NOT_MET, "alertes de dimensionnement : " + " ; ".join(sizing["warnings"])


def _backups(plan: Plan) -> Verdict:
    collab = plan["settings"].get("collab")
    if collab is None:
        return NOT_APPLICABLE, "pas de serveur de partage"
    backup = collab["backup"]
    return MET, f"sauvegarde chaque nuit à {backup['time']}, {backup['keep_days']} jours gardés, restauration testée"


def _outside(text: str) -> Callable[[Plan], Verdict]:
    return lambda plan: (OUTSIDE, text)


# Identifiers as transcribed (see the module's docstring): the measure, not its number, is what ferme checks.
REFERENCES = {
    "mfa": "R9",
    "tunnel": "R20",
    "split_tunnel": "R22",
    "gateways_dmz": "R17",
    "remote_flows": "R19",
    "no_admin_remote": "R27",
    "admin_network": "R26",
    "published_tls": "R21",
    "logging": "R29",
    "data_stays": "R11",
    "idle_sessions": "R13",
    "lockout": "R10",
    "remote_access_group": "R8",
    "capacity": "R16",
    "backups": "R30",
    "devices": "R3",
    "disk_encryption": "R5",
    "awareness": "R2",
    "privacy_filter": "R6",
}

MEASURES: tuple[Measure, ...] = tuple(Measure(key, REFERENCES[key], title, check) for key, title, check in (
    ("awareness", "Sensibiliser les utilisateurs nomades",
     _outside("organisationnel : charte et sensibilisation des agents")),
    ("devices", "Utiliser un poste nomade maîtrisé par l'entité",
     _outside("les postes des agents ne sont pas décrits par l'inventaire")),
    ("disk_encryption", "Chiffrer le disque du poste nomade",
     _outside("chiffrement des postes (BitLocker) géré hors de ferme")),
    ("privacy_filter", "Protéger l'écran des regards (filtre de confidentialité)", _outside("équipement des agents")),
    ("remote_access_group", "Restreindre l'accès distant aux seuls utilisateurs autorisés", _remote_access_group),
    ("mfa", "Authentifier l'utilisateur nomade par plusieurs facteurs", _mfa),
    ("lockout", "Bloquer l'authentification après des échecs répétés", _lockout),
    ("data_stays", "Garder les données sur le SI (pas de redirection vers le poste)", _data_stays),
    ("idle_sessions", "Fermer les sessions distantes inactives", _idle_sessions),
    ("capacity", "Dimensionner l'accès distant pour le nombre de nomades", _capacity),
    ("gateways_dmz", "Placer les passerelles d'accès distant en DMZ", _gateways_in_dmz),
    ("remote_flows", "Filtrer les flux des nomades au plus juste", _remote_flows_filtered),
    ("tunnel", "Chiffrer les échanges dans un tunnel VPN", _tunnel),
    ("published_tls", "Chiffrer les services publiés sur Internet (TLS)", _published_encrypted),
    ("split_tunnel", "Interdire le tunnel partagé (split tunneling)", _split_tunnel),
    ("admin_network", "Administrer depuis un réseau dédié", _admin_network),
    ("no_admin_remote", "Ne pas administrer le SI depuis l'accès nomade", _no_admin_from_remote),
    ("logging", "Journaliser les accès distants et centraliser les journaux", _logging),
    ("backups", "Sauvegarder les données partagées", _backups),
))  # fmt: skip


def checklist(plan: Plan) -> list[dict[str, str]]:
    """Each measure with its status and evidence, in the guide's order of identifiers."""
    rows = []
    for measure in sorted(MEASURES, key=lambda m: int(m.ref.lstrip("R"))):
        status, evidence = measure.check(plan)
        rows.append(
            {"key": measure.key, "ref": measure.ref, "title": measure.title, "status": status, "evidence": evidence}
        )
    return rows
