{{/*
Step resolution: from the values' steps, stepOverrides, stepDefaults and sidecars to the entries the chain is built
from. Nothing here checks (the _validate-*.tpl files do) or renders a container (_pod.tpl does).
*/}}

{{/*
sequential-job.resolveEntries (dict "values" .Values "const" constants): every step and sidecar after merging, as
{"steps": [...], "sidecars": [...]}. An entry:
  name, index, role    "step" or "sidecar"
  label                how messages name it: "steps[1] (build)", "sidecars[0] (proxy)"
  own                  what the values set for it alone: the step with its stepOverrides entry deep-merged in (maps
                       merge, lists and scalars replace, env merges by name); a sidecar as written
  spec                 own with stepDefaults under it: maps deep-merge (own keys win), env merges by name,
                       volumeMounts are added after own's at paths own does not use, any other field applies where own
                       sets none (script and command count as one). A sidecar takes every default but the step-only keys.
  wrapped              a step that runs inside the chart's wrapper: it has a timeout, an error rule, results or retries,
                       or resume is on
  last                 the last step
  readsResults         an env entry reads an earlier step's result (fromStep)
  position             the index of the step the entry runs as (a step) or starts just before (a sidecar)
*/}}
{{- define "sequential-job.resolveEntries" -}}
{{- $values := .values }}
{{- $const := .const }}
{{- $stepDefaults := include "sequential-job.fieldsSet" (list $values.stepDefaults $const.defaultsOnlyKeys) | fromJson }}
{{- $sidecarDefaults := include "sequential-job.fieldsSet" (list $stepDefaults $const.stepOnlyKeys) | fromJson }}
{{- $positions := dict }}
{{- range $i, $step := $values.steps }}{{ $_ := set $positions (toString $step.name) $i }}{{ end }}
{{- $steps := list }}
{{- range $i, $step := $values.steps }}
{{- $override := get ($values.stepOverrides | default dict) (toString $step.name) | default dict }}
{{- $own := $step }}
{{- if $override }}
{{- $own = include "sequential-job.deepMerge" (list $step (omit $override "env")) | fromJson }}
{{- with $override.env }}
{{- $_ := set $own "env" (include "sequential-job.mergeEnv" (list $step.env .) | fromJson).env }}
{{- end }}
{{- end }}
{{- $spec := include "sequential-job.defaulted" (dict "own" $own "defaults" $stepDefaults) | fromJson }}
{{- $label := printf "steps[%d] (%s)" $i $own.name }}
{{- $wrapped := or $values.resume.enabled $spec.timeoutSeconds $spec.onError $spec.results $spec.retries }}
{{- $entry := dict "name" $own.name "index" $i "role" "step" "label" $label "own" $own "spec" $spec "position" $i }}
{{- $_ := set $entry "wrapped" (not (not $wrapped)) }}
{{- $_ = set $entry "last" (eq $i (sub (len $values.steps) 1)) }}
{{- $_ = set $entry "readsResults" (include "sequential-job.readsResults" $spec | eq "true") }}
{{- $steps = append $steps $entry }}
{{- end }}
{{- $sidecars := list }}
{{- range $i, $sidecar := $values.sidecars }}
{{- $spec := include "sequential-job.defaulted" (dict "own" $sidecar "defaults" $sidecarDefaults) | fromJson }}
{{- $position := get $positions (toString ($sidecar.before | default "")) | default 0 }}
{{- $entry := dict "name" $sidecar.name "index" $i "role" "sidecar" "label" (printf "sidecars[%d] (%s)" $i $sidecar.name) "own" $sidecar "spec" $spec "position" $position "wrapped" false }}
{{- $_ := set $entry "readsResults" (include "sequential-job.readsResults" $spec | eq "true") }}
{{- $sidecars = append $sidecars $entry }}
{{- end }}
{{- toJson (dict "steps" $steps "sidecars" $sidecars) }}
{{- end }}

{{/*
sequential-job.defaulted (dict "own" what the values set "defaults" the defaults that apply): defaults applied under
own, by the rules of sequential-job.resolveEntries. Returns JSON.
*/}}
{{- define "sequential-job.defaulted" -}}
{{- $own := .own }}
{{- $defaults := omit .defaults "env" "volumeMounts" }}
{{- if or $own.script $own.command }}{{ $defaults = omit $defaults "script" "command" }}{{ end }}
{{- $merged := include "sequential-job.deepMerge" (list $defaults (omit $own "env" "volumeMounts")) | fromJson }}
{{- /* each list merged only when both sides have one: the merge is a JSON round trip per step */}}
{{- if and .defaults.env $own.env }}
{{- $_ := set $merged "env" (include "sequential-job.mergeEnv" (list .defaults.env $own.env) | fromJson).env }}
{{- else if (.defaults.env | default $own.env) }}
{{- $_ := set $merged "env" (.defaults.env | default $own.env) }}
{{- end }}
{{- if and .defaults.volumeMounts $own.volumeMounts }}
{{- $_ := set $merged "volumeMounts" (include "sequential-job.mergeMounts" (list $own.volumeMounts .defaults.volumeMounts) | fromJson).volumeMounts }}
{{- else if ($own.volumeMounts | default .defaults.volumeMounts) }}
{{- $_ := set $merged "volumeMounts" ($own.volumeMounts | default .defaults.volumeMounts) }}
{{- end }}
{{- toJson $merged }}
{{- end }}

{{/* sequential-job.readsResults (an entry's spec): "true" when one of its env entries reads a result (fromStep). */}}
{{- define "sequential-job.readsResults" -}}
{{- range .env }}{{ if .fromStep }}true{{ break }}{{ end }}{{ end }}
{{- end }}

{{/*
sequential-job.origin (dict "values" .Values "entry" an entry "key" a field ["matchField" f "matchValue" v] ["shared"
true]): the values path that set the entry's field, so that a message names the key the user wrote:
"stepOverrides.build.env[0]", "steps[1] (build).timeoutSeconds", or "stepDefaults.timeoutSeconds (applied to steps[1]
(build))" (without the step when shared: a problem of the default itself, reported once). With matchField, the path
of the list item whose field f is v (an env entry by name, a mount by mountPath).
*/}}
{{- define "sequential-job.origin" -}}
{{- $entry := .entry }}
{{- $key := .key }}
{{- $sources := list }}
{{- if eq $entry.role "step" }}
{{- $override := get (.values.stepOverrides | default dict) (toString $entry.name) | default dict }}
{{- $sources = append $sources (dict "value" $override "path" (printf "stepOverrides.%s" $entry.name)) }}
{{- /* a list an override sets replaces the step's own (but env, which merges by name) */}}
{{- if or (eq $key "env") (kindIs "invalid" (index $override $key)) }}
{{- $sources = append $sources (dict "value" (index .values.steps (int $entry.index)) "path" $entry.label) }}
{{- end }}
{{- else }}
{{- $sources = append $sources (dict "value" (index .values.sidecars (int $entry.index)) "path" $entry.label) }}
{{- end }}
{{- $sources = append $sources (dict "value" .values.stepDefaults "path" "stepDefaults" "applied" $entry.label) }}
{{- $found := "" }}
{{- range $source := $sources }}
{{- $value := index $source.value $key }}
{{- if and (not $found) (hasKey $source.value $key) (not (kindIs "invalid" $value)) }}
{{- if $.matchField }}
{{- range $j, $item := $value }}
{{- if and (not $found) (eq (toString (get $item $.matchField)) (toString $.matchValue)) }}
{{- $found = printf "%s.%s[%d]" $source.path $key $j }}
{{- end }}
{{- end }}
{{- else }}
{{- $found = printf "%s.%s" $source.path $key }}
{{- end }}
{{- if and $found $source.applied (not $.shared) }}{{ $found = printf "%s (applied to %s)" $found $source.applied }}{{ end }}
{{- end }}
{{- end }}
{{- $found | default (printf "%s.%s" $entry.label $key) }}
{{- end }}
