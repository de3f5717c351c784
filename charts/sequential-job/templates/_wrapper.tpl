{{/*
The step runtime and the wrapper a step runs inside when it has a timeout, an error rule, results or retries, or when
resume is on. The runtime's init container copies a static busybox and the wrapper into /steps/.runtime, so a step
whose image has no shell can be wrapped too.
*/}}

{{/*
sequential-job.runtimeContainer (dict "values" .Values "const" constants): the init container that runs first and
copies stepRuntime's busybox and the wrapper program into the chart's /steps volume, as JSON. It takes stepDefaults'
resources, securityContext and terminationMessagePolicy, as a step does.
*/}}
{{- define "sequential-job.runtimeContainer" -}}
{{- $runtime := .values.stepRuntime }}
{{- $install := "mkdir -p \"$1\" && cp \"$0\" \"$1/busybox\" && printf %s \"$2\" >\"$1/wrapper\"" }}
{{- $command := list $runtime.binary "sh" "-c" $install $runtime.binary .const.paths.runtime (include "sequential-job.wrapperScript" .const) }}
{{- $container := dict "name" .const.runtimeContainer "image" $runtime.image "command" $command }}
{{- $_ := set $container "volumeMounts" (list (dict "name" .const.volumes.steps "mountPath" .const.paths.steps)) }}
{{- with $runtime.imagePullPolicy }}{{ $_ := set $container "imagePullPolicy" . }}{{ end }}
{{- range $field := list "resources" "securityContext" "terminationMessagePolicy" }}
{{- with get $.values.stepDefaults $field }}{{ $_ := set $container $field . }}{{ end }}
{{- end }}
{{- toJson $container }}
{{- end }}

{{/*
sequential-job.wrapperCommand (dict "entry" a wrapped step "script" its script (with the shard preamble) or ""
"shell" stepDefaults.shell "resume" whether resume is on "const" constants): the step's command, as
{"command": [...]}: the runtime's busybox running the wrapper with its parameters, then (script) the shell and the
script or (exec) the step's own command. Kubernetes appends the step's args after the command: the script sees them
as $0, $1, ... as it would unwrapped (`sh -c script arg0 arg1`), and a command gets them after its own.
*/}}
{{- define "sequential-job.wrapperCommand" -}}
{{- $spec := .entry.spec }}
{{- $const := .const }}
{{- $retries := $spec.retries | default dict }}
{{- $codes := list }}
{{- range ($retries.onExitCodes | default list) }}{{ $codes = append $codes (int . | toString) }}{{ end }}
{{- $params := list .entry.name (ternary "" (toString (int64 $spec.timeoutSeconds)) (empty $spec.timeoutSeconds)) ($spec.onError | default "stopAndFail") }}
{{- $params = concat $params (list (int ($retries.limit | default 0) | toString) (join " " $codes) (int ($retries.delaySeconds | default 0) | toString)) }}
{{- $params = concat $params (list (ternary "1" "0" (not (not .resume))) (ternary "1" "0" (not (not .entry.last)))) }}
{{- $params = concat $params (list (join " " ($spec.results | default list)) ($spec.terminationMessagePath | default "/dev/termination-log")) }}
{{- $runtime := list (printf "%s/busybox" $const.paths.runtime) "sh" (printf "%s/wrapper" $const.paths.runtime) }}
{{- if .script }}
{{- $params = concat $params (list "script" .shell .script) }}
{{- else }}
{{- $params = concat $params (list "exec") ($spec.command | default list) }}
{{- end }}
{{- toJson (dict "command" (concat $runtime $params)) }}
{{- end }}

{{/*
sequential-job.wrapperScript (constants): the wrapper, a POSIX sh program busybox runs. Its parameters: step name,
timeout seconds or "", onError, retry limit, retry exit codes ("" for any non-zero), retry delay, resume (1/0), last
step (1/0), results, termination message path, then "script" shell script args... or "exec" command args....
It skips a step an earlier pod of the same Job completed (resume); runs the step in a process group of its own,
stopping the group after the timeout (TERM, then KILL 5 s later; exit 124), again while it fails and retries are left
(not once the pod is terminating: TERM to the wrapper stops the step and ends it, nothing recorded as done), recording each attempt's exit code
in /steps/<step>/attempts; records its exit code in /steps/<step>/exitCode and its results in
/steps/<step>/results.env; turns a failure into success under onError continue; and, with resume, records the success
on the claim (and, after the last step, removes the run's progress). Busybox's own applets run by name, so the step's
command and shell are looked up in the step's PATH first: the image's programs run, not busybox's.
*/}}
{{- define "sequential-job.wrapperScript" -}}
bb={{ .paths.runtime }}/busybox
name=$1 timeout=$2 on_error=$3 limit=$4 codes=$5 delay=$6 resume=$7 last=$8 results=$9 message=${10} mode=${11}
if [ "$mode" = script ]; then shell=${12} script=${13}; shift 13; else shift 11; fi
say() { echo "sequential-job: step $name $*" >&2; }
# find PROGRAM: its path in $PATH (or itself with a slash) in $found
find() {
  found=
  case $1 in */*) found=$1; return 0 ;; esac
  old_ifs=$IFS; IFS=:
  for d in $PATH; do if [ -f "$d/$1" ] && [ -x "$d/$1" ]; then found=$d/$1; break; fi; done
  IFS=$old_ifs
  [ -n "$found" ]
}
dir={{ .paths.steps }}/$name
"$bb" mkdir -p "$dir/results" || exit 1
if [ "$resume" = 1 ]; then
  run={{ .paths.resume }}/${{ .runEnv }}/${JOB_COMPLETION_INDEX:-0}
  state=$run/steps/$name
  if [ -f "$state/done" ]; then
    say "completed in an earlier pod of this Job ($("$bb" cat "$state/done")); skipping it"
    "$bb" cp "$state/exitCode" "$dir/exitCode"
    [ ! -f "$state/results.env" ] || "$bb" cp "$state/results.env" "$dir/results.env"
    exit 0
  fi
fi
if [ "$mode" = script ]; then
  find "$shell" || { say "cannot run: its shell $shell is not in PATH ($PATH)"; exit 127; }
  shell=$found
else
  [ $# -gt 0 ] || { say "has no command to run"; exit 127; }
  find "$1" || { say "cannot run: $1 is not in PATH ($PATH)"; exit 127; }
  program=$found; shift; set -- "$program" "$@"
fi
# Each attempt runs in a process group of its own (setsid), so a timeout or the pod's TERM reaches every process the
# step started, and what an attempt leaves behind is killed with it, as when an unwrapped step's container ends.
# TERM or INT to the wrapper means the pod is being stopped: the attempt gets it, and then nothing runs again and
# nothing is recorded as done (resume then runs this step again in the next pod).
child= terminating= code=0
trap 'terminating=1; [ -z "$child" ] || kill -TERM -"$child" 2>/dev/null' TERM INT
attempt=0
while [ -z "$terminating" ]; do
  attempt=$((attempt + 1))
  "$bb" rm -f "$dir/timedOut"
  if [ "$mode" = script ]; then "$bb" setsid "$shell" -c "$script" "$@" & else "$bb" setsid "$@" & fi
  child=$!
  [ -z "$terminating" ] || kill -TERM -"$child" 2>/dev/null
  if [ -n "$timeout" ]; then
    ("$bb" sleep "$timeout"; say "timed out after ${timeout}s"; : >"$dir/timedOut"
     kill -TERM -"$child" 2>/dev/null; "$bb" sleep 5; kill -KILL -"$child" 2>/dev/null) &
    watchdog=$!
  fi
  code=0; wait "$child" || code=$?
  while kill -0 "$child" 2>/dev/null; do code=0; wait "$child" || code=$?; done
  kill -KILL -"$child" 2>/dev/null
  [ -z "$timeout" ] || kill "$watchdog" 2>/dev/null
  [ ! -e "$dir/timedOut" ] || code=124
  echo "$attempt $code" >>"$dir/attempts"
  [ -z "$terminating" ] && [ "$code" != 0 ] && [ "$attempt" -le "$limit" ] || break
  case " ${codes:-$code} " in *" $code "*) ;; *) break ;; esac
  say "attempt $attempt exited $code; running it again in ${delay}s (retry $attempt of $limit)"
  "$bb" sleep "$delay" & wait $!
done
if [ -n "$terminating" ]; then
  [ "$code" != 0 ] || code=143
  echo "$code" >"$dir/exitCode"
  say "stopped (exit $code): the pod is terminating; not run again, not recorded as done"
  exit "$code"
fi
if [ "$limit" -gt 0 ]; then
  say "ran $attempt time(s), exit codes: $("$bb" cut -d' ' -f2 "$dir/attempts" | "$bb" tr '\n' ' ')"
fi
if [ "$code" = 0 ]; then
  for result in $results; do
    if [ ! -f "$dir/results/$result" ]; then
      say "declares the result $result but wrote no $dir/results/$result"; code=1; break
    fi
    value=$("$bb" cat "$dir/results/$result")
    case $value in *"'"*)
      say "wrote a result $result holding a single quote, which a result cannot"; code=1; break ;;
    esac
    printf "%s='%s'\n" "$result" "$value" >>"$dir/results.env"
    printf '%s=%s\n' "$result" "$value" >>"$message"
  done
fi
echo "$code" >"$dir/exitCode"
if [ "$code" != 0 ] && [ "$on_error" = continue ]; then
  say "exited $code; onError is continue, so the chain goes on"
  code=0
fi
if [ "$code" = 0 ] && [ "$resume" = 1 ]; then
  if [ "$last" = 1 ]; then
    "$bb" rm -rf "$run"
  else
    "$bb" mkdir -p "$state" && "$bb" cp "$dir/exitCode" "$state/exitCode" &&
      { [ ! -f "$dir/results.env" ] || "$bb" cp "$dir/results.env" "$state/results.env"; } &&
      echo "pod $HOSTNAME, $("$bb" date -u +%Y-%m-%dT%H:%M:%SZ)" >"$state/done" || { say "could not record its success"; exit 1; }
  fi
fi
exit "$code"
{{- end }}
