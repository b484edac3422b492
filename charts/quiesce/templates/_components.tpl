{{/*
Objects both components have, rendered per component. Each takes a dict:
  root       the chart's root context ($)
  component  "operator" or "node-helper"
  name       the component's full name
  values     the component's values (.Values.operator or .Values.nodeHelper)
*/}}

{{- define "quiesce.component.serviceAccount" -}}
{{- if .values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ default .name .values.serviceAccount.name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "quiesce.labels" . | nindent 4 }}
  {{- with .values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end }}

{{/*
The cluster-wide and release-namespace RBAC of a component. Extra keys in the dict:
  serviceAccount  the ServiceAccount name
  clusterRules    the ClusterRole's rules (YAML text)
  namespaceRules  the Role's rules in the release namespace (YAML text)
*/}}
{{- define "quiesce.component.rbac" -}}
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .name }}
  labels:
    {{- include "quiesce.labels" . | nindent 4 }}
rules:
  {{- .clusterRules | trim | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ .name }}
  labels:
    {{- include "quiesce.labels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ .name }}
subjects:
  - kind: ServiceAccount
    name: {{ .serviceAccount }}
    namespace: {{ .root.Release.Namespace }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "quiesce.labels" . | nindent 4 }}
rules:
  {{- .namespaceRules | trim | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "quiesce.labels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ .name }}
subjects:
  - kind: ServiceAccount
    name: {{ .serviceAccount }}
    namespace: {{ .root.Release.Namespace }}
{{- end }}

{{/*
The Service in front of a component's health/metrics port, for Prometheus. Headless for the helper
(one endpoint per node, scraped one by one), ClusterIP for the operator.
*/}}
{{- define "quiesce.component.metricsService" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ printf "%s-metrics" .name | trunc 63 | trimSuffix "-" }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "quiesce.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  {{- if eq .component "node-helper" }}
  clusterIP: None
  {{- end }}
  selector:
    {{- include "quiesce.selectorLabels" . | nindent 4 }}
  ports:
    - name: {{ include "quiesce.metricsPortName" . }}
      port: {{ .values.healthPort }}
      targetPort: {{ include "quiesce.metricsPortName" . }}
      protocol: TCP
{{- end }}

{{- define "quiesce.component.serviceMonitor" -}}
{{- $sm := .root.Values.metrics.serviceMonitor }}
{{- if $sm.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "quiesce.labels" . | nindent 4 }}
    {{- with $sm.additionalLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "quiesce.selectorLabels" . | nindent 6 }}
  namespaceSelector:
    matchNames:
      - {{ .root.Release.Namespace }}
  endpoints:
    - port: {{ include "quiesce.metricsPortName" . }}
      path: /metrics
      interval: {{ $sm.interval }}
      scrapeTimeout: {{ $sm.scrapeTimeout }}
      {{- if eq .component "node-helper" }}
      relabelings:
        # Alerts and the dashboard name the node a frozen guest is on.
        - sourceLabels: [__meta_kubernetes_pod_node_name]
          targetLabel: node
      {{- end }}
{{- end }}
{{- end }}

{{/*
Ingress only to the health/metrics port (from networkPolicy.metricsFrom), egress only to the API
server (and networkPolicy.extraEgress). The kubelet's probes come from the node, which most
network plugins always let through.
*/}}
{{- define "quiesce.component.networkPolicy" -}}
{{- $np := .root.Values.networkPolicy }}
{{- if $np.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "quiesce.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "quiesce.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    - ports:
        - port: {{ include "quiesce.metricsPortName" . }}
          protocol: TCP
      {{- with $np.metricsFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
  egress:
    - ports:
        {{- range $np.apiServer.ports }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
      {{- with $np.apiServer.cidrs }}
      to:
        {{- range . }}
        - ipBlock:
            cidr: {{ . }}
        {{- end }}
      {{- end }}
    {{- with $np.extraEgress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
{{- end }}
