{{/*
The batch/v1 Job's spec.
*/}}

{{/*
sequential-job.jobSpec: the batch/v1 JobSpec, as JSON: the Job renders it and a CronJob's jobTemplate uses it, so the
two cannot drift.
*/}}
{{- define "sequential-job.jobSpec" -}}
{{- $job := .Values.job }}
{{- $spec := dict "backoffLimit" (int64 $job.backoffLimit) }}
{{- if include "sequential-job.isSet" $job.ttlSecondsAfterFinished }}
{{- $_ := set $spec "ttlSecondsAfterFinished" (int64 $job.ttlSecondsAfterFinished) }}
{{- end }}
{{- if include "sequential-job.isSet" $job.activeDeadlineSeconds }}
{{- $_ := set $spec "activeDeadlineSeconds" (int64 $job.activeDeadlineSeconds) }}
{{- end }}
{{- $_ := set $spec "template" (include "sequential-job.podTemplate" . | fromYaml) }}
{{- toJson $spec }}
{{- end }}
