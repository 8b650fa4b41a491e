"""
setup.py - the wheel of the Python package sqlite_setter (distribution sqlite-setter).

Not run from here: bindings/build.py copies this directory to build/packages/python/PLATFORM,
adds the extension binary and sqlite_setter/_build.py, and runs

    SETTER_WHEEL_VERSION=0.1.0 SETTER_WHEEL_FILE=setter.so \
        python3 setup.py bdist_wheel --plat-name linux_x86_64 --dist-dir dist

The wheel holds no Python extension module: Python's sqlite3 loads the binary. So it is tagged
py3-none-PLATFORM (any Python 3, one operating system and architecture), not pure.
"""
import os

from setuptools import Distribution, setup
from wheel.bdist_wheel import bdist_wheel


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True  # it carries a binary for one platform: platlib, not pure


class PlatformWheel(bdist_wheel):
    def get_tag(self):
        return "py3", "none", super().get_tag()[2]


with open("README.md", encoding="utf-8") as f:
    long_description = f.read()

setup(
    name="sqlite-setter",
    version=os.environ["SETTER_WHEEL_VERSION"],
    description="SQLite extension: the Setter AI conversation history API as a table",
    long_description=long_description,
    long_description_content_type="text/markdown",
    packages=["sqlite_setter"],
    package_data={"sqlite_setter": [os.environ["SETTER_WHEEL_FILE"]]},
    python_requires=">=3.7",
    zip_safe=False,
    distclass=BinaryDistribution,
    cmdclass={"bdist_wheel": PlatformWheel},
)
