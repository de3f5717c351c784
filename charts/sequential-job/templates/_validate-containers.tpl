{{/*
sequential-job.containersProblems (dict "root" $ "release" the release description): what Kubernetes, Linux or the
chain would refuse in the steps and sidecars, checked on each after stepDefaults, stepOverrides and the chart's own
mounts are merged in, each problem naming the key the user set (sequential-job.origin), as {"problems": [...]}.
*/}}
{{- define "sequential-job.containersProblems" -}}
{{- $values := .root.Values }}
{{- $const := .release.const }}
{{- $chain := .release.chain }}
{{- $kube := .root.Capabilities.KubeVersion.Version }}
{{- $windows := eq (toString (($values.pod.os | default dict).name)) "windows" }}
{{- $problems := list }}
{{- $declared := list }}
{{- range (concat ($values.volumes | default list) $chain.volumes) }}{{ $declared = append $declared .name }}{{ end }}
{{- $declaredText := join ", " $declared | default "none" }}
{{- $stepNames := list }}
{{- $stepIndex := dict }}
{{- range $chain.steps }}{{ $stepNames = append $stepNames .name }}{{ $_ := set $stepIndex .name .index }}{{ end }}
{{- $last := sub (len $chain.steps) 1 }}
{{- $seen := dict }}
{{- range $entry := concat $chain.steps $chain.sidecars }}
{{- $spec := $entry.spec }}
{{- $label := $entry.label }}
{{- $isStep := eq $entry.role "step" }}
{{- $list := ternary "steps" "sidecars" $isStep }}
{{- $at := dict "values" $values "entry" $entry }}

{{- /* identity and the chain */}}
{{- if hasKey $seen $entry.name }}
{{- $problems = append $problems (printf "%s: the name %q is already used by %s; step and sidecar names must be unique" $label $entry.name (get $seen $entry.name)) }}
{{- else }}
{{- $_ := set $seen $entry.name $label }}
{{- end }}
{{- if not $spec.image }}
{{- $problems = append $problems (printf "%s: has no image; set %s[%d].image or stepDefaults.image" $label $list (int $entry.index)) }}
{{- end }}
{{- if and $spec.script $spec.command }}
{{- $problems = append $problems (printf "%s: sets both script and command; a %s runs either script (as [%s, -c, script]) or command" $label (ternary "step" "sidecar" $isStep) $chain.shell) }}
{{- end }}
{{- if $isStep }}
{{- if eq (toString $spec.restartPolicy) "Always" }}
{{- $problems = append $problems (printf "%s: Always would never let the step finish (as an init container it becomes a sidecar, as the last step it restarts forever); a step must run to completion: put a long-running helper in sidecars" (include "sequential-job.origin" (merge (dict "key" "restartPolicy") $at))) }}
{{- end }}
{{- if eq (toString $spec.onError) "continue" }}
{{- range $field := list "onExitCodes" "restartPolicyRules" }}
{{- if get $spec $field }}
{{- $problems = append $problems (printf "%s: %s is continue, so the step always exits 0 and these exit-code rules would never match; keep one of the two" (include "sequential-job.origin" (merge (dict "key" $field) $at)) (include "sequential-job.origin" (merge (dict "key" "onError") $at))) }}
{{- end }}
{{- end }}
{{- end }}
{{- if lt (int $entry.index) $last }}
{{- range $field := $const.initForbidden }}
{{- if get $spec $field }}
{{- $problems = append $problems (printf "%s: steps 1..n-1 run as init containers, and Kubernetes allows probes and lifecycle hooks only on regular containers and sidecars; only the last step may set %s (or make it a sidecar)" (include "sequential-job.origin" (merge (dict "key" $field) $at)) $field) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and $entry.wrapped (not $spec.script) (not $spec.command) }}
{{- $why := "resume.enabled (which wraps every step)" }}
{{- range $field := $const.wrapperKeys }}
{{- if get $spec $field }}{{ $why = include "sequential-job.origin" (merge (dict "key" $field) $at) }}{{ end }}
{{- end }}
{{- $problems = append $problems (printf "%s: runs the step inside the chart's wrapper, and %s sets neither command nor script: it runs its image's entrypoint, which the chart cannot see to wrap; set command (or script)" $why $label) }}
{{- end }}
{{- if and $isStep (eq $entry.name $const.runtimeContainer) }}
{{- $problems = append $problems (printf "%s: %q is the name of the chart's step runtime container; rename the step" $label $entry.name) }}
{{- end }}
{{- else }}
{{- if and $spec.restartPolicy (ne (toString $spec.restartPolicy) "Always") }}
{{- $problems = append $problems (printf "%s.restartPolicy: a sidecar is an init container with restartPolicy Always, which the chart sets; leave it unset" $label) }}
{{- end }}
{{- if eq $entry.name $const.runtimeContainer }}
{{- $problems = append $problems (printf "%s: %q is the name of the chart's step runtime container; rename the sidecar" $label $entry.name) }}
{{- end }}
{{- if and $spec.before (not (has $spec.before $stepNames)) }}
{{- $problems = append $problems (printf "%s.before: there is no step named %q (steps: %s)" $label $spec.before (join ", " $stepNames)) }}
{{- end }}
{{- end }}

{{- /* mounts: every volume declared, none where the chart mounts, each path once (the path named only when wrong) */}}
{{- $paths := dict }}
{{- range $j, $m := $spec.volumeMounts }}
{{- $path := trimSuffix "/" $m.mountPath }}
{{- $wrong := list }}
{{- if not (has $m.name $declared) }}
{{- $wrong = append $wrong (printf "mounts volume %q at %s, which volumes does not declare (declared: %s)" $m.name $m.mountPath $declaredText) }}
{{- end }}
{{- if and $isStep $chain.stepsDir (eq $path $const.paths.steps) }}
{{- $wrong = append $wrong (printf "mounts volume %q at %s, where the chart mounts the steps' exit codes and results (a step here has a timeout, an error rule or results); mount it elsewhere" $m.name $m.mountPath) }}
{{- end }}
{{- if and $isStep $chain.sharded (or (eq $path $const.paths.shards) (hasPrefix (printf "%s/" $const.paths.shards) $path)) }}
{{- $wrong = append $wrong (printf "mounts volume %q at %s, where the chart mounts the shards; mount it elsewhere" $m.name $m.mountPath) }}
{{- end }}
{{- if and (has $m.name $chain.resumedVolumes) $m.subPathExpr }}
{{- $wrong = append $wrong (printf "mounts volume %q, which resume keeps on its claim, with subPathExpr; the chart mounts the claim with its own subPathExpr (the Job and the index), so use subPath" $m.name) }}
{{- end }}
{{- if hasKey $paths $m.mountPath }}
{{- $first := include "sequential-job.origin" (merge (dict "key" "volumeMounts" "matchField" "mountPath" "matchValue" $m.mountPath "shared" true) $at) }}
{{- $wrong = append $wrong (printf "mounts a second volume at %s (%s mounts %q there); a container's mount paths must be unique" $m.mountPath $first $m.name) }}
{{- else }}
{{- $_ := set $paths $m.mountPath $j }}
{{- end }}
{{- if $wrong }}
{{- $where := include "sequential-job.origin" (merge (dict "key" "volumeMounts" "matchField" "mountPath" "matchValue" $m.mountPath "shared" true) $at) }}
{{- range $wrong }}{{ $problems = append $problems (printf "%s: %s" $where .) }}{{ end }}
{{- end }}
{{- end }}

{{- /* results read through env files */}}
{{- range $j, $env := $spec.env }}
{{- with $env.fromStep }}
{{- $from := printf "%s.fromStep" (include "sequential-job.origin" (merge (dict "key" "env" "matchField" "name" "matchValue" $env.name) $at)) }}
{{- if or (hasKey $env "value") (hasKey $env "valueFrom") }}
{{- $problems = append $problems (printf "%s: an env entry takes fromStep or value/valueFrom, not both" $from) }}
{{- end }}
{{- $source := ternary (int (get $stepIndex .step)) -1 (hasKey $stepIndex .step) }}
{{- if or (lt $source 0) (ge $source (int $entry.position)) }}
{{- $problems = append $problems (printf "%s: %q is not a step that has finished when %s starts; a %s reads results of earlier steps only" $from .step $label (ternary "step" "sidecar" $isStep)) }}
{{- else }}
{{- $declaredResults := (index $chain.steps $source).spec.results | default list }}
{{- if not (has .result $declaredResults) }}
{{- $problems = append $problems (printf "%s: step %q declares no result %q (its results: %s)" $from .step .result (join ", " $declaredResults | default "none")) }}
{{- end }}
{{- end }}
{{- if semverCompare "<1.35.0-0" $kube }}
{{- $problems = append $problems (printf "%s: reading a result needs Kubernetes 1.35 or later (env files, the EnvFiles feature, on by default since 1.35); this cluster is %s" $from $kube) }}
{{- end }}
{{- end }}
{{- end }}

{{- /* what a process can take: one argument (or environment string) of execve at most MAX_ARG_STRLEN */}}
{{- $container := $entry.container }}
{{- range $field := list "command" "args" }}
{{- range $k, $arg := (get $container $field | default list) }}
{{- if gt (len $arg) (int $const.maxArgBytes) }}
{{- $key := ternary "script" $field (and (eq $field "command") (not (empty $spec.script))) }}
{{- $problems = append $problems (printf "%s: %d bytes as one argument of the %s's process, more than the %d Linux allows (MAX_ARG_STRLEN): it would fail to start with \"argument list too long\"; ship it in files and run it from there" (include "sequential-job.origin" (merge (dict "key" $key) $at)) (len $arg) (ternary "step" "sidecar" $isStep) (int $const.maxArgBytes)) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $container.env }}
{{- if and (kindIs "string" .value) (gt (add (len .name) 1 (len .value)) (int $const.maxArgBytes)) }}
{{- $problems = append $problems (printf "%s: the variable is %d bytes, more than the %d Linux allows one environment string (MAX_ARG_STRLEN); ship it in files" (include "sequential-job.origin" (merge (dict "key" "env" "matchField" "name" "matchValue" .name) $at)) (add (len .name) 1 (len .value)) (int $const.maxArgBytes)) }}
{{- end }}
{{- end }}

{{- /* security contexts Kubernetes refuses */}}
{{- with $container.securityContext }}
{{- $context := . }}
{{- $escalates := .privileged }}
{{- range ((.capabilities | default dict).add | default list) }}
{{- if has (toString .) $const.privilegedCapabilities }}{{ $escalates = true }}{{ end }}
{{- end }}
{{- if and $escalates (eq (toString .allowPrivilegeEscalation) "false") }}
{{- $where := include "sequential-job.origin" (merge (dict "key" "securityContext") $at) }}
{{- $problems = append $problems (printf "%s.allowPrivilegeEscalation: false cannot go with privileged: true or CAP_SYS_ADMIN, which escalate privileges (Kubernetes refuses the two together); leave it unset" $where) }}
{{- end }}
{{- if $windows }}
{{- $where := include "sequential-job.origin" (merge (dict "key" "securityContext") $at) }}
{{- $own := $entry.own.securityContext | default dict }}
{{- range $field := $const.linuxContainerSecurity }}
{{- if not (kindIs "invalid" (index $context $field)) }}
{{- $path := ternary (printf "%s.%s" $where $field) (printf "stepDefaults.securityContext.%s" $field) (hasKey $own $field) }}
{{- $problems = append $problems (printf "%s: Linux only, and pod.os.name is windows (Kubernetes refuses it on a Windows pod); set it to null (values/windows.yaml removes the chart's Linux defaults)" $path) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- toJson (dict "problems" $problems) }}
{{- end }}
