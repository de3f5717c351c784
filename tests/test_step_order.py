"""Steps run in list order: 1..n-1 as initContainers, n as the only container."""

import pytest

from harness import render
from harness.values import chain


@pytest.mark.parametrize("n", [1, 2, 3, 50])
def test_steps_keep_list_order(n: int) -> None:
    manifest = render(values=chain(n))
    spec = manifest.pod_spec()
    expected = [f"step-{i}" for i in range(1, n + 1)]
    inits = [c["name"] for c in spec.get("initContainers", ())]
    mains = [c["name"] for c in spec["containers"]]
    assert inits == expected[:-1], f"initContainers out of order for {n} steps: {inits}\n{manifest.context()}"
    assert mains == expected[-1:], f"containers should hold only the last step {expected[-1]}, got {mains}"
    assert manifest.step_names() == expected


@pytest.mark.parametrize("n", [1, 2, 3, 50])
def test_each_step_runs_its_own_script(n: int) -> None:
    manifest = render(values=chain(n))
    for step in manifest.steps():
        assert step.container["command"] == ("sh", "-c", f"echo {step.name}"), f"step {step.name}: wrong command"


def test_single_step_has_no_init_containers() -> None:
    spec = render(values=chain(1)).pod_spec()
    assert "initContainers" not in spec, "one step must render no initContainers key"


@pytest.mark.parametrize("n", [1, 3])
def test_default_container_annotation_names_last_step(n: int) -> None:
    annotations = render(values=chain(n)).pod_template()["metadata"]["annotations"]
    assert annotations["kubectl.kubernetes.io/default-container"] == f"step-{n}"
