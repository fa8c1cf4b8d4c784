{{/* The chart's name, as prometheus-community charts cut it. */}}
{{- define "exesdb-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "exesdb-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "exesdb-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "exesdb-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "exesdb-exporter.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "exesdb-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: exporter
{{- end }}

{{- define "exesdb-exporter.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* Whether the kubelet can probe over HTTP(S): not with basic auth or client certificates required. */}}
{{- define "exesdb-exporter.httpProbes" -}}
{{- $clientAuth := dig "tls_server_config" "client_auth_type" "" .Values.web.config }}
{{- if or (hasKey .Values.web.config "basic_auth_users") (hasPrefix "RequireAndVerify" $clientAuth) (eq $clientAuth "RequireAnyClientCert") }}
{{- else }}true{{ end }}
{{- end }}

{{- define "exesdb-exporter.webScheme" -}}
{{- if hasKey .Values.web.config "tls_server_config" }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}
