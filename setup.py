"""The wheel carries the roles, their templates, the farm deploy and the verify suites inside `ferme`.

The checkout keeps its top-level layout (`roles/`, `templates/`, `deploy/`, `tests/infra/`); this
maps each folder to a subpackage of `ferme` (pyproject.toml cannot list subpackages found under a
mapped folder), so an installed ferme reads them through importlib.resources, never through sys.path.
"""

from setuptools import find_packages, setup

MAPPED = {
    "ferme.roles": "roles",
    "ferme.templates": "templates",
    "ferme.deploy": "deploy",
    "ferme.suites": "tests/infra",
}
DATA = {
    "ferme.templates": ["**/*.j2"],
    "ferme.powershell": ["data/*"],
    "ferme.roles": ["*/files/*"],
    "ferme": ["locale/*/LC_MESSAGES/*.mo"],
}

packages = find_packages(include=["ferme", "ferme.*"])
for package, folder in MAPPED.items():
    packages.append(package)
    packages += [f"{package}.{sub}" for sub in find_packages(folder)]

setup(packages=packages, package_dir=MAPPED, package_data=DATA)
