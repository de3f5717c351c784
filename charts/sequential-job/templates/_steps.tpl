{{/*
Step resolution: from the values' steps, sidecars, stepOverrides and stepDefaults to the containers the pod runs.
*/}}

{{/*
sequential-job.overriddenStep (dict "step" steps[i] "override" stepOverrides[name]): the step with its override
deep-merged in (maps merge, lists and scalars replace, env merges by name). Returns JSON.
*/}}
{{- define "sequential-job.overriddenStep" -}}
{{- $override := .override | default dict }}
{{- $step := include "sequential-job.deepMerge" (list .step (omit $override "env")) | fromJson }}
{{- with $override.env }}
{{- $_ := set $step "env" (include "sequential-job.mergeEnv" (list $step.env .) | fromJson).env }}
{{- end }}
{{- toJson $step }}
{{- end }}

{{/*
sequential-job.defaultedStep (dict "step" overridden step "defaults" stepDefaults): stepDefaults applied under the
step. Maps deep-merge (the step's keys win), env merges by name, volumeMounts are added after the step's own at paths
it does not use, any other field applies where the step sets none; script and command count as one field, so a step
that sets either keeps its own. Returns JSON.
*/}}
{{- define "sequential-job.defaultedStep" -}}
{{- $step := .step }}
{{- $defaults := omit .defaults "shell" "env" "volumeMounts" }}
{{- if or $step.script $step.command }}{{ $defaults = omit $defaults "script" "command" }}{{ end }}
{{- $merged := include "sequential-job.deepMerge" (list $defaults (omit $step "env" "volumeMounts")) | fromJson }}
{{- with (include "sequential-job.mergeEnv" (list .defaults.env $step.env) | fromJson).env }}
{{- $_ := set $merged "env" . }}
{{- end }}
{{- with (include "sequential-job.mergeMounts" (list $step.volumeMounts .defaults.volumeMounts) | fromJson).volumeMounts }}
{{- $_ := set $merged "volumeMounts" . }}
{{- end }}
{{- toJson $merged }}
{{- end }}

{{/*
sequential-job.isWrapped (a defaulted step): "true" when its script runs inside the chart's wrapper, which a timeout,
an error rule or results need.
*/}}
{{- define "sequential-job.isWrapped" -}}
{{- if and .script (or .timeoutSeconds .onError .results) }}true{{ end }}
{{- end }}

{{/*
sequential-job.container (dict "step" defaulted step or sidecar "shell" stepDefaults.shell "stepsDir" whether the
chain uses /steps "sidecar" bool "sharded" whether shards are set): the step as a Kubernetes Container: every field as
written, null or empty ones left out, and the chart's own keys (script, timeoutSeconds, onError, results, onExitCodes,
before) turned into what they mean: script into command [shell, -c, script], inside the chart's wrapper when a
timeout, an error rule or results need it; env entries that read a result into fileKeyRefs; /steps mounted in every
step when the chain uses it; a sidecar's restartPolicy Always. A sharded step also mounts the shards read-only at
/shards, and its script starts by reading its own shard into $SHARD. Returns JSON.
*/}}
{{- define "sequential-job.container" -}}
{{- $step := .step }}
{{- $container := include "sequential-job.withoutEmpty" (omit $step "script" "timeoutSeconds" "onError" "results" "onExitCodes" "before") | fromJson }}
{{- $script := $step.script }}
{{- if and $script .sharded }}{{ $script = printf "%s\n%s" (include "sequential-job.shardPreamble" .) $script }}{{ end }}
{{- if include "sequential-job.isWrapped" $step }}
{{- $timeout := ternary (toString (int64 $step.timeoutSeconds)) "" (not (empty $step.timeoutSeconds)) }}
{{- $messagePath := $step.terminationMessagePath | default "/dev/termination-log" }}
{{- $args := list "sequential-job" $step.name $timeout ($step.onError | default "stopAndFail") $.shell $script $messagePath }}
{{- $_ := set $container "command" (concat (list $.shell "-c" (include "sequential-job.scriptWrapper" .)) $args ($step.results | default list)) }}
{{- else if $script }}
{{- $_ := set $container "command" (list $.shell "-c" $script) }}
{{- end }}
{{- if $step.env }}
{{- $env := list }}
{{- range $step.env }}
{{- if .fromStep }}
{{- $ref := dict "volumeName" "steps" "path" (printf "%s/results.env" .fromStep.step) "key" .fromStep.result }}
{{- $env = append $env (dict "name" .name "valueFrom" (dict "fileKeyRef" $ref)) }}
{{- else }}
{{- $env = append $env . }}
{{- end }}
{{- end }}
{{- $_ := set $container "env" $env }}
{{- end }}
{{- if and .stepsDir (not .sidecar) }}
{{- $_ := set $container "volumeMounts" (append ($container.volumeMounts | default list) (dict "name" "steps" "mountPath" "/steps")) }}
{{- end }}
{{- if .sharded }}
{{- $mount := dict "name" (include "sequential-job.shardsVolume" .) "mountPath" (include "sequential-job.shardsPath" .) "readOnly" true }}
{{- $_ := set $container "volumeMounts" (append ($container.volumeMounts | default list) $mount) }}
{{- end }}
{{- if .sidecar }}
{{- $_ := set $container "restartPolicy" "Always" }}
{{- end }}
{{- toJson $container }}
{{- end }}

{{/*
sequential-job.scriptWrapper: the POSIX sh program that runs a script step's script with its timeout and error rule,
records its exit code in /steps/<step>/exitCode and its results in /steps/<step>/results.env (and the termination
message). Arguments: step name, timeout seconds or "", onError, shell, script, termination message path, results.
*/}}
{{- define "sequential-job.scriptWrapper" -}}
name=$1 timeout=$2 on_error=$3 shell=$4 script=$5 message=$6
shift 6
dir=/steps/$name
mkdir -p "$dir/results" || exit 1
"$shell" -c "$script" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
if [ -n "$timeout" ]; then
  (sleep "$timeout"; echo "sequential-job: step $name timed out after ${timeout}s" >&2; : >"$dir/timedOut"
   kill -TERM "$child" 2>/dev/null; sleep 5; kill -KILL "$child" 2>/dev/null) &
  watchdog=$!
fi
code=0; wait "$child" || code=$?
while kill -0 "$child" 2>/dev/null; do code=0; wait "$child" || code=$?; done
[ -z "$timeout" ] || kill "$watchdog" 2>/dev/null
[ ! -e "$dir/timedOut" ] || code=124
if [ "$code" = 0 ]; then
  for result in "$@"; do
    if [ ! -f "$dir/results/$result" ]; then
      echo "sequential-job: step $name declares the result $result but wrote no $dir/results/$result" >&2; code=1; break
    fi
    value=$(cat "$dir/results/$result")
    case $value in *"'"*)
      echo "sequential-job: result $result of step $name holds a single quote, which a result cannot" >&2; code=1; break;;
    esac
    printf "%s='%s'\n" "$result" "$value" >>"$dir/results.env"
    printf '%s=%s\n' "$result" "$value" >>"$message"
  done
fi
echo "$code" >"$dir/exitCode"
if [ "$code" != 0 ] && [ "$on_error" = continue ]; then
  echo "sequential-job: step $name exited $code; onError is continue, so the chain goes on" >&2
  exit 0
fi
exit "$code"
{{- end }}

{{/* sequential-job.shardsVolume: the name of the pod volume that holds the shards. */}}
{{- define "sequential-job.shardsVolume" -}}
shards
{{- end }}

{{/* sequential-job.shardsPath: where every step of a fanned-out chain finds the shards, one file per index. */}}
{{- define "sequential-job.shardsPath" -}}
/shards
{{- end }}

{{/*
sequential-job.shardPreamble: the shell line a sharded script step starts with: its own shard (the file named after
the pod's index: JOB_COMPLETION_INDEX in a batch/v1 Job, VC_TASK_INDEX from Volcano's env plugin) into $SHARD, or exit
when it cannot be read.
*/}}
{{- define "sequential-job.shardPreamble" -}}
SHARD="$(cat "{{ include "sequential-job.shardsPath" . }}/${JOB_COMPLETION_INDEX:-$VC_TASK_INDEX}")" || exit; export SHARD
{{- end }}
