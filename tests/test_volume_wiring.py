"""Volumes carry files from step to step: every mount names a declared volume; the seed's data path is intact."""

from sequential_job.manifest import Manifest, volume_path_for


def test_every_mount_names_a_declared_volume(rendered: Manifest) -> None:
    assert rendered.undeclared_mounts() == [], rendered.context()


def test_every_declared_volume_is_mounted(rendered: Manifest) -> None:
    unused = [name for name, users in rendered.volume_graph().items() if not users]
    assert unused == [], f"volumes declared but mounted by no step: {unused}"


def test_seed_volume_graph(seed: Manifest) -> None:
    assert seed.volume_graph() == {
        "input": [("job-1", "/srv/input/"), ("job-2", "/srv/input/")],
        "output": [("job-2", "/srv/input/output/"), ("job-3", "/srv/output/")],
    }


def test_seed_code_file_goes_from_job1_to_job2(seed: Manifest) -> None:
    written = volume_path_for(seed.step("job-1"), "/srv/input/code")
    read = volume_path_for(seed.step("job-2"), "/srv/input/code")
    assert written == read == ("input", "code"), f"job-1 writes {written}, job-2 reads {read}"


def test_seed_artifact_goes_from_job2_to_job3(seed: Manifest) -> None:
    # job-2 writes under the nested mount; the deeper mount (output) must win over input.
    written = volume_path_for(seed.step("job-2"), "/srv/input/output/artifact")
    read = volume_path_for(seed.step("job-3"), "/srv/output/artifact")
    assert written == read == ("output", "artifact"), f"job-2 writes {written}, job-3 reads {read}"


def test_volumes_are_empty_dirs_by_default(seed: Manifest) -> None:
    for name, volume in seed.volumes().items():
        assert dict(volume["emptyDir"]) == {}, f"volume {name} should be an emptyDir"
