{{/*
The workload: which kind runs the pod, and its spec. job.yaml renders a Job or a Volcano Job, cronjob.yaml a CronJob
or a Volcano CronJob, both from what sequential-job.workload decides.
*/}}

{{/*
sequential-job.workloadKind (.Values): the workload's apiVersion and kind, as JSON: a batch/v1 Job, or with
volcano.enabled a batch.volcano.sh/v1alpha1 Job; with a schedule, the CronJob of the same group around it.
*/}}
{{- define "sequential-job.workloadKind" -}}
{{- $apiVersion := ternary "batch.volcano.sh/v1alpha1" "batch/v1" (not (not .volcano.enabled)) }}
{{- toJson (dict "apiVersion" $apiVersion "kind" (ternary "CronJob" "Job" (not (empty .schedule)))) }}
{{- end }}

{{/*
sequential-job.jobSpec (dict "values" .Values "template" the pod template "rules" the pod failure rules "const"
constants): the batch/v1 JobSpec, as JSON: every `job` value but the chart's own keys, as written (null and empty
values left out), the pod failure policy made of the rules, backoffLimit 0 unless set (left to Kubernetes when
backoffLimitPerIndex is set, so one failing index does not fail the Job), and with shards completionMode Indexed and
one completion per shard.
*/}}
{{- define "sequential-job.jobSpec" -}}
{{- $values := .values }}
{{- $spec := include "sequential-job.fieldsSet" (list $values.job .const.jobKeys) | fromJson }}
{{- with .rules }}{{ $_ := set $spec "podFailurePolicy" (dict "rules" .) }}{{ end }}
{{- if not (or (hasKey $spec "backoffLimit") (hasKey $spec "backoffLimitPerIndex")) }}
{{- $_ := set $spec "backoffLimit" 0 }}
{{- end }}
{{- /* resume: a replacement pod must not start while the old one may still run a step on the same progress */}}
{{- if and $values.resume.enabled (not (hasKey $spec "podReplacementPolicy")) }}
{{- $_ := set $spec "podReplacementPolicy" "Failed" }}
{{- end }}
{{- with $values.shards }}
{{- $_ := set $spec "completionMode" "Indexed" }}
{{- $_ := set $spec "completions" (len .) }}
{{- end }}
{{- $_ := set $spec "template" .template }}
{{- toJson $spec }}
{{- end }}

{{/*
sequential-job.volcanoJobSpec (dict "values" .Values "template" the pod template): the Volcano JobSpec, as JSON: one
task running the pod template, a replica per shard, minAvailable of them ganged; Volcano's env plugin with shards, for
VC_TASK_INDEX. It also writes what Volcano's admission webhook would add (maxRetry 3 on the Job and its task, an empty
`resources` on every container, dnsPolicy ClusterFirstWithHostNet beside hostNetwork): a Volcano Job's tasks are one
list to a client-side `kubectl apply` (or Argo CD), which would send the whole list back to undo the webhook's
additions on every re-apply of an unchanged Job, and Volcano refuses any change to a Job's tasks.
*/}}
{{- define "sequential-job.volcanoJobSpec" -}}
{{- $values := .values }}
{{- $volcano := $values.volcano }}
{{- $replicas := len $values.shards | max 1 }}
{{- $maxRetry := ternary 3 (int $volcano.maxRetry) (kindIs "invalid" $volcano.maxRetry) }}
{{- $template := deepCopy .template }}
{{- range $field := list "initContainers" "containers" }}
{{- range (get $template.spec $field | default list) }}
{{- if not (hasKey . "resources") }}{{ $_ := set . "resources" dict }}{{ end }}
{{- end }}
{{- end }}
{{- if and $template.spec.hostNetwork (not $template.spec.dnsPolicy) }}
{{- $_ := set $template.spec "dnsPolicy" "ClusterFirstWithHostNet" }}
{{- end }}
{{- $task := dict "name" $volcano.taskName "replicas" $replicas "minAvailable" (int $volcano.minAvailable) "maxRetry" $maxRetry "template" $template }}
{{- $spec := dict "schedulerName" $volcano.schedulerName "queue" $volcano.queue "minAvailable" (int $volcano.minAvailable) "maxRetry" $maxRetry "tasks" (list $task) }}
{{- if not (kindIs "invalid" $values.job.ttlSecondsAfterFinished) }}
{{- $_ := set $spec "ttlSecondsAfterFinished" (int $values.job.ttlSecondsAfterFinished) }}
{{- end }}
{{- with $volcano.priorityClassName }}{{ $_ := set $spec "priorityClassName" . }}{{ end }}
{{- with $volcano.policies }}{{ $_ := set $spec "policies" . }}{{ end }}
{{- $plugins := $volcano.plugins | default dict }}
{{- if and $values.shards (not (hasKey $plugins "env")) }}
{{- /* Volcano's env plugin gives every container (init containers too) its pod's index as VC_TASK_INDEX */}}
{{- $plugins = merge (dict "env" list) $plugins }}
{{- end }}
{{- with $plugins }}{{ $_ := set $spec "plugins" . }}{{ end }}
{{- toJson $spec }}
{{- end }}

{{/*
sequential-job.cronJobSpec (dict "values" .Values "jobTemplate" the Job's metadata and spec): a CronJob's spec (batch/v1
or Volcano's, which share these fields), as JSON: the schedule, the cronJob settings that are set, concurrencyPolicy
Forbid unless set (a chain must not overlap itself), and the job template.
*/}}
{{- define "sequential-job.cronJobSpec" -}}
{{- $spec := include "sequential-job.fieldsSet" (list .values.cronJob list) | fromJson }}
{{- $_ := set $spec "schedule" .values.schedule }}
{{- $_ = set $spec "concurrencyPolicy" (.values.cronJob.concurrencyPolicy | default "Forbid") }}
{{- $_ = set $spec "jobTemplate" .jobTemplate }}
{{- toJson $spec }}
{{- end }}

{{/*
sequential-job.podFailureRules (dict "steps" the step entries "job" .Values.job): the Job's pod failure rules, as
{"rules": [...]}: one per entry of each step's onExitCodes (watching that step's container, its exit codes in the
increasing order Kubernetes requires), then Ignore on DisruptionTarget for job.ignoreDisruptions, then the rules of
job.podFailurePolicy as written.
*/}}
{{- define "sequential-job.podFailureRules" -}}
{{- $rules := list }}
{{- range .steps }}
{{- $container := .name }}
{{- range .spec.onExitCodes }}
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
