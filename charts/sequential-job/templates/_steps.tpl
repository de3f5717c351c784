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
sequential-job.container (dict "step" defaulted step "shell" stepDefaults.shell "sharded" true when shards are set): the
step as a Kubernetes Container: every field as it is, except that script becomes command [shell, -c, script] and null
or empty fields are left out. A sharded step also mounts the shards read-only at /shards, and its script starts by
reading its own shard into $SHARD. Returns JSON.
*/}}
{{- define "sequential-job.container" -}}
{{- $container := include "sequential-job.withoutEmpty" (omit .step "script") | fromJson }}
{{- with .step.script }}
{{- $script := ternary (printf "%s\n%s" (include "sequential-job.shardPreamble" $) .) . $.sharded }}
{{- $_ := set $container "command" (list $.shell "-c" $script) }}
{{- end }}
{{- if .sharded }}
{{- $mount := dict "name" (include "sequential-job.shardsVolume" .) "mountPath" (include "sequential-job.shardsPath" .) "readOnly" true }}
{{- $_ := set $container "volumeMounts" (append ($container.volumeMounts | default list) $mount) }}
{{- end }}
{{- toJson $container }}
{{- end }}

{{/* sequential-job.shardsVolume: the name of the pod volume that holds the shards. */}}
{{- define "sequential-job.shardsVolume" -}}
shards
{{- end }}

{{/* sequential-job.shardsPath: where every step of a fanned-out chain finds the shards, one file per index. */}}
{{- define "sequential-job.shardsPath" -}}
/shards
{{- end }}

{{/*
sequential-job.shardPreamble: the shell line a sharded script step starts with: its own shard (the file named after
the pod's index: JOB_COMPLETION_INDEX in a batch/v1 Job, VC_TASK_INDEX from Volcano's env plugin) into $SHARD, or exit
when it cannot be read.
*/}}
{{- define "sequential-job.shardPreamble" -}}
SHARD="$(cat "{{ include "sequential-job.shardsPath" . }}/${JOB_COMPLETION_INDEX:-$VC_TASK_INDEX}")" || exit; export SHARD
{{- end }}
