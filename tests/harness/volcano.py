"""What the chart adds to a Volcano Job's pod template beyond the batch/v1 Job's: the defaults Volcano's admission
webhook would add (sequential-job.volcanoJobSpec), so that comparisons of the two templates can leave them out."""

from __future__ import annotations

import copy
from typing import Any


def without_webhook_defaults(template: dict[str, Any]) -> dict[str, Any]:
    """A copy of a Volcano task's pod template without the empty `resources` and the hostNetwork dnsPolicy the chart
    writes for Volcano's webhook."""
    stripped = copy.deepcopy(template)
    spec = stripped["spec"]
    for field in ("initContainers", "containers"):
        for container in spec.get(field, []):
            if container.get("resources") == {}:
                del container["resources"]
    if spec.get("hostNetwork") and spec.get("dnsPolicy") == "ClusterFirstWithHostNet":
        del spec["dnsPolicy"]
    return stripped
