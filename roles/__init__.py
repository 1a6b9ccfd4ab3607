"""ferme's roles: one package per role, each with one `@deploy` function named `apply`.

Installed as `ferme.roles`; what each role is (OS, order, contract, packages, checks) is written in
the role catalogue, `ferme/catalogue.py`.
"""
