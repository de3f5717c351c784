{{/*
sequential-job.objectsProblems (dict "root" $ "release" the release description): problems with the release's objects
and what names them: overrides of steps that do not exist, volumes that clash with the chart's, the ServiceAccount and
its Role, label and annotation keys the chart owns, the volumes resume keeps, a Windows pod's Linux-only security
settings and step runtime. As {"problems": [...]}.
*/}}
{{- define "sequential-job.objectsProblems" -}}
{{- $values := .root.Values }}
{{- $const := .release.const }}
{{- $chain := .release.chain }}
{{- $problems := list }}
{{- $stepNames := list }}
{{- range $chain.steps }}{{ $stepNames = append $stepNames .name }}{{ end }}
{{- range $name, $_ := $values.stepOverrides }}
{{- if not (has $name $stepNames) }}
{{- $problems = append $problems (printf "stepOverrides.%s: there is no step named %q (steps: %s)" $name $name (join ", " $stepNames)) }}
{{- end }}
{{- end }}
{{- $chartVolumes := dict }}
{{- range $chain.volumes }}{{ $_ := set $chartVolumes .name true }}{{ end }}
{{- range $i, $volume := $values.volumes }}
{{- if hasKey $chartVolumes $volume.name }}
{{- $problems = append $problems (printf "volumes[%d]: the chart adds a volume named %q (%s), so the values cannot declare one; rename yours" $i $volume.name (get $const.volumePurpose $volume.name)) }}
{{- end }}
{{- end }}
{{- if and $values.rbac.rules (not (or $values.serviceAccount.create $values.serviceAccount.name)) }}
{{- $problems = append $problems "rbac.rules: the Role needs a ServiceAccount to bind to: set serviceAccount.create or serviceAccount.name" }}
{{- end }}
{{- if and $values.pod.serviceAccountName (or $values.serviceAccount.create $values.serviceAccount.name) }}
{{- $problems = append $problems "pod.serviceAccountName and serviceAccount: both name the pod's ServiceAccount; set one" }}
{{- end }}

{{- /* keys the chart owns in the values' label and annotation maps */}}
{{- $maps := dict "job.labels" $values.job.labels "pod.labels" $values.pod.labels "job.annotations" $values.job.annotations "pod.annotations" $values.pod.annotations "serviceAccount.annotations" $values.serviceAccount.annotations }}
{{- range $path, $map := $maps }}
{{- range $key, $_ := $map }}
{{- if hasKey $.release.identityLabels $key }}
{{- $problems = append $problems (printf "%s[%q]: the chart sets this label to find the release's objects and pods by it (and so does its log reader); remove it" $path $key) }}
{{- end }}
{{- range $field, $label := $const.kueueLabels }}
{{- if eq $key $label }}
{{- $problems = append $problems (printf "%s[%q]: the chart sets this label from kueue.%s; set that instead" $path $key $field) }}
{{- end }}
{{- end }}
{{- range $field, $annotation := $const.hookAnnotations }}
{{- if eq $key $annotation }}
{{- $problems = append $problems (printf "%s[%q]: the chart sets this annotation from hook.%s (and makes every object the Job needs a hook too); set hook.enabled and hook.%s instead" $path $key $field $field) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{- /* resume keeps emptyDir volumes on its claim */}}
{{- if $values.resume.enabled }}
{{- $declared := dict }}
{{- range ($values.volumes | default list) }}{{ $_ := set $declared .name . }}{{ end }}
{{- range $i, $name := $values.resume.volumes }}
{{- if not (hasKey $declared $name) }}
{{- $problems = append $problems (printf "resume.volumes[%d]: %q is not one of volumes (%s)" $i $name (keys $declared | sortAlpha | join ", " | default "none")) }}
{{- else if not (hasKey (get $declared $name) "emptyDir") }}
{{- $problems = append $problems (printf "resume.volumes[%d]: %q is not an emptyDir volume; resume keeps on its claim what an emptyDir would lose with the pod" $i $name) }}
{{- end }}
{{- end }}
{{- end }}

{{- /* a Windows pod: Kubernetes refuses the Linux-only fields the chart's restricted defaults set */}}
{{- if eq (toString (($values.pod.os | default dict).name)) "windows" }}
{{- if $chain.resume }}
{{- $problems = append $problems "resume.enabled: pod.os.name is windows, and resume runs every step inside the chart's wrapper, which the step runtime (stepRuntime, a Linux busybox) runs" }}
{{- else }}
{{- /* each wrapped step, named by the value that wraps it (where the user set it: the step, an override or stepDefaults) */}}
{{- range $entry := $chain.steps }}
{{- if $entry.wrapped }}
{{- $why := "" }}
{{- range $key := $const.wrapperKeys }}
{{- if and (not $why) (get $entry.spec $key) }}
{{- $why = include "sequential-job.origin" (dict "values" $values "entry" $entry "key" $key) }}
{{- end }}
{{- end }}
{{- $problems = append $problems (printf "%s: pod.os.name is windows, and this runs %s inside the chart's wrapper, which the step runtime (stepRuntime, a Linux busybox) runs" $why $entry.label) }}
{{- end }}
{{- end }}
{{- end }}
{{- if $chain.sharded }}
{{- range $entry := $chain.steps }}
{{- if $entry.spec.script }}
{{- $problems = append $problems (printf "%s: pod.os.name is windows, and with shards the chart puts a POSIX shell line before a script (it reads the shard into $SHARD), which a Windows shell cannot run; use command, reading the shard from /shards/<JOB_COMPLETION_INDEX>" (include "sequential-job.origin" (dict "values" $values "entry" $entry "key" "script"))) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $field := $const.linuxPodSecurity }}
{{- if not (kindIs "invalid" (index ($values.pod.securityContext | default dict) $field)) }}
{{- $problems = append $problems (printf "pod.securityContext.%s: Linux only, and pod.os.name is windows (Kubernetes refuses it on a Windows pod); set it to null (values/windows.yaml removes the chart's Linux defaults)" $field) }}
{{- end }}
{{- end }}
{{- end }}
{{- toJson (dict "problems" $problems) }}
{{- end }}
