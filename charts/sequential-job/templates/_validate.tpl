{{/*
Validation: what values.schema.json cannot say. One helper per concern (_validate-*.tpl), each taking
(dict "root" $ "release" the release description) and returning {"problems": ["<values path>: <what is wrong>", ...]},
each problem naming the key the user set; sequential-job.release fails once with all of them.
*/}}

{{/*
sequential-job.problems (dict "root" $ "release" the release description): every concern's problems, in the order of
the concerns, each once, as {"problems": [...]}.
*/}}
{{- define "sequential-job.problems" -}}
{{- $problems := list }}
{{- range $concern := list "yaml" "containers" "objects" "job" "platform" "sizes" }}
{{- range (include (printf "sequential-job.%sProblems" $concern) $ | fromJson).problems }}
{{- if not (has . $problems) }}{{ $problems = append $problems . }}{{ end }}
{{- end }}
{{- end }}
{{- toJson (dict "problems" $problems) }}
{{- end }}

{{/*
sequential-job.yamlProblems: every string in the values (map keys included) that holds a character the rendered YAML
cannot carry, by its path. toYaml silently returns "" for a string its own parser refuses (DEL, the C1 controls,
U+FEFF, U+FFFE, U+FFFF); NEL YAML reads back as a line break (U+2028 and U+2029 too, which sequential-job.toYaml
writes escaped); NUL no process can take in an argument or the environment.
*/}}
{{- define "sequential-job.yamlProblems" -}}
{{- $problems := list }}
{{- $bad := "[\\x{0}\\x{7f}-\\x{9f}\\x{feff}\\x{fffe}\\x{ffff}]" }}
{{- /* a quick look first: JSON writes NUL escaped, the others raw */}}
{{- if regexMatch "[\\x{7f}-\\x{9f}\\x{feff}\\x{fffe}\\x{ffff}]|\\\\u0000" (toJson .root.Values) }}
{{- $problems = (include "sequential-job.unsafeStrings" (dict "value" .root.Values "path" "" "bad" $bad) | fromJson).problems }}
{{- end }}
{{- toJson (dict "problems" $problems) }}
{{- end }}

{{/*
sequential-job.unsafeStrings (dict "value" v "path" where v is "bad" a character class): a problem for each string
inside v (map keys included) with a character of the class, as {"problems": [...]}.
*/}}
{{- define "sequential-job.unsafeStrings" -}}
{{- $problems := list }}
{{- if kindIs "map" .value }}
{{- range $key, $v := .value }}
{{- $path := ternary $key (printf "%s.%s" $.path $key) (eq $.path "") }}
{{- with regexFind $.bad $key }}
{{- $path = printf "%s[%+q]" $.path $key }}
{{- $problems = append $problems (printf "%s: the key contains the character %+q, which YAML cannot carry; remove it" $path .) }}
{{- end }}
{{- range (include "sequential-job.unsafeStrings" (dict "value" $v "path" $path "bad" $.bad) | fromJson).problems }}
{{- $problems = append $problems . }}
{{- end }}
{{- end }}
{{- else if kindIs "slice" .value }}
{{- range $i, $v := .value }}
{{- range (include "sequential-job.unsafeStrings" (dict "value" $v "path" (printf "%s[%d]" $.path $i) "bad" $.bad) | fromJson).problems }}
{{- $problems = append $problems . }}
{{- end }}
{{- end }}
{{- else if kindIs "string" .value }}
{{- with regexFind $.bad .value }}
{{- $problems = append $problems (printf "%s: contains the character %+q, which %s; remove it or write it another way" $.path . (ternary "no process can take in an argument or its environment" "YAML cannot carry" (eq . "\x00"))) }}
{{- end }}
{{- end }}
{{- toJson (dict "problems" $problems) }}
{{- end }}
