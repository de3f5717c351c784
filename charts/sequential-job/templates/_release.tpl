{{/*
The release description: every object the chain needs, decided once per render. Each template renders one object of
it; NOTES.txt reads it too. Resolve (_steps.tpl), build (_pod.tpl, _workload.tpl), check (_validate.tpl), then render.
*/}}

{{/*
sequential-job.release (root): computes the release description once per render and keeps it on the root context,
which every template of this chart shares; fails, listing every values problem at once, when there is any. Outputs
nothing: read it with (get $ "sequentialJob"), a map of
  const    the chart's constants (_constants.tpl)
  mode     how the workload is named: revision, hash, none, or schedule (a CronJob names its Jobs)
  identityLabels  the labels the release's objects and pods are found by (every object and the pod template carry them)
  chain    steps and sidecars (the entries of sequential-job.resolveEntries, each with the container it runs as);
           containers, each step's container in
           execution order; initContainers, steps 1..n-1 with each sidecar just before its step; stepsDir, whether
           the chain uses /steps; sharded; shell; volumes, the volumes the chart adds; rules, the pod failure rules
  objects  the objects the release renders, by role: workload, filesConfigMap, shardsConfigMap, resumeClaim,
           serviceAccount, role, roleBinding; each {apiVersion, kind, name, namespace, labels, annotations} and what its template renders
           (spec, data, rules, roleRef, subjects). A role the values do not call for is absent.
Labels and annotations merge here, in this order of precedence: what another value means (Kueue's labels from kueue,
Helm's hook annotations from hook), then the values' own maps (job.labels, pod.labels, ...), then the chart's
standard labels. A values map may not set a key of the first kind, nor the identity labels the chart finds its objects
and pods by (the checks refuse both, naming the value to set instead).
In hook mode every object the workload depends on is a hook of the same events with a lower weight, so Helm creates
it first, at every event. With job.nameSuffix hash the workload is named by the sha256 of what a re-run would do
differently: its spec (the pod template, which carries no chart version) without ttlSecondsAfterFinished and suspend,
and the content of the files and shards it mounts; not its labels or annotations.
*/}}
{{- define "sequential-job.release" -}}
{{- if not (hasKey . "sequentialJob") }}
{{- $values := .Values }}
{{- $const := include "sequential-job.constants" . | fromJson }}
{{- $fullname := include "sequential-job.fullname" . }}
{{- $namespace := .Release.Namespace }}
{{- $hooked := not (not $values.hook.enabled) }}
{{- $mode := $values.job.nameSuffix | default (ternary "none" "revision" $hooked) }}
{{- if $values.schedule }}{{ $mode = "schedule" }}{{ end }}

{{- /* the chain */}}
{{- $resolved := include "sequential-job.resolveEntries" (dict "values" $values "const" $const) | fromJson }}
{{- $stepsDir := false }}
{{- $wrapped := false }}
{{- range (concat $resolved.steps $resolved.sidecars) }}
{{- if or .wrapped .readsResults }}{{ $stepsDir = true }}{{ end }}
{{- if .wrapped }}{{ $wrapped = true }}{{ end }}
{{- end }}
{{- $resume := not (not $values.resume.enabled) }}
{{- $chain := dict "steps" $resolved.steps "sidecars" $resolved.sidecars "stepsDir" $stepsDir "sharded" (not (empty $values.shards)) "shell" $values.stepDefaults.shell }}
{{- $_ := set $chain "wrapped" $wrapped }}
{{- $_ = set $chain "resume" $resume }}
{{- $_ = set $chain "resumedVolumes" (ternary ($values.resume.volumes | default list) list $resume) }}
{{- $_ = set $chain "indexExpr" (ternary (printf "$(%s)" $const.indexEnv.batch) "0" (not (empty $values.shards))) }}
{{- $containers := list }}
{{- range (concat $resolved.steps $resolved.sidecars) }}
{{- $_ := set . "container" (include "sequential-job.container" (dict "entry" . "chain" $chain "const" $const) | fromJson) }}
{{- end }}
{{- range $resolved.steps }}{{ $containers = append $containers .container }}{{ end }}
{{- $initContainers := list }}
{{- if $wrapped }}
{{- $initContainers = append $initContainers (include "sequential-job.runtimeContainer" (dict "values" $values "const" $const) | fromJson) }}
{{- end }}
{{- range $i, $container := $containers }}
{{- range $resolved.sidecars }}
{{- if eq (int .position) $i }}{{ $initContainers = append $initContainers .container }}{{ end }}
{{- end }}
{{- if lt $i (sub (len $containers) 1) }}{{ $initContainers = append $initContainers $container }}{{ end }}
{{- end }}
{{- $_ = set $chain "containers" $containers }}
{{- $_ = set $chain "initContainers" $initContainers }}
{{- $_ = set $chain "rules" (include "sequential-job.podFailureRules" (dict "steps" $resolved.steps "job" $values.job) | fromJson).rules }}

{{- /* labels: identity (how the release's objects and pods are found), standard (every object) */}}
{{- $identity := dict "app.kubernetes.io/name" (include "sequential-job.name" .) "app.kubernetes.io/instance" .Release.Name "app.kubernetes.io/component" $const.component }}
{{- $chartLabel := printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- $standard := merge (dict "helm.sh/chart" $chartLabel "app.kubernetes.io/managed-by" .Release.Service) $identity }}
{{- $workloadKind := include "sequential-job.workloadKind" $values | fromJson }}

{{- /* the workload's name, when it does not depend on its spec */}}
{{- $workloadName := $fullname }}
{{- if eq $mode "revision" }}
{{- $workloadName = include "sequential-job.withSuffix" (list $fullname (toString (int .Release.Revision))) }}
{{- else if eq $mode "schedule" }}
{{- $workloadName = $fullname | trunc (int $const.cronJobNameLength) | trimSuffix "-" }}
{{- end }}

{{- /* the objects the workload depends on: hooks before it in hook mode, release objects otherwise */}}
{{- $dependencyAnnotations := dict }}
{{- if $hooked }}
{{- $policies := list "before-hook-creation" }}
{{- if has "hook-succeeded" $values.hook.deletePolicy }}{{ $policies = append $policies "hook-succeeded" }}{{ end }}
{{- $_ := set $dependencyAnnotations $const.hookAnnotations.events (join "," $values.hook.events) }}
{{- $_ = set $dependencyAnnotations $const.hookAnnotations.weight (sub (int $values.hook.weight) 1 | toString) }}
{{- $_ = set $dependencyAnnotations $const.hookAnnotations.deletePolicy (join "," $policies) }}
{{- end }}
{{- /* ConfigMaps share the Job's name when it is per revision (or per hook event); otherwise their content names them,
so a Job never sees its inputs change under it, and new content is a new pod template */}}
{{- $perWorkload := or (eq $mode "revision") (and $hooked (eq $mode "none")) }}
{{- $objects := dict }}
{{- $volumes := list }}
{{- if $stepsDir }}
{{- $volumes = append $volumes (dict "name" $const.volumes.steps "emptyDir" dict) }}
{{- end }}
{{- range $role, $data := dict "files" $values.files "shards" $values.shards }}
{{- if $data }}
{{- $name := printf "%s-%s" $workloadName $role }}
{{- if not $perWorkload }}
{{- $name = printf "%s-%s-%s" ($fullname | trunc 45 | trimSuffix "-") $role (toJson $data | sha256sum | trunc (int $const.hashLength)) }}
{{- end }}
{{- $object := dict "apiVersion" "v1" "kind" "ConfigMap" "name" $name "namespace" $namespace "labels" $standard "annotations" $dependencyAnnotations }}
{{- if eq $role "files" }}
{{- $_ := set $object "data" $data }}
{{- $_ = set $objects "filesConfigMap" $object }}
{{- $volumes = append $volumes (dict "name" $const.volumes.files "configMap" (dict "name" $name "defaultMode" (int $const.filesMode))) }}
{{- else }}
{{- $byIndex := dict }}
{{- range $i, $shard := $data }}{{ $_ := set $byIndex (toString $i) $shard }}{{ end }}
{{- $_ := set $object "data" $byIndex }}
{{- $_ = set $objects "shardsConfigMap" $object }}
{{- $volumes = append $volumes (dict "name" $const.volumes.shards "configMap" (dict "name" $name)) }}
{{- end }}
{{- end }}
{{- end }}
{{- if $resume }}
{{- $name := printf "%s-resume" (ternary $workloadName $fullname $perWorkload) }}
{{- $claim := dict "accessModes" $values.resume.accessModes "resources" (dict "requests" (dict "storage" (toString $values.resume.size))) }}
{{- with $values.resume.storageClassName }}{{ $_ := set $claim "storageClassName" . }}{{ end }}
{{- $_ := set $objects "resumeClaim" (dict "apiVersion" "v1" "kind" "PersistentVolumeClaim" "name" $name "namespace" $namespace "labels" $standard "annotations" $dependencyAnnotations "spec" $claim) }}
{{- $volumes = append $volumes (dict "name" $const.volumes.resume "persistentVolumeClaim" (dict "claimName" $name)) }}
{{- end }}
{{- $_ = set $chain "volumes" $volumes }}
{{- $serviceAccountName := $values.pod.serviceAccountName | default $values.serviceAccount.name }}
{{- if and $values.serviceAccount.create (not $serviceAccountName) }}{{ $serviceAccountName = $fullname }}{{ end }}
{{- if $values.serviceAccount.create }}
{{- $annotations := merge (deepCopy ($values.serviceAccount.annotations | default dict)) $dependencyAnnotations }}
{{- $_ := set $objects "serviceAccount" (dict "apiVersion" "v1" "kind" "ServiceAccount" "name" $serviceAccountName "namespace" $namespace "labels" $standard "annotations" $annotations) }}
{{- end }}
{{- if $values.rbac.rules }}
{{- $rbac := dict "apiVersion" "rbac.authorization.k8s.io/v1" "name" $fullname "namespace" $namespace "labels" $standard "annotations" $dependencyAnnotations }}
{{- $_ := set $objects "role" (merge (dict "kind" "Role" "rules" $values.rbac.rules) $rbac) }}
{{- $subject := dict "kind" "ServiceAccount" "name" $serviceAccountName "namespace" $namespace }}
{{- $roleRef := dict "apiGroup" "rbac.authorization.k8s.io" "kind" "Role" "name" $fullname }}
{{- $_ = set $objects "roleBinding" (merge (dict "kind" "RoleBinding" "roleRef" $roleRef "subjects" (list $subject)) (deepCopy $rbac)) }}
{{- end }}

{{- /* the pod template, and the workload around it */}}
{{- $podSpec := include "sequential-job.podSpec" (dict "values" $values "chain" $chain "volumes" $volumes "serviceAccountName" $serviceAccountName "const" $const) | fromJson }}
{{- $podLabels := merge (deepCopy ($values.pod.labels | default dict)) $identity }}
{{- $podAnnotations := merge (deepCopy ($values.pod.annotations | default dict)) (dict $const.defaultContainerAnnotation (last $containers).name) }}
{{- $template := dict "metadata" (dict "labels" $podLabels "annotations" $podAnnotations) "spec" $podSpec }}
{{- $jobSpec := dict }}
{{- if $values.volcano.enabled }}
{{- $jobSpec = include "sequential-job.volcanoJobSpec" (dict "values" $values "template" $template) | fromJson }}
{{- else }}
{{- $jobSpec = include "sequential-job.jobSpec" (dict "values" $values "template" $template "rules" $chain.rules "const" $const) | fromJson }}
{{- end }}
{{- if eq $mode "hash" }}
{{- $hashed := dict "spec" (omit $jobSpec "ttlSecondsAfterFinished" "suspend") "files" $values.files "shards" $values.shards }}
{{- $workloadName = include "sequential-job.withSuffix" (list $fullname (toJson $hashed | sha256sum | trunc (int $const.hashLength))) }}
{{- end }}
{{- $derived := dict }}
{{- range $field, $label := $const.kueueLabels }}
{{- with index $values.kueue $field }}{{ $_ := set $derived $label . }}{{ end }}
{{- end }}
{{- $jobLabels := merge $derived (deepCopy ($values.job.labels | default dict)) $standard }}
{{- $jobAnnotations := deepCopy ($values.job.annotations | default dict) }}
{{- $workload := dict "apiVersion" $workloadKind.apiVersion "kind" $workloadKind.kind "name" $workloadName "namespace" $namespace }}
{{- if $values.schedule }}
{{- $jobTemplate := dict "metadata" (dict "labels" $jobLabels) "spec" $jobSpec }}
{{- with $jobAnnotations }}{{ $_ := set $jobTemplate.metadata "annotations" . }}{{ end }}
{{- $_ := set $workload "labels" $standard }}
{{- $_ = set $workload "spec" (include "sequential-job.cronJobSpec" (dict "values" $values "jobTemplate" $jobTemplate) | fromJson) }}
{{- else }}
{{- if $hooked }}
{{- $_ := set $jobAnnotations $const.hookAnnotations.events (join "," $values.hook.events) }}
{{- $_ = set $jobAnnotations $const.hookAnnotations.weight (int $values.hook.weight | toString) }}
{{- with $values.hook.deletePolicy }}{{ $_ = set $jobAnnotations $const.hookAnnotations.deletePolicy (join "," .) }}{{ end }}
{{- end }}
{{- $_ := set $workload "labels" $jobLabels }}
{{- $_ = set $workload "annotations" $jobAnnotations }}
{{- $_ = set $workload "spec" $jobSpec }}
{{- end }}
{{- $_ = set $objects "workload" $workload }}

{{- $release := dict "const" $const "mode" $mode "chain" $chain "objects" $objects "identityLabels" $identity }}
{{- $problems := (include "sequential-job.problems" (dict "root" . "release" $release) | fromJson).problems }}
{{- if $problems }}
{{- fail (printf "%d %s in the values:\n  - %s" (len $problems) (ternary "problem" "problems" (eq (len $problems) 1)) (join "\n  - " $problems)) }}
{{- end }}
{{- $_ = set . "sequentialJob" $release }}
{{- end }}
{{- end }}
