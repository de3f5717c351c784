{{/*
Validation: what values.schema.json cannot say. Every check adds a line naming the offending value by its path;
sequential-job.chain fails once with all of them.
*/}}

{{/*
sequential-job.problems (dict "root" $ "overridden" steps after overrides "chain" the chain so far): every problem
found, as {"problems": ["<path>: <what is wrong>", ...]}.
*/}}
{{- define "sequential-job.problems" -}}
{{- $values := .root.Values }}
{{- $kube := .root.Capabilities.KubeVersion.Version }}
{{- $chain := .chain }}
{{- $problems := list }}
{{- $names := list }}
{{- range $chain.steps }}{{ $names = append $names .name }}{{ end }}
{{- range $name, $_ := $values.stepOverrides }}
{{- if not (has $name $names) }}
{{- $problems = append $problems (printf "stepOverrides.%s: there is no step named %q (steps: %s)" $name $name (join ", " $names)) }}
{{- end }}
{{- end }}
{{- $volumes := list }}
{{- range $values.volumes }}{{ $volumes = append $volumes .name }}{{ end }}
{{- range $chain.volumes }}
{{- if has .name $volumes }}
{{- $purpose := get (dict "files" "for files" "steps" "for /steps" "shards" "for shards") .name }}
{{- $problems = append $problems (printf "volumes: the chart adds a volume named %q (%s), so the values cannot declare one; rename yours" .name $purpose) }}
{{- end }}
{{- $volumes = append $volumes .name }}
{{- end }}
{{- $declared := join ", " $volumes | default "none" }}
{{- range $i, $m := $values.stepDefaults.volumeMounts }}
{{- if not (has $m.name $volumes) }}
{{- $problems = append $problems (printf "stepDefaults.volumeMounts[%d]: mounts volume %q at %s, which volumes does not declare (declared: %s)" $i $m.name $m.mountPath $declared) }}
{{- end }}
{{- end }}
{{- $last := sub (len $chain.steps) 1 }}
{{- $seen := dict }}
{{- $results := dict }}
{{- range $i, $step := $chain.steps }}
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
{{- if and $chain.stepsDir (eq (trimSuffix "/" $m.mountPath) "/steps") }}
{{- $problems = append $problems (printf "%s: volumeMounts[%d] mounts at /steps, where the chart mounts the steps' exit codes and results" $where $j) }}
{{- end }}
{{- end }}
{{- if lt $i $last }}
{{- range $field := list "lifecycle" "livenessProbe" "readinessProbe" "startupProbe" }}
{{- if get $step $field }}
{{- $problems = append $problems (printf "%s.%s: steps 1..n-1 run as init containers, and Kubernetes allows probes and lifecycle hooks only on regular containers and sidecars; only the last step may set %s (or make it a sidecar)" $where $field $field) }}
{{- end }}
{{- end }}
{{- end }}
{{- if eq (toString $step.restartPolicy) "Always" }}
{{- $problems = append $problems (printf "%s.restartPolicy: Always would never let the step finish (as an init container it becomes a sidecar, as the last step it restarts forever); a step must run to completion: put a long-running helper in sidecars" $where) }}
{{- end }}
{{- if not $step.script }}
{{- range $field := list "timeoutSeconds" "onError" "results" }}
{{- if get $step $field }}
{{- $problems = append $problems (printf "%s.%s: only a script step can have %s: the chart runs the script inside a small sh wrapper that enforces it, and a command step's image may have no shell" $where $field $field) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $j, $env := $step.env }}
{{- with $env.fromStep }}
{{- $from := printf "%s.env[%d].fromStep" $where $j }}
{{- if or (hasKey $env "value") (hasKey $env "valueFrom") }}
{{- $problems = append $problems (printf "%s: an env entry takes fromStep or value/valueFrom, not both" $from) }}
{{- end }}
{{- if not (and (hasKey $results .step) (has .result (get $results .step | default list))) }}
{{- if hasKey $results .step }}
{{- $problems = append $problems (printf "%s: step %q declares no result %q (its results: %s)" $from .step .result (join ", " (get $results .step) | default "none")) }}
{{- else }}
{{- $problems = append $problems (printf "%s: %q is not a step before %s; a step reads results of earlier steps only" $from .step $step.name) }}
{{- end }}
{{- end }}
{{- if semverCompare "<1.35.0-0" $kube }}
{{- $problems = append $problems (printf "%s: reading a result needs Kubernetes 1.35 or later (env files, the EnvFiles feature, on by default since 1.35); this cluster is %s" $from $kube) }}
{{- end }}
{{- end }}
{{- end }}
{{- $_ := set $results $step.name ($step.results | default list) }}
{{- end }}
{{- range $i, $sidecar := $chain.sidecars }}
{{- $where := printf "sidecars[%d] (%s)" $i $sidecar.name }}
{{- if hasKey $seen $sidecar.name }}
{{- $problems = append $problems (printf "%s: the name %q is already used by a step or sidecar; container names must be unique" $where $sidecar.name) }}
{{- end }}
{{- $_ := set $seen $sidecar.name $where }}
{{- if and $sidecar.before (not (has $sidecar.before $names)) }}
{{- $problems = append $problems (printf "%s.before: there is no step named %q (steps: %s)" $where $sidecar.before (join ", " $names)) }}
{{- end }}
{{- if not $sidecar.image }}
{{- $problems = append $problems (printf "%s: has no image; set sidecars[%d].image or stepDefaults.image" $where $i) }}
{{- end }}
{{- if and $sidecar.script $sidecar.command }}
{{- $problems = append $problems (printf "%s: sets both script and command" $where) }}
{{- end }}
{{- if and $sidecar.restartPolicy (ne (toString $sidecar.restartPolicy) "Always") }}
{{- $problems = append $problems (printf "%s.restartPolicy: a sidecar is an init container with restartPolicy Always, which the chart sets; leave it unset" $where) }}
{{- end }}
{{- range $j, $m := $sidecar.volumeMounts }}
{{- if not (has $m.name $volumes) }}
{{- $problems = append $problems (printf "%s: volumeMounts[%d] mounts volume %q at %s, which volumes does not declare (declared: %s)" $where $j $m.name $m.mountPath $declared) }}
{{- end }}
{{- end }}
{{- if semverCompare "<1.29.0-0" $kube }}
{{- $problems = append $problems (printf "%s: sidecars need Kubernetes 1.29 or later (native sidecars: init containers with restartPolicy Always); this cluster is %s" $where $kube) }}
{{- end }}
{{- end }}
{{- $rules := $chain.podFailureRules }}
{{- if $values.volcano.enabled }}
{{- range $i, $step := $chain.steps }}
{{- if $step.onExitCodes }}
{{- $problems = append $problems (printf "steps[%d] (%s).onExitCodes: a Volcano Job has no pod failure policy; use volcano.policies (which can match exitCode too)" $i $step.name) }}
{{- end }}
{{- end }}
{{- if $values.job.ignoreDisruptions }}
{{- $problems = append $problems "job.ignoreDisruptions: a Volcano Job has no pod failure policy; use volcano.policies (a PodEvicted event)" }}
{{- end }}
{{- else if $rules }}
{{- if eq $values.pod.restartPolicy "OnFailure" }}
{{- $problems = append $problems "pod.restartPolicy: OnFailure cannot go with onExitCodes, job.podFailurePolicy or job.ignoreDisruptions: Kubernetes applies a pod failure policy only to pods with restartPolicy Never" }}
{{- end }}
{{- if gt (len $rules) 20 }}
{{- $problems = append $problems (printf "onExitCodes, job.podFailurePolicy and job.ignoreDisruptions make %d pod failure rules; Kubernetes allows 20" (len $rules)) }}
{{- end }}
{{- if eq (toString $values.job.podReplacementPolicy) "TerminatingOrFailed" }}
{{- $problems = append $problems "job.podReplacementPolicy: a pod failure policy (from onExitCodes, job.podFailurePolicy or job.ignoreDisruptions) needs Failed" }}
{{- end }}
{{- end }}
{{- if and $values.rbac.rules (not (or $values.serviceAccount.create $values.serviceAccount.name)) }}
{{- $problems = append $problems "rbac.rules: the Role needs a ServiceAccount to bind to: set serviceAccount.create or serviceAccount.name" }}
{{- end }}
{{- if and $values.pod.serviceAccountName (or $values.serviceAccount.create $values.serviceAccount.name) }}
{{- $problems = append $problems "pod.serviceAccountName and serviceAccount: both name the pod's ServiceAccount; set one" }}
{{- end }}
{{- $fileBytes := 0 }}
{{- range $name, $content := $values.files }}{{ $fileBytes = add $fileBytes (len $name) (len $content) }}{{ end }}
{{- if gt $fileBytes 1000000 }}
{{- $problems = append $problems (printf "files: %d bytes, more than a ConfigMap holds (1 MiB with its metadata); put large files in an image or a volume" $fileBytes) }}
{{- end }}
{{- if $values.shards }}
{{- $shardsPath := include "sequential-job.shardsPath" .root }}
{{- range $i, $step := $chain.steps }}
{{- range $j, $m := $step.volumeMounts }}
{{- $path := trimSuffix "/" $m.mountPath }}
{{- if or (eq $path $shardsPath) (hasPrefix (printf "%s/" $shardsPath) $path) }}
{{- $problems = append $problems (printf "steps[%d] (%s): volumeMounts[%d] mounts volume %q at %s, where the chart mounts the shards; mount it elsewhere" $i $step.name $j $m.name $m.mountPath) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- range (include "sequential-job.jobProblems" (dict "root" .root "steps" $chain.steps) | fromJson).problems }}
{{- $problems = append $problems . }}
{{- end }}
{{- range (include "sequential-job.platformProblems" $values | fromJson).problems }}
{{- $problems = append $problems . }}
{{- end }}
{{- with include "sequential-job.sizeProblem" (dict "containers" (concat $chain.initContainers (list (last $chain.containers))) "root" .root) }}
{{- $problems = append $problems . }}
{{- end }}
{{- range (include "sequential-job.shardsSizeProblems" .root | fromJson).problems }}
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
sequential-job.jobProblems (dict "root" $ "steps" defaulted steps): what Kubernetes would refuse in the workload's
spec, as {"problems": [...]}. In Volcano mode, every batch/v1 Job field that is set (but ttlSecondsAfterFinished and
backoffLimit 0); for a batch/v1 Job, the combinations of JobSpec fields that its validation rejects (Kubernetes
1.34's pkg/apis/batch/validation), with shards counting as completionMode Indexed and one completion per shard.
*/}}
{{- define "sequential-job.jobProblems" -}}
{{- $values := .root.Values }}
{{- $kube := .root.Capabilities.KubeVersion.Version }}
{{- $job := include "sequential-job.withoutEmpty" (omit $values.job "labels" "annotations" "nameSuffix") | fromJson }}
{{- $shards := len ($values.shards | default list) }}
{{- $problems := list }}
{{- if $values.volcano.enabled }}
{{- $pods := max $shards 1 }}
{{- if gt (int $values.volcano.minAvailable) $pods }}
{{- $problems = append $problems (printf "volcano.minAvailable: %d is more than the %d %s the Volcano Job runs (%s); at most %d" (int $values.volcano.minAvailable) $pods (ternary "pod" "pods" (eq $pods 1)) (ternary "one per shard" "a chain without shards is one pod" (gt $shards 0)) $pods) }}
{{- end }}
{{- $hints := dict "activeDeadlineSeconds" "use pod.activeDeadlineSeconds" "backoffLimit" "use volcano.maxRetry" "parallelism" "Volcano creates every shard's pod at once and volcano.minAvailable gangs them; set job.parallelism: null" "completions" "shards set the number of pods; set job.completions: null" "completionMode" "shards set the number of pods; set job.completionMode: null" "podFailurePolicy" "use volcano.policies, which can match exitCode too" }}
{{- range $key, $value := omit $job "ttlSecondsAfterFinished" "ignoreDisruptions" "nameSuffix" }}
{{- if not (and (eq $key "backoffLimit") (eq (toString $value) "0")) }}
{{- $shown := toJson $value }}
{{- if gt (len $shown) 40 }}{{ $shown = printf "%s..." (trunc 37 $shown) }}{{ end }}
{{- $problems = append $problems (printf "job.%s: %s has no effect on a Volcano Job; %s" $key $shown (get $hints $key | default (printf "it is a batch/v1 Job field: set job.%s: null in Volcano mode" $key))) }}
{{- end }}
{{- end }}
{{- else }}
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
{{- $howIndexed := "set shards, or job.completionMode: Indexed and job.completions" }}
{{- if and $indexed (not (include "sequential-job.isSet" $completions)) }}
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
{{- if and $indexed (include "sequential-job.isSet" $completions) }}
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
{{- $hasCount := include "sequential-job.isSet" $rule.succeededCount }}
{{- if not (or $hasCount (include "sequential-job.isSet" $rule.succeededIndexes)) }}
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
{{- $names := list }}
{{- range $.steps }}{{ $names = append $names .name }}{{ end }}
{{- range $i, $rule := .rules }}
{{- if and (eq (toString $rule.action) "FailIndex") (not (hasKey $job "backoffLimitPerIndex")) }}
{{- $problems = append $problems (printf "job.podFailurePolicy.rules[%d].action: FailIndex needs job.backoffLimitPerIndex" $i) }}
{{- end }}
{{- with ($rule.onExitCodes | default dict).containerName }}
{{- if not (has . $names) }}
{{- $problems = append $problems (printf "job.podFailurePolicy.rules[%d].onExitCodes.containerName: there is no step named %q (steps: %s)" $i . (join ", " $names)) }}
{{- end }}
{{- end }}
{{- end }}
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
sequential-job.shardsSizeProblems ($): problems with how much the shards hold, as {"problems": [...]}. Three limits:
Kubernetes' 1 MiB for a ConfigMap's values; etcd's request limit (pod.maxObjectBytes) for the whole ConfigMap, whose
every key adds its name twice (data, and the server-side apply field list) and about 16 bytes; and shardsMaxBytes for
the shards as JSON, the budget that keeps Helm's release record within its 1 MiB Secret: Helm stores the shards twice
(the values and the rendered ConfigMap), gzip-compressed and base64-encoded, next to the chart itself.
*/}}
{{- define "sequential-job.shardsSizeProblems" -}}
{{- $shards := .Values.shards | default list }}
{{- $problems := list }}
{{- if $shards }}
{{- $n := len $shards }}
{{- $data := 0 }}
{{- $keys := 0 }}
{{- range $i, $shard := $shards }}
{{- $data = add $data (len $shard) }}
{{- $keys = add $keys (len (toString $i)) }}
{{- end }}
{{- if gt $data 1048576 }}
{{- $problems = append $problems (printf "shards: %d shards hold %d bytes, more than the 1048576 (1 MiB) a ConfigMap may hold. About %d shards like these fit: split them over several releases" $n $data (div (mul 1048576 $n) $data)) }}
{{- end }}
{{- $limit := int64 .Values.pod.maxObjectBytes }}
{{- $object := add 2048 $data (mul 2 $keys) (mul 16 $n) }}
{{- if and (gt $limit 0) (gt $object $limit) }}
{{- $problems = append $problems (printf "shards: %d shards make a ConfigMap of about %d bytes, over pod.maxObjectBytes %d (etcd's request limit). About %d shards like these fit: split them over several releases" $n $object $limit (div (mul (sub $limit 2048) $n) (sub $object 2048))) }}
{{- end }}
{{- $budget := int64 .Values.shardsMaxBytes }}
{{- $json := len (toJson $shards) }}
{{- if and (gt $budget 0) (gt $json $budget) }}
{{- $fit := div (mul $budget $n) $json }}
{{- $problems = append $problems (printf "shards: %d shards are %d bytes as JSON, over shardsMaxBytes %d: Helm keeps them twice in its release record, a Secret of at most 1 MiB, and the chart cannot see how well they compress. About %d shards like these fit: split them over several releases, or raise shardsMaxBytes if they compress well (dates, paths) or Helm stores releases in SQL (HELM_DRIVER=sql)" $n $json $budget $fit) }}
{{- end }}
{{- end }}
{{- toJson (dict "problems" $problems) }}
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
