{{/*
The pod template.
*/}}

{{/*
sequential-job.podTemplate: the pod template (metadata and spec) shared by the batch/v1 Job and the Volcano Job, so
the two cannot drift. Steps 1..n-1 are initContainers, step n is the only container; every other pod field is the
values' `pod` as written, less the chart's own keys and null or empty values.
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
{{- with concat (.Values.volumes | default list) $chain.volumes }}{{ $_ := set $spec "volumes" . }}{{ end -}}
metadata:
  labels:
    {{- include "sequential-job.labels" . | nindent 4 }}
    {{- with $pod.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    kubectl.kubernetes.io/default-container: {{ (last $containers).name }}
    {{- with $pod.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- toYaml $spec | nindent 2 }}
{{- end }}
