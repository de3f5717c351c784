{{/*
The Volcano Job's spec.
*/}}

{{/*
sequential-job.volcanoJobSpec: the Volcano JobSpec (batch.volcano.sh/v1alpha1), one task running the pod template (a
replica per shard, minAvailable of them ganged), as JSON: the Volcano Job renders it and a Volcano CronJob's
jobTemplate uses it, so the two cannot drift.
*/}}
{{- define "sequential-job.volcanoJobSpec" -}}
{{- $volcano := .Values.volcano }}
{{- $replicas := len .Values.shards | max 1 }}
{{- $task := dict "name" $volcano.taskName "replicas" $replicas "minAvailable" (int $volcano.minAvailable) "template" (include "sequential-job.podTemplate" . | fromJson) }}
{{- $spec := dict "schedulerName" $volcano.schedulerName "queue" $volcano.queue "minAvailable" (int $volcano.minAvailable) "tasks" (list $task) }}
{{- if include "sequential-job.isSet" $volcano.maxRetry }}
{{- $_ := set $spec "maxRetry" (int $volcano.maxRetry) }}
{{- end }}
{{- if include "sequential-job.isSet" .Values.job.ttlSecondsAfterFinished }}
{{- $_ := set $spec "ttlSecondsAfterFinished" (int .Values.job.ttlSecondsAfterFinished) }}
{{- end }}
{{- with $volcano.priorityClassName }}{{ $_ := set $spec "priorityClassName" . }}{{ end }}
{{- with $volcano.policies }}{{ $_ := set $spec "policies" . }}{{ end }}
{{- $plugins := $volcano.plugins | default dict }}
{{- if and .Values.shards (not (hasKey $plugins "env")) }}
{{- /* Volcano's env plugin gives every container (init containers too) its pod's index as VC_TASK_INDEX */}}
{{- $plugins = merge (dict "env" list) $plugins }}
{{- end }}
{{- with $plugins }}{{ $_ := set $spec "plugins" . }}{{ end }}
{{- toJson $spec }}
{{- end }}
