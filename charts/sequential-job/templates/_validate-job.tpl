{{/*
sequential-job.jobProblems (dict "root" $ "release" the release description): what Kubernetes would refuse in a batch/v1
Job's spec (its validation, pkg/apis/batch/validation), with shards counting as completionMode Indexed and one
completion per shard, and the pod failure policy the chart makes; nothing in Volcano mode, where the platform checks
refuse the Job's fields. As {"problems": [...]}.
*/}}
{{- define "sequential-job.jobProblems" -}}
{{- $values := .root.Values }}
{{- $kube := .root.Capabilities.KubeVersion.Version }}
{{- $const := .release.const }}
{{- $chain := .release.chain }}
{{- $problems := list }}
{{- if not $values.volcano.enabled }}
{{- $job := include "sequential-job.fieldsSet" (list $values.job (without $const.jobKeys "podFailurePolicy")) | fromJson }}
{{- $shards := len ($values.shards | default list) }}
{{- $containerNames := list }}
{{- range (concat $chain.steps $chain.sidecars) }}{{ $containerNames = append $containerNames .name }}{{ end }}
{{- $rules := $chain.rules }}
{{- if $rules }}
{{- if eq (toString $values.pod.restartPolicy) "OnFailure" }}
{{- $problems = append $problems "pod.restartPolicy: OnFailure cannot go with onExitCodes, job.podFailurePolicy or job.ignoreDisruptions: Kubernetes applies a pod failure policy only to pods with restartPolicy Never" }}
{{- end }}
{{- if gt (len $rules) (int $const.podFailureRules) }}
{{- $problems = append $problems (printf "onExitCodes, job.podFailurePolicy and job.ignoreDisruptions make %d pod failure rules; Kubernetes allows %d" (len $rules) (int $const.podFailureRules)) }}
{{- end }}
{{- if eq (toString $values.job.podReplacementPolicy) "TerminatingOrFailed" }}
{{- $problems = append $problems "job.podReplacementPolicy: a pod failure policy (from onExitCodes, job.podFailurePolicy or job.ignoreDisruptions) needs Failed" }}
{{- end }}
{{- end }}
{{- if and $values.resume.enabled (eq (toString $values.job.podReplacementPolicy) "TerminatingOrFailed") }}
{{- $problems = append $problems "job.podReplacementPolicy: TerminatingOrFailed starts a replacement pod while the old one may still run a step on the progress resume.enabled keeps; leave it unset (resume makes it Failed) or set Failed" }}
{{- end }}
{{- $mode := $job.completionMode | default "NonIndexed" }}
{{- $completions := $job.completions }}
{{- if $shards }}
{{- if and (hasKey $job "completionMode") (ne $mode "Indexed") }}
{{- $problems = append $problems (printf "job.completionMode: %s contradicts shards, which make the Job Indexed; leave it unset" $mode) }}
{{- end }}
{{- if and (hasKey $job "completions") (ne (int $completions) $shards) }}
{{- $problems = append $problems (printf "job.completions: %d, but shards make one completion for each of their %d entries; leave it unset" (int $completions) $shards) }}
{{- end }}
{{- $mode = "Indexed" }}
{{- $completions = $shards }}
{{- end }}
{{- $indexed := eq $mode "Indexed" }}
{{- if and $values.resume.enabled (not $indexed) }}
{{- range $key := list "completions" "parallelism" }}
{{- if gt (int (get $job $key | default 1)) 1 }}
{{- $problems = append $problems (printf "job.%s: %d pods of a Job that is not Indexed would share one progress under resume.enabled; fan out with shards (one progress per index)" $key (int (get $job $key))) }}
{{- end }}
{{- end }}
{{- end }}
{{- $howIndexed := "set shards, or job.completionMode: Indexed and job.completions" }}
{{- if and $indexed (kindIs "invalid" $completions) }}
{{- $problems = append $problems "job.completionMode: Indexed needs job.completions (or shards, which set it)" }}
{{- end }}
{{- range $key := list "backoffLimitPerIndex" "maxFailedIndexes" "successPolicy" }}
{{- if and (hasKey $job $key) (not $indexed) }}
{{- $problems = append $problems (printf "job.%s: works only in an Indexed Job (%s)" $key $howIndexed) }}
{{- end }}
{{- end }}
{{- /* An API server without the field's feature on drops it (alpha) or refuses it by server-side apply (unknown). */}}
{{- range $key, $since := dict "successPolicy" "1.31" "managedBy" "1.32" }}
{{- if and (hasKey $job $key) (semverCompare (printf "<%s.0-0" $since) $kube) }}
{{- $problems = append $problems (printf "job.%s: needs Kubernetes %s or later (on by default from then); this cluster is %s" $key $since $kube) }}
{{- end }}
{{- end }}
{{- if and (hasKey $job "maxFailedIndexes") (not (hasKey $job "backoffLimitPerIndex")) }}
{{- $problems = append $problems (printf "job.maxFailedIndexes: %d needs job.backoffLimitPerIndex (the failures each index may have)" (int $job.maxFailedIndexes)) }}
{{- end }}
{{- if and $indexed (not (kindIs "invalid" $completions)) }}
{{- $completions = int $completions }}
{{- if gt (int ($job.parallelism | default 0)) 100000 }}
{{- $problems = append $problems (printf "job.parallelism: %d is more than the 100000 pods an Indexed Job may run at once" (int $job.parallelism)) }}
{{- end }}
{{- with $job.maxFailedIndexes }}
{{- if gt (int .) $completions }}
{{- $problems = append $problems (printf "job.maxFailedIndexes: %d is more than the %d completions" (int .) $completions) }}
{{- else if gt (int .) 100000 }}
{{- $problems = append $problems (printf "job.maxFailedIndexes: %d is more than Kubernetes' 100000" (int .)) }}
{{- end }}
{{- end }}
{{- if and (gt $completions 100000) (hasKey $job "backoffLimitPerIndex") }}
{{- if not (hasKey $job "maxFailedIndexes") }}
{{- $problems = append $problems (printf "job.maxFailedIndexes: must be set when job.backoffLimitPerIndex is, with more than 100000 completions (%d)" $completions) }}
{{- else if gt (int $job.maxFailedIndexes) 10000 }}
{{- $problems = append $problems (printf "job.maxFailedIndexes: %d is more than 10000, the most Kubernetes allows with job.backoffLimitPerIndex and more than 100000 completions" (int $job.maxFailedIndexes)) }}
{{- end }}
{{- if gt (int ($job.parallelism | default 0)) 10000 }}
{{- $problems = append $problems (printf "job.parallelism: %d is more than 10000, the most Kubernetes allows with job.backoffLimitPerIndex and more than 100000 completions" (int $job.parallelism)) }}
{{- end }}
{{- end }}
{{- with $job.successPolicy }}
{{- $rules := .rules | default list }}
{{- if not $rules }}
{{- $problems = append $problems "job.successPolicy.rules: needs at least one rule" }}
{{- else if gt (len $rules) 20 }}
{{- $problems = append $problems (printf "job.successPolicy.rules: %d rules, more than Kubernetes' 20" (len $rules)) }}
{{- end }}
{{- range $i, $rule := $rules }}
{{- $where := printf "job.successPolicy.rules[%d]" $i }}
{{- $hasCount := not (kindIs "invalid" $rule.succeededCount) }}
{{- if not (or $hasCount (not (kindIs "invalid" $rule.succeededIndexes))) }}
{{- $problems = append $problems (printf "%s: sets neither succeededCount nor succeededIndexes; a rule needs one or both" $where) }}
{{- end }}
{{- $total := 0 }}
{{- $previous := -1 }}
{{- range $interval := ternary (splitList "," (toString $rule.succeededIndexes)) list (not (empty $rule.succeededIndexes)) }}
{{- $ends := splitList "-" $interval }}
{{- $first := atoi (first $ends) }}
{{- $last := atoi (last $ends) }}
{{- if ge $last $completions }}
{{- $problems = append $problems (printf "%s.succeededIndexes: index %d is out of range: the Job's indexes are 0 to %d" $where $last (sub $completions 1)) }}
{{- else if or (le $first $previous) (and (eq (len $ends) 2) (ge $first $last)) }}
{{- $problems = append $problems (printf "%s.succeededIndexes: %q is not in increasing order" $where $rule.succeededIndexes) }}
{{- end }}
{{- $total = add $total (sub $last $first) 1 }}
{{- $previous = $last }}
{{- end }}
{{- if $hasCount }}
{{- if gt (int $rule.succeededCount) $completions }}
{{- $problems = append $problems (printf "%s.succeededCount: %d is more than the %d completions" $where (int $rule.succeededCount) $completions) }}
{{- else if and $rule.succeededIndexes (gt (int $rule.succeededCount) $total) }}
{{- $problems = append $problems (printf "%s.succeededCount: %d is more than the %d indexes succeededIndexes names" $where (int $rule.succeededCount) $total) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- with $job.podFailurePolicy }}
{{- range $i, $rule := .rules }}
{{- if and (eq (toString $rule.action) "FailIndex") (not (hasKey $job "backoffLimitPerIndex")) }}
{{- $problems = append $problems (printf "job.podFailurePolicy.rules[%d].action: FailIndex needs job.backoffLimitPerIndex" $i) }}
{{- end }}
{{- with ($rule.onExitCodes | default dict).containerName }}
{{- if not (has . $containerNames) }}
{{- $problems = append $problems (printf "job.podFailurePolicy.rules[%d].onExitCodes.containerName: there is no step or sidecar named %q (steps and sidecars: %s)" $i . (join ", " $containerNames)) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- toJson (dict "problems" $problems) }}
{{- end }}
