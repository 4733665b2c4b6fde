{{/* The release's name: the app's objects are called after it. */}}
{{- define "flask.name" -}}
{{- .Release.Name | trunc 53 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels every object gets: Helm's recommended ones and the environment. */}}
{{- define "flask.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
app.kubernetes.io/part-of: {{ .Values.onepipe.app | quote }}
{{- with .Values.onepipe.version }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
onepipe.dev/environment: {{ .Values.onepipe.environment | quote }}
{{- end -}}

{{/* The image: repository:tag (tag may end in @sha256:... when pushed). */}}
{{- define "flask.image" -}}
{{- printf "%s:%s" .Values.image.repository .Values.image.tag -}}
{{- end -}}

{{/* The Secret holding onepipe.secrets. */}}
{{- define "flask.secret" -}}
{{ include "flask.name" . }}-secrets
{{- end -}}

{{/* The database's environment: DATABASE_URL composed from the password. */}}
{{- define "flask.dbenv" -}}
- name: POSTGRES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "flask.secret" . }}
      key: POSTGRES_PASSWORD
- name: DATABASE_URL
  value: postgresql://{{ .Values.onepipe.app }}:$(POSTGRES_PASSWORD)@{{ include "flask.name" . }}-postgres:5432/{{ .Values.onepipe.app }}
- name: SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "flask.secret" . }}
      key: SECRET_KEY
{{- end -}}
