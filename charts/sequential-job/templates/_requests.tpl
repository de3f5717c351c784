{{/*
Resource requests, for NOTES.txt.
*/}}

{{/*
sequential-job.quantity: a Kubernetes resource quantity ("3", "500m", "500000u", "1.5Gi", "1e3") as a plain number, for
comparing requests. values.schema.json has already checked the syntax.
*/}}
{{- define "sequential-job.quantity" -}}
{{- $q := toString . }}
{{- $units := dict "" 1.0 "n" 1e-9 "u" 1e-6 "m" 0.001 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "P" 1e15 "E" 1e18 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 "Ei" 1152921504606846976.0 }}
{{- if regexMatch "^[+]?[0-9.]+([eE][+-]?[0-9]+)?$" $q }}
{{- float64 $q }}
{{- else }}
{{- $number := regexFind "^[+]?[0-9.]+" $q }}
{{- mulf (float64 $number) (get $units (trimPrefix $number $q)) }}
{{- end }}
{{- end }}

{{/*
sequential-job.effectiveRequests (dict "init" init containers in order "main" the regular containers): what the
scheduler reserves for the pod, by Kubernetes' own formula: init containers run one at a time, a sidecar (restartPolicy
Always) keeps its request from its start on, so each init step needs its own request plus the sidecars started before
it, and the regular containers need theirs plus every sidecar; the pod reserves the largest of these. Returns JSON
{"<resource>": {"value": <number>, "quantity": "<as written, or the sum>", "where": "step <name>[ + sidecars ...]"}}.
*/}}
{{- define "sequential-job.effectiveRequests" -}}
{{- $resources := list }}
{{- range (concat .init .main) }}
{{- range $resource, $_ := ((.resources | default dict).requests | default dict) }}
{{- $resources = append $resources $resource }}
{{- end }}
{{- end }}
{{- $best := dict }}
{{- range $resource := ($resources | uniq | sortAlpha) }}
{{- $sidecars := list }}
{{- $sidecarSum := 0.0 }}
{{- $top := dict "value" -1.0 }}
{{- range $.init }}
{{- $written := get ((.resources | default dict).requests | default dict) $resource | default "0" }}
{{- $value := include "sequential-job.quantity" $written | float64 }}
{{- if eq (toString .restartPolicy) "Always" }}
{{- $sidecarSum = addf $sidecarSum $value }}
{{- $sidecars = append $sidecars .name }}
{{- if gt $sidecarSum $top.value }}{{ $top = dict "value" $sidecarSum "where" (printf "sidecars %s" (join ", " $sidecars)) }}{{ end }}
{{- else }}
{{- $total := addf $value $sidecarSum }}
{{- if gt $total $top.value }}
{{- $top = dict "value" $total "where" (printf "step %s" .name) "written" $written "sidecars" $sidecars }}
{{- end }}
{{- end }}
{{- end }}
{{- $mainSum := $sidecarSum }}
{{- $mainWritten := "0" }}
{{- range $.main }}
{{- $mainWritten = get ((.resources | default dict).requests | default dict) $resource | default "0" }}
{{- $mainSum = addf $mainSum (include "sequential-job.quantity" $mainWritten | float64) }}
{{- end }}
{{- if gt $mainSum $top.value }}
{{- $top = dict "value" $mainSum "where" (printf "step %s" (last $.main).name) "written" $mainWritten "sidecars" $sidecars }}
{{- end }}
{{- $quantity := include "sequential-job.formatQuantity" (dict "resource" $resource "value" $top.value) }}
{{- $where := $top.where }}
{{- if $top.sidecars }}
{{- $where = printf "%s + sidecars %s" $top.where (join ", " $top.sidecars) }}
{{- else if hasKey $top "written" }}
{{- $quantity = toString $top.written }}
{{- end }}
{{- if gt $top.value 0.0 }}
{{- $_ := set $best $resource (dict "value" $top.value "quantity" $quantity "where" $where) }}
{{- end }}
{{- end }}
{{- toJson $best }}
{{- end }}

{{/*
sequential-job.peakPods: how many of the release's pods can run at once: a batch/v1 Job's parallelism (Kubernetes'
default 1) up to its completions (the number of shards, or job.completions); a Volcano Job's replicas (one per shard),
which it creates all at once.
*/}}
{{- define "sequential-job.peakPods" -}}
{{- $shards := len (.Values.shards | default list) }}
{{- if .Values.volcano.enabled }}
{{- max $shards 1 }}
{{- else }}
{{- $parallelism := int (.Values.job.parallelism | default 1) }}
{{- $completions := ternary $shards (int (.Values.job.completions | default $parallelism)) (gt $shards 0) }}
{{- min $parallelism $completions }}
{{- end }}
{{- end }}

{{/*
sequential-job.formatQuantity (dict "resource" name "value" number): a number of cores (cpu) or units (bytes, ...) as
a Kubernetes quantity: whole or milli-cores for cpu; otherwise with the suffix (binary or decimal) that divides it
exactly and leaves the smallest number, or plain.
*/}}
{{- define "sequential-job.formatQuantity" -}}
{{- $v := float64 .value }}
{{- if eq .resource "cpu" }}
{{- $milli := round (mulf $v 1000) 0 | int64 }}
{{- if eq (mod $milli 1000) 0 }}{{ div $milli 1000 }}{{ else }}{{ $milli }}m{{ end }}
{{- else }}
{{- $best := dict "number" $v "suffix" "" }}
{{- range $s := list "Ki" "Mi" "Gi" "Ti" "Pi" "Ei" "k" "M" "G" "T" "P" "E" }}
{{- $n := divf $v (include "sequential-job.quantity" (printf "1%s" $s) | float64) }}
{{- if and (ge $n 1.0) (eq (floor $n) $n) (lt $n $best.number) }}
{{- $best = dict "number" $n "suffix" $s }}
{{- end }}
{{- end }}
{{- if eq (floor $best.number) $best.number }}{{ int64 $best.number }}{{ else }}{{ $best.number }}{{ end }}{{ $best.suffix }}
{{- end }}
{{- end }}
