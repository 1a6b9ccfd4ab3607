"""Secrets: resolved from the environment or SOPS+age, never shown in plan, errors or reprs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ferme.site import InventoryError, load_site
from ferme.site.secrets import SOPS_FILE, SecretStore, decrypt_sops, env_name


def test_env_name() -> None:
    assert env_name("radius_fw01") == "FERME_SECRET_RADIUS_FW01"
    assert env_name("winrm-deploy") == "FERME_SECRET_WINRM_DEPLOY"


def test_values_come_from_sops_file(copy_example) -> None:
    folder = copy_example("mairie-exemple")
    site = load_site(folder)
    assert site.secrets.names() == [
        "collab_admin",
        "collab_directory",
        "mfa_admin",
        "radius_fw01",
        "rds_pfx",
        "switch_admin",
        "winrm_deploy",
    ]
    stored = decrypt_sops(folder / SOPS_FILE)
    assert site.secrets.value("radius_fw01") == stored["radius_fw01"]
    assert len(stored["radius_fw01"]) >= 24


def test_sops_file_holds_no_clear_value(copy_example) -> None:
    folder = copy_example("mairie-exemple")
    text = (folder / SOPS_FILE).read_text()
    for value in decrypt_sops(folder / SOPS_FILE).values():
        assert value not in text
    assert "ENC[AES256_GCM" in text


def test_environment_wins_over_sops_file(copy_example, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_example("mairie-exemple")
    monkeypatch.setenv("FERME_SECRET_RADIUS_FW01", "from-the-environment")
    assert load_site(folder).secrets.value("radius_fw01") == "from-the-environment"


def test_environment_alone_is_enough(copy_example, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_example("mairie-exemple", secrets=False)
    for name in [
        "collab_admin",
        "collab_directory",
        "mfa_admin",
        "radius_fw01",
        "radius_rds01",
        "rds_pfx",
        "switch_admin",
        "winrm_deploy",
    ]:
        monkeypatch.setenv(env_name(name), f"value-of-{name}")
    assert load_site(folder).secrets.value("mfa_admin") == "value-of-mfa_admin"


def test_wrong_age_key_is_a_clear_error(copy_example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_example("mairie-exemple")
    other = tmp_path / "other-key.txt"
    import subprocess

    subprocess.run(["age-keygen", "-o", str(other)], check=True, capture_output=True)
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(other))
    with pytest.raises(InventoryError) as caught:
        load_site(folder)
    message = str(caught.value)
    assert "missing secret 'radius_fw01'" in message
    assert "sops could not decrypt it" in message


def test_values_never_reach_plan_or_output(copy_example, cli, tmp_path: Path) -> None:
    folder = copy_example("mairie-exemple")
    values = decrypt_sops(folder / SOPS_FILE).values()
    out = tmp_path / "out"
    check = cli("check", str(folder))
    plan = cli("plan", str(folder), "--out", str(out))
    written = (out / "plan.json").read_text()
    for value in values:
        for text in (check.stdout, check.stderr, plan.stdout, plan.stderr, written):
            assert value not in text
    assert {"secret": "radius_fw01"} in [c["secret"] for c in json.loads(written)["settings"]["mfa"]["radius_clients"]]


def test_store_repr_and_redaction() -> None:
    store = SecretStore({"radius": "s3cr3t-value"})
    assert "s3cr3t-value" not in repr(store)
    assert store.redact("secret=s3cr3t-value;") == "secret=********;"


def test_plain_text_secret_is_refused(copy_example, cli) -> None:
    folder = copy_example("mairie-exemple")
    path = folder / "services.yml"
    path.write_text(path.read_text().replace("!secret collab_admin", "hunter2-in-clear"))
    result = cli("check", str(folder))
    assert result.exit_code == 2
    assert "collab.admin_password: write secrets as `!secret NAME`, never in plain text" in result.stderr
    assert "hunter2-in-clear" not in result.stderr


def test_secrets_init_is_idempotent(copy_example, cli) -> None:
    folder = copy_example("lab")
    before = decrypt_sops(folder / SOPS_FILE)
    result = cli("secrets", "init", str(folder))
    assert result.exit_code == 0
    assert "0 secrets generated" in result.stdout
    assert decrypt_sops(folder / SOPS_FILE) == before


def test_secrets_init_says_where_the_key_is_and_to_back_it_up(copy_example, cli, age_home: Path) -> None:
    folder = copy_example("mairie-exemple", secrets=False)
    key = age_home / "ferme" / "age-key.txt"
    key.unlink(missing_ok=True)
    first = cli("secrets", "init", str(folder))
    assert first.exit_code == 0, first.stderr
    assert f"created the age key {key}: BACK IT UP" in first.stdout
    again = cli("secrets", "init", str(folder))
    assert f"age key: {key}" in again.stdout and "BACK IT UP" not in again.stdout


def test_secrets_set_reads_stdin_and_never_prints_the_value(copy_example) -> None:
    from click.testing import CliRunner

    from ferme.cli import main
    from ferme.site import load_site

    folder = copy_example("mairie-exemple")
    result = CliRunner().invoke(main, ["secrets", "set", str(folder), "rds_pfx"], input="Mot-de-passe-PFX-42\n")
    assert result.exit_code == 0, result.output
    assert "rds_pfx stored" in result.stdout and "Mot-de-passe-PFX-42" not in result.output
    assert "Mot-de-passe-PFX-42" not in (folder / "secrets.sops.yml").read_text()
    assert load_site(folder).secrets.value("rds_pfx") == "Mot-de-passe-PFX-42"
    assert load_site(folder).secrets.value("collab_admin")  # the others are kept


def test_secrets_set_refuses_a_name_the_inventory_does_not_use(copy_example) -> None:
    from click.testing import CliRunner

    from ferme.cli import main

    folder = copy_example("mairie-exemple")
    result = CliRunner().invoke(main, ["secrets", "set", str(folder), "rds_pxf"], input="x\n")
    assert result.exit_code == 2
    assert "the inventory names no secret 'rds_pxf'" in result.stderr


def test_missing_secret_says_how_to_fix_it(copy_example, cli) -> None:
    folder = copy_example("mairie-exemple", secrets=False)
    result = cli("check", str(folder))
    assert result.exit_code == 2
    assert f"`ferme secrets init {folder}` to generate it, or `ferme secrets set {folder} " in result.stderr


def test_plan_accepts_no_secrets(copy_example, cli, tmp_path: Path) -> None:
    folder = copy_example("mairie-exemple", secrets=False)
    result = cli("plan", "--no-secrets", str(folder), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr


def test_init_makes_a_copied_inventory_stand_alone(cli, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "ma-commune"
    shutil.copytree(Path(__file__).resolve().parents[2] / "inventories" / "mairie-exemple", folder,
                    ignore=shutil.ignore_patterns("secrets.sops.yml", "__pycache__", "inventory.py"))  # fmt: skip
    result = cli("init", str(folder))
    assert result.exit_code == 0, result.stderr
    assert (folder / "inventory.schema.json").is_file() and (folder / "inventory.py").is_file()
    for path in folder.glob("*.yml"):
        assert path.read_text().startswith("# yaml-language-server: $schema=inventory.schema.json\n"), path
    assert "0 changes" in cli("init", str(folder)).stdout
