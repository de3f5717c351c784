{{/*
Merging values: the rules stepDefaults and stepOverrides follow. Each returns a JSON object.
*/}}

{{/*
sequential-job.deepMerge (list base over): a copy of base with over merged in; maps merge key by key, any other value
in over (lists, scalars, false, 0, "", null) replaces the one in base.
*/}}
{{- define "sequential-job.deepMerge" -}}
{{- $base := deepCopy (index . 0 | default dict) }}
{{- range $key, $value := (index . 1 | default dict) }}
{{- $current := get $base $key }}
{{- if and (kindIs "map" $value) (kindIs "map" $current) }}
{{- $_ := set $base $key (include "sequential-job.deepMerge" (list $current $value) | fromJson) }}
{{- else }}
{{- $_ := set $base $key $value }}
{{- end }}
{{- end }}
{{- toJson $base }}
{{- end }}

{{/*
sequential-job.mergeEnv (list base over): base's variables in order, each replaced by over's variable of the same name,
then over's other variables in order. Returns {"env": [...]}.
*/}}
{{- define "sequential-job.mergeEnv" -}}
{{- $over := index . 1 | default list }}
{{- $overByName := dict }}
{{- range $over }}{{ $_ := set $overByName .name . }}{{ end }}
{{- $merged := list }}
{{- $baseNames := dict }}
{{- range (index . 0 | default list) }}
{{- $_ := set $baseNames .name true }}
{{- $merged = append $merged (get $overByName .name | default .) }}
{{- end }}
{{- range $over }}
{{- if not (hasKey $baseNames .name) }}{{ $merged = append $merged . }}{{ end }}
{{- end }}
{{- toJson (dict "env" $merged) }}
{{- end }}

{{/*
sequential-job.mergeMounts (list own defaults): own's mounts, then the defaults' mounts at paths own does not use.
Returns {"volumeMounts": [...]}.
*/}}
{{- define "sequential-job.mergeMounts" -}}
{{- $mounts := index . 0 | default list }}
{{- $paths := list }}
{{- range $mounts }}{{ $paths = append $paths .mountPath }}{{ end }}
{{- range (index . 1 | default list) }}
{{- if not (has .mountPath $paths) }}{{ $mounts = append $mounts . }}{{ end }}
{{- end }}
{{- toJson (dict "volumeMounts" $mounts) }}
{{- end }}

{{/*
sequential-job.fieldsSet (list map keys): the map's fields but those named in keys and those null or empty ("", [],
{}), which Kubernetes reads as unset anyway (false and 0 are kept); a null is how a values file removes a chart
default. Returns JSON.
*/}}
{{- define "sequential-job.fieldsSet" -}}
{{- $omit := index . 1 }}
{{- $kept := dict }}
{{- range $key, $value := (index . 0 | default dict) }}
{{- if and (not (has $key $omit)) (or $value (kindIs "bool" $value) (kindIs "float64" $value) (kindIs "int" $value) (kindIs "int64" $value)) }}
{{- $_ := set $kept $key $value }}
{{- end }}
{{- end }}
{{- toJson $kept }}
{{- end }}
