{{/*
The CronJob's settings, shared by the batch/v1 CronJob and Volcano's.
*/}}

{{/*
sequential-job.cronJobSettings: the CronJob spec fields from cronJob, as YAML: those set, and concurrencyPolicy
(Forbid unless set: a chain must not overlap itself).
*/}}
{{- define "sequential-job.cronJobSettings" -}}
{{- $settings := include "sequential-job.withoutEmpty" .Values.cronJob | fromJson }}
{{- $_ := set $settings "concurrencyPolicy" (.Values.cronJob.concurrencyPolicy | default "Forbid") }}
{{- toYaml $settings }}
{{- end }}
