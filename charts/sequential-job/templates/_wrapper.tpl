{{/*
The wrapper a script step runs inside when it has a timeout, an error rule or results.
*/}}

{{/*
sequential-job.wrapperCommand (dict "spec" a step's spec "name" its name "script" its script "shell" stepDefaults.shell
"const" constants): the wrapped step's command, as {"command": [...]}: [shell, -c, <wrapper>, sequential-job, name,
timeout, onError, shell, message path, results, script]. Kubernetes appends the step's args after the command, so the
wrapper takes exactly these positional parameters and hands the rest to the script, which sees them as it would
unwrapped (`sh -c script arg0 arg1`: $0, $1, ...).
*/}}
{{- define "sequential-job.wrapperCommand" -}}
{{- $spec := .spec }}
{{- $timeout := ternary "" (toString (int64 $spec.timeoutSeconds)) (empty $spec.timeoutSeconds) }}
{{- $message := $spec.terminationMessagePath | default "/dev/termination-log" }}
{{- $params := list .const.component .name $timeout ($spec.onError | default "stopAndFail") .shell $message (join " " ($spec.results | default list)) .script }}
{{- toJson (dict "command" (concat (list .shell "-c" (include "sequential-job.wrapperScript" .const)) $params)) }}
{{- end }}

{{/*
sequential-job.wrapperScript (constants): the POSIX sh program of the wrapper. It runs the script with the step's
args, stops it after the timeout (TERM, then KILL 5 s later; exit 124), records its exit code in
/steps/<step>/exitCode and its results in /steps/<step>/results.env (and the termination message), and turns a failure
into success under onError continue. Its parameters are those of sequential-job.wrapperCommand, in that order.
*/}}
{{- define "sequential-job.wrapperScript" -}}
name=$1 timeout=$2 on_error=$3 shell=$4 message=$5 results=$6 script=$7
shift 7
dir={{ .paths.steps }}/$name
mkdir -p "$dir/results" || exit 1
"$shell" -c "$script" "$@" &
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
  for result in $results; do
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
