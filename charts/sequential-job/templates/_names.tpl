{{/*
Names and labels.
*/}}

{{/* sequential-job.name: the chart's name, or nameOverride. */}}
{{- define "sequential-job.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* sequential-job.fullname: fullnameOverride, or <release>-<chart> (<release> when it contains the chart name). */}}
{{- define "sequential-job.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
sequential-job.nameSuffix: the job.nameSuffix mode in force: revision, hash or none (unset: revision, or none for a
hook, whose before-hook-creation policy then replaces the previous run).
*/}}
{{- define "sequential-job.nameSuffix" -}}
{{- .Values.job.nameSuffix | default (ternary "none" "revision" .Values.hook.enabled) }}
{{- end }}

{{/*
sequential-job.workloadName: the Job's (or Volcano Job's) name, <fullname>-<suffix> by job.nameSuffix: the release
revision, 10 hex digits of the sha256 of the rendered spec (what runs: pod template, retries, deadlines), or none.
A Job's pod template is immutable, so a changed chain needs a new name. The name stays within 63 characters because
the Job controller copies it into a label value.
*/}}
{{- define "sequential-job.workloadName" -}}
{{- $mode := include "sequential-job.nameSuffix" . }}
{{- $suffix := "" }}
{{- if eq $mode "revision" }}
{{- $suffix = printf "-%d" (int .Release.Revision) }}
{{- else if eq $mode "hash" }}
{{- $spec := ternary "sequential-job.volcanoJobSpec" "sequential-job.jobSpec" .Values.volcano.enabled }}
{{- $suffix = printf "-%s" (include $spec . | sha256sum | trunc 10) }}
{{- end }}
{{- printf "%s%s" (include "sequential-job.fullname" . | trunc (sub 63 (len $suffix) | int) | trimSuffix "-") $suffix }}
{{- end }}

{{/*
sequential-job.cronJobName: the CronJob's name, <fullname> within 52 characters: the CronJob controller appends 11
(-<minutes since the epoch>) to name the Jobs it creates, and Kubernetes refuses a longer CronJob name.
*/}}
{{- define "sequential-job.cronJobName" -}}
{{- include "sequential-job.fullname" . | trunc 52 | trimSuffix "-" }}
{{- end }}

{{/* sequential-job.chart: <chart>-<version>, for the helm.sh/chart label. */}}
{{- define "sequential-job.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* sequential-job.selectorLabels: the labels that tell this release's objects apart. */}}
{{- define "sequential-job.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sequential-job.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* sequential-job.labels: the standard labels on every object the chart renders. */}}
{{- define "sequential-job.labels" -}}
helm.sh/chart: {{ include "sequential-job.chart" . }}
{{ include "sequential-job.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: sequential-job
{{- end }}

{{/*
sequential-job.serviceAccountName: the ServiceAccount the pod runs as: pod.serviceAccountName, serviceAccount.name,
or the release's full name when the chart creates it; empty for the namespace's default.
*/}}
{{- define "sequential-job.serviceAccountName" -}}
{{- if .Values.pod.serviceAccountName }}{{ .Values.pod.serviceAccountName }}
{{- else if .Values.serviceAccount.name }}{{ .Values.serviceAccount.name }}
{{- else if .Values.serviceAccount.create }}{{ include "sequential-job.fullname" . }}
{{- end }}
{{- end }}

{{/*
sequential-job.shardsName: the ConfigMap that holds the shards, one per Job: <workload name>-shards with revision
names; with hash or no suffix, <fullname>-shards-<10 hex digits of their sha256>, since the workload's hash covers the
pod template that names this ConfigMap, and a Job of a fixed name must not see its shards change under it.
*/}}
{{- define "sequential-job.shardsName" -}}
{{- if eq (include "sequential-job.nameSuffix" .) "revision" }}
{{- printf "%s-shards" (include "sequential-job.workloadName" .) }}
{{- else }}
{{- printf "%s-shards-%s" (include "sequential-job.fullname" . | trunc 45 | trimSuffix "-") (toJson .Values.shards | sha256sum | trunc 10) }}
{{- end }}
{{- end }}

{{/*
sequential-job.jobLabels: the labels of the Job (and of the Jobs a CronJob creates): the standard labels, job.labels
and Kueue's queue and priority labels.
*/}}
{{- define "sequential-job.jobLabels" -}}
{{ include "sequential-job.labels" . }}
{{- with .Values.job.labels }}
{{ toYaml . }}
{{- end }}
{{- with .Values.kueue.queueName }}
kueue.x-k8s.io/queue-name: {{ . | quote }}
{{- end }}
{{- with .Values.kueue.priorityClass }}
kueue.x-k8s.io/priority-class: {{ . | quote }}
{{- end }}
{{- end }}

{{/*
sequential-job.hookAnnotations: in hook mode, the annotations that make the Job a Helm hook (events, weight, delete
policy), as YAML; nothing otherwise.
*/}}
{{- define "sequential-job.hookAnnotations" -}}
{{- with .Values.hook }}
{{- if .enabled }}
helm.sh/hook: {{ join "," .events | quote }}
helm.sh/hook-weight: {{ int .weight | toString | quote }}
{{- with .deletePolicy }}
helm.sh/hook-delete-policy: {{ join "," . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
