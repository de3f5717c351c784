"""Steps run as the configured uid, write the emptyDirs, and the bytes step 1 wrote are the bytes step 3 read."""

from __future__ import annotations

from e2e.cluster import install, logs, the_pod, wait_finished

VALUES = {
    "stepDefaults": {"image": "busybox:1.36"},
    "pod": {"securityContext": {"runAsUser": 2000, "runAsGroup": 2000, "fsGroup": 2000}},
    "volumes": [{"name": "input", "emptyDir": {}}, {"name": "output", "emptyDir": {}}],
    "steps": [
        {
            "name": "write",
            "script": "id -u; head -c 262144 /dev/urandom > /srv/input/blob; sha256sum /srv/input/blob",
            "volumeMounts": [{"name": "input", "mountPath": "/srv/input"}],
        },
        {
            "name": "copy",
            "script": "id -u; cp /srv/input/blob /srv/output/blob; stat -c '%u:%g' /srv/output/blob",
            "volumeMounts": [
                {"name": "input", "mountPath": "/srv/input"},
                {"name": "output", "mountPath": "/srv/output"},
            ],
        },
        {
            "name": "read",
            "script": "id -u; sha256sum /data/blob",
            "volumeMounts": [{"name": "output", "mountPath": "/data", "readOnly": True}],
        },
    ],
}


def test_uid_and_checksum_survive_the_chain(namespace: str, helm_name: str) -> None:
    install(helm_name, "data", namespace, values=VALUES)
    assert wait_finished(namespace, "data") == "completed"
    pod = the_pod(namespace, "data")
    out = {step: logs(pod, step).split() for step in ("write", "copy", "read")}
    for step, words in out.items():
        assert words[0] == "2000", f"step {step} ran as uid {words[0]}, not 2000"
    assert out["copy"][1] == "2000:2000", f"the copy in the output volume is owned by {out['copy'][1]}"
    written, read = out["write"][1], out["read"][1]
    assert len(written) == 64 and written == read, f"checksum written {written} != read {read}"
