{{- define "pck.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "pck.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "pck.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "pck.serviceAccount" -}}
{{- default (include "pck.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "pck.jobNamespace" -}}
{{- default .Release.Namespace .Values.adapter.jobNamespace -}}
{{- end -}}

{{- define "pck.claimName" -}}
{{- default (printf "%s-workspace" (include "pck.fullname" .)) .Values.workspace.existingClaim -}}
{{- end -}}

{{- define "pck.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" .Values.image.registry) .Values.image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/*
The rules of one Role of the adapter's RBAC file (files/adapter-rbac.yaml is a link to
packages/adapter-k8s/deploy/rbac.yaml, which a unit test keeps equal to the verbs the adapter uses), as YAML.
Fails the render when the Role is missing, so a renamed Role never yields an empty grant.
*/}}
{{- define "pck.adapterRules" -}}
{{- $want := .role -}}
{{- $rules := list -}}
{{- range $doc := regexSplit "(?m)^---\\s*$" (.root.Files.Get "files/adapter-rbac.yaml") -1 -}}
{{- $o := fromYaml $doc -}}
{{- if and (eq (get $o "kind") "Role") (eq (dig "metadata" "name" "" $o) $want) -}}
{{- $rules = get $o "rules" -}}
{{- end -}}
{{- end -}}
{{- if not $rules -}}
{{- fail (printf "files/adapter-rbac.yaml has no Role %q with rules" $want) -}}
{{- end -}}
{{- toYaml $rules -}}
{{- end -}}
