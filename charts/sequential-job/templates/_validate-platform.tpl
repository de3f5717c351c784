{{/*
sequential-job.platformProblems (dict "root" $ "release" the release description): what the platform the workload
runs on cannot do: Volcano (no batch/v1 Job fields, no pod failure policy, a gang no larger than the pods), Kueue (batch/v1
Jobs only), Helm hooks (batch/v1 Jobs only, not on a schedule), and the schedule (what the API server's cron parser
and time zone database take; settings that apply only to a CronJob). As {"problems": [...]}.
*/}}
{{- define "sequential-job.platformProblems" -}}
{{- $values := .root.Values }}
{{- $const := .release.const }}
{{- $chain := .release.chain }}
{{- $problems := list }}
{{- $shards := len ($values.shards | default list) }}

{{- if $values.volcano.enabled }}
{{- $pods := max $shards 1 }}
{{- if gt (int $values.volcano.minAvailable) $pods }}
{{- $problems = append $problems (printf "volcano.minAvailable: %d is more than the %d %s the Volcano Job runs (%s); at most %d" (int $values.volcano.minAvailable) $pods (ternary "pod" "pods" (eq $pods 1)) (ternary "one per shard" "a chain without shards is one pod" (gt $shards 0)) $pods) }}
{{- end }}
{{- $hints := dict "activeDeadlineSeconds" "use pod.activeDeadlineSeconds" "backoffLimit" "use volcano.maxRetry" "parallelism" "Volcano creates every shard's pod at once and volcano.minAvailable gangs them; set job.parallelism: null" "completions" "shards set the number of pods; set job.completions: null" "completionMode" "shards set the number of pods; set job.completionMode: null" "podFailurePolicy" "use volcano.policies, which can match exitCode too" "ignoreDisruptions" "use volcano.policies (a PodEvicted event)" }}
{{- $job := include "sequential-job.fieldsSet" (list $values.job (list "labels" "annotations" "nameSuffix" "ttlSecondsAfterFinished")) | fromJson }}
{{- range $key, $value := $job }}
{{- if not (or (and (eq $key "backoffLimit") (eq (toString $value) "0")) (and (eq $key "ignoreDisruptions") (not $value))) }}
{{- $shown := toJson $value }}
{{- if gt (len $shown) 40 }}{{ $shown = printf "%s..." (trunc 37 $shown) }}{{ end }}
{{- $problems = append $problems (printf "job.%s: %s has no effect on a Volcano Job; %s" $key $shown (get $hints $key | default (printf "it is a batch/v1 Job field: set job.%s: null in Volcano mode" $key))) }}
{{- end }}
{{- end }}
{{- range $chain.steps }}
{{- if .spec.onExitCodes }}
{{- $problems = append $problems (printf "%s: a Volcano Job has no pod failure policy; use volcano.policies (which can match exitCode too)" (include "sequential-job.origin" (dict "values" $values "entry" . "key" "onExitCodes"))) }}
{{- end }}
{{- end }}
{{- range $key := list "queueName" "priorityClass" }}
{{- if get $values.kueue $key }}
{{- $problems = append $problems (printf "kueue.%s: Kueue queues batch/v1 Jobs, and a Volcano Job is queued by Volcano (volcano.queue); set kueue or volcano.enabled, not both" $key) }}
{{- end }}
{{- end }}
{{- if $values.hook.enabled }}
{{- $problems = append $problems "hook.enabled: Helm waits only for batch/v1 Job (and Pod) hooks, so a Volcano Job hook would not hold back the release; a hook needs volcano.enabled false" }}
{{- end }}
{{- if $values.resume.enabled }}
{{- $problems = append $problems "resume.enabled: a Volcano Job's pods carry no label with their Job's uid, which resume keeps each run's progress apart by (a new Volcano Job of the same name would skip the steps an old one completed); resume needs volcano.enabled false" }}
{{- end }}
{{- end }}

{{- if and $values.hook.enabled $values.resume.enabled }}
{{- $problems = append $problems "resume.enabled: in hook mode Helm makes every object the Job needs again at each release event, deleting the previous one first, and the previous run's claim stays in use (Kubernetes' PVC protection) until its Job is deleted, which Helm does only after (hooks go in weight order): the upgrade would hang; use retries, or the chart out of hook mode" }}
{{- end }}

{{- if $values.schedule }}
{{- if $values.hook.enabled }}
{{- $problems = append $problems (printf "hook.enabled: a hook runs once at a release event, a CronJob (schedule %q) on its schedule; choose one" $values.schedule) }}
{{- end }}
{{- if not (kindIs "invalid" $values.job.nameSuffix) }}
{{- $problems = append $problems (printf "job.nameSuffix: %s has no effect with schedule: the CronJob names its Jobs itself (<name>-<minutes since the epoch>)" $values.job.nameSuffix) }}
{{- end }}
{{- with include "sequential-job.cronProblem" $values.schedule }}
{{- $problems = append $problems (printf "schedule: %q %s" $values.schedule .) }}
{{- end }}
{{- with $values.cronJob.timeZone }}
{{- if not (has . (include "sequential-job.timeZones" $ | fromJsonArray)) }}
{{- $problems = append $problems (printf "cronJob.timeZone: %q is not a time zone of the IANA database the API server loads (e.g. Europe/Berlin, America/New_York, UTC)" .) }}
{{- end }}
{{- end }}
{{- else }}
{{- range $key, $value := $values.cronJob }}
{{- if not (kindIs "invalid" $value) }}
{{- $problems = append $problems (printf "cronJob.%s: applies only to a CronJob; set schedule, or remove it" $key) }}
{{- end }}
{{- end }}
{{- end }}
{{- toJson (dict "problems" $problems) }}
{{- end }}

{{/*
sequential-job.cronProblem (a schedule): what the API server's cron parser (robfig/cron v3 ParseStandard, which
Kubernetes' CronJob validation runs) would refuse in it, as a phrase; nothing when it parses. Five fields (minute,
hour, day of month, month, day of week) of comma-separated ranges: *, ?, N or N-M (month and day names for those
fields), each with an optional /step, whose values the schema cannot bound; TZ is refused. values.schema.json has
already checked the shape and the descriptors (@hourly, ..., @every <duration>).
*/}}
{{- define "sequential-job.cronProblem" -}}
{{- $schedule := . }}
{{- if contains "TZ" $schedule }}
{{- print "holds TZ or CRON_TZ, which Kubernetes refuses in a schedule: set cronJob.timeZone instead" }}
{{- else if hasPrefix "@" $schedule }}
{{- /* values.schema.json takes only the descriptors and @every with a duration */}}
{{- else }}
{{- $fields := regexSplit "\\s+" (trim $schedule) -1 }}
{{- $months := dict "jan" 1 "feb" 2 "mar" 3 "apr" 4 "may" 5 "jun" 6 "jul" 7 "aug" 8 "sep" 9 "oct" 10 "nov" 11 "dec" 12 }}
{{- $days := dict "sun" 0 "mon" 1 "tue" 2 "wed" 3 "thu" 4 "fri" 5 "sat" 6 }}
{{- $specs := list (dict "what" "minute" "min" 0 "max" 59) (dict "what" "hour" "min" 0 "max" 23) (dict "what" "day of month" "min" 1 "max" 31) (dict "what" "month" "min" 1 "max" 12 "names" $months) (dict "what" "day of week" "min" 0 "max" 6 "names" $days) }}
{{- $problem := "" }}
{{- range $i, $field := $fields }}
{{- $spec := index $specs $i }}
{{- range $expr := splitList "," $field }}
{{- if and (not $problem) $expr }}
{{- $steps := splitList "/" $expr }}
{{- $bounds := splitList "-" (first $steps) }}
{{- $numbers := list }}
{{- $wrong := "" }}
{{- if gt (len $steps) 2 }}{{ $wrong = "has more than one /" }}{{ end }}
{{- if gt (len $bounds) 2 }}{{ $wrong = "has more than one -" }}{{ end }}
{{- if not $wrong }}
{{- if has (first $bounds) (list "*" "?") }}
{{- $numbers = list (int $spec.min) (int $spec.max) }}
{{- else }}
{{- range $bound := $bounds }}
{{- if hasKey ($spec.names | default dict) (lower $bound) }}
{{- $numbers = append $numbers (int (get $spec.names (lower $bound))) }}
{{- else if regexMatch "^\\+?[0-9]{1,9}$" $bound }}
{{- $numbers = append $numbers (atoi (trimPrefix "+" $bound)) }}
{{- else if not $wrong }}
{{- $wrong = printf "has %q, which is neither a number nor a %s name" $bound $spec.what }}
{{- end }}
{{- end }}
{{- if and (not $wrong) (eq (len $numbers) 1) }}
{{- $numbers = append $numbers (ternary (int $spec.max) (first $numbers) (eq (len $steps) 2)) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and (not $wrong) (eq (len $steps) 2) (not (regexMatch "^\\+?0*[1-9][0-9]{0,8}$" (last $steps))) }}
{{- $wrong = printf "has the step %q; a step is a positive number" (last $steps) }}
{{- end }}
{{- if not $wrong }}
{{- $low := first $numbers }}
{{- $high := last $numbers }}
{{- if or (lt $low (int $spec.min)) (gt $high (int $spec.max)) }}
{{- $wrong = printf "is outside %d-%d" (int $spec.min) (int $spec.max) }}
{{- else if gt $low $high }}
{{- $wrong = printf "starts after it ends (%d > %d)" $low $high }}
{{- end }}
{{- end }}
{{- if $wrong }}
{{- $problem = printf "has the %s %q, which %s" $spec.what $expr $wrong }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- $problem }}
{{- end }}
{{- end }}
