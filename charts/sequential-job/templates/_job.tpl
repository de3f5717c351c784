{{/*
The batch/v1 JobSpec, for job.yaml and any other kind that embeds one.
*/}}

{{/*
sequential-job.jobSpec: the batch/v1 JobSpec, pod template included, as JSON: every `job` value but the chart's own
(labels, annotations, nameSuffix, ignoreDisruptions), as written (null and empty values left out), with the pod failure policy's
rules made from the steps' onExitCodes, ignoreDisruptions and job.podFailurePolicy. backoffLimit is 0 unless set, or
unset when backoffLimitPerIndex is set (Kubernetes then allows any number of failures in total, so one failing index
does not fail the Job). With shards, completionMode is Indexed and completions their number.
*/}}
{{- define "sequential-job.jobSpec" -}}
{{- include "sequential-job.chain" . }}
{{- $spec := include "sequential-job.withoutEmpty" (omit .Values.job "labels" "annotations" "nameSuffix" "ignoreDisruptions" "podFailurePolicy") | fromJson }}
{{- with (get . "sequentialJobChain").podFailureRules }}{{ $_ := set $spec "podFailurePolicy" (dict "rules" .) }}{{ end }}
{{- if not (or (hasKey $spec "backoffLimit") (hasKey $spec "backoffLimitPerIndex")) }}
{{- $_ := set $spec "backoffLimit" 0 }}
{{- end }}
{{- with .Values.shards }}
{{- $_ := set $spec "completionMode" "Indexed" }}
{{- $_ := set $spec "completions" (len .) }}
{{- end }}
{{- $_ := set $spec "template" (include "sequential-job.podTemplate" . | fromJson) }}
{{- toJson $spec }}
{{- end }}
