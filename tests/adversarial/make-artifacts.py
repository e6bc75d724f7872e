#!/usr/bin/env python3
"""Make the attacker's artifacts of the adversarial suite (tests/adversarial/).

Hand-made on purpose: each is what an attacker would serve, a package whose only
content is a marker file. The output is deterministic (fixed mtimes), so the
hashes written into the cases' lockfiles stay valid; run it again and
`git diff` shows nothing. Prints each artifact's hashes for the lockfiles.
"""
import base64, gzip, hashlib, io, os, tarfile, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
MARK = b"lockgate-adversarial-payload\n"


def npm_tgz(name, version):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path, data in [
            ("package/package.json", ('{"name": "%s", "version": "%s"}\n' % (name, version)).encode()),
            ("package/PAYLOAD", MARK),
        ]:
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        gz.write(buf.getvalue())
    return out.getvalue()


def wheel(dist, version, module):
    buf = io.BytesIO()
    info = f"{dist}-{version}.dist-info"
    files = {
        f"{module}.py": b"PAYLOAD = 'lockgate-adversarial-payload'\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: lockgate-adversarial\nRoot-Is-Purelib: true\nTag: py2-none-any\nTag: py3-none-any\n",
    }
    record = ""
    for path, data in files.items():
        d = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record += f"{path},sha256={d},{len(data)}\n"
    record += f"{info}/RECORD,,\n"
    files[f"{info}/RECORD"] = record.encode()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            z.writestr(zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


def write(rel, data):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    print(rel)
    print("  sha1  ", hashlib.sha1(data).hexdigest())
    print("  sha256", hashlib.sha256(data).hexdigest())
    print("  sha512", hashlib.sha512(data).hexdigest())
    print("  sri   ", "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode())


def simple_index(rel, filename):
    write(rel, f'<!DOCTYPE html><html><body><a href="{filename}">{filename}</a></body></html>\n'.encode())


SIX_WHL = "six-1.16.0-py2.py3-none-any.whl"
IDNA_WHL = "idna-3.7-py3-none-any.whl"
six = wheel("six", "1.16.0", "six")
idna = wheel("idna", "3.7", "idna")
for case in ["pip-hash-any-algorithm", "pypi-deny-spellings", "pip-pep263-utf7"]:
    write(f"{case}/serve/simple/six/{SIX_WHL}", six)
    simple_index(f"{case}/serve/simple/six/index.html", SIX_WHL)
write(f"pip-pep263-utf7/serve/simple/idna/{IDNA_WHL}", idna)
simple_index("pip-pep263-utf7/serve/simple/idna/index.html", IDNA_WHL)
write(f"uv-second-wheel-any-host/serve/files/six-1.16.0-py3-none-any.whl", six)

left = npm_tgz("left-pad", "1.3.0")
for case in ["npm-sha1-pin-npmrc-redirect", "npm-sri-nbsp-token", "registry-prefix-userinfo"]:
    write(f"{case}/serve/left-pad/-/left-pad-1.3.0.tgz", left)
write("npm-v1-lockfile-with-packages/serve/evil/-/evil-1.0.0.tgz", npm_tgz("evil", "1.0.0"))
write("yarn-classic-duplicate-integrity/serve/left-pad/-/left-pad-1.3.0.tgz", left)
