"""What the publishing tests run against, all local and started and stopped by the tests themselves:

- a throwaway GnuPG signing key (ed25519, no passphrase) in its own GNUPGHOME, exported to the legacy keyrings Helm
  reads (secring.gpg to sign, pubring.gpg to verify);
- a static HTTP server on 127.0.0.1 serving a directory: a classic chart repository;
- Debian's docker-registry (distribution 2.8) on 127.0.0.1 with filesystem storage in a temp dir: an OCI registry;
- helm settings of their own (repositories, registry logins, caches, a kubeconfig that reaches nothing), so nothing
  leaks into .tools/helm or the user's home;
- sequential_job.publish, run as `make package` / `make publish` run it.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sequential_job import chart
from sequential_job.paths import ROOT, SEED_VALUES
from sequential_job.tools import require_tool

SEED = str(SEED_VALUES)
CHART_VERSION: str = chart.metadata()["version"]
TGZ = f"sequential-job-{CHART_VERSION}.tgz"
# The kubectl plugin's wheel, which `make package` writes beside the chart (plugin/pyproject.toml has the same version).
WHEEL = f"kubectl_sequential_job-{CHART_VERSION}-py3-none-any.whl"

REGISTRY_BINARY = "/usr/bin/docker-registry"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
# Where the tests say users fetch the public key (Artifact Hub's artifacthub.io/signKey url).
SIGN_KEY_URL = "https://example.invalid/sequential-job-signing-key.asc"


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class SigningKey:
    home: Path
    uid: str
    fingerprint: str
    secring: Path  # legacy secret keyring: helm package --sign --keyring
    pubring: Path  # public keyring: helm verify / --verify --keyring


def make_signing_key(base: Path, name: str) -> SigningKey:
    """A new ed25519 signing key without passphrase in base/gnupg; stop its agent with stop_gpg_agent()."""
    home = base / "gnupg"
    home.mkdir(parents=True, mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    uid = f"{name} <{name.lower().replace(' ', '-')}@example.invalid>"
    gpg = ["gpg", "--batch", "--quiet"]

    def run(*args: str) -> bytes:
        proc = subprocess.run([*gpg, *args], env=env, capture_output=True, timeout=60)
        assert proc.returncode == 0, f"gpg {' '.join(args)} failed: {proc.stderr.decode()}"
        return proc.stdout

    run("--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never")
    listing = run("--with-colons", "--list-keys", uid).decode()
    fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))
    secring, pubring = base / "secring.gpg", base / "pubring.gpg"
    # Helm cannot read GnuPG 2's keybox; it reads the legacy keyring format that --export writes.
    secring.write_bytes(run("--export-secret-keys", uid))
    pubring.write_bytes(run("--export", uid))
    return SigningKey(home, uid, fingerprint, secring, pubring)


def stop_gpg_agent(key: SigningKey) -> None:
    subprocess.run(
        ["gpgconf", "--kill", "gpg-agent"], env={**os.environ, "GNUPGHOME": str(key.home)}, capture_output=True
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class StaticServer:
    """A classic chart repository: static files from `root`, over HTTP on 127.0.0.1 (a free port), in a thread."""

    def __init__(self, root: Path):
        self.root = root
        handler = functools.partial(_QuietHandler, directory=str(root))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="chart-repo", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    """Debian's docker-registry on 127.0.0.1:<free port>, plain HTTP, storage under `base`."""

    def __init__(self, base: Path):
        self.base = base
        self.log = base / "registry.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.host = ""
        for _attempt in range(3):  # another process may take the free port between the probe and the bind
            port = _free_port()
            config = base / "config.yml"
            config.write_text(
                "version: 0.1\n"
                "log:\n  level: error\n  accesslog:\n    disabled: true\n"
                f"storage:\n  filesystem:\n    rootdirectory: {base / 'data'}\n  delete:\n    enabled: true\n"
                f"http:\n  addr: 127.0.0.1:{port}\n  secret: sequential-job-tests\n"
            )
            with self.log.open("ab") as log:
                self.proc = subprocess.Popen([REGISTRY_BINARY, "serve", str(config)], stdout=log, stderr=log)
            self.host = f"127.0.0.1:{port}"
            if self._wait_ready():
                return
            self.stop()
        raise RuntimeError(f"docker-registry did not start; its log:\n{self.log.read_text()}")

    def _wait_ready(self, timeout: float = 15) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"http://{self.host}/v2/", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        return False

    def manifest(self, repository: str, reference: str) -> tuple[bytes, str]:
        """The manifest the registry serves for repository:reference, and its Docker-Content-Digest header."""
        request = urllib.request.Request(
            f"http://{self.host}/v2/{repository}/manifests/{reference}", headers={"Accept": OCI_MANIFEST}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read(), response.headers["Docker-Content-Digest"]

    def blob(self, repository: str, digest: str) -> bytes:
        with urllib.request.urlopen(f"http://{self.host}/v2/{repository}/blobs/{digest}", timeout=10) as response:
            return response.read()

    def tags(self, repository: str) -> list[str]:
        with urllib.request.urlopen(f"http://{self.host}/v2/{repository}/tags/list", timeout=10) as response:
            return json.load(response)["tags"]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def isolated_helm_env(base: Path) -> dict[str, str]:
    """Helm settings of a test's own: no repository, login or cache is shared with .tools/helm or the user."""
    base.mkdir(parents=True, exist_ok=True)
    kubeconfig = base / "kubeconfig"
    # A cluster that cannot be reached (port 1 on loopback): commands that need one fail at once and predictably.
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: none\n"
        "clusters: [{name: none, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "contexts: [{name: none, context: {cluster: none, user: none}}]\nusers: [{name: none, user: {}}]\n"
    )
    return {
        "HELM_REPOSITORY_CONFIG": str(base / "repositories.yaml"),
        "HELM_REPOSITORY_CACHE": str(base / "repository-cache"),
        "HELM_REGISTRY_CONFIG": str(base / "registry" / "config.json"),
        "HELM_CACHE_HOME": str(base / "cache"),
        "HELM_CONFIG_HOME": str(base / "config"),
        "HELM_DATA_HOME": str(base / "data"),
        "KUBECONFIG": str(kubeconfig),
    }


def run_publish(command: str, helm: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m sequential_job.publish COMMAND` with `helm` ("helm" or "helm3") and the given environment on top."""
    return subprocess.run(
        [sys.executable, "-m", "sequential_job.publish", command],
        env={**os.environ, "HELM": require_tool(helm), **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def tar_members(tgz: Path) -> list[str]:
    with tarfile.open(tgz) as tar:
        return tar.getnames()


def tamper_chart(tgz: Path, dest: Path, member: str, old: str, new: str) -> Path:
    """A copy of the packaged chart in dest/ (same file name) with `old` replaced by `new` in one file."""
    dest.mkdir(parents=True, exist_ok=True)
    out = dest / tgz.name
    with tarfile.open(tgz) as src, tarfile.open(out, "w:gz") as dst:
        found = False
        for info in src.getmembers():
            data = src.extractfile(info).read() if info.isfile() else None
            if info.name == member:
                text = data.decode()
                assert old in text, f"{old!r} not in {member}"
                data = text.replace(old, new, 1).encode()
                info.size = len(data)
                found = True
            dst.addfile(info, None if data is None else io.BytesIO(data))
    assert found, f"{member} not in {tgz}"
    return out


def copy_package(tgz: Path, dest: Path, prov: bool = True) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(tgz, dest / tgz.name)
    if prov:
        shutil.copy2(tgz.with_name(tgz.name + ".prov"), dest / (tgz.name + ".prov"))
    return dest / tgz.name
