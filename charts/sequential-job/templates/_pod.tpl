{{/*
The pod: each entry as the container it runs as, and the pod spec around them.
*/}}

{{/*
sequential-job.container (dict "entry" an entry "chain" the chain "const" constants): the entry as a Kubernetes
Container, as JSON: every field as written (null and empty ones left out), the chart's own keys turned into what they
mean: script into [shell, -c, script]; a wrapped step's script or command run by the wrapper under the step runtime
(_wrapper.tpl); env entries that read a result into fileKeyRefs (optional when the step that writes it may
fail under onError: continue); /steps mounted in every step when the chain uses it;
the shards mounted read-only at /shards in every step of a fanned-out chain, whose script steps start by reading their
own shard into $SHARD; with resume, the claim at /steps/.resume in every step, each mount of a volume it keeps
turned into a mount of the claim at the run's own folder, and the Job's uid in every container's environment; a
sidecar's restartPolicy Always. stepDefaults' allowPrivilegeEscalation does not apply to a step that is privileged or
adds CAP_SYS_ADMIN (Kubernetes refuses the two together); the step's own does (and is refused by the checks).
*/}}
{{- define "sequential-job.container" -}}
{{- $entry := .entry }}
{{- $spec := $entry.spec }}
{{- $const := .const }}
{{- $chain := .chain }}
{{- $isStep := eq $entry.role "step" }}
{{- $container := include "sequential-job.fieldsSet" (list $spec (concat $const.stepKeys $const.sidecarKeys)) | fromJson }}
{{- $script := $spec.script }}
{{- if and $script $isStep .chain.sharded }}
{{- $script = printf "%s\n%s" (include "sequential-job.shardPreamble" $const) $script }}
{{- end }}
{{- if $entry.wrapped }}
{{- $wrapper := dict "entry" $entry "script" ($script | default "") "shell" .chain.shell "resume" .chain.resume "const" $const }}
{{- $_ := set $container "command" (include "sequential-job.wrapperCommand" $wrapper | fromJson).command }}
{{- else if $script }}
{{- $_ := set $container "command" (list .chain.shell "-c" $script) }}
{{- end }}
{{- if $spec.env }}
{{- $env := list }}
{{- range $spec.env }}
{{- if .fromStep }}
{{- $ref := dict "volumeName" $const.volumes.steps "path" (printf "%s/results.env" .fromStep.step) "key" .fromStep.result }}
{{- /* a step that failed under onError: continue writes no results: the variable is then unset, not a pod that cannot start */}}
{{- $from := .fromStep.step }}
{{- range $chain.steps }}{{ if and (eq .name $from) (eq (toString .spec.onError) "continue") }}{{ $_ := set $ref "optional" true }}{{ end }}{{ end }}
{{- $env = append $env (dict "name" .name "valueFrom" (dict "fileKeyRef" $ref)) }}
{{- else }}
{{- $env = append $env . }}
{{- end }}
{{- end }}
{{- $_ := set $container "env" $env }}
{{- end }}
{{- if .chain.resume }}
{{- $run := dict "name" $const.runEnv "valueFrom" (dict "fieldRef" (dict "fieldPath" (printf "metadata.labels['%s']" $const.jobUidLabel))) }}
{{- $_ := set $container "env" (prepend ($container.env | default list) $run) }}
{{- end }}
{{- $mounts := list }}
{{- range ($container.volumeMounts | default list) }}
{{- if has .name $chain.resumedVolumes }}
{{- $path := printf "$(%s)/%s/volumes/%s" $const.runEnv $chain.indexExpr .name }}
{{- with .subPath }}{{ $path = printf "%s/%s" $path . }}{{ end }}
{{- $mounts = append $mounts (merge (dict "name" $const.volumes.resume "subPathExpr" $path) (omit . "name" "subPath")) }}
{{- else }}
{{- $mounts = append $mounts . }}
{{- end }}
{{- end }}
{{- if and $isStep .chain.stepsDir }}
{{- $mounts = append $mounts (dict "name" $const.volumes.steps "mountPath" $const.paths.steps) }}
{{- end }}
{{- if and $isStep .chain.sharded }}
{{- $mounts = append $mounts (dict "name" $const.volumes.shards "mountPath" $const.paths.shards "readOnly" true) }}
{{- end }}
{{- if and $isStep .chain.resume }}
{{- $mounts = append $mounts (dict "name" $const.volumes.resume "mountPath" $const.paths.resume) }}
{{- end }}
{{- with $mounts }}{{ $_ := set $container "volumeMounts" . }}{{ end }}
{{- if not $isStep }}
{{- $_ := set $container "restartPolicy" "Always" }}
{{- end }}
{{- with $container.securityContext }}
{{- $escalates := .privileged }}
{{- range ((.capabilities | default dict).add | default list) }}
{{- if has (toString .) $const.privilegedCapabilities }}{{ $escalates = true }}{{ end }}
{{- end }}
{{- if and $escalates (hasKey . "allowPrivilegeEscalation") (not (hasKey ($entry.own.securityContext | default dict) "allowPrivilegeEscalation")) }}
{{- $_ := set $container "securityContext" (omit . "allowPrivilegeEscalation") }}
{{- end }}
{{- end }}
{{- toJson $container }}
{{- end }}

{{/*
sequential-job.shardPreamble (constants): the shell line a sharded script step starts with: its own shard (the file
named after the pod's index: JOB_COMPLETION_INDEX in a batch/v1 Job, VC_TASK_INDEX from Volcano's env plugin) into
$SHARD, or exit when it cannot be read.
*/}}
{{- define "sequential-job.shardPreamble" -}}
{{ .shardEnv }}="$(cat "{{ .paths.shards }}/${{ "{" }}{{ .indexEnv.batch }}:-${{ .indexEnv.volcano }}}")" || exit; export {{ .shardEnv }}
{{- end }}

{{/*
sequential-job.podSpec (dict "values" .Values "chain" the chain "volumes" the chart's volumes "serviceAccountName"
name or "" "const" constants): the pod spec, as JSON: steps 1..n-1 (each sidecar just before its step) as
initContainers (after the step runtime, when a step is wrapped), step n as the only container; every other field is the
values' pod as written, less the chart's own keys and null or empty values; the volumes are the values' (but those
resume keeps on its claim) and the chart's. The API token is mounted only when the
chart makes the ServiceAccount the steps run as, unless pod.automountServiceAccountToken says otherwise.
*/}}
{{- define "sequential-job.podSpec" -}}
{{- $pod := .values.pod }}
{{- $spec := include "sequential-job.fieldsSet" (list $pod .const.podKeys) | fromJson }}
{{- with .serviceAccountName }}{{ $_ := set $spec "serviceAccountName" . }}{{ end }}
{{- if not (hasKey $spec "automountServiceAccountToken") }}
{{- $_ := set $spec "automountServiceAccountToken" (.values.serviceAccount.create | default false) }}
{{- end }}
{{- with .chain.initContainers }}{{ $_ := set $spec "initContainers" . }}{{ end }}
{{- $_ := set $spec "containers" (list (last .chain.containers)) }}
{{- $volumes := list }}
{{- range (.values.volumes | default list) }}
{{- if not (has .name $.chain.resumedVolumes) }}{{ $volumes = append $volumes . }}{{ end }}
{{- end }}
{{- with concat $volumes .volumes }}{{ $_ := set $spec "volumes" . }}{{ end }}
{{- toJson $spec }}
{{- end }}
