"""Round trips of `make publish` under Helm 4 and Helm 3, against servers the tests start on 127.0.0.1:

- a classic chart repository (static HTTP): publish, `helm repo add`, `helm search repo`, `helm pull --verify`,
  `helm template` from the repository equal to the local chart's; a second version merged into the served index
  keeps the first; a version republished with other content is refused;
- an OCI registry (Debian's docker-registry): `helm push`, the digest it prints is the one the registry serves and
  `helm pull` reports, the layers are the package and its .prov byte for byte, `helm pull --verify` and
  `helm template oci://` work, and publishing an existing tag again is refused.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from harness.publishing import (
    CHART_VERSION as VERSION,
)
from harness.publishing import (
    SEED,
    TGZ,
    Registry,
    SigningKey,
    StaticServer,
    run_publish,
    sha256_file,
)
from sequential_job import chart
from sequential_job.helm import run_helm, template_args
from sequential_job.paths import CHART

# One pytest-xdist worker runs every publishing test, so the signing keys, packages and servers they share are
# made once per run (`make test` distributes by these groups).
pytestmark = pytest.mark.xdist_group("publishing")

DIGEST_LINE = re.compile(r"^Digest:\s*(sha256:[0-9a-f]{64})\s*$", re.MULTILINE)


def signing_env(key: SigningKey) -> dict[str, str]:
    return {"SIGN_KEY": key.uid, "SIGN_KEYRING": str(key.secring), "SIGN_KEY_URL": "https://example.invalid/k.asc"}


def publish(helm: str, env: dict[str, str]) -> str:
    proc = run_publish("publish", helm, env)
    assert proc.returncode == 0, f"publish.py publish failed:\n{proc.stdout}{proc.stderr}"
    return proc.stdout


def bumped_chart(dest: Path, version: str, description: str | None = None) -> Path:
    """A copy of the chart with another version (and description): what the next release would be."""
    chart = dest / "sequential-job"
    shutil.copytree(CHART, chart, symlinks=True)
    meta = (chart / "Chart.yaml").read_text()
    meta = re.sub(r"^version: .*$", f"version: {version}", meta, count=1, flags=re.MULTILINE)
    if description:
        meta = re.sub(r"^description: .*$", f"description: {description}", meta, count=1, flags=re.MULTILINE)
    (chart / "Chart.yaml").write_text(meta)
    return chart


def index_entries(path_or_text: Path | str) -> list[dict]:
    text = path_or_text.read_text() if isinstance(path_or_text, Path) else path_or_text
    return yaml.safe_load(text)["entries"]["sequential-job"]


# --- the classic chart repository -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassicRepo:
    name: str  # as `helm repo add` named it
    url: str
    served: Path  # the directory the HTTP server serves at url
    dist: Path  # where publish.py packaged
    env: dict[str, str]  # this helm's own settings


@pytest.fixture(scope="session")
def classic_repos(
    tmp_path_factory: pytest.TempPathFactory,
    chart_server: StaticServer,
    signing_key: SigningKey,
    helm_home: Callable[[str], dict[str, str]],
) -> Callable[[str, str], ClassicRepo]:
    """(helm, path) -> the signed chart that `make publish` put at <server>/<path>, added with `helm repo add`."""
    base = tmp_path_factory.mktemp("classic")

    @functools.cache
    def make(helm: str, path: str) -> ClassicRepo:
        served, url = chart_server.root / path, f"{chart_server.url}/{path}"
        env = helm_home(helm)
        publish(helm, {**env, **signing_env(signing_key), "DIST": str(base / path), "REPO_URL": url,
                       "REPO_DIR": str(served)})  # fmt: skip
        name = f"seq-{path}"
        run_helm(helm, "repo", "add", name, url, env=env)
        return ClassicRepo(name, url, served, base / path, env)

    return make


@pytest.fixture
def classic_repo(helm_name: str, classic_repos: Callable[[str, str], ClassicRepo]) -> ClassicRepo:
    return classic_repos(helm_name, helm_name)


def test_publish_writes_the_index_with_the_packages_digest_and_url(classic_repo: ClassicRepo) -> None:
    entries = index_entries(classic_repo.served / "index.yaml")
    assert [e["version"] for e in entries] == [VERSION]
    assert entries[0]["digest"] == sha256_file(classic_repo.dist / TGZ)
    assert entries[0]["urls"] == [f"{classic_repo.url}/{TGZ}"]
    assert (classic_repo.served / TGZ).read_bytes() == (classic_repo.dist / TGZ).read_bytes()
    assert (classic_repo.served / (TGZ + ".prov")).is_file(), "the provenance file is served beside the package"
    assert not (classic_repo.served / "artifacthub-repo.yml").exists(), "a comment-only metadata file is left out"


def test_search_repo_finds_the_chart(helm_name: str, classic_repo: ClassicRepo) -> None:
    out = run_helm(
        helm_name, "search", "repo", f"{classic_repo.name}/sequential-job", "-o", "json", env=classic_repo.env
    )
    found = json.loads(out.stdout)
    assert [(f["name"], f["version"]) for f in found] == [(f"{classic_repo.name}/sequential-job", VERSION)]
    assert found[0]["description"] == chart.metadata()["description"]


def test_pull_verify_gets_the_published_bytes(
    helm_name: str, classic_repo: ClassicRepo, signing_key: SigningKey, tmp_path: Path
) -> None:
    run = run_helm(
        helm_name, "pull", f"{classic_repo.name}/sequential-job", "--version", VERSION, "--destination",
        str(tmp_path), "--verify", "--keyring", str(signing_key.pubring), env=classic_repo.env,
    )  # fmt: skip
    assert f"Using Key With Fingerprint: {signing_key.fingerprint}" in run.stdout + run.stderr
    assert sha256_file(tmp_path / TGZ) == sha256_file(classic_repo.dist / TGZ)
    assert (tmp_path / (TGZ + ".prov")).is_file()


def test_template_from_the_repository_equals_the_local_chart(helm_name: str, classic_repo: ClassicRepo) -> None:
    chart_ref = f"{classic_repo.name}/sequential-job"
    remote = run_helm(
        helm_name,
        *template_args([SEED], release="seed", chart=chart_ref, flags=["--version", VERSION]),
        env=classic_repo.env,
    )
    local = run_helm(helm_name, *template_args([SEED], release="seed"))
    assert "kind: Job" in local.stdout
    assert remote.stdout == local.stdout


def test_publishing_a_new_version_keeps_the_older_ones(
    helm_name: str,
    classic_repos: Callable[[str, str], ClassicRepo],
    signing_key: SigningKey,
    tmp_path: Path,
) -> None:
    repo = classic_repos(helm_name, f"{helm_name}-merge")
    # Publish 0.99.0 from an empty staging directory, as a release job would: publish.py merges the served index.
    staging = tmp_path / "staging"
    env = {
        **repo.env, **signing_env(signing_key), "CHART_DIR": str(bumped_chart(tmp_path, "0.99.0")),
        "DIST": str(tmp_path / "dist"), "REPO_URL": repo.url, "REPO_DIR": str(staging),
    }  # fmt: skip
    out = publish(helm_name, env)
    assert f"merging the index served at {repo.url}" in out
    assert [e["version"] for e in index_entries(staging / "index.yaml")] == ["0.99.0", VERSION]
    # Upload (here a copy into the served directory), then what users see:
    shutil.copytree(staging, repo.served, dirs_exist_ok=True)
    run_helm(helm_name, "repo", "update", repo.name, env=repo.env)
    search = run_helm(
        helm_name, "search", "repo", f"{repo.name}/sequential-job", "--versions", "-o", "json", env=repo.env
    )
    assert [f["version"] for f in json.loads(search.stdout)] == ["0.99.0", VERSION]
    (tmp_path / "p").mkdir()
    for version in ("0.99.0", VERSION):
        run_helm(helm_name, "pull", f"{repo.name}/sequential-job", "--version", version, "-d", str(tmp_path / "p"),
                 "--verify", "--keyring", str(signing_key.pubring), env=repo.env)  # fmt: skip
    assert sorted(p.name for p in (tmp_path / "p").glob("*.tgz")) == sorted(
        [f"sequential-job-{VERSION}.tgz", "sequential-job-0.99.0.tgz"]
    )


def test_republishing_a_version_with_other_content_is_refused(
    helm_name: str, classic_repo: ClassicRepo, tmp_path: Path
) -> None:
    changed = bumped_chart(tmp_path, VERSION, description="Same version, other content.")
    env = {**classic_repo.env, "CHART_DIR": str(changed), "DIST": str(tmp_path / "dist"),
           "REPO_URL": classic_repo.url, "REPO_DIR": str(tmp_path / "staging")}  # fmt: skip
    proc = run_publish("publish", helm_name, env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"already has sequential-job {VERSION}" in proc.stderr and "immutable" in proc.stderr
    assert not (tmp_path / "staging" / "index.yaml").exists(), "nothing is written when publishing is refused"


def test_filled_in_artifacthub_metadata_is_published_beside_the_index(
    helm_name: str, helm_home: Callable[[str], dict[str, str]], tmp_path: Path
) -> None:
    metadata = tmp_path / "artifacthub-repo.yml"
    metadata.write_text("repositoryID: 5c8bd3a7-0cd9-4a35-8ad1-1f3e53d5e2a4\nowners:\n  - name: someone\n")
    env = {**helm_home(helm_name), "DIST": str(tmp_path / "dist"), "REPO_URL": "http://127.0.0.1:9/none",
           "REPO_DIR": str(tmp_path / "repo"), "ARTIFACTHUB_REPO_FILE": str(metadata)}  # fmt: skip
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "index.yaml").write_text("apiVersion: v1\nentries: {}\n")  # a new repository: no fetch
    publish(helm_name, env)
    assert (tmp_path / "repo" / "artifacthub-repo.yml").read_text() == metadata.read_text()


# --- the OCI registry -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pushed:
    registry: Registry
    repository: str  # e.g. helm/sequential-job, as the registry names it
    ref: str  # oci://host/helm/sequential-job
    digest: str  # what helm push printed
    tgz: Path
    env: dict[str, str]


@pytest.fixture(scope="session")
def pushes(
    registry: Registry,
    signed_package: Callable[[str], Path],
    helm_home: Callable[[str], dict[str, str]],
) -> Callable[[str], Pushed]:
    """helm -> the signed package pushed with that helm's `helm push --plain-http` to <registry>/<helm>."""

    @functools.cache
    def push(helm: str) -> Pushed:
        tgz, env = signed_package(helm), helm_home(helm)
        run = run_helm(helm, "push", str(tgz), f"oci://{registry.host}/{helm}", "--plain-http", env=env)
        match = DIGEST_LINE.search(run.stdout + run.stderr)
        assert match, f"helm push printed no digest:\n{run.stdout}{run.stderr}"
        repository = f"{helm}/sequential-job"
        return Pushed(registry, repository, f"oci://{registry.host}/{repository}", match.group(1), tgz, env)

    return push


@pytest.fixture
def pushed(helm_name: str, pushes: Callable[[str], Pushed]) -> Pushed:
    return pushes(helm_name)


def test_push_digest_is_the_manifest_the_registry_serves(pushed: Pushed) -> None:
    assert pushed.registry.tags(pushed.repository) == [VERSION]
    body, header = pushed.registry.manifest(pushed.repository, VERSION)
    assert f"sha256:{hashlib.sha256(body).hexdigest()}" == pushed.digest == header
    manifest = json.loads(body)
    assert manifest["config"]["mediaType"] == "application/vnd.cncf.helm.config.v1+json"
    layers = {layer["mediaType"]: layer["digest"] for layer in manifest["layers"]}
    prov = pushed.tgz.with_name(TGZ + ".prov")
    assert layers == {
        "application/vnd.cncf.helm.chart.content.v1.tar+gzip": f"sha256:{sha256_file(pushed.tgz)}",
        "application/vnd.cncf.helm.chart.provenance.v1.prov": f"sha256:{sha256_file(prov)}",
    }


def test_pull_verify_reports_the_same_digest_and_bytes(
    helm_name: str, pushed: Pushed, signing_key: SigningKey, tmp_path: Path
) -> None:
    run = run_helm(
        helm_name, "pull", pushed.ref, "--version", VERSION, "--plain-http", "-d", str(tmp_path), "--verify",
        "--keyring", str(signing_key.pubring), env=pushed.env,
    )  # fmt: skip
    assert DIGEST_LINE.findall(run.stdout + run.stderr) and set(DIGEST_LINE.findall(run.stdout + run.stderr)) == {
        pushed.digest
    }
    assert f"Using Key With Fingerprint: {signing_key.fingerprint}" in run.stdout + run.stderr
    assert sha256_file(tmp_path / TGZ) == sha256_file(pushed.tgz)
    assert (tmp_path / (TGZ + ".prov")).read_bytes() == pushed.tgz.with_name(TGZ + ".prov").read_bytes()


def test_pull_by_digest_gets_the_same_chart(helm_name: str, pushed: Pushed, tmp_path: Path) -> None:
    run_helm(helm_name, "pull", f"{pushed.ref}@{pushed.digest}", "--plain-http", "-d", str(tmp_path), env=pushed.env)
    pulled = list(tmp_path.glob("*.tgz"))  # named sequential-job@sha256-<digest>.tgz
    assert len(pulled) == 1 and sha256_file(pulled[0]) == sha256_file(pushed.tgz), pulled


def test_template_from_the_registry_equals_the_local_chart(
    helm_name: str, pushed: Pushed, signing_key: SigningKey
) -> None:
    flags = ["--version", VERSION, "--plain-http", "--verify", "--keyring", str(signing_key.pubring)]
    remote = run_helm(helm_name, *template_args([SEED], release="seed", chart=pushed.ref, flags=flags), env=pushed.env)
    local = run_helm(helm_name, *template_args([SEED], release="seed"))
    assert remote.stdout == local.stdout


def test_publish_pushes_to_oci_and_refuses_an_existing_version(
    helm_name: str, registry: Registry, helm_home: Callable[[str], dict[str, str]], tmp_path: Path
) -> None:
    target = f"oci://{registry.host}/{helm_name}-publish"
    env = {**helm_home(helm_name), "DIST": str(tmp_path / "dist"), "OCI_REGISTRY": target, "OCI_PLAIN_HTTP": "1"}
    out = publish(helm_name, env)
    printed = re.search(r"pushed \S+ (sha256:[0-9a-f]{64})", out)
    assert printed, out
    _, served = registry.manifest(f"{helm_name}-publish/sequential-job", VERSION)
    assert printed.group(1) == served
    assert registry.tags(f"{helm_name}-publish/sequential-job") == [VERSION], "comment-only metadata is not pushed"
    again = run_publish("publish", helm_name, env)
    assert again.returncode == 1 and "already exists" in again.stderr and "immutable" in again.stderr, again.stderr
    assert registry.manifest(f"{helm_name}-publish/sequential-job", VERSION)[1] == served, "the tag was not moved"


def test_publish_pushes_filled_in_artifacthub_metadata_to_oci(
    helm_name: str, registry: Registry, helm_home: Callable[[str], dict[str, str]], tmp_path: Path
) -> None:
    """Artifact Hub reads an OCI repository's metadata from its `artifacthub.io` tag, in its own media types."""
    metadata = tmp_path / "artifacthub-repo.yml"
    metadata.write_text("repositoryID: 5c8bd3a7-0cd9-4a35-8ad1-1f3e53d5e2a4\n")
    env = {**helm_home(helm_name), "DIST": str(tmp_path / "dist"), "OCI_REGISTRY": f"oci://{registry.host}/{helm_name}-ah",
           "OCI_PLAIN_HTTP": "1", "ARTIFACTHUB_REPO_FILE": str(metadata)}  # fmt: skip
    publish(helm_name, env)
    repository = f"{helm_name}-ah/sequential-job"
    assert sorted(registry.tags(repository)) == sorted([VERSION, "artifacthub.io"])
    manifest = json.loads(registry.manifest(repository, "artifacthub.io")[0])
    assert manifest["config"]["mediaType"] == "application/vnd.cncf.artifacthub.config.v1+yaml"
    [layer] = manifest["layers"]
    assert layer["mediaType"] == "application/vnd.cncf.artifacthub.repository-metadata.layer.v1.yaml"
    assert registry.blob(repository, layer["digest"]) == metadata.read_bytes()
