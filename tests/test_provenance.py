"""`make package`'s packages, signed and not, and Helm's provenance checks on them under Helm 4 and Helm 3.

A signed package is accepted by `helm verify`, `helm template --verify` and `helm install --verify`; a package whose
contents changed, whose .prov was edited to match the change, or that is checked against another key is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from harness.publishing import (
    CHART_VERSION as VERSION,
)
from harness.publishing import (
    SEED,
    SIGN_KEY_URL,
    TGZ,
    WHEEL,
    SigningKey,
    copy_package,
    run_publish,
    sha256_file,
    tamper_chart,
    tar_members,
)
from sequential_job.helm import install_args, run_helm, template_args

# One pytest-xdist worker runs every publishing test, so the signing keys, packages and servers they share are
# made once per run (`make test` distributes by these groups).
pytestmark = pytest.mark.xdist_group("publishing")


def package_unsigned(helm_name: str, dist: Path, helm_home: Callable[[str], dict[str, str]]) -> Path:
    proc = run_publish("package", helm_name, {**helm_home(helm_name), "DIST": str(dist), "SIGN_KEY": ""})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return dist / TGZ


def test_package_is_versioned_and_unsigned_and_reproducible_under_helm4(
    helm_name: str, tmp_path: Path, helm_home: Callable[[str], dict[str, str]]
) -> None:
    first = package_unsigned(helm_name, tmp_path / "a", helm_home)
    second = package_unsigned(helm_name, tmp_path / "b", helm_home)
    assert sorted(p.name for p in first.parent.iterdir()) == [WHEEL, TGZ], "an unsigned package has no .prov"
    assert sha256_file(first.parent / WHEEL) == sha256_file(second.parent / WHEEL), "the plugin's wheel is reproducible"
    if helm_name == "helm":
        # Helm 4 stamps each file with its mtime, which publish.py sets to the last commit's time: same sources, same
        # bytes. (Helm 3 stamps the packaging time, so its packages differ from one second to the next.)
        assert sha256_file(first) == sha256_file(second), "packaging the same sources twice gave different bytes"
    members = tar_members(first)
    assert "sequential-job/Chart.yaml" in members and "sequential-job/values.schema.json" in members
    leaked = [m for m in members if m.startswith(("sequential-job/ci/", "sequential-job/tests/"))]
    assert leaked == [], f".helmignore should keep ct's ci/ values and helm-unittest suites out: {leaked}"
    shown = yaml.safe_load(run_helm(helm_name, "show", "chart", str(first)).stdout)
    assert shown["version"] == VERSION and "artifacthub.io/signKey" not in shown["annotations"]


def test_signed_package_verifies_with_the_signers_key(
    helm_name: str, signed_package: Callable[[str], Path], signing_key: SigningKey
) -> None:
    tgz = signed_package(helm_name)
    assert tgz.with_name(TGZ + ".prov").is_file()
    out = run_helm(helm_name, "verify", str(tgz), "--keyring", str(signing_key.pubring)).stdout
    assert f"Signed by: {signing_key.uid}" in out
    assert f"Using Key With Fingerprint: {signing_key.fingerprint}" in out
    assert f"Chart Hash Verified: sha256:{sha256_file(tgz)}" in out


def test_signed_package_names_its_key_for_artifact_hub(
    helm_name: str, signed_package: Callable[[str], Path], signing_key: SigningKey
) -> None:
    chart = yaml.safe_load(run_helm(helm_name, "show", "chart", str(signed_package(helm_name))).stdout)
    sign_key = yaml.safe_load(chart["annotations"]["artifacthub.io/signKey"])
    assert sign_key == {"fingerprint": signing_key.fingerprint, "url": SIGN_KEY_URL}


# How each forgery is made, and what helm says when it refuses it.
TAMPERS = {
    "chart-changed": "sha256 sum does not match",
    "prov-hash-forged": "invalid signature",
    "prov-missing": "could not load provenance file",
    "other-key": "signature made by unknown entity",
}


def forge(kind: str, tgz: Path, dest: Path) -> Path:
    """A copy of the signed package in dest/, forged as `kind` says."""
    if kind == "prov-missing":
        return copy_package(tgz, dest, prov=False)
    if kind == "other-key":
        return copy_package(tgz, dest)
    forged = tamper_chart(tgz, dest, "sequential-job/values.yaml", "image:\n", 'image: "evil.example/payload:1"\n')
    prov = tgz.with_name(tgz.name + ".prov").read_text()
    if kind == "prov-hash-forged":
        # The attacker also rewrites the hash inside the signed message; the signature no longer matches it.
        prov = prov.replace(sha256_file(tgz), sha256_file(forged))
    (dest / (tgz.name + ".prov")).write_text(prov)
    return forged


@pytest.fixture(params=list(TAMPERS))
def forged(
    request: pytest.FixtureRequest,
    helm_name: str,
    signed_package: Callable[[str], Path],
    signing_key: SigningKey,
    stranger_key: SigningKey,
    tmp_path: Path,
) -> tuple[Path, Path, str]:
    """(forged package, keyring to check it with, what helm's refusal says)."""
    kind = request.param
    keyring = stranger_key.pubring if kind == "other-key" else signing_key.pubring
    return forge(kind, signed_package(helm_name), tmp_path / kind), keyring, TAMPERS[kind]


def assert_refused(run, expected: str) -> None:
    assert run.returncode != 0, f"helm accepted a forged package:\n{run.stdout[:1000]}"
    assert expected in run.stderr, run.stderr


def test_verify_refuses_forgeries(helm_name: str, forged: tuple[Path, Path, str]) -> None:
    tgz, keyring, expected = forged
    assert_refused(run_helm(helm_name, "verify", str(tgz), "--keyring", str(keyring), check=False), expected)


def test_template_verify_accepts_the_signed_package_and_renders_the_chart(
    helm_name: str, signed_package: Callable[[str], Path], signing_key: SigningKey
) -> None:
    verify = ["--verify", "--keyring", str(signing_key.pubring)]
    verified = run_helm(
        helm_name, *template_args([SEED], release="seed", chart=signed_package(helm_name), flags=verify)
    )
    local = run_helm(helm_name, *template_args([SEED], release="seed"))
    assert verified.stdout == local.stdout


def test_template_verify_refuses_forgeries(helm_name: str, forged: tuple[Path, Path, str]) -> None:
    tgz, keyring, expected = forged
    verify = ["--verify", "--keyring", str(keyring)]
    run = run_helm(helm_name, *template_args([SEED], release="seed", chart=tgz, flags=verify), check=False)
    assert_refused(run, expected)


def install_verify(helm_name: str, tgz: Path, keyring: Path, helm_home: Callable[[str], dict[str, str]]):
    """`helm install --verify`: a client-side dry run under Helm 4; Helm 3 has no offline install, so it runs for
    real against a kubeconfig that reaches nothing: verification comes first, the cluster after."""
    flags = ["--verify", "--keyring", str(keyring), *(["--dry-run=client"] if helm_name == "helm" else [])]
    args = install_args("seed", [SEED], chart=tgz, flags=flags)
    return run_helm(helm_name, *args, check=False, env=helm_home(helm_name))


def test_install_verify_accepts_the_signed_package(
    helm_name: str,
    signed_package: Callable[[str], Path],
    signing_key: SigningKey,
    helm_home: Callable[[str], dict[str, str]],
) -> None:
    run = install_verify(helm_name, signed_package(helm_name), signing_key.pubring, helm_home)
    if helm_name == "helm":
        assert run.returncode == 0, run.stderr
        assert "kind: Job" in run.stdout and "STATUS: pending-install" in run.stdout
    else:
        # Past verification, Helm 3 goes on to the cluster, which is unreachable by construction.
        assert run.returncode != 0
        assert "Kubernetes cluster unreachable" in run.stderr, run.stderr
        assert "signature" not in run.stderr and "sha256" not in run.stderr, run.stderr


def test_install_verify_refuses_forgeries(
    helm_name: str, forged: tuple[Path, Path, str], helm_home: Callable[[str], dict[str, str]]
) -> None:
    tgz, keyring, expected = forged
    run = install_verify(helm_name, tgz, keyring, helm_home)
    assert_refused(run, expected)
    assert "Kubernetes cluster unreachable" not in run.stderr, "verification must fail before any cluster access"


def test_package_exports_the_key_from_the_gnupg_home_when_no_keyring_is_given(
    signing_key: SigningKey, helm_home: Callable[[str], dict[str, str]], tmp_path: Path
) -> None:
    """The usual case for a person: the key lives in GnuPG 2's keybox, which Helm cannot read."""
    env = {**helm_home("helm"), "DIST": str(tmp_path), "GNUPGHOME": str(signing_key.home), "SIGN_KEY": signing_key.uid}
    proc = run_publish("package", "helm", env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"signing with {signing_key.fingerprint}" in proc.stdout
    assert "SIGN_KEY_URL is not set" in proc.stdout
    out = run_helm("helm", "verify", str(tmp_path / TGZ), "--keyring", str(signing_key.pubring)).stdout
    assert f"Using Key With Fingerprint: {signing_key.fingerprint}" in out
    chart = yaml.safe_load(run_helm("helm", "show", "chart", str(tmp_path / TGZ)).stdout)
    assert "artifacthub.io/signKey" not in chart["annotations"], "no key URL, no Artifact Hub signKey"


def test_package_refuses_a_key_gnupg_does_not_have(
    signing_key: SigningKey, helm_home: Callable[[str], dict[str, str]], tmp_path: Path
) -> None:
    env = {**helm_home("helm"), "DIST": str(tmp_path), "GNUPGHOME": str(signing_key.home), "SIGN_KEY": "nobody@nowhere"}
    proc = run_publish("package", "helm", env)
    assert proc.returncode == 1
    assert "exported no secret key for SIGN_KEY='nobody@nowhere'" in proc.stderr
    assert not (tmp_path / TGZ).exists()


def test_publish_needs_a_destination(helm_home: Callable[[str], dict[str, str]], tmp_path: Path) -> None:
    proc = run_publish(
        "publish", "helm", {**helm_home("helm"), "DIST": str(tmp_path), "REPO_URL": "", "OCI_REGISTRY": ""}
    )
    assert proc.returncode == 1 and "set REPO_URL" in proc.stderr and "OCI_REGISTRY" in proc.stderr
