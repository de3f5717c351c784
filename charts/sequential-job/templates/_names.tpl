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
sequential-job.workloadName: <fullname>-<release revision>. A Job's pod template is immutable, so every
`helm upgrade` creates a new Job (or Volcano Job) under a new name and Helm deletes the previous one. The name stays
within 63 characters because the Job controller copies it into a label value.
*/}}
{{- define "sequential-job.workloadName" -}}
{{- $suffix := printf "-%d" (int .Release.Revision) }}
{{- printf "%s%s" (include "sequential-job.fullname" . | trunc (sub 63 (len $suffix) | int) | trimSuffix "-") $suffix }}
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

{{/* sequential-job.shardsName: the ConfigMap that holds the shards, one per Job (<workload name>-shards). */}}
{{- define "sequential-job.shardsName" -}}
{{- printf "%s-shards" (include "sequential-job.workloadName" .) }}
{{- end }}
