{{/*
The chart's own keys, names and paths, each written once. Helpers read them from the release description
((get $ "sequentialJob").const); the checks apply them to every container after stepDefaults, stepOverrides and
sidecars are merged.
*/}}

{{/* sequential-job.constants: the chart's own keys, names, paths and limits, as JSON. */}}
{{- define "sequential-job.constants" -}}
{{- toJson (dict
  "stepKeys" (list "script" "timeoutSeconds" "onError" "results" "retries" "onExitCodes")
  "wrapperKeys" (list "timeoutSeconds" "onError" "results" "retries")
  "sidecarKeys" (list "script" "before")
  "stepOnlyKeys" (list "timeoutSeconds" "onError" "results" "retries" "onExitCodes")
  "defaultsOnlyKeys" (list "shell")
  "initForbidden" (list "lifecycle" "livenessProbe" "readinessProbe" "startupProbe")
  "jobKeys" (list "nameSuffix" "ignoreDisruptions" "podFailurePolicy" "labels" "annotations")
  "podKeys" (list "maxObjectBytes" "labels" "annotations")
  "volumes" (dict "steps" "steps" "files" "files" "shards" "shards" "resume" "resume")
  "volumePurpose" (dict "steps" "for /steps" "files" "for files" "shards" "for shards" "resume" "for resume")
  "paths" (dict "steps" "/steps" "shards" "/shards" "runtime" "/steps/.runtime" "resume" "/steps/.resume")
  "runtimeContainer" "sequential-job-runtime"
  "runEnv" "SEQUENTIAL_JOB_RUN"
  "jobUidLabel" "batch.kubernetes.io/controller-uid"
  "shardEnv" "SHARD"
  "indexEnv" (dict "batch" "JOB_COMPLETION_INDEX" "volcano" "VC_TASK_INDEX")
  "indexLabel" (dict "batch" "batch.kubernetes.io/job-completion-index" "volcano" "volcano.sh/task-index")
  "filesMode" 365
  "component" "sequential-job"
  "kueueLabels" (dict "queueName" "kueue.x-k8s.io/queue-name" "priorityClass" "kueue.x-k8s.io/priority-class")
  "hookAnnotations" (dict "events" "helm.sh/hook" "weight" "helm.sh/hook-weight" "deletePolicy" "helm.sh/hook-delete-policy")
  "defaultContainerAnnotation" "kubectl.kubernetes.io/default-container"
  "privilegedCapabilities" (list "SYS_ADMIN" "CAP_SYS_ADMIN")
  "linuxPodSecurity" (list "seLinuxOptions" "seccompProfile" "appArmorProfile" "fsGroup" "fsGroupChangePolicy" "sysctls" "runAsUser" "runAsGroup" "supplementalGroups" "supplementalGroupsPolicy" "seLinuxChangePolicy")
  "linuxContainerSecurity" (list "seLinuxOptions" "seccompProfile" "appArmorProfile" "capabilities" "readOnlyRootFilesystem" "privileged" "allowPrivilegeEscalation" "procMount" "runAsUser" "runAsGroup")
  "maxArgBytes" 131071
  "configMapBytes" 1048576
  "filesBytes" 1000000
  "podFailureRules" 20
  "hashLength" 10
  "cronJobNameLength" 52
) }}
{{- end }}
