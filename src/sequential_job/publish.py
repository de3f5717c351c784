"""Package, sign and publish the chart: `make package` and `make publish` (docs/publishing.md).

python -m sequential_job.publish package   # dist/sequential-job-<version>.tgz, and its .prov when SIGN_KEY is set,
                                           # and the kubectl plugin's wheel, dist/kubectl_sequential_job-<v>-*.whl
python -m sequential_job.publish publish   # package, then update a classic repository and/or push to OCI

Everything is set by environment variables, so CI and people publish the same way:

  HELM                   the helm that packages and pushes (default .tools/bin/helm, Helm 4)
  CHART_DIR              the chart to package (default charts/sequential-job)
  DIST                   where packages go (default dist/): the chart's, and the kubectl plugin's wheel (plugin/)
  SIGN_KEY               sign with this GnuPG key (a name, email or fingerprint); unset: no signature
  SIGN_KEYRING           a legacy secret keyring holding it (default: exported from GnuPG for this run only)
  SIGN_PASSPHRASE_FILE   the key's passphrase, if it has one
  SIGN_KEY_URL           where users fetch the public key; adds Artifact Hub's artifacthub.io/signKey
  REPO_URL               the classic chart repository's public URL (index.yaml's package URLs start with it)
  REPO_DIR               the local copy of that repository to update (default dist/repo); upload it afterwards
  ARTIFACTHUB_REPO_FILE  Artifact Hub's repository metadata to put beside index.yaml (default artifacthub-repo.yml)
  OCI_REGISTRY           push here, e.g. oci://registry.example.com/charts (log in first: helm registry login)
  OCI_PLAIN_HTTP         1: talk plain HTTP to the registry (a local test registry)
  HELM_REGISTRY_CONFIG   the registry logins helm and ORAS use (`make publish`: your usual helm one)
  ORAS                   the ORAS that pushes artifacthub-repo.yml to the registry (default .tools/bin/oras)

Published versions are immutable: publishing a version the repository or registry already holds with other content
fails and asks for a version bump (CHANGELOG.md and docs/publishing.md's Versioning section).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from sequential_job import paths
from sequential_job.paths import ARTIFACTHUB_REPO, DIST, PLUGIN, ROOT
from sequential_job.tools import tool

CHART = Path(os.environ.get("CHART_DIR") or paths.CHART).resolve()
REPO_METADATA = Path(os.environ.get("ARTIFACTHUB_REPO_FILE") or ARTIFACTHUB_REPO)


class PublishError(Exception):
    """A publishing step failed; the message says which and why."""


@dataclass(frozen=True)
class Package:
    tgz: Path
    prov: Path | None
    name: str
    version: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.tgz.read_bytes()).hexdigest()


def say(message: str) -> None:
    print(f"[publish] {message}", flush=True)


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise PublishError(
            f"`{' '.join(args)}` exited {proc.returncode}:\n{proc.stderr.strip() or proc.stdout.strip()}"
        )
    return proc


def helm() -> str:
    return tool("helm")


def repo_metadata() -> dict | None:
    """artifacthub-repo.yml's content, or None while it is a comment-only template (nothing to publish yet)."""
    return yaml.safe_load(REPO_METADATA.read_text()) if REPO_METADATA.is_file() else None


# Artifact Hub's media types for repository metadata in an OCI registry (tag `artifacthub.io`).
ARTIFACTHUB_CONFIG = "application/vnd.cncf.artifacthub.config.v1+yaml"
ARTIFACTHUB_LAYER = "application/vnd.cncf.artifacthub.repository-metadata.layer.v1.yaml"


def source_date_epoch() -> int:
    """The mtime given to every staged file: SOURCE_DATE_EPOCH, else the last commit's time. Helm 4 stores the files'
    mtimes, so the same sources package to the same bytes (and digest) wherever they are packaged; Helm 3 stores the
    packaging time instead."""
    if env("SOURCE_DATE_EPOCH"):
        return int(env("SOURCE_DATE_EPOCH"))
    proc = subprocess.run(["git", "log", "-1", "--format=%ct"], capture_output=True, text=True, cwd=ROOT)
    return int(proc.stdout.strip()) if proc.returncode == 0 and proc.stdout.strip() else int(time.time())


def gpg_keys(keyring: Path) -> list[tuple[str, list[str]]]:
    """(fingerprint, user ids) of each primary key in a keyring file. GnuPG reads it in a throwaway home (and its
    agent is stopped after), so neither the user's GnuPG home nor a test's is touched."""
    with tempfile.TemporaryDirectory(prefix="sequential-job-gpg-") as home:
        try:
            out = run(["gpg", "--batch", "--homedir", home, "--with-colons", "--show-keys", str(keyring)]).stdout
        finally:
            subprocess.run(["gpgconf", "--homedir", home, "--kill", "gpg-agent"], capture_output=True)
    keys: list[tuple[str, list[str]]] = []
    expect_fpr = False
    for line in out.splitlines():
        fields = line.split(":")
        if fields[0] in ("pub", "sec"):
            keys.append(("", []))
            expect_fpr = True
        elif fields[0] == "fpr" and expect_fpr:
            keys[-1] = (fields[9], keys[-1][1])
            expect_fpr = False
        elif fields[0] == "uid" and keys:
            keys[-1][1].append(fields[9])
        elif fields[0] in ("sub", "ssb"):
            expect_fpr = False
    return keys


def signing_key_fingerprint(keyring: Path, key: str) -> str:
    matches = [
        fpr
        for fpr, uids in gpg_keys(keyring)
        if fpr.upper().endswith(key.upper().replace(" ", "")) or any(key.lower() in uid.lower() for uid in uids)
    ]
    if len(matches) != 1:
        raise PublishError(f"SIGN_KEY={key!r} matches {len(matches)} keys in {keyring}; name exactly one")
    return matches[0]


def export_secret_keyring(key: str, dest: Path) -> Path:
    """Helm reads only the legacy keyring format: export the key from GnuPG (GNUPGHOME) into one, for this run."""
    args = ["gpg", "--export-secret-keys", key]
    if env("SIGN_PASSPHRASE_FILE"):
        args[1:1] = ["--pinentry-mode", "loopback", "--passphrase-file", env("SIGN_PASSPHRASE_FILE")]
    proc = subprocess.run(args, capture_output=True)
    if proc.returncode != 0 or not proc.stdout:
        where = env("GNUPGHOME", "~/.gnupg")
        raise PublishError(f"GnuPG ({where}) exported no secret key for SIGN_KEY={key!r}: {proc.stderr.decode()}")
    dest.write_bytes(proc.stdout)
    return dest


def add_sign_key_annotation(chart_yaml: Path, fingerprint: str, url: str) -> None:
    """Insert artifacthub.io/signKey under Chart.yaml's annotations, keeping the rest of the file as written."""
    text = chart_yaml.read_text()
    if not re.search(r"^annotations:\s*$", text, flags=re.MULTILINE):
        raise PublishError(f"{chart_yaml} has no `annotations:` block to add artifacthub.io/signKey to")
    entry = f"  artifacthub.io/signKey: |\n    fingerprint: {fingerprint}\n    url: {url}\n"
    chart_yaml.write_text(re.sub(r"^annotations:\s*\n", lambda m: m.group(0) + entry, text, count=1, flags=re.M))


def package(dist: Path) -> Package:
    dist.mkdir(parents=True, exist_ok=True)
    meta = yaml.safe_load((CHART / "Chart.yaml").read_text())
    name, version = meta["name"], meta["version"]
    for stale in (dist / f"{name}-{version}.tgz", dist / f"{name}-{version}.tgz.prov"):
        stale.unlink(missing_ok=True)
    key = env("SIGN_KEY")
    with tempfile.TemporaryDirectory(prefix="sequential-job-package-") as tmp:
        staged = Path(tmp) / name
        shutil.copytree(CHART, staged, symlinks=True)
        args = [helm(), "package", str(staged), "--destination", str(dist)]
        if key:
            keyring = Path(env("SIGN_KEYRING")) if env("SIGN_KEYRING") else None
            keyring = keyring or export_secret_keyring(key, Path(tmp) / "secring.gpg")
            fingerprint = signing_key_fingerprint(keyring, key)
            if env("SIGN_KEY_URL"):
                add_sign_key_annotation(staged / "Chart.yaml", fingerprint, env("SIGN_KEY_URL"))
            else:
                say("SIGN_KEY_URL is not set: no artifacthub.io/signKey annotation (Artifact Hub needs the key's URL)")
            args += ["--sign", "--key", key, "--keyring", str(keyring)]
            if env("SIGN_PASSPHRASE_FILE"):
                args += ["--passphrase-file", env("SIGN_PASSPHRASE_FILE")]
            say(f"signing with {fingerprint}")
        stamp = source_date_epoch()
        for path in [staged, *staged.rglob("*")]:
            os.utime(path, (stamp, stamp), follow_symlinks=False)
        run(args)
    tgz = dist / f"{name}-{version}.tgz"
    prov = tgz.with_name(tgz.name + ".prov")
    if not tgz.is_file() or (key and not prov.is_file()):
        raise PublishError(f"helm package did not write {tgz}{' and its .prov' if key else ''}")
    pkg = Package(tgz, prov if key else None, name, version)
    say(f"packaged {tgz.relative_to(ROOT) if tgz.is_relative_to(ROOT) else tgz} sha256:{pkg.digest}")
    return pkg


# The PEP 517 hook pip itself would call, run directly: no build environment to make (the dev venv has the pinned
# setuptools the plugin's pyproject.toml names), a fraction of a second instead of several.
BUILD_WHEEL = "import sys; from setuptools import build_meta; print(build_meta.build_wheel(sys.argv[1]))"


def package_plugin(dist: Path) -> Path:
    """The kubectl plugin (plugin/) as a wheel in dist/, built from a copy of its sources (so no build/ or egg-info
    of an earlier build, nor the editable install's, can leak into it), with the zip entries stamped at
    source_date_epoch(): the same sources build the same bytes."""
    dist.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sequential-job-plugin-") as tmp:
        staged = Path(tmp) / "plugin"
        ignore = shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__", "*.pyc")
        shutil.copytree(PLUGIN, staged, ignore=ignore)
        out = Path(tmp) / "wheel"
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(source_date_epoch())}
        proc = run([sys.executable, "-c", BUILD_WHEEL, str(out)], cwd=staged, env=env)
        name = proc.stdout.strip().splitlines()[-1]
        for stale in dist.glob(f"{name.split('-')[0]}-*.whl"):
            stale.unlink()
        wheel = dist / name
        shutil.move(out / name, wheel)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    say(f"packaged {wheel.relative_to(ROOT) if wheel.is_relative_to(ROOT) else wheel} sha256:{digest}")
    return wheel


def fetch_index(repo_url: str) -> str | None:
    """The repository's current index.yaml, or None when it has none yet (HTTP 404)."""
    url = repo_url.rstrip("/") + "/index.yaml"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode()
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise PublishError(f"GET {url}: HTTP {e.code}") from e
    except urllib.error.URLError as e:
        raise PublishError(f"GET {url}: {e.reason}") from e


def check_not_republished(index_text: str, pkg: Package, where: str) -> None:
    index = yaml.safe_load(index_text) or {}
    for entry in (index.get("entries") or {}).get(pkg.name, []):
        if entry.get("version") == pkg.version and entry.get("digest") != pkg.digest:
            raise PublishError(
                f"{where} already has {pkg.name} {pkg.version} with digest {entry.get('digest')}, and this package's "
                f"is {pkg.digest}: published versions are immutable, bump the version in Chart.yaml and CHANGELOG.md"
            )


def publish_classic(pkg: Package, repo_url: str, repo_dir: Path) -> None:
    repo_dir.mkdir(parents=True, exist_ok=True)
    local_index = repo_dir / "index.yaml"
    with tempfile.TemporaryDirectory(prefix="sequential-job-index-") as tmp:
        merge_from = None
        if local_index.is_file():
            merge_from = local_index
        else:
            remote = fetch_index(repo_url)
            if remote is not None:
                merge_from = Path(tmp) / "index.yaml"
                merge_from.write_text(remote)
                say(f"merging the index served at {repo_url}")
        if merge_from is not None:
            check_not_republished(merge_from.read_text(), pkg, repo_url)
        for path in (pkg.tgz, pkg.prov):
            if path is not None:
                shutil.copy2(path, repo_dir / path.name)
        args = [helm(), "repo", "index", str(repo_dir), "--url", repo_url]
        if merge_from is not None:
            args += ["--merge", str(merge_from)]
        run(args)
    if repo_metadata():
        shutil.copy2(REPO_METADATA, repo_dir / "artifacthub-repo.yml")
    else:
        say(f"{REPO_METADATA.name} has no repositoryID or owners yet: not published")
    say(f"updated {local_index}: upload {repo_dir}/ to {repo_url} (index.yaml last)")


def publish_oci(pkg: Package, registry: str) -> str:
    if not registry.startswith("oci://"):
        raise PublishError(f"OCI_REGISTRY={registry!r} must start with oci://")
    flags = ["--plain-http"] if env("OCI_PLAIN_HTTP") in ("1", "true", "yes") else []
    ref = f"{registry.rstrip('/')}/{pkg.name}"
    shown = subprocess.run(
        [helm(), "show", "chart", ref, "--version", pkg.version, *flags], capture_output=True, text=True
    )
    if shown.returncode == 0:
        raise PublishError(
            f"{ref}:{pkg.version} already exists: published versions are immutable, bump the version in Chart.yaml"
        )
    proc = run([helm(), "push", str(pkg.tgz), registry, *flags])
    match = re.search(r"^Digest:\s*(sha256:[0-9a-f]{64})", proc.stdout + proc.stderr, flags=re.MULTILINE)
    if not match:
        raise PublishError(f"helm push printed no digest:\n{proc.stdout}{proc.stderr}")
    say(f"pushed {ref}:{pkg.version} {match.group(1)}{' with its provenance' if pkg.prov else ''}")
    if repo_metadata():
        push_repo_metadata(ref.removeprefix("oci://") + ":artifacthub.io", bool(flags))
    else:
        say(f"{REPO_METADATA.name} has no repositoryID or owners yet: not pushed")
    return match.group(1)


def push_repo_metadata(target: str, plain_http: bool) -> None:
    """artifacthub-repo.yml as the `artifacthub.io` tag of the chart's repository, where Artifact Hub reads it."""
    registry_config = env("HELM_REGISTRY_CONFIG") or str(
        Path(env("HELM_CONFIG_HOME", str(Path.home() / ".config" / "helm"))) / "registry" / "config.json"
    )
    with tempfile.TemporaryDirectory(prefix="sequential-job-artifacthub-") as tmp:
        shutil.copy2(REPO_METADATA, Path(tmp) / "artifacthub-repo.yml")
        oras = tool("oras")
        args = [oras, "push", target, "--registry-config", registry_config]
        args += ["--plain-http"] if plain_http else []
        args += ["--config", f"/dev/null:{ARTIFACTHUB_CONFIG}", f"artifacthub-repo.yml:{ARTIFACTHUB_LAYER}"]
        run(args, cwd=tmp)
    say(f"pushed {REPO_METADATA.name} to {target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["package", "publish"])
    command = parser.parse_args().command
    try:
        if command == "publish" and not (env("REPO_URL") or env("OCI_REGISTRY")):
            raise PublishError("nothing to publish to: set REPO_URL (a classic repository) and/or OCI_REGISTRY")
        dist = Path(env("DIST", str(DIST))).resolve()
        pkg = package(dist)
        package_plugin(dist)
        if command == "publish":
            if env("REPO_URL"):
                publish_classic(pkg, env("REPO_URL"), Path(env("REPO_DIR", str(DIST / "repo"))).resolve())
            if env("OCI_REGISTRY"):
                publish_oci(pkg, env("OCI_REGISTRY"))
    except PublishError as e:
        print(f"[publish] error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
