{{/*
Naming, labels and the pieces shared by several templates of the storefleet chart.
*/}}

{{- define "sf.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Base name of every object. 40 characters at most so that "<fullname>-<suffix>" names
(…-platform, …-store, …-wildcard-tls, …-store-values) stay within 63.
*/}}
{{- define "sf.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "sf.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "sf.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sf.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sf.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: platform
{{- end -}}

{{- define "sf.labels" -}}
{{ include "sf.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: storefleet
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "sf.chart" . }}
{{- end -}}

{{- define "sf.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "sf.fullname" .) -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create=false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The username the API server sees for the platform's ServiceAccount. */}}
{{- define "sf.serviceAccountUser" -}}
{{- printf "system:serviceaccount:%s:%s" .Release.Namespace (include "sf.serviceAccountName" .) -}}
{{- end -}}

{{/* ClusterRole the platform binds in every store namespace. */}}
{{- define "sf.storeRole" -}}
{{- printf "%s-store" (include "sf.fullname" .) -}}
{{- end -}}

{{- define "sf.platformRole" -}}
{{- printf "%s-platform" (include "sf.fullname" .) -}}
{{- end -}}

{{/* Pods: exactly one with SQLite. */}}
{{- define "sf.replicas" -}}
{{- if eq .Values.database.mode "sqlite" -}}1{{- else -}}{{ .Values.replicaCount | default 2 | int }}{{- end -}}
{{- end -}}

{{- define "sf.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* Engines whose storeValues are not empty, in a stable order. */}}
{{- define "sf.storeValuesEngines" -}}
{{- $out := list -}}
{{- range $engine := list "woocommerce" "medusa" -}}
{{- if (index $.Values.storeValues $engine) -}}
{{- $out = append $out $engine -}}
{{- end -}}
{{- end -}}
{{- join "," $out -}}
{{- end -}}

{{- define "sf.storeValuesDir" -}}/etc/storefleet/store-values{{- end -}}
