{{/*
Names, labels and metadata. Every object's name, namespace, labels and annotations are decided once, in
sequential-job.release (_release.tpl); the helpers here compute the parts, and sequential-job.metadata renders them.
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

{{/* sequential-job.withSuffix (list name suffix): name-suffix within 63 characters, the name shortened first. */}}
{{- define "sequential-job.withSuffix" -}}
{{- $suffix := index . 1 }}
{{- if $suffix }}
{{- printf "%s-%s" (index . 0 | trunc (sub 62 (len $suffix) | int) | trimSuffix "-") $suffix }}
{{- else }}
{{- index . 0 | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
sequential-job.metadata (an object of the release description): the object's metadata block, as YAML: name,
namespace (every object the chart renders is namespaced, so that Helm, kustomize and Argo CD place them alike),
labels and annotations.
*/}}
{{- define "sequential-job.metadata" -}}
name: {{ .name }}
namespace: {{ .namespace }}
labels:
  {{- include "sequential-job.toYaml" .labels | nindent 2 }}
{{- with .annotations }}
annotations:
  {{- include "sequential-job.toYaml" . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
sequential-job.toYaml (a value): the value as YAML for a template to indent, or as JSON (which YAML reads too) when a
string in it holds U+2028 or U+2029: YAML reads those as line breaks, so a block scalar holding one would not parse
back, where a JSON string escapes them.
*/}}
{{- define "sequential-job.toYaml" -}}
{{- $yaml := toYaml . }}
{{- if regexMatch "[\u2028\u2029]" $yaml }}{{ toJson . }}{{ else }}{{ $yaml }}{{ end }}
{{- end }}
