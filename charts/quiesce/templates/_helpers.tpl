{{/*
Chart name, at most 63 characters (a DNS label).
*/}}
{{- define "quiesce.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Release-scoped name prefix, at most 63 characters. When the release name already contains the
chart name it is used as it is, so "helm install quiesce ." gives "quiesce-operator", not
"quiesce-quiesce-operator".
*/}}
{{- define "quiesce.fullname" -}}
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

{{/*
Name of a component's objects: "<fullname>-<component>", cut to 63 characters. The prefix is cut
first so the component suffix always survives and the two components never collide.
Call with (dict "root" $ "component" "operator").
*/}}
{{- define "quiesce.componentName" -}}
{{- $suffix := printf "-%s" .component }}
{{- $prefix := include "quiesce.fullname" .root | trunc (int (sub 63 (len $suffix))) | trimSuffix "-" }}
{{- printf "%s%s" $prefix $suffix }}
{{- end }}

{{- define "quiesce.operator.fullname" -}}
{{- include "quiesce.componentName" (dict "root" . "component" "operator") }}
{{- end }}

{{- define "quiesce.nodeHelper.fullname" -}}
{{- include "quiesce.componentName" (dict "root" . "component" "node-helper") }}
{{- end }}

{{/*
Chart label value: name-version, "+" is not allowed in a label.
*/}}
{{- define "quiesce.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object. Call with (dict "root" $ "component" "operator").
*/}}
{{- define "quiesce.labels" -}}
helm.sh/chart: {{ include "quiesce.chart" .root }}
{{ include "quiesce.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: quiesce
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels: immutable on Deployments and DaemonSets, so only name, instance and component.
*/}}
{{- define "quiesce.selectorLabels" -}}
app.kubernetes.io/name: {{ include "quiesce.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end }}

{{/*
ServiceAccount names.
*/}}
{{- define "quiesce.operator.serviceAccountName" -}}
{{- if .Values.operator.serviceAccount.create }}
{{- default (include "quiesce.operator.fullname" .) .Values.operator.serviceAccount.name }}
{{- else }}
{{- required "operator.serviceAccount.name is required when operator.serviceAccount.create is false" .Values.operator.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "quiesce.nodeHelper.serviceAccountName" -}}
{{- if .Values.nodeHelper.serviceAccount.create }}
{{- default (include "quiesce.nodeHelper.fullname" .) .Values.nodeHelper.serviceAccount.name }}
{{- else }}
{{- required "nodeHelper.serviceAccount.name is required when nodeHelper.serviceAccount.create is false" .Values.nodeHelper.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference: repository, then @digest when set, else :tag (default: the chart's appVersion).
Call with (dict "root" $ "image" .Values.operator.image).
*/}}
{{- define "quiesce.image" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) }}
{{- end }}
{{- end }}

{{/*
imagePullSecrets of a pod, from a non-empty list of secret names.
*/}}
{{- define "quiesce.pullSecrets" -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}

{{/*
The container command: java <fixed flags> <jvm flags> -jar /app/<jar> run.
Call with (dict "flags" .Values.operator.jvmFlags "jar" "operator.jar"); "fixed" (optional) holds
flags the component cannot run without, which values cannot drop.
*/}}
{{- define "quiesce.javaCommand" -}}
command:
  - java
{{- range .fixed }}
  - {{ . | quote }}
{{- end }}
{{- range .flags }}
  - {{ . | quote }}
{{- end }}
  - -jar
  - /app/{{ .jar }}
  - run
{{- end }}

{{/*
Log settings shared by both components.
*/}}
{{- define "quiesce.loggingEnv" -}}
- name: QUIESCE_LOG_FORMAT
  value: {{ .Values.logging.format | quote }}
- name: QUIESCE_LOG_LEVEL
  value: {{ .Values.logging.level | quote }}
{{- end }}

{{/*
The metrics Service port name, used by Services, ServiceMonitors and NetworkPolicies.
*/}}
{{- define "quiesce.metricsPortName" -}}
http-metrics
{{- end }}
