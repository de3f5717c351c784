{{/*
Resource requests, for NOTES.txt.
*/}}

{{/*
sequential-job.quantity: a Kubernetes resource quantity ("3", "500m", "1.5Gi", "1e3") as a plain number, for
comparing requests. values.schema.json has already checked the syntax.
*/}}
{{- define "sequential-job.quantity" -}}
{{- $q := toString . }}
{{- $units := dict "" 1.0 "m" 0.001 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "P" 1e15 "E" 1e18 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 "Ei" 1152921504606846976.0 }}
{{- if regexMatch "^[+]?[0-9.]+([eE][+-]?[0-9]+)?$" $q }}
{{- float64 $q }}
{{- else }}
{{- $number := regexFind "^[+]?[0-9.]+" $q }}
{{- mulf (float64 $number) (get $units (trimPrefix $number $q)) }}
{{- end }}
{{- end }}

{{/*
sequential-job.effectiveRequests (the containers in execution order): what the scheduler reserves for the pod. Init
containers run one at a time, so for each resource it is the larger of the largest init container request and the
regular container's request. Returns JSON {"<resource>": {"quantity": "<as written>", "step": "<step that sets it>"}}.
*/}}
{{- define "sequential-job.effectiveRequests" -}}
{{- $best := dict }}
{{- range . }}
{{- $step := .name }}
{{- range $resource, $quantity := ((.resources | default dict).requests | default dict) }}
{{- $value := include "sequential-job.quantity" $quantity | float64 }}
{{- $current := get $best $resource }}
{{- if or (not $current) (gt $value $current.value) }}
{{- $_ := set $best $resource (dict "value" $value "quantity" (toString $quantity) "step" $step) }}
{{- end }}
{{- end }}
{{- end }}
{{- toJson $best }}
{{- end }}
