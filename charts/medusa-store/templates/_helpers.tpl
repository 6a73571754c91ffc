{{/*
Naming, labels, images and the pieces shared by several templates.
Every object name stays within 63 characters (Helm caps release names at 53).
*/}}

{{/*
Base name of every object: the release name, prefixed with "store-" when it starts with a
digit so that Service names stay valid DNS-1035 labels.
*/}}
{{- define "mss.fullname" -}}
{{- $name := .Release.Name -}}
{{- if regexMatch "^[0-9]" $name -}}
{{- $name = printf "store-%s" $name -}}
{{- end -}}
{{- $name | trunc 53 | trimSuffix "-" -}}
{{- end -}}

{{/*
<fullname>-<suffix>, cut so that the whole name fits in `max` characters (default 63).
Usage: include "mss.name" (dict "root" . "suffix" "redis" "max" 63)
*/}}
{{- define "mss.name" -}}
{{- $max := .max | default 63 | int -}}
{{- $suffix := .suffix -}}
{{- $base := include "mss.fullname" .root | trunc (int (sub $max (add 1 (len $suffix)))) | trimSuffix "-" -}}
{{- printf "%s-%s" $base $suffix -}}
{{- end -}}

{{- define "mss.postgres.name" -}}
{{- /* 52 so that <pod>-0 and the controller-revision-hash label fit in 63 */ -}}
{{- include "mss.name" (dict "root" . "suffix" "postgres" "max" 52) -}}
{{- end -}}

{{- define "mss.redis.name" -}}
{{- include "mss.name" (dict "root" . "suffix" "redis") -}}
{{- end -}}

{{- define "mss.server.name" -}}
{{- include "mss.name" (dict "root" . "suffix" "medusa-server") -}}
{{- end -}}

{{- define "mss.worker.name" -}}
{{- include "mss.name" (dict "root" . "suffix" "medusa-worker") -}}
{{- end -}}

{{- define "mss.serviceAccountName" -}}
{{- .Values.serviceAccount.name | default (include "mss.fullname" .) -}}
{{- end -}}

{{- define "mss.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Labels that never change for the life of a release (selectors, volumeClaimTemplates).
Usage: include "mss.selectorLabels" (dict "root" . "component" "redis")
*/}}
{{- define "mss.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{/* Labels that are stable across chart versions (no chart version inside). */}}
{{- define "mss.stableLabels" -}}
{{ include "mss.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- with .root.Values.store.id }}
storefleet.io/store-id: {{ . | quote }}
{{- end }}
{{- end -}}

{{/*
Full label set of every object.
Usage: include "mss.labels" (dict "root" . "component" "postgres")  (component optional)
*/}}
{{- define "mss.labels" -}}
{{ include "mss.stableLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: storefleet
helm.sh/chart: {{ include "mss.chart" .root }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Labels of a pod template: the full set plus the component's podLabels.
Usage: include "mss.podLabels" (dict "root" . "component" "redis" "extra" .Values.redis.podLabels)
*/}}
{{- define "mss.podLabels" -}}
{{ include "mss.labels" (dict "root" .root "component" .component) }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* image reference: repository@digest when a digest is given, else repository:tag */}}
{{- define "mss.image" -}}
{{- if .digest -}}
{{- printf "%s@%s" .repository .digest -}}
{{- else -}}
{{- printf "%s:%s" .repository .tag -}}
{{- end -}}
{{- end -}}

{{/*
Image pull policy of a container: imagePullPolicy (top level) when set, else the image's.
Usage: include "mss.pullPolicy" (list . .Values.redis.image)
*/}}
{{- define "mss.pullPolicy" -}}
{{- $root := index . 0 -}}
{{- $root.Values.imagePullPolicy | default (index . 1).pullPolicy -}}
{{- end -}}

{{/* Public URL of the store. */}}
{{- define "mss.scheme" -}}
{{- if .Values.store.scheme -}}
{{- .Values.store.scheme -}}
{{- else if and .Values.ingress.enabled (ne .Values.ingress.tls.mode "none") -}}
https
{{- else -}}
http
{{- end -}}
{{- end -}}

{{- define "mss.url" -}}
{{- printf "%s://%s" (include "mss.scheme" .) .Values.store.host -}}
{{- end -}}

{{/* Origins Medusa accepts (STORE_CORS, ADMIN_CORS, AUTH_CORS): the store URL first. */}}
{{- define "mss.cors" -}}
{{- prepend (.Values.medusa.extraCorsOrigins | default list) (include "mss.url" .) | uniq | join "," -}}
{{- end -}}

{{/* Pod-level security context shared by every pod (Pod Security "restricted"). */}}
{{- define "mss.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security context shared by every container. */}}
{{- define "mss.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
privileged: false
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Pod settings every pod shares: service account without token, no service links. */}}
{{- define "mss.podCommon" -}}
serviceAccountName: {{ include "mss.serviceAccountName" . }}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
nodeSelector and tolerations of a pod: placement.* (every pod) plus the component's own
(the component's nodeSelector wins on the same key).
Usage: include "mss.placement" (list . .Values.redis)
*/}}
{{- define "mss.placement" -}}
{{- $root := index . 0 -}}
{{- $component := index . 1 -}}
{{- $selector := merge (dict) ($component.nodeSelector | default dict) ($root.Values.placement.nodeSelector | default dict) -}}
{{- $tolerations := concat ($root.Values.placement.tolerations | default list) ($component.tolerations | default list) -}}
{{- with $selector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* secretKeyRef env entry. Usage: include "mss.secretEnv" (list . "ENV_NAME" "secret-key") */}}
{{- define "mss.secretEnv" -}}
{{- $root := index . 0 -}}
- name: {{ index . 1 }}
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.credentials.existingSecret }}
      key: {{ index . 2 }}
      optional: false
{{- end -}}

{{/*
Environment every Medusa process gets (server, worker, setup): where PostgreSQL and Redis
are, the secrets from the credentials Secret, the public URL and CORS origins.
Usage: include "mss.medusa.env" (dict "root" . "admin" true "heapMb" 512)
*/}}
{{- define "mss.medusa.env" -}}
{{- $root := .root -}}
- name: DATABASE_HOST
  value: {{ include "mss.postgres.name" $root | quote }}
- name: DATABASE_PORT
  value: "5432"
- name: DATABASE_NAME
  value: {{ $root.Values.postgres.database | quote }}
- name: DATABASE_USER
  value: {{ $root.Values.postgres.user | quote }}
{{ include "mss.secretEnv" (list $root "DATABASE_PASSWORD" "postgres-password") }}
- name: REDIS_HOST
  value: {{ include "mss.redis.name" $root | quote }}
- name: REDIS_PORT
  value: "6379"
{{ include "mss.secretEnv" (list $root "REDIS_PASSWORD" "redis-password") }}
{{ include "mss.secretEnv" (list $root "JWT_SECRET" "medusa-jwt-secret") }}
{{ include "mss.secretEnv" (list $root "COOKIE_SECRET" "medusa-cookie-secret") }}
- name: MEDUSA_BACKEND_URL
  value: {{ include "mss.url" $root | quote }}
- name: STORE_CORS
  value: {{ include "mss.cors" $root | quote }}
- name: ADMIN_CORS
  value: {{ include "mss.cors" $root | quote }}
- name: AUTH_CORS
  value: {{ include "mss.cors" $root | quote }}
- name: MEDUSA_ADMIN_ENABLED
  value: {{ .admin | quote }}
- name: PORT
  value: {{ $root.Values.medusa.port | quote }}
- name: NODE_OPTIONS
  value: {{ printf "--max-old-space-size=%d" (int .heapMb) | quote }}
{{- end -}}

{{/* Writable directories of every Medusa container (the root filesystem is read-only). */}}
{{- define "mss.medusa.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: static
  mountPath: /app/static
{{- end -}}

{{- define "mss.medusa.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
- name: static
  emptyDir:
    sizeLimit: 256Mi
{{- end -}}

{{/*
HTTP probes on GET /health of a Medusa process (server and worker).
Usage: include "mss.medusa.probes" .Values.medusa.server.probes
*/}}
{{- define "mss.medusa.probes" -}}
startupProbe:
  httpGet:
    path: /health
    port: http
  periodSeconds: 5
  timeoutSeconds: {{ .timeoutSeconds }}
  failureThreshold: {{ .startupFailureThreshold }}
readinessProbe:
  httpGet:
    path: /health
    port: http
  periodSeconds: {{ .periodSeconds }}
  timeoutSeconds: {{ .timeoutSeconds }}
  failureThreshold: 3
livenessProbe:
  httpGet:
    path: /health
    port: http
  periodSeconds: {{ mul 2 .periodSeconds }}
  timeoutSeconds: {{ .timeoutSeconds }}
  failureThreshold: 6
{{- end -}}

{{/*
The products file of the setup Job (STOREFLEET_PRODUCTS_FILE): a JSON array of
{title, handle, sku, price, description, stock}, price a number in major units.
*/}}
{{- define "mss.setup.products" -}}
{{- $products := list -}}
{{- range .Values.medusa.sampleProducts -}}
{{- $p := dict "title" .title "handle" .handle "sku" .sku "price" (float64 .price) "description" (.description | default "") "stock" (int64 .stock) -}}
{{- $products = append $products $p -}}
{{- end -}}
{{- $products | toJson -}}
{{- end -}}

{{/*
Checksum of what the setup Job does: every value it reads. Part of the Job name, so a
change gives a new Job.
*/}}
{{- define "mss.setup.checksum" -}}
{{- $m := .Values.medusa -}}
{{- $inputs := dict
  "products" (include "mss.setup.products" .)
  "store" .Values.store
  "url" (include "mss.url" .)
  "cors" (include "mss.cors" .)
  "medusa" (dict "image" $m.image "port" $m.port "currency" $m.currency "countries" $m.countries)
  "setup" .Values.setup
  "database" (list .Values.postgres.database .Values.postgres.user)
  "credentials" .Values.credentials.existingSecret
-}}
{{- $inputs | toJson | sha256sum | trunc 10 -}}
{{- end -}}

{{/* <fullname>-setup-<revision>-<checksum>, at most 63 characters. */}}
{{- define "mss.setup.jobName" -}}
{{- include "mss.name" (dict "root" . "suffix" (printf "setup-%d-%s" (int .Release.Revision) (include "mss.setup.checksum" .))) -}}
{{- end -}}
