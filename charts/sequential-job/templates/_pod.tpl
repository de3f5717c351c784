{{/*
The pod template.
*/}}

{{/*
sequential-job.podTemplate: the pod template (metadata and spec) shared by the batch/v1 Job and the Volcano Job, so
the two cannot drift, as JSON. Steps 1..n-1 are initContainers, step n is the only container; every other pod field is
the values' `pod` as written, less the chart's own keys and null or empty values. pod.labels and pod.annotations are
added to the chart's own (a key set in both takes the values' value). The pod's volumes are the values' volumes and
the chart's own (the steps' /steps, files, shards).
*/}}
{{- define "sequential-job.podTemplate" -}}
{{- include "sequential-job.chain" . }}
{{- $chain := get . "sequentialJobChain" }}
{{- $containers := $chain.containers }}
{{- $pod := .Values.pod }}
{{- $spec := include "sequential-job.withoutEmpty" (omit $pod "maxObjectBytes" "labels" "annotations") | fromJson }}
{{- with include "sequential-job.serviceAccountName" . }}{{ $_ := set $spec "serviceAccountName" . }}{{ end }}
{{- if not (hasKey $spec "automountServiceAccountToken") }}
{{- /* no token unless the chart made the ServiceAccount the steps are to use */}}
{{- $_ := set $spec "automountServiceAccountToken" (.Values.serviceAccount.create | default false) }}
{{- end }}
{{- with $chain.initContainers }}{{ $_ := set $spec "initContainers" . }}{{ end }}
{{- $_ := set $spec "containers" (list (last $containers)) }}
{{- with concat (.Values.volumes | default list) $chain.volumes }}{{ $_ := set $spec "volumes" . }}{{ end }}
{{- $labels := merge (dict) ($pod.labels | default dict) (include "sequential-job.labels" . | fromYaml) }}
{{- $annotations := merge (dict) ($pod.annotations | default dict) (dict "kubectl.kubernetes.io/default-container" (last $containers).name) }}
{{- toJson (dict "metadata" (dict "labels" $labels "annotations" $annotations) "spec" $spec) }}
{{- end }}
