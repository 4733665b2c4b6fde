"""A PEP 517 build backend in the standard library alone: it builds the pure
Python wheel of src/ with zipfile. Only build_wheel is needed by pip install."""
import base64
import hashlib
import os
import zipfile

NAME, VERSION = "greetkit", "1.0.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    wheel_name = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    records = []

    def add(z, arcname, data):
        info = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        z.writestr(info, data, zipfile.ZIP_DEFLATED)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        records.append("%s,sha256=%s,%d" % (arcname, digest, len(data)))

    src = os.path.join(ROOT, "src")
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w") as z:
        for root, dirs, files in os.walk(src):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(f for f in files if not f.endswith(".pyc")):
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    add(z, os.path.relpath(path, src).replace(os.sep, "/"), f.read())
        metadata = "Metadata-Version: 2.1\nName: %s\nVersion: %s\nRequires-Python: >=3.8\n" % (NAME, VERSION)
        add(z, dist_info + "/METADATA", metadata.encode())
        add(z, dist_info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: greetkit-backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        records.append(dist_info + "/RECORD,,")
        z.writestr(dist_info + "/RECORD", "\n".join(records) + "\n")
    return wheel_name
