{{/*
Names and labels.
*/}}
{{- define "sequential-job.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sequential-job.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The workload's name: <fullname>-<release revision>. A Job's pod template is immutable, so every `helm upgrade`
creates a new Job (or Volcano Job) under a new name and Helm deletes the previous one. The name stays within 63
characters because the Job controller copies it into a label value.
*/}}
{{- define "sequential-job.workloadName" -}}
{{- $suffix := printf "-%d" (int .Release.Revision) }}
{{- printf "%s%s" (include "sequential-job.fullname" . | trunc (sub 63 (len $suffix) | int) | trimSuffix "-") $suffix }}
{{- end }}

{{- define "sequential-job.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sequential-job.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sequential-job.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sequential-job.labels" -}}
helm.sh/chart: {{ include "sequential-job.chart" . }}
{{ include "sequential-job.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: sequential-job
{{- end }}

{{/*
isSet: "true" when a value is present (0 and false count as present), "" when it is nil.
*/}}
{{- define "sequential-job.isSet" -}}
{{- if not (kindIs "invalid" .) }}true{{ end }}
{{- end }}

{{/*
deepMerge (list base over): a copy of base with over merged in; maps merge key by key, any other value in over
(lists, scalars, false, 0, "") replaces the one in base. Returns JSON.
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
mergeEnv (list base over): base's variables in order, each replaced by over's variable of the same name, then over's
other variables in order. Returns JSON {"env": [...]}.
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
Checks for what values.schema.json cannot say about the whole release. Each message names the value and its path.
*/}}
{{- define "sequential-job.validate" -}}
{{- $names := list }}
{{- range .Values.steps }}{{ $names = append $names .name }}{{ end }}
{{- range $name, $_ := .Values.stepOverrides }}
{{- if not (has $name $names) }}
{{- fail (printf "stepOverrides.%s: there is no step named %q (steps: %s)" $name $name (join ", " $names)) }}
{{- end }}
{{- end }}
{{- $volumes := list }}
{{- range .Values.volumes }}{{ $volumes = append $volumes .name }}{{ end }}
{{- range $i, $m := .Values.stepDefaults.volumeMounts }}
{{- if not (has $m.name $volumes) }}
{{- fail (printf "stepDefaults.volumeMounts[%d]: mounts volume %q at %s, which volumes does not declare (declared: %s)" $i $m.name $m.mountPath (join ", " $volumes | default "none")) }}
{{- end }}
{{- end }}
{{- if .Values.volcano.enabled }}
{{- if include "sequential-job.isSet" .Values.job.activeDeadlineSeconds }}
{{- fail (printf "job.activeDeadlineSeconds: %v has no effect on a Volcano Job; use pod.activeDeadlineSeconds" .Values.job.activeDeadlineSeconds) }}
{{- end }}
{{- if ne (int .Values.job.backoffLimit) 0 }}
{{- fail (printf "job.backoffLimit: %v has no effect on a Volcano Job; use volcano.maxRetry" .Values.job.backoffLimit) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
validateSize (dict "steps" $steps "root" $): fail when the pod would outgrow pod.maxObjectBytes once its steps have
run. A pod is stored whole in etcd, whose request limit (1.5 MiB by default) every write must fit, the kubelet's
status updates included; each finished step adds its status. `make bench` measured the pod in etcd on Kubernetes 1.34
(managedFields left out: the API server drops them rather than exceed the limit): 603 to 1616 bytes a finished step
for the three step shapes it calibrates, within 4% of and never above this estimate: the step's rendered JSON, its
name twice more (it reappears in the status), and 450 bytes a step, plus 16 KiB for the pod (the kubelet also keeps up
to 12 KiB of termination messages) and the pod-level values.
*/}}
{{- define "sequential-job.validateSize" -}}
{{- $limit := int64 .root.Values.pod.maxObjectBytes }}
{{- if gt $limit 0 }}
{{- $n := len .steps }}
{{- $fixed := add 16384 (len (toJson .root.Values.pod)) (len (toJson .root.Values.volumes)) }}
{{- $perSteps := add (len (toJson .steps)) (mul 450 $n) }}
{{- range .steps }}
{{- $perSteps = add $perSteps (mul 2 (len .name)) }}
{{- end }}
{{- $estimate := add $fixed $perSteps }}
{{- if gt $estimate $limit }}
{{- $perStep := div (add $perSteps (sub $n 1)) $n }}
{{- $fit := div (sub $limit $fixed) $perStep | max 0 }}
{{- fail (printf "steps: %d %s make a pod of about %d bytes once they have all run (%d bytes a step: its rendered spec and the status Kubernetes adds to it), over pod.maxObjectBytes %d (etcd's default request limit is 1572864): the pod would start, but its status would stop updating partway and it could not be deleted without --force. About %d steps like these fit: split the chain, or raise pod.maxObjectBytes if your etcd's --max-request-bytes is larger" $n (ternary "step" "steps" (eq $n 1)) $estimate $perStep $limit $fit) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
steps: the containers, in execution order, after stepOverrides and stepDefaults are applied and each step is checked.
Returns JSON {"steps": [container, ...]}.
*/}}
{{- define "sequential-job.steps" -}}
{{- include "sequential-job.validate" . }}
{{- $defaults := .Values.stepDefaults }}
{{- $volumes := list }}
{{- range .Values.volumes }}{{ $volumes = append $volumes .name }}{{ end }}
{{- $seen := dict }}
{{- $containers := list }}
{{- range $i, $declared := .Values.steps }}
{{- $where := printf "steps[%d] (%s)" $i $declared.name }}
{{- if hasKey $seen $declared.name }}
{{- fail (printf "%s: step name %q is already used by steps[%v]; step names must be unique" $where $declared.name (get $seen $declared.name)) }}
{{- end }}
{{- $_ := set $seen $declared.name $i }}
{{- /* stepOverrides: maps merge, lists and scalars replace, env merges by name */}}
{{- $step := deepCopy $declared }}
{{- $override := get $.Values.stepOverrides $declared.name | default dict }}
{{- $envOverride := get $override "env" }}
{{- $step = include "sequential-job.deepMerge" (list $step (omit $override "env")) | fromJson }}
{{- if $envOverride }}
{{- $_ := set $step "env" (include "sequential-job.mergeEnv" (list $step.env $envOverride) | fromJson).env }}
{{- end }}
{{- if and $step.script $step.command }}
{{- fail (printf "%s: sets both script and command; a step runs either script (as [%s, -c, script]) or command" $where $defaults.shell) }}
{{- end }}
{{- $image := $step.image | default $defaults.image }}
{{- if not $image }}
{{- fail (printf "%s: has no image; set steps[%d].image or stepDefaults.image" $where $i) }}
{{- end }}
{{- $c := dict "name" $step.name "image" $image }}
{{- with ($step.imagePullPolicy | default $defaults.imagePullPolicy) }}{{ $_ := set $c "imagePullPolicy" . }}{{ end }}
{{- if $step.script }}
{{- $_ := set $c "command" (list $defaults.shell "-c" $step.script) }}
{{- else if $step.command }}
{{- $_ := set $c "command" $step.command }}
{{- end }}
{{- with $step.args }}{{ $_ := set $c "args" . }}{{ end }}
{{- with $step.workingDir }}{{ $_ := set $c "workingDir" . }}{{ end }}
{{- with (include "sequential-job.mergeEnv" (list $defaults.env $step.env) | fromJson).env }}{{ $_ := set $c "env" . }}{{ end }}
{{- with $step.envFrom }}{{ $_ := set $c "envFrom" . }}{{ end }}
{{- with (include "sequential-job.deepMerge" (list $defaults.resources $step.resources) | fromJson) }}{{ $_ := set $c "resources" . }}{{ end }}
{{- with (include "sequential-job.deepMerge" (list $defaults.securityContext $step.securityContext) | fromJson) }}{{ $_ := set $c "securityContext" . }}{{ end }}
{{- /* the step's own mounts, then stepDefaults.volumeMounts at paths the step does not use */}}
{{- $mounts := $step.volumeMounts | default list }}
{{- $paths := list }}
{{- range $j, $m := $mounts }}
{{- if not (has $m.name $volumes) }}
{{- fail (printf "%s: volumeMounts[%d] mounts volume %q at %s, which volumes does not declare (declared: %s)" $where $j $m.name $m.mountPath (join ", " $volumes | default "none")) }}
{{- end }}
{{- $paths = append $paths $m.mountPath }}
{{- end }}
{{- range $defaults.volumeMounts }}
{{- if not (has .mountPath $paths) }}{{ $mounts = append $mounts . }}{{ end }}
{{- end }}
{{- with $mounts }}{{ $_ := set $c "volumeMounts" . }}{{ end }}
{{- $containers = append $containers $c }}
{{- end }}
{{- toJson (dict "steps" $containers) }}
{{- end }}

{{/*
podTemplate: the pod template (metadata and spec) shared by the batch/v1 Job and the Volcano Job, so the two
cannot drift. Steps 1..n-1 are initContainers, step n is the only container.
*/}}
{{- define "sequential-job.podTemplate" -}}
{{- $steps := (include "sequential-job.steps" . | fromJson).steps }}
{{- include "sequential-job.validateSize" (dict "steps" $steps "root" .) }}
{{- $pod := .Values.pod -}}
metadata:
  labels:
    {{- include "sequential-job.labels" . | nindent 4 }}
    {{- with $pod.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    kubectl.kubernetes.io/default-container: {{ (last $steps).name }}
    {{- with $pod.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  restartPolicy: {{ $pod.restartPolicy }}
  {{- if include "sequential-job.isSet" $pod.activeDeadlineSeconds }}
  activeDeadlineSeconds: {{ int64 $pod.activeDeadlineSeconds }}
  {{- end }}
  {{- with $pod.serviceAccountName }}
  serviceAccountName: {{ . }}
  {{- end }}
  {{- with $pod.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with $pod.securityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $pod.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $pod.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $pod.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $pod.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with initial $steps }}
  initContainers:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    {{- toYaml (list (last $steps)) | nindent 4 }}
  {{- with .Values.volumes }}
  volumes:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/*
quantity: a Kubernetes resource quantity ("3", "500m", "1.5Gi", "1e3") as a plain number, for comparing requests.
*/}}
{{- define "sequential-job.quantity" -}}
{{- $q := toString . }}
{{- $units := dict "" 1.0 "m" 0.001 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "P" 1e15 "E" 1e18 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 "Ei" 1152921504606846976.0 }}
{{- if regexMatch "^[+]?[0-9.]+([eE][+-]?[0-9]+)?$" $q }}
{{- float64 $q }}
{{- else }}
{{- $number := regexFind "^[+]?[0-9.]+" $q }}
{{- $unit := trimPrefix $number $q }}
{{- if or (not $number) (not (hasKey $units $unit)) }}
{{- fail (printf "resource quantity %q is not a Kubernetes quantity (a number with an optional suffix m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei)" $q) }}
{{- end }}
{{- mulf (float64 $number) (get $units $unit) }}
{{- end }}
{{- end }}

{{/*
effectiveRequests (the resolved steps): what the scheduler reserves for the pod. Init containers run one at a time, so for each resource
it is the larger of the largest init container request and the regular container's request.
Returns JSON {"<resource>": {"quantity": "<as written>", "step": "<step that sets it>"}}.
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
