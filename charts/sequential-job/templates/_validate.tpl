{{/*
Validation: what values.schema.json cannot say. Every check adds a line naming the offending value by its path;
sequential-job.chain fails once with all of them.
*/}}

{{/*
sequential-job.problems (dict "root" $ "overridden" steps after overrides "steps" defaulted steps "containers"
rendered containers): every problem found, as {"problems": ["<path>: <what is wrong>", ...]}.
*/}}
{{- define "sequential-job.problems" -}}
{{- $values := .root.Values }}
{{- $problems := list }}
{{- $names := list }}
{{- range $values.steps }}{{ $names = append $names .name }}{{ end }}
{{- range $name, $_ := $values.stepOverrides }}
{{- if not (has $name $names) }}
{{- $problems = append $problems (printf "stepOverrides.%s: there is no step named %q (steps: %s)" $name $name (join ", " $names)) }}
{{- end }}
{{- end }}
{{- $volumes := list }}
{{- range $values.volumes }}{{ $volumes = append $volumes .name }}{{ end }}
{{- $declared := join ", " $volumes | default "none" }}
{{- range $i, $m := $values.stepDefaults.volumeMounts }}
{{- if not (has $m.name $volumes) }}
{{- $problems = append $problems (printf "stepDefaults.volumeMounts[%d]: mounts volume %q at %s, which volumes does not declare (declared: %s)" $i $m.name $m.mountPath $declared) }}
{{- end }}
{{- end }}
{{- $last := sub (len .steps) 1 }}
{{- $seen := dict }}
{{- range $i, $step := .steps }}
{{- $where := printf "steps[%d] (%s)" $i $step.name }}
{{- if hasKey $seen $step.name }}
{{- $problems = append $problems (printf "%s: step name %q is already used by steps[%v]; step names must be unique" $where $step.name (get $seen $step.name)) }}
{{- else }}
{{- $_ := set $seen $step.name $i }}
{{- end }}
{{- if and $step.script $step.command }}
{{- $problems = append $problems (printf "%s: sets both script and command; a step runs either script (as [%s, -c, script]) or command" $where $values.stepDefaults.shell) }}
{{- end }}
{{- if not $step.image }}
{{- $problems = append $problems (printf "%s: has no image; set steps[%d].image or stepDefaults.image" $where $i) }}
{{- end }}
{{- range $j, $m := (index $.overridden $i).volumeMounts }}
{{- if not (has $m.name $volumes) }}
{{- $problems = append $problems (printf "%s: volumeMounts[%d] mounts volume %q at %s, which volumes does not declare (declared: %s)" $where $j $m.name $m.mountPath $declared) }}
{{- end }}
{{- end }}
{{- if lt $i $last }}
{{- range $field := list "lifecycle" "livenessProbe" "readinessProbe" "startupProbe" }}
{{- if get $step $field }}
{{- $problems = append $problems (printf "%s.%s: steps 1..n-1 run as init containers, and Kubernetes allows probes and lifecycle hooks only on regular containers and sidecars; only the last step may set %s" $where $field $field) }}
{{- end }}
{{- end }}
{{- end }}
{{- if eq (toString $step.restartPolicy) "Always" }}
{{- $problems = append $problems (printf "%s.restartPolicy: Always would never let the step finish (as an init container it becomes a sidecar, as the last step it restarts forever); a step must run to completion" $where) }}
{{- end }}
{{- end }}
{{- if $values.volcano.enabled }}
{{- if include "sequential-job.isSet" $values.job.activeDeadlineSeconds }}
{{- $problems = append $problems (printf "job.activeDeadlineSeconds: %v has no effect on a Volcano Job; use pod.activeDeadlineSeconds" $values.job.activeDeadlineSeconds) }}
{{- end }}
{{- if ne (int $values.job.backoffLimit) 0 }}
{{- $problems = append $problems (printf "job.backoffLimit: %v has no effect on a Volcano Job; use volcano.maxRetry" $values.job.backoffLimit) }}
{{- end }}
{{- end }}
{{- range (include "sequential-job.platformProblems" $values | fromJson).problems }}
{{- $problems = append $problems . }}
{{- end }}
{{- with include "sequential-job.sizeProblem" (dict "containers" .containers "root" .root) }}
{{- $problems = append $problems . }}
{{- end }}
{{- /* toYaml returns "" instead of failing on a string YAML cannot carry; find any such string by its path first */}}
{{- if regexMatch (include "sequential-job.yamlUnsafeCharacter" .) (toJson $values) }}
{{- range (include "sequential-job.unprintable" (dict "value" $values "path" "") | fromJson).problems }}
{{- $problems = append $problems . }}
{{- end }}
{{- end }}
{{- toJson (dict "problems" $problems) }}
{{- end }}

{{/*
sequential-job.sizeProblem (dict "containers" $containers "root" $): a problem when the pod would outgrow
pod.maxObjectBytes once its steps have run, else nothing. A pod is stored whole in etcd, whose request limit (1.5 MiB
by default) every write must fit, the kubelet's status updates included; each finished step adds its status.
`make bench` measured the pod in etcd on Kubernetes 1.34 (managedFields left out: the API server drops them rather
than exceed the limit): 603 to 1616 bytes a finished step for the three step shapes it calibrates, within 4% of and
never above this estimate: the step's rendered JSON, its name twice more (it reappears in the status), and 450 bytes
a step, plus 16 KiB for the pod (the kubelet also keeps up to 12 KiB of termination messages) and the pod-level values.
*/}}
{{- define "sequential-job.sizeProblem" -}}
{{- $limit := int64 .root.Values.pod.maxObjectBytes }}
{{- if gt $limit 0 }}
{{- $n := len .containers }}
{{- $fixed := add 16384 (len (toJson .root.Values.pod)) (len (toJson .root.Values.volumes)) }}
{{- $perSteps := add (len (toJson .containers)) (mul 450 $n) }}
{{- range .containers }}
{{- $perSteps = add $perSteps (mul 2 (len .name)) }}
{{- end }}
{{- $estimate := add $fixed $perSteps }}
{{- if gt $estimate $limit }}
{{- $perStep := div (add $perSteps (sub $n 1)) $n }}
{{- $fit := div (sub $limit $fixed) $perStep | max 0 }}
{{- printf "steps: %d %s make a pod of about %d bytes once they have all run (%d bytes a step: its rendered spec and the status Kubernetes adds to it), over pod.maxObjectBytes %d (etcd's default request limit is 1572864): the pod would start, but its status would stop updating partway and it could not be deleted without --force. About %d steps like these fit: split the chain, or raise pod.maxObjectBytes if your etcd's --max-request-bytes is larger" $n (ternary "step" "steps" (eq $n 1)) $estimate $perStep $limit $fit }}
{{- end }}
{{- end }}
{{- end }}

{{/*
sequential-job.yamlUnsafeCharacter: a regular expression for one character that toYaml cannot carry: its YAML parser
refuses DEL, the C1 controls, U+FEFF, U+FFFE and U+FFFF in its input (JSON passes them raw; control characters below
U+0020 it escapes), and reads NEL (U+0085) back as a line break.
*/}}
{{- define "sequential-job.yamlUnsafeCharacter" -}}
[\x{7f}-\x{9f}\x{feff}\x{fffe}\x{ffff}]
{{- end }}

{{/*
sequential-job.unprintable (dict "value" v "path" "where v is"): a problem for each string inside v (map keys
included) that holds a character YAML cannot carry, as {"problems": [...]}.
*/}}
{{- define "sequential-job.unprintable" -}}
{{- $bad := include "sequential-job.yamlUnsafeCharacter" . }}
{{- $problems := list }}
{{- if kindIs "map" .value }}
{{- range $key, $v := .value }}
{{- $path := ternary $key (printf "%s.%s" $.path $key) (eq $.path "") }}
{{- with regexFind $bad $key }}
{{- $path = printf "%s[%+q]" $.path $key }}
{{- $problems = append $problems (printf "%s: the key contains the character %+q, which YAML cannot carry; remove it" $path .) }}
{{- end }}
{{- range (include "sequential-job.unprintable" (dict "value" $v "path" $path) | fromJson).problems }}
{{- $problems = append $problems . }}
{{- end }}
{{- end }}
{{- else if kindIs "slice" .value }}
{{- range $i, $v := .value }}
{{- range (include "sequential-job.unprintable" (dict "value" $v "path" (printf "%s[%d]" $.path $i)) | fromJson).problems }}
{{- $problems = append $problems . }}
{{- end }}
{{- end }}
{{- else if kindIs "string" .value }}
{{- with regexFind $bad .value }}
{{- $problems = append $problems (printf "%s: contains the character %+q, which YAML cannot carry; remove it or write it another way" $.path .) }}
{{- end }}
{{- end }}
{{- toJson (dict "problems" $problems) }}
{{- end }}

{{/*
sequential-job.platformProblems (.Values): combinations of schedule, hook, kueue, volcano and job.nameSuffix that
cannot work, and cronJob settings that would be dropped, as {"problems": [...]}.
*/}}
{{- define "sequential-job.platformProblems" -}}
{{- $problems := list }}
{{- with .kueue }}
{{- if and $.volcano.enabled (or .queueName .priorityClass) }}
{{- $problems = append $problems (printf "kueue.%s: Kueue queues batch/v1 Jobs, and a Volcano Job is queued by Volcano (volcano.queue); set kueue or volcano.enabled, not both" (ternary "queueName" "priorityClass" (not (empty .queueName)))) }}
{{- end }}
{{- end }}
{{- if .hook.enabled }}
{{- if .volcano.enabled }}
{{- $problems = append $problems "hook.enabled: Helm waits only for batch/v1 Job (and Pod) hooks, so a Volcano Job hook would not hold back the release; a hook needs volcano.enabled false" }}
{{- end }}
{{- if .schedule }}
{{- $problems = append $problems (printf "hook.enabled: a hook runs once at a release event, a CronJob (schedule %q) on its schedule; choose one" .schedule) }}
{{- end }}
{{- end }}
{{- if .schedule }}
{{- if include "sequential-job.isSet" .job.nameSuffix }}
{{- $problems = append $problems (printf "job.nameSuffix: %s has no effect with schedule: the CronJob names its Jobs itself (<name>-<minutes since the epoch>)" .job.nameSuffix) }}
{{- end }}
{{- else }}
{{- range $key, $value := .cronJob }}
{{- if include "sequential-job.isSet" $value }}
{{- $problems = append $problems (printf "cronJob.%s: applies only to a CronJob; set schedule, or remove it" $key) }}
{{- end }}
{{- end }}
{{- end }}
{{- toJson (dict "problems" $problems) }}
{{- end }}
