{{/*
The chain: resolve, validate, render, once per render.
*/}}

{{/*
sequential-job.chain: computes the release's chain once per render and keeps it on the root context, which every
template of this chart shares (the workload, NOTES.txt and the ConfigMap need it). Fails, listing every values
problem at once, when there is any. Outputs nothing: read the result with (get $ "sequentialJobChain"), a map of
  steps:          each step after its override and stepDefaults, chart keys (script, ...) included
  sidecars:       each sidecar after stepDefaults, with `position`: the index of the step it starts before
  containers:     each step as the container it runs as, in execution order (with shards: their mount, and $SHARD
                  in script steps)
  initContainers: the pod's init containers: steps 1..n-1, each sidecar just before its step
  stepsDir:       whether the chain uses /steps (a step's timeout, error rule or results)
  volumes:        the volumes the chart adds to the pod's own
  podFailureRules: the Job's pod failure rules
*/}}
{{- define "sequential-job.chain" -}}
{{- if not (hasKey . "sequentialJobChain") }}
{{- $values := .Values }}
{{- $defaults := $values.stepDefaults }}
{{- $overridden := list }}
{{- $steps := list }}
{{- $names := list }}
{{- $stepsDir := false }}
{{- range $values.steps }}
{{- $step := include "sequential-job.overriddenStep" (dict "step" . "override" (get $values.stepOverrides (toString .name))) | fromJson }}
{{- $overridden = append $overridden $step }}
{{- $step = include "sequential-job.defaultedStep" (dict "step" $step "defaults" $defaults) | fromJson }}
{{- $steps = append $steps $step }}
{{- $names = append $names $step.name }}
{{- if or (include "sequential-job.isWrapped" $step) (include "sequential-job.readsResults" $step) }}{{ $stepsDir = true }}{{ end }}
{{- end }}
{{- $containers := list }}
{{- range $steps }}
{{- $containers = append $containers (include "sequential-job.container" (dict "step" . "shell" $defaults.shell "stepsDir" $stepsDir "sidecar" false "sharded" (not (empty $values.shards))) | fromJson) }}
{{- end }}
{{- /* sidecars take stepDefaults like steps, but none of the keys that only a step has */}}
{{- $sidecarDefaults := omit $defaults "timeoutSeconds" "onError" "onExitCodes" }}
{{- $sidecars := list }}
{{- range $values.sidecars }}
{{- $sidecar := include "sequential-job.defaultedStep" (dict "step" . "defaults" $sidecarDefaults) | fromJson }}
{{- $position := 0 }}
{{- range $i, $name := $names }}{{ if eq $name ($sidecar.before | default "") }}{{ $position = $i }}{{ end }}{{ end }}
{{- $_ := set $sidecar "container" (include "sequential-job.container" (dict "step" $sidecar "shell" $defaults.shell "stepsDir" false "sidecar" true "sharded" false) | fromJson) }}
{{- $_ = set $sidecar "position" $position }}
{{- $sidecars = append $sidecars $sidecar }}
{{- end }}
{{- $initContainers := list }}
{{- range $i, $container := $containers }}
{{- range $sidecars }}{{ if eq (int .position) $i }}{{ $initContainers = append $initContainers .container }}{{ end }}{{ end }}
{{- if lt $i (sub (len $containers) 1) }}{{ $initContainers = append $initContainers $container }}{{ end }}
{{- end }}
{{- $volumes := list }}
{{- if $stepsDir }}{{ $volumes = append $volumes (dict "name" "steps" "emptyDir" dict) }}{{ end }}
{{- if $values.shards }}
{{- $volumes = append $volumes (dict "name" (include "sequential-job.shardsVolume" .) "configMap" (dict "name" (include "sequential-job.shardsName" .))) }}
{{- end }}
{{- if $values.files }}
{{- $source := dict "name" (printf "%s-files" (include "sequential-job.fullname" .)) "defaultMode" 365 }}
{{- $volumes = append $volumes (dict "name" "files" "configMap" $source) }}
{{- end }}
{{- $rules := (include "sequential-job.podFailureRules" (dict "steps" $steps "job" $values.job) | fromJson).rules }}
{{- $chain := dict "steps" $steps "sidecars" $sidecars "containers" $containers "initContainers" $initContainers "stepsDir" $stepsDir "volumes" $volumes "podFailureRules" $rules }}
{{- $problems := (include "sequential-job.problems" (dict "root" . "overridden" $overridden "chain" $chain) | fromJson).problems }}
{{- if $problems }}
{{- fail (printf "%d %s in the values:\n  - %s" (len $problems) (ternary "problem" "problems" (eq (len $problems) 1)) (join "\n  - " $problems)) }}
{{- end }}
{{- $_ := set . "sequentialJobChain" $chain }}
{{- end }}
{{- end }}

{{/*
sequential-job.readsResults (a step): "true" when one of its env entries reads an earlier step's result.
*/}}
{{- define "sequential-job.readsResults" -}}
{{- range .env }}{{ if .fromStep }}true{{ end }}{{ end }}
{{- end }}

{{/*
sequential-job.podFailureRules (dict "steps" defaulted steps "job" .Values.job): the Job's pod failure rules, as
{"rules": [...]}: one per entry of each step's onExitCodes (watching that step's container, its exit codes in the
increasing order Kubernetes requires), then Ignore on DisruptionTarget for job.ignoreDisruptions, then the rules of
job.podFailurePolicy as written.
*/}}
{{- define "sequential-job.podFailureRules" -}}
{{- $rules := list }}
{{- range .steps }}
{{- $container := .name }}
{{- range .onExitCodes }}
{{- $padded := list }}
{{- range .values }}{{ $padded = append $padded (printf "%03d" (int .)) }}{{ end }}
{{- $codes := list }}
{{- range sortAlpha $padded }}{{ $codes = append $codes (atoi (trimPrefix "0" (trimPrefix "0" .))) }}{{ end }}
{{- $match := dict "containerName" $container "operator" (.operator | default "In") "values" $codes }}
{{- $rules = append $rules (dict "action" .action "onExitCodes" $match) }}
{{- end }}
{{- end }}
{{- if .job.ignoreDisruptions }}
{{- $rules = append $rules (dict "action" "Ignore" "onPodConditions" (list (dict "type" "DisruptionTarget" "status" "True"))) }}
{{- end }}
{{- with .job.podFailurePolicy }}{{ range .rules }}{{ $rules = append $rules . }}{{ end }}{{ end }}
{{- toJson (dict "rules" $rules) }}
{{- end }}
