"""RD Web Access: the HTML5 web client installed offline from the operator's files (`rds.web_client_files`,
checked by SHA-256), trusting the broker's certificate, published to production; and the machineKey shared by
the RD Web servers (`rds.web_machine_key`). RD Web joins the deployment from the broker (rds_broker)."""

from pathlib import Path

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ferme.checks.windows import _web_files
from ferme.checks.windows import wanted as facts_wanted
from ferme.operations import rds_web
from ferme.operations.notes import note
from ferme.operations.windows import wanted_for
from ferme.operations.windows_accounts import mask
from ferme.site.secrets import secret_value


@deploy("RD Web Access")
def apply() -> None:
    expected = host.data.get("ferme_windows") or {}
    web = expected.get("web_client")
    if not web:
        return
    wanted = wanted_for(**facts_wanted(expected))
    inventory = Path(host.data.get("ferme_inventory") or ".")
    if web["machine_key"]:
        rds_web.machine_key(secret=mask(secret_value(web["machine_key"]["secret"], inventory)), wanted=wanted)
    if not web["enabled"]:
        return
    if not _web_files(expected):
        note(host.name, "the HTML5 web client is not installed: give rds.web_client_files (module and package)")
        host.log_styled("HTML5 web client: rds.web_client_files not given", fg="yellow")
        return
    certificate = web["broker_certificate"]
    password = mask(secret_value(certificate["password"]["secret"], inventory)) if certificate else None
    rds_web.web_client(web=web, inventory=str(inventory), password=password, wanted=wanted)
