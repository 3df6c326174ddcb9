"""The wheel carries assets/ and db/ as the packages kiosk.assets and kiosk.migrations."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["kiosk*"]), "kiosk.assets", "kiosk.migrations"],
    package_dir={"kiosk.assets": "assets", "kiosk.migrations": "db"},
)
