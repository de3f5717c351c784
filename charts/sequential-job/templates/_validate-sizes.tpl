{{/*
sequential-job.sizesProblems (dict "root" $ "release" the release description): objects too large for where they are
kept, as {"problems": [...]}:
- the pod, once its steps have run, within pod.maxObjectBytes. A pod is stored whole in etcd, whose request limit
  (1.5 MiB by default) every write must fit, the kubelet's status updates included; each finished step adds its
  status. `make bench` measured the pod in etcd on Kubernetes 1.34 (managedFields left out: the API server drops them
  rather than exceed the limit): 603 to 1616 bytes a finished step for the three step shapes it calibrates, within 4%
  of and never above this estimate: the step's rendered JSON, its name twice more (it reappears in the status), and
  450 bytes a step, plus 16 KiB for the pod (the kubelet also keeps up to 12 KiB of termination messages) and the
  pod-level values;
- the files, within a ConfigMap (1 MiB with its metadata);
- the shards, within three limits: Kubernetes' 1 MiB for a ConfigMap's values; etcd's request limit
  (pod.maxObjectBytes) for the whole ConfigMap, whose every key adds its name twice (data, and the server-side apply
  field list) and about 16 bytes; and shardsMaxBytes for the shards as JSON, the budget that keeps Helm's release
  record within its 1 MiB Secret: Helm stores the shards twice (the values and the rendered ConfigMap),
  gzip-compressed and base64-encoded, next to the chart itself.
*/}}
{{- define "sequential-job.sizesProblems" -}}
{{- $values := .root.Values }}
{{- $const := .release.const }}
{{- $chain := .release.chain }}
{{- $problems := list }}
{{- $limit := int64 $values.pod.maxObjectBytes }}

{{- if gt $limit 0 }}
{{- $containers := concat $chain.initContainers (list (last $chain.containers)) }}
{{- $n := len $containers }}
{{- $fixed := add 16384 (len (toJson $values.pod)) (len (toJson $values.volumes)) }}
{{- $perSteps := add (len (toJson $containers)) (mul 450 $n) }}
{{- range $containers }}{{ $perSteps = add $perSteps (mul 2 (len .name)) }}{{ end }}
{{- $estimate := add $fixed $perSteps }}
{{- if gt $estimate $limit }}
{{- $perStep := div (add $perSteps (sub $n 1)) $n }}
{{- $fit := div (sub $limit $fixed) $perStep | max 0 }}
{{- $problems = append $problems (printf "steps: %d %s make a pod of about %d bytes once they have all run (%d bytes a step: its rendered spec and the status Kubernetes adds to it), over pod.maxObjectBytes %d (etcd's default request limit is 1572864): the pod would start, but its status would stop updating partway and it could not be deleted without --force. About %d steps like these fit: split the chain, or raise pod.maxObjectBytes if your etcd's --max-request-bytes is larger" $n (ternary "step" "steps" (eq $n 1)) $estimate $perStep $limit $fit) }}
{{- end }}
{{- end }}

{{- $fileBytes := 0 }}
{{- range $name, $content := $values.files }}{{ $fileBytes = add $fileBytes (len $name) (len $content) }}{{ end }}
{{- if gt $fileBytes (int $const.filesBytes) }}
{{- $problems = append $problems (printf "files: %d bytes, more than a ConfigMap holds (1 MiB with its metadata); put large files in an image or a volume" $fileBytes) }}
{{- end }}

{{- with $values.shards }}
{{- $n := len . }}
{{- $data := 0 }}
{{- $keys := 0 }}
{{- range $i, $shard := . }}
{{- $data = add $data (len $shard) }}
{{- $keys = add $keys (len (toString $i)) }}
{{- end }}
{{- $most := int $const.configMapBytes }}
{{- if gt $data $most }}
{{- $problems = append $problems (printf "shards: %d shards hold %d bytes, more than the %d (1 MiB) a ConfigMap may hold. About %d shards like these fit: split them over several releases" $n $data $most (div (mul $most $n) $data)) }}
{{- end }}
{{- $object := add 2048 $data (mul 2 $keys) (mul 16 $n) }}
{{- if and (gt $limit 0) (gt $object $limit) }}
{{- $problems = append $problems (printf "shards: %d shards make a ConfigMap of about %d bytes, over pod.maxObjectBytes %d (etcd's request limit). About %d shards like these fit: split them over several releases" $n $object $limit (div (mul (sub $limit 2048) $n) (sub $object 2048))) }}
{{- end }}
{{- $budget := int64 $values.shardsMaxBytes }}
{{- $json := len (toJson .) }}
{{- if and (gt $budget 0) (gt $json $budget) }}
{{- $fit := div (mul $budget $n) $json }}
{{- $problems = append $problems (printf "shards: %d shards are %d bytes as JSON, over shardsMaxBytes %d: Helm keeps them twice in its release record, a Secret of at most 1 MiB, and the chart cannot see how well they compress. About %d shards like these fit: split them over several releases, or raise shardsMaxBytes if they compress well (dates, paths) or Helm stores releases in SQL (HELM_DRIVER=sql)" $n $json $budget $fit) }}
{{- end }}
{{- end }}
{{- toJson (dict "problems" $problems) }}
{{- end }}
