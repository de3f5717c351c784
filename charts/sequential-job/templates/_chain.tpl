{{/*
The chain: resolve, validate, render, once per render.
*/}}

{{/*
sequential-job.chain: computes the release's chain once per render and keeps it on the root context, which every
template of this chart shares (the Job or Volcano Job and NOTES.txt both need it). Fails, listing every values problem
at once, when there is any. Outputs nothing: read the result with (get $ "sequentialJobChain"), a map of
  steps:      each step after its override and stepDefaults, chart keys (script) included
  containers: each step as the container it runs as, in execution order (with shards: their mount, and $SHARD in
              script steps)
*/}}
{{- define "sequential-job.chain" -}}
{{- if not (hasKey . "sequentialJobChain") }}
{{- $values := .Values }}
{{- $overridden := list }}
{{- $steps := list }}
{{- $containers := list }}
{{- range $values.steps }}
{{- $step := include "sequential-job.overriddenStep" (dict "step" . "override" (get $values.stepOverrides (toString .name))) | fromJson }}
{{- $overridden = append $overridden $step }}
{{- $step = include "sequential-job.defaultedStep" (dict "step" $step "defaults" $values.stepDefaults) | fromJson }}
{{- $steps = append $steps $step }}
{{- $containers = append $containers (include "sequential-job.container" (dict "step" $step "shell" $values.stepDefaults.shell "sharded" (not (empty $values.shards))) | fromJson) }}
{{- end }}
{{- $problems := (include "sequential-job.problems" (dict "root" . "overridden" $overridden "steps" $steps "containers" $containers) | fromJson).problems }}
{{- if $problems }}
{{- fail (printf "%d %s in the values:\n  - %s" (len $problems) (ternary "problem" "problems" (eq (len $problems) 1)) (join "\n  - " $problems)) }}
{{- end }}
{{- $_ := set . "sequentialJobChain" (dict "steps" $steps "containers" $containers) }}
{{- end }}
{{- end }}
