"""Compiles the message catalogs when the package is built or installed (editable or not):
the .po files are the source, the .mo files gettext reads are made from them, never committed."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        # Beside the .po in the source tree: an editable install reads the package from
        # there, and a wheel's build copies it as package data by the run below.
        for po in Path(__file__).parent.glob("builder/locale/*/LC_MESSAGES/*.po"):
            with po.open("rb") as source:
                catalog = read_po(source)
            with po.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalog)
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
