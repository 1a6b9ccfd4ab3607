"""The whole farm for pyinfra (`farm.py`); installed as `ferme.deploy`."""
