"""A PEP 517 build backend in the standard library alone.

It builds the pure Python wheel of src/ with zipfile; pip install needs only
build_wheel. With it, greetkit installs without any package index.
"""
import base64
import hashlib
import os
import zipfile

NAME, VERSION = "greetkit", "1.0.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WHEEL = (b"Wheel-Version: 1.0\nGenerator: greetkit-backend\n"
         b"Root-Is-Purelib: true\nTag: py3-none-any\n")


def get_requires_for_build_wheel(config_settings=None):
    return []


def _add(z, records, arcname, data):
    info = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    z.writestr(info, data, zipfile.ZIP_DEFLATED)
    digest = hashlib.sha256(data).digest()
    b64 = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    records.append("%s,sha256=%s,%d" % (arcname, b64, len(data)))


def build_wheel(wheel_directory, config_settings=None,
                metadata_directory=None):
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    wheel_name = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    records = []
    src = os.path.join(ROOT, "src")
    path = os.path.join(wheel_directory, wheel_name)
    with zipfile.ZipFile(path, "w") as z:
        for root, dirs, files in os.walk(src):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(f for f in files if not f.endswith(".pyc")):
                full = os.path.join(root, name)
                arcname = os.path.relpath(full, src).replace(os.sep, "/")
                with open(full, "rb") as f:
                    _add(z, records, arcname, f.read())
        metadata = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n"
                    "Requires-Python: >=3.8\n" % (NAME, VERSION))
        _add(z, records, dist_info + "/METADATA", metadata.encode())
        _add(z, records, dist_info + "/WHEEL", WHEEL)
        records.append(dist_info + "/RECORD,,")
        z.writestr(dist_info + "/RECORD", "\n".join(records) + "\n")
    return wheel_name
