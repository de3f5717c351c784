"""The render cache hands out plain data: a test that changes what it got cannot change what the next test gets."""

from sequential_job import render as render_module
from sequential_job.render import render
from sequential_job.values import chain


def test_a_changed_render_does_not_change_the_next_one() -> None:
    first = render(values=chain(2))
    first.pod_spec()["containers"][0]["image"] = "changed"
    first.objects.append({"kind": "Extra"})
    hits = render_module.cache_info().hits
    second = render(values=chain(2))
    assert render_module.cache_info().hits == hits + 1, "the second render should come from the cache"
    assert second.pod_spec()["containers"][0]["image"] == "busybox:1.36"
    assert second.kinds() == [("batch/v1", "Job")]
    assert type(second.objects) is list and type(second.pod_spec()) is dict, "renders are plain lists and dicts"
