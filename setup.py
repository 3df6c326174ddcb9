"""The wheel carries assets/ and db/ as the packages kiosk.assets and kiosk.migrations.

Their sub-folders (layouts, locale, sounds, versions...) hold no Python but are listed as
packages too: setuptools ships package data only from listed packages, and warns otherwise.
The same holds for the dashboard's templates/ and static/ folders inside kiosk/web.
"""

from setuptools import find_namespace_packages, find_packages, setup


def _data_packages(package: str, folder: str) -> list[str]:
    """`package` and one dotted name per sub-folder of `folder`."""
    subs = find_namespace_packages(where=folder, exclude=["__pycache__", "*.__pycache__"])
    return [package, *(f"{package}.{sub}" for sub in subs)]


setup(
    packages=[
        *find_packages(include=["kiosk", "kiosk.*"]),
        "kiosk.web.templates",  # the dashboard's pages and static files: data, no Python
        "kiosk.web.static",
        *_data_packages("kiosk.assets", "assets"),
        *_data_packages("kiosk.migrations", "db"),
    ],
    package_dir={"kiosk.assets": "assets", "kiosk.migrations": "db"},
)
