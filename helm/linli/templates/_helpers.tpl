{{/* Names, labels and the pieces every Linli pod shares. */}}

{{- define "linli.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "linli.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "linli.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{ include "linli.selectorLabels" . }}
{{- end -}}

{{- define "linli.selectorLabels" -}}
app.kubernetes.io/name: {{ include "linli.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of one component: (dict "root" $ "component" "web") */}}
{{- define "linli.componentLabels" -}}
{{ include "linli.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "linli.componentSelector" -}}
{{ include "linli.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "linli.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "linli.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "linli.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret the running pods read. */}}
{{- define "linli.secretName" -}}
{{- default (include "linli.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* The Secret the migration Job reads: it runs before the release's own Secret exists. */}}
{{- define "linli.migrationSecretName" -}}
{{- default (printf "%s-migrate" (include "linli.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* LINLI_* settings: (dict "root" $ "secret" NAME) */}}
{{- define "linli.env" -}}
{{- $v := .root.Values -}}
- name: LINLI_DATABASE_URL
  valueFrom: {secretKeyRef: {name: {{ .secret }}, key: database-url}}
- name: LINLI_REDIS_URL
  valueFrom: {secretKeyRef: {name: {{ .secret }}, key: redis-url}}
- name: LINLI_SECRET_KEY
  valueFrom: {secretKeyRef: {name: {{ .secret }}, key: secret-key}}
- name: LINLI_SMTP_URL
  valueFrom: {secretKeyRef: {name: {{ .secret }}, key: smtp-url, optional: true}}
- name: LINLI_BASE_DOMAIN
  value: {{ $v.baseDomain | quote }}
- name: LINLI_PUBLIC_URL
  value: {{ default (printf "https://%s" $v.baseDomain) $v.publicUrl | quote }}
- name: LINLI_INSTANCE_PATH
  value: /var/lib/linli
- name: LINLI_LOG_FORMAT
  value: json
- name: LINLI_LOG_LEVEL
  value: {{ $v.config.logLevel | quote }}
- name: LINLI_DEFAULT_LOCALE
  value: {{ $v.config.defaultLocale | quote }}
- name: LINLI_AUTH_RATE_LIMIT
  value: {{ $v.config.authRateLimit | quote }}
- name: LINLI_PUBLIC_RATE_LIMIT
  value: {{ $v.config.publicRateLimit | quote }}
- name: LINLI_MAX_CONTENT_LENGTH
  value: {{ $v.config.maxContentLength | int64 | quote }}
- name: LINLI_DATABASE_PREPARED_STATEMENTS
  value: {{ $v.config.preparedStatements | quote }}
{{- with $v.config.plugins }}
- name: LINLI_PLUGINS
  value: {{ . | quote }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "linli.envFrom" -}}
envFrom: {{ toYaml .Values.extraEnvFrom | nindent 2 }}
{{- end -}}

{{/* Writable places under the read-only root filesystem: /tmp and the instance folder
     (shared through a ReadWriteMany claim when persistence is on). (dict "root" $ "shared" bool) */}}
{{- define "linli.volumes" -}}
- name: tmp
  emptyDir: {}
- name: instance
{{- if and .shared .root.Values.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ default (printf "%s-instance" (include "linli.fullname" .root)) .root.Values.persistence.existingClaim }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end -}}

{{- define "linli.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: instance
  mountPath: /var/lib/linli
{{- end -}}

{{/* Pod-level settings every Linli pod shares. */}}
{{- define "linli.podSpec" -}}
serviceAccountName: {{ include "linli.serviceAccountName" . }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
