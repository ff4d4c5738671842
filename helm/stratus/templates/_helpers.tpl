{{/*
Names: <release>-stratus-<part>, the prefix cut so that the longest part (-control-plane) stays within the 63
characters of a DNS label.
*/}}
{{- define "stratus.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 49 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 49 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "stratus.controlPlane.name" -}}{{ include "stratus.fullname" . }}-control-plane{{- end -}}
{{- define "stratus.agent.name" -}}{{ include "stratus.fullname" . }}-agent{{- end -}}
{{- define "stratus.frontDoor.name" -}}{{ include "stratus.fullname" . }}-front-door{{- end -}}

{{- define "stratus.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "stratus.controlPlane.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: control-plane
{{- end -}}

{{- define "stratus.agent.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: agent
{{- end -}}

{{- define "stratus.image" -}}
{{- printf "%s:%s" .image.repository (default .chart.AppVersion .image.tag) -}}
{{- end -}}

{{/* The Secret holding the operator key and the agents' bootstrap token. */}}
{{- define "stratus.credentials.secret" -}}
{{- default (printf "%s-credentials" (include "stratus.fullname" .)) .Values.credentials.existingSecret -}}
{{- end -}}

{{/* The Secret and key holding the metadata database's password. */}}
{{- define "stratus.metadata.secret" -}}
{{- default (printf "%s-metadata-db" (include "stratus.fullname" .)) .Values.metadataDatabase.existingSecret -}}
{{- end -}}
{{- define "stratus.metadata.secretKey" -}}
{{- if .Values.metadataDatabase.existingSecret -}}{{ .Values.metadataDatabase.existingSecretPasswordKey }}{{- else -}}password{{- end -}}
{{- end -}}

{{/* The URL agents reach the control plane at: its Service, inside the cluster. */}}
{{- define "stratus.controlPlane.url" -}}
{{- printf "http://%s.%s.svc:%d" (include "stratus.controlPlane.name" .) .Release.Namespace (int .Values.controlPlane.service.port) -}}
{{- end -}}

{{/* The host and port every connection URI names: frontDoor.publicHost/publicPort, or the front door's Service. */}}
{{- define "stratus.frontDoor.host" -}}
{{- default (printf "%s.%s.svc" (include "stratus.frontDoor.name" .) .Release.Namespace) .Values.frontDoor.publicHost -}}
{{- end -}}
{{- define "stratus.frontDoor.port" -}}
{{- int (default .Values.frontDoor.service.port .Values.frontDoor.publicPort) -}}
{{- end -}}

{{/* Where the front door's TLS Secret is mounted in the agent. */}}
{{- define "stratus.frontDoor.tlsDir" -}}/etc/stratus/front-door-tls{{- end -}}

{{/*
Values that would render a release that cannot work fail the install with a message, as the apps would at start, but
before anything is created.
*/}}
{{- define "stratus.validate" -}}
{{- if not .Values.metadataDatabase.url -}}
{{- fail "metadataDatabase.url is required: a JDBC URL of the PostgreSQL database that holds the control plane's metadata, e.g. jdbc:postgresql://pg:5432/stratus" -}}
{{- end -}}
{{- if not (hasPrefix "jdbc:postgresql://" .Values.metadataDatabase.url) -}}
{{- fail (printf "metadataDatabase.url must start with jdbc:postgresql://, not %q" .Values.metadataDatabase.url) -}}
{{- end -}}
{{- if and (not .Values.metadataDatabase.existingSecret) (not .Values.metadataDatabase.password) -}}
{{- fail "metadataDatabase.existingSecret or metadataDatabase.password is required" -}}
{{- end -}}
{{- if lt (int .Values.controlPlane.replicas) 1 -}}
{{- fail "controlPlane.replicas must be at least 1" -}}
{{- end -}}
{{- $export := .Values.controlPlane.billingExport.persistence -}}
{{- if and $export.enabled (not $export.existingClaim) (gt (int .Values.controlPlane.replicas) 1) (ne $export.accessMode "ReadWriteMany") -}}
{{- fail (printf "controlPlane.billingExport.persistence.accessMode is %s, but %d control-plane replicas each run export jobs: the export volume must be ReadWriteMany (or use controlPlane.replicas=1)" $export.accessMode (int .Values.controlPlane.replicas)) -}}
{{- end -}}
{{- if and .Values.frontDoor.tls.required (not .Values.frontDoor.tls.existingSecret) -}}
{{- fail "frontDoor.tls.required needs frontDoor.tls.existingSecret: a kubernetes.io/tls Secret with the front door's certificate and key" -}}
{{- end -}}
{{- if and (eq .Values.backups.store.type "s3") (not .Values.backups.store.bucket) -}}
{{- fail "backups.store.bucket is required with backups.store.type s3" -}}
{{- end -}}
{{- if not (has .Values.agent.cgroups (list "auto" "v2" "v1" "none")) -}}
{{- fail (printf "agent.cgroups must be auto, v2, v1 or none, not %q" .Values.agent.cgroups) -}}
{{- end -}}
{{- end -}}

{{/*
Changes when a setting the apps read only at start changes, so that their pods restart. The agents' covers only
what they read: restarting an agent restarts its host's computes.
*/}}
{{- define "stratus.controlPlane.configChecksum" -}}
{{- dict "metadata" .Values.metadataDatabase "credentials" .Values.credentials "backups" .Values.backups | toYaml | sha256sum -}}
{{- end -}}
{{- define "stratus.agent.configChecksum" -}}
{{- dict "credentials" .Values.credentials "backups" .Values.backups | toYaml | sha256sum -}}
{{- end -}}

{{/*
The backup store's settings, the same for the control plane (which expires backups) and the agents (which write them).
*/}}
{{- define "stratus.backups.env" -}}
{{- $store := .Values.backups.store -}}
{{- if $store.type }}
- name: STRATUS_BACKUPS_STORE_TYPE
  value: {{ $store.type | quote }}
- name: STRATUS_BACKUPS_STORE_BUCKET
  value: {{ $store.bucket | quote }}
- name: STRATUS_BACKUPS_STORE_PREFIX
  value: {{ $store.prefix | quote }}
{{- with $store.endpoint }}
- name: STRATUS_BACKUPS_STORE_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- with $store.region }}
- name: STRATUS_BACKUPS_STORE_REGION
  value: {{ . | quote }}
{{- end }}
- name: STRATUS_BACKUPS_STORE_PATH_STYLE
  value: {{ $store.pathStyle | quote }}
{{- with $store.existingSecret }}
- name: STRATUS_BACKUPS_STORE_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: access-key
- name: STRATUS_BACKUPS_STORE_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: secret-key
{{- end }}
{{- end }}
{{- end -}}
