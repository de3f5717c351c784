{{/*
Step resolution: from the values' steps, stepOverrides and stepDefaults to the containers the pod runs.
*/}}

{{/*
sequential-job.overriddenStep (dict "step" steps[i] "override" stepOverrides[name]): the step with its override
deep-merged in (maps merge, lists and scalars replace, env merges by name). Returns JSON.
*/}}
{{- define "sequential-job.overriddenStep" -}}
{{- $override := .override | default dict }}
{{- $step := include "sequential-job.deepMerge" (list .step (omit $override "env")) | fromJson }}
{{- with $override.env }}
{{- $_ := set $step "env" (include "sequential-job.mergeEnv" (list $step.env .) | fromJson).env }}
{{- end }}
{{- toJson $step }}
{{- end }}

{{/*
sequential-job.defaultedStep (dict "step" overridden step "defaults" stepDefaults): stepDefaults applied under the
step. Maps deep-merge (the step's keys win), env merges by name, volumeMounts are added after the step's own at paths
it does not use, any other field applies where the step sets none; script and command count as one field, so a step
that sets either keeps its own. Returns JSON.
*/}}
{{- define "sequential-job.defaultedStep" -}}
{{- $step := .step }}
{{- $defaults := omit .defaults "shell" "env" "volumeMounts" }}
{{- if or $step.script $step.command }}{{ $defaults = omit $defaults "script" "command" }}{{ end }}
{{- $merged := include "sequential-job.deepMerge" (list $defaults (omit $step "env" "volumeMounts")) | fromJson }}
{{- with (include "sequential-job.mergeEnv" (list .defaults.env $step.env) | fromJson).env }}
{{- $_ := set $merged "env" . }}
{{- end }}
{{- with (include "sequential-job.mergeMounts" (list $step.volumeMounts .defaults.volumeMounts) | fromJson).volumeMounts }}
{{- $_ := set $merged "volumeMounts" . }}
{{- end }}
{{- toJson $merged }}
{{- end }}

{{/*
sequential-job.container (dict "step" defaulted step "shell" stepDefaults.shell): the step as a Kubernetes Container:
every field as it is, except that script becomes command [shell, -c, script] and null or empty fields are left out.
Returns JSON.
*/}}
{{- define "sequential-job.container" -}}
{{- $container := include "sequential-job.withoutEmpty" (omit .step "script") | fromJson }}
{{- with .step.script }}
{{- $_ := set $container "command" (list $.shell "-c" .) }}
{{- end }}
{{- toJson $container }}
{{- end }}
