{{/*
Naming, labels, images and the pieces shared by several templates.
Every object name stays within 63 characters (Helm caps release names at 53).
*/}}

{{/*
Base name of every object: the release name, prefixed with "store-" when it starts with a
digit so that Service names stay valid DNS-1035 labels.
*/}}
{{- define "wcs.fullname" -}}
{{- $name := .Release.Name -}}
{{- if regexMatch "^[0-9]" $name -}}
{{- $name = printf "store-%s" $name -}}
{{- end -}}
{{- $name | trunc 53 | trimSuffix "-" -}}
{{- end -}}

{{/*
<fullname>-<suffix>, cut so that the whole name fits in `max` characters (default 63).
Usage: include "wcs.name" (dict "root" . "suffix" "wordpress" "max" 63)
*/}}
{{- define "wcs.name" -}}
{{- $max := .max | default 63 | int -}}
{{- $suffix := .suffix -}}
{{- $base := include "wcs.fullname" .root | trunc (int (sub $max (add 1 (len $suffix)))) | trimSuffix "-" -}}
{{- printf "%s-%s" $base $suffix -}}
{{- end -}}

{{- define "wcs.mariadb.name" -}}
{{- /* 52 so that <pod>-0 and the controller-revision-hash label fit in 63 */ -}}
{{- include "wcs.name" (dict "root" . "suffix" "mariadb" "max" 52) -}}
{{- end -}}

{{- define "wcs.wordpress.name" -}}
{{- include "wcs.name" (dict "root" . "suffix" "wordpress") -}}
{{- end -}}

{{- define "wcs.serviceAccountName" -}}
{{- .Values.serviceAccount.name | default (include "wcs.fullname" .) -}}
{{- end -}}

{{- define "wcs.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Labels that never change for the life of a release (selectors, volumeClaimTemplates).
Usage: include "wcs.selectorLabels" (dict "root" . "component" "wordpress")
*/}}
{{- define "wcs.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{/* Labels that are stable across chart versions (no chart version inside). */}}
{{- define "wcs.stableLabels" -}}
{{ include "wcs.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- with .root.Values.store.id }}
storefleet.io/store-id: {{ . | quote }}
{{- end }}
{{- end -}}

{{/*
Full label set of every object.
Usage: include "wcs.labels" (dict "root" . "component" "mariadb")  (component optional)
*/}}
{{- define "wcs.labels" -}}
{{ include "wcs.stableLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: storefleet
helm.sh/chart: {{ include "wcs.chart" .root }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* image reference: repository@digest when a digest is given, else repository:tag */}}
{{- define "wcs.image" -}}
{{- if .digest -}}
{{- printf "%s@%s" .repository .digest -}}
{{- else -}}
{{- printf "%s:%s" .repository .tag -}}
{{- end -}}
{{- end -}}

{{/* Public URL of the store. */}}
{{- define "wcs.scheme" -}}
{{- if .Values.store.scheme -}}
{{- .Values.store.scheme -}}
{{- else if and .Values.ingress.enabled (ne .Values.ingress.tls.mode "none") -}}
https
{{- else -}}
http
{{- end -}}
{{- end -}}

{{- define "wcs.url" -}}
{{- printf "%s://%s" (include "wcs.scheme" .) .Values.store.host -}}
{{- end -}}

{{/* Pod-level security context shared by every pod (Pod Security "restricted"). */}}
{{- define "wcs.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security context shared by every container. */}}
{{- define "wcs.containerSecurityContext" -}}
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
{{- define "wcs.podCommon" -}}
serviceAccountName: {{ include "wcs.serviceAccountName" . }}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* secretKeyRef env entry. Usage: include "wcs.secretEnv" (list . "ENV_NAME" "secret-key") */}}
{{- define "wcs.secretEnv" -}}
{{- $root := index . 0 -}}
- name: {{ index . 1 }}
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.credentials.existingSecret }}
      key: {{ index . 2 }}
      optional: false
{{- end -}}

{{/*
Environment of every container that runs WordPress code (the WordPress pod and the setup
Job). wp-config.php is the image's wp-config-docker.php, which reads these variables.
*/}}
{{- define "wcs.wordpress.env" -}}
- name: WORDPRESS_DB_HOST
  value: {{ printf "%s:3306" (include "wcs.mariadb.name" .) | quote }}
- name: WORDPRESS_DB_NAME
  value: {{ .Values.mariadb.database | quote }}
- name: WORDPRESS_DB_USER
  value: {{ .Values.mariadb.user | quote }}
{{ include "wcs.secretEnv" (list . "WORDPRESS_DB_PASSWORD" "mariadb-password") }}
{{- range $env, $key := dict "WORDPRESS_AUTH_KEY" "wp-auth-key" "WORDPRESS_SECURE_AUTH_KEY" "wp-secure-auth-key" "WORDPRESS_LOGGED_IN_KEY" "wp-logged-in-key" "WORDPRESS_NONCE_KEY" "wp-nonce-key" "WORDPRESS_AUTH_SALT" "wp-auth-salt" "WORDPRESS_SECURE_AUTH_SALT" "wp-secure-auth-salt" "WORDPRESS_LOGGED_IN_SALT" "wp-logged-in-salt" "WORDPRESS_NONCE_SALT" "wp-nonce-salt" }}
{{ include "wcs.secretEnv" (list $ $env $key) }}
{{- end }}
{{- /* Verifies one-click login links (files/storefleet-login.php); optional, so a Secret
made by hand without it still works (the links are then refused). */}}
- name: STOREFLEET_LOGIN_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.credentials.existingSecret }}
      key: storefleet-login-key
      optional: true
- name: WORDPRESS_TABLE_PREFIX
  value: {{ .Values.wordpress.tablePrefix | quote }}
- name: STOREFLEET_URL
  value: {{ include "wcs.url" . | quote }}
- name: WORDPRESS_CONFIG_EXTRA
  value: |
    define('WP_HOME', getenv('STOREFLEET_URL'));
    define('WP_SITEURL', getenv('STOREFLEET_URL'));
    define('DISALLOW_FILE_EDIT', true);
    define('AUTOMATIC_UPDATER_DISABLED', true);
    define('WP_AUTO_UPDATE_CORE', false);
    define('FS_METHOD', 'direct');
    define('WP_TEMP_DIR', '/tmp');
    define('FS_CHMOD_DIR', 0755);
    define('FS_CHMOD_FILE', 0644);
    {{- if .Values.wordpress.disallowFileMods }}
    define('DISALLOW_FILE_MODS', true);
    {{- end }}
    {{- with .Values.wordpress.configExtra }}
    {{- . | nindent 4 }}
    {{- end }}
{{- end -}}

{{/*
Volumes of the WordPress docroot, shared by the WordPress pod and the setup Job so that both
see the same files: WordPress core copied from the image into an emptyDir, and the content
volume (uploads, plus plugins when WooCommerce comes from wordpress.org).
*/}}
{{- define "wcs.wordpress.volumes" -}}
- name: docroot
  emptyDir:
    sizeLimit: {{ .Values.wordpress.docrootSizeLimit }}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
- name: content
  persistentVolumeClaim:
    claimName: {{ include "wcs.wordpress.name" . }}
- name: config
  configMap:
    name: {{ include "wcs.wordpress.name" . }}
{{- end -}}

{{/* true when plugins live on the content volume (woocommerce.source=wordpress.org). */}}
{{- define "wcs.pluginsOnVolume" -}}
{{- eq .Values.woocommerce.source "wordpress.org" -}}
{{- end -}}

{{/*
Mounts of the containers that run WordPress (the WordPress container and the setup
container). The content volume's directories are mounted by subPath onto mount points
inside the docroot; the prepare-docroot init container created both the directories on the
volume and the mount points, as uid 33, so the runtime creates neither (it would as root).
*/}}
{{- define "wcs.wordpress.contentMounts" -}}
- name: docroot
  mountPath: /var/www/html
- name: tmp
  mountPath: /tmp
- name: content
  mountPath: /var/www/html/wp-content/uploads
  subPath: uploads
{{- if eq (include "wcs.pluginsOnVolume" .) "true" }}
- name: content
  mountPath: /var/www/html/wp-content/plugins
  subPath: plugins
{{- end }}
{{- end -}}

{{/*
Image pull policy of a container: imagePullPolicy (top level) when set, else the image's.
Usage: include "wcs.pullPolicy" (list . .Values.wordpress.image)
*/}}
{{- define "wcs.pullPolicy" -}}
{{- $root := index . 0 -}}
{{- $root.Values.imagePullPolicy | default (index . 1).pullPolicy -}}
{{- end -}}

{{/*
nodeSelector and tolerations of a pod: placement.* (every pod) plus the component's own
(the component's nodeSelector wins on the same key).
Usage: include "wcs.placement" (list . .Values.wordpress)
*/}}
{{- define "wcs.placement" -}}
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

{{/*
Init container that prepares the docroot (files/prepare-docroot.sh): copies WordPress from
the image into the docroot and creates, on the content volume (mounted whole, outside the
docroot), the directories that the main container mounts by subPath.
*/}}
{{- define "wcs.wordpress.prepareContainer" -}}
- name: prepare-docroot
  image: {{ include "wcs.image" .Values.wordpress.image }}
  imagePullPolicy: {{ include "wcs.pullPolicy" (list . .Values.wordpress.image) }}
  command: ["bash", "/opt/storefleet/wordpress/prepare-docroot.sh"]
  env:
    - name: WORDPRESS_SOURCE_DIR
      value: /usr/src/wordpress
    - name: WORDPRESS_DOCROOT
      value: /var/www/html
    - name: STOREFLEET_CONTENT_DIR
      value: /storefleet/content
    - name: STOREFLEET_PLUGINS_ON_VOLUME
      value: {{ include "wcs.pluginsOnVolume" . | quote }}
    - name: STOREFLEET_MU_PLUGIN
      value: /opt/storefleet/wordpress/storefleet-login.php
  securityContext:
    {{- include "wcs.containerSecurityContext" (dict "uid" 33) | nindent 4 }}
  resources:
    {{- toYaml .Values.wordpress.initResources | nindent 4 }}
  volumeMounts:
    - name: docroot
      mountPath: /var/www/html
    - name: tmp
      mountPath: /tmp
    - name: content
      mountPath: /storefleet/content
    - name: config
      mountPath: /opt/storefleet/wordpress
      readOnly: true
{{- end -}}

{{/* Default affinity of the setup pod: next to a WordPress pod (shared RWO volume). */}}
{{- define "wcs.setup.affinity" -}}
{{- if .Values.setup.affinity -}}
{{- toYaml .Values.setup.affinity -}}
{{- else -}}
podAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "wcs.selectorLabels" (dict "root" . "component" "wordpress") | nindent 12 }}
{{- end -}}
{{- end -}}

{{/* Data of the setup ConfigMap (also part of the setup checksum). */}}
{{- define "wcs.setup.configData" -}}
setup.php: |
  {{- .Files.Get "files/setup.php" | nindent 2 }}
wait.php: |
  {{- .Files.Get "files/wait.php" | nindent 2 }}
configure.php: |
  {{- .Files.Get "files/configure.php" | nindent 2 }}
products.json: {{ .Values.woocommerce.sampleProducts | toJson | quote }}
{{- end -}}

{{/*
Checksum of what the setup Job does: its scripts and the values it reads. Part of the Job
name, so a change gives a new Job.
*/}}
{{- define "wcs.setup.checksum" -}}
{{- $inputs := dict
  "data" (include "wcs.setup.configData" .)
  "store" .Values.store
  "url" (include "wcs.url" .)
  "woocommerce" .Values.woocommerce
  "setup" .Values.setup
  "wordpressImage" .Values.wordpress.image
  "tablePrefix" .Values.wordpress.tablePrefix
  "database" (list .Values.mariadb.database .Values.mariadb.user)
  "credentials" .Values.credentials
-}}
{{- $inputs | toJson | sha256sum | trunc 10 -}}
{{- end -}}

{{/* <fullname>-setup-<revision>-<checksum>, at most 63 characters. */}}
{{/*
Checksum of the credentials the WordPress pods read (database password, salts, login
key), from credentials.checksums: a rotation of any of them rolls the pods. The admin
password is applied by the setup Job instead.
*/}}
{{- define "wcs.wordpress.credentialsChecksum" -}}
{{- omit (.Values.credentials.checksums | default dict) "wordpress-admin-password" "mariadb-root-password" | toJson | sha256sum | trunc 16 -}}
{{- end -}}

{{- define "wcs.setup.jobName" -}}
{{- include "wcs.name" (dict "root" . "suffix" (printf "setup-%d-%s" (int .Release.Revision) (include "wcs.setup.checksum" .))) -}}
{{- end -}}
