/* ks-pod.c: v1 Pod, PodSpec and PodTemplateSpec: decoding with defaults and validation,
 * encoding, derived requests. */
#include "config.h"

#include <string.h>

#include "ks-kinds-private.h"
#include "ks-pod.h"
#include "src/ks-clock.h"

static const char *const restart_names[] = { "Always", "OnFailure", "Never", NULL };
static const char *const preemption_names[] = { "PreemptLowerPriority", "Never", NULL };
static const char *const qos_names[] = { "BestEffort", "Burstable", "Guaranteed", NULL };
static const char *const phase_names[]
    = { "Pending", "Running", "Succeeded", "Failed", "Unknown", NULL };
static const char *const condition_status_names[] = { "", "True", "False", "Unknown", NULL };
static const char *const pod_condition_names[]
    = { "PodScheduled", "Initialized", "ContainersReady", "Ready", "DisruptionTarget", NULL };

const char *
ks_restart_policy_name (KsRestartPolicy policy)
{
  return restart_names[policy];
}

const char *
ks_preemption_policy_name (KsPreemptionPolicy policy)
{
  return preemption_names[policy];
}

const char *
ks_qos_class_name (KsQosClass qos)
{
  return qos_names[qos];
}

const char *
ks_pod_phase_name (KsPodPhase phase)
{
  return phase_names[phase];
}

const char *
ks_condition_status_name (KsConditionStatus status)
{
  return condition_status_names[status];
}

const char *
ks_pod_condition_name (KsPodConditionType type)
{
  return pod_condition_names[type];
}

/* Ports */

void
ks_int_or_string_clear (KsIntOrString *v)
{
  g_free (v->name);
  v->name = NULL;
  v->number = 0;
}

void
ks_int_or_string_copy (KsIntOrString *dst, const KsIntOrString *src)
{
  dst->number = src->number;
  dst->name = g_strdup (src->name);
}

gboolean
ks_port_decode (KsDecoder *dec, JsonNode *obj, const char *field, gboolean allow_unset,
                KsIntOrString *out)
{
  JsonNode *m = ks_decoder_member (obj, field);
  gsize mark;
  gboolean ok = TRUE;

  if (m == NULL)
    return TRUE;
  mark = ks_decoder_push (dec, field);
  if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_INT64)
    {
      gint64 v = json_node_get_int (m);
      if (v == 0 && allow_unset)
        ;
      else if (v < 1 || v > 65535)
        {
          ks_decoder_error (
              dec, m, "Invalid value: %" G_GINT64_FORMAT ": must be between 1 and 65535, inclusive",
              v);
          ok = FALSE;
        }
      else
        {
          ks_int_or_string_clear (out);
          out->number = (gint32) v;
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING)
    {
      const char *name = json_node_get_string (m);
      const char *why;
      if (name[0] == '\0' && allow_unset)
        ;
      else if ((why = ks_validate_port_name (name)) != NULL)
        {
          ks_decoder_error (dec, m, "Invalid value: \"%s\": %s", name, why);
          ok = FALSE;
        }
      else
        {
          ks_int_or_string_clear (out);
          out->name = g_strdup (name);
        }
    }
  else
    {
      ks_decoder_error (dec, m, "expected a port number or name, got %s",
                        ks_decoder_node_type_name (m));
      ok = FALSE;
    }
  ks_decoder_pop (dec, mark);
  return ok;
}

void
ks_builder_add_int_or_string (JsonBuilder *b, const char *member, const KsIntOrString *v)
{
  json_builder_set_member_name (b, member);
  if (v->name != NULL)
    json_builder_add_string_value (b, v->name);
  else
    json_builder_add_int_value (b, v->number);
}

char *
ks_int_or_string_to_string (const KsIntOrString *v)
{
  return v->name != NULL ? g_strdup (v->name) : g_strdup_printf ("%d", v->number);
}

/* Probes */

void
ks_probe_free (KsProbe *probe)
{
  if (probe == NULL)
    return;
  g_strfreev (probe->command);
  g_free (probe->path);
  ks_int_or_string_clear (&probe->port);
  g_free (probe->host);
  for (guint i = 0; i < probe->n_http_headers; i++)
    {
      g_free (probe->http_headers[i].name);
      g_free (probe->http_headers[i].value);
    }
  g_free (probe->http_headers);
  g_free (probe);
}

KsProbe *
ks_probe_copy (const KsProbe *src)
{
  KsProbe *p;

  if (src == NULL)
    return NULL;
  p = g_memdup2 (src, sizeof *src);
  p->command = g_strdupv (src->command);
  p->path = g_strdup (src->path);
  ks_int_or_string_copy (&p->port, &src->port);
  p->host = g_strdup (src->host);
  p->http_headers = g_new0 (KsHttpHeader, MAX (src->n_http_headers, 1));
  for (guint i = 0; i < src->n_http_headers; i++)
    {
      p->http_headers[i].name = g_strdup (src->http_headers[i].name);
      p->http_headers[i].value = g_strdup (src->http_headers[i].value);
    }
  return p;
}

gboolean
ks_container_resolve_port (const KsContainer *c, const KsIntOrString *port, gint32 *out)
{
  if (port->name == NULL)
    {
      *out = port->number;
      return TRUE;
    }
  for (guint i = 0; i < c->n_ports; i++)
    if (g_strcmp0 (c->ports[i].name, port->name) == 0)
      {
        *out = c->ports[i].container_port;
        return TRUE;
      }
  return FALSE;
}

static gboolean
http_header_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer unused)
{
  KsHttpHeader *h = slot;

  if (ks_decoder_require_string (dec, item, "name", &h->name, NULL))
    {
      gboolean ok = h->name[0] != '\0';
      for (const char *p = h->name; *p != '\0'; p++)
        ok &= g_ascii_isalnum (*p) || *p == '-';
      if (!ok)
        ks_decoder_error_field (dec, item, "name",
                                "Invalid value: \"%s\": a valid HTTP header must consist of "
                                "alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used "
                                "for validation is '[-A-Za-z0-9]+')",
                                h->name);
    }
  ks_decoder_get_string (dec, item, "value", &h->value);
  if (h->value == NULL)
    h->value = g_strdup ("");
  return TRUE;
}

/* A handler's port: required, 1–65535 or a port name. */
static void
probe_port_decode (KsDecoder *dec, JsonNode *handler, KsIntOrString *port)
{
  if (ks_decoder_member (handler, "port") == NULL)
    ks_decoder_error_field (dec, handler, "port",
                            "Invalid value: 0: must be between 1 and 65535, inclusive");
  else
    ks_port_decode (dec, handler, "port", FALSE, port);
}

/* A probe's timing field: 0 or absent gives the default; negative is an error. */
static void
probe_seconds (KsDecoder *dec, JsonNode *node, const char *field, gint32 default_value, gint32 *out)
{
  gint64 v = 0;

  *out = default_value;
  if (!ks_decoder_get_int64 (dec, node, field, &v))
    return;
  if (v < 0)
    ks_decoder_error_field (
        dec, node, field, "Invalid value: %" G_GINT64_FORMAT ": must be greater than or equal to 0",
        v);
  else if (v > G_MAXINT32)
    ks_decoder_error_field (dec, node, field, "Invalid value: %" G_GINT64_FORMAT ": too large", v);
  else if (v != 0)
    *out = (gint32) v;
}

/* Decode probe member field of a container (kind: "liveness", "readiness", "startup"); NULL when
 * absent or after problems. */
static KsProbe *
probe_decode (KsDecoder *dec, JsonNode *container, const char *field, gboolean init_sidecar,
              gboolean init)
{
  static const char *const handlers[] = { "exec", "httpGet", "tcpSocket", "grpc" };
  JsonNode *node = ks_decoder_member (container, field);
  guint errors = ks_decoder_n_errors (dec);
  KsProbe *p;
  JsonNode *h = NULL;
  int which = -1;
  gsize mark;

  if (node == NULL)
    return NULL;
  if (init && !init_sidecar)
    {
      ks_decoder_error_field (dec, container, field,
                              "Forbidden: may not be set for init containers without "
                              "restartPolicy=Always");
      return NULL;
    }
  mark = ks_decoder_push (dec, field);
  if (!ks_decoder_expect_object (dec, node))
    {
      ks_decoder_pop (dec, mark);
      return NULL;
    }
  p = g_new0 (KsProbe, 1);
  p->termination_grace_period_seconds = -1;
  for (int i = 0; i < (int) G_N_ELEMENTS (handlers); i++)
    if (ks_decoder_member (node, handlers[i]) != NULL)
      {
        if (which >= 0)
          ks_decoder_error_field (dec, node, handlers[i],
                                  "Forbidden: may not specify more than 1 handler type");
        else
          {
            which = i;
            h = ks_decoder_member (node, handlers[i]);
          }
      }
  if (which < 0)
    ks_decoder_error (dec, node, "Required value: must specify a handler type");
  else
    {
      gsize mark2 = ks_decoder_push (dec, handlers[which]);
      if (ks_decoder_expect_object (dec, h))
        switch (which)
          {
          case 0:
            p->handler = KS_PROBE_EXEC;
            ks_decoder_get_strv (dec, h, "command", &p->command);
            if (p->command == NULL || p->command[0] == NULL)
              ks_decoder_error_field (dec, h, "command", "Required value");
            break;
          case 1:
            {
              static const char *const schemes[] = { "HTTP", "HTTPS", NULL };
              JsonNode *m;
              g_autofree char *scheme = NULL;
              p->handler = KS_PROBE_HTTP_GET;
              ks_decoder_get_string (dec, h, "path", &p->path);
              if (p->path == NULL || p->path[0] == '\0')
                {
                  g_free (p->path);
                  p->path = g_strdup ("/");
                }
              probe_port_decode (dec, h, &p->port);
              ks_decoder_get_string (dec, h, "host", &p->host);
              if (ks_decoder_get_string (dec, h, "scheme", &scheme) && scheme != NULL
                  && scheme[0] != '\0')
                {
                  if (!g_strv_contains (schemes, scheme))
                    ks_decoder_error_field (dec, h, "scheme",
                                            "Unsupported value: \"%s\": supported values: "
                                            "\"HTTP\", \"HTTPS\"",
                                            scheme);
                  p->https = g_strcmp0 (scheme, "HTTPS") == 0;
                }
              if ((m = ks_decoder_member (h, "httpHeaders")) != NULL)
                {
                  gsize mark3 = ks_decoder_push (dec, "httpHeaders");
                  p->http_headers = ks_decoder_list (dec, m, sizeof (KsHttpHeader),
                                                     http_header_decode, NULL, &p->n_http_headers);
                  ks_decoder_pop (dec, mark3);
                }
              break;
            }
          case 2:
            p->handler = KS_PROBE_TCP_SOCKET;
            probe_port_decode (dec, h, &p->port);
            ks_decoder_get_string (dec, h, "host", &p->host);
            break;
          default:
            ks_decoder_error (dec, h,
                              "Unsupported value: gRPC probes are not supported by kubesim; use "
                              "exec, httpGet or tcpSocket");
            break;
          }
      ks_decoder_pop (dec, mark2);
    }
  probe_seconds (dec, node, "initialDelaySeconds", 0, &p->initial_delay_seconds);
  probe_seconds (dec, node, "timeoutSeconds", 1, &p->timeout_seconds);
  probe_seconds (dec, node, "periodSeconds", 10, &p->period_seconds);
  probe_seconds (dec, node, "successThreshold", 1, &p->success_threshold);
  probe_seconds (dec, node, "failureThreshold", 3, &p->failure_threshold);
  if (ks_decoder_member (node, "terminationGracePeriodSeconds") != NULL
      && ks_decoder_get_int64 (dec, node, "terminationGracePeriodSeconds",
                               &p->termination_grace_period_seconds))
    {
      if (p->termination_grace_period_seconds <= 0)
        ks_decoder_error_field (dec, node, "terminationGracePeriodSeconds",
                                "Invalid value: %" G_GINT64_FORMAT ": must be greater than 0",
                                p->termination_grace_period_seconds);
      else if (strcmp (field, "readinessProbe") == 0)
        ks_decoder_error_field (dec, node, "terminationGracePeriodSeconds",
                                "Invalid value: %" G_GINT64_FORMAT
                                ": must not be set for readinessProbes",
                                p->termination_grace_period_seconds);
    }
  if (strcmp (field, "readinessProbe") != 0 && p->success_threshold != 1)
    ks_decoder_error_field (dec, node, "successThreshold", "Invalid value: %d: must be 1",
                            p->success_threshold);
  ks_decoder_pop (dec, mark);
  if (ks_decoder_n_errors (dec) != errors)
    {
      ks_probe_free (p);
      return NULL;
    }
  return p;
}

static void
probe_encode (JsonBuilder *b, const char *member, const KsProbe *p)
{
  if (p == NULL)
    return;
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  switch (p->handler)
    {
    case KS_PROBE_EXEC:
      json_builder_set_member_name (b, "exec");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "command");
      json_builder_begin_array (b);
      for (char **c = p->command; *c != NULL; c++)
        json_builder_add_string_value (b, *c);
      json_builder_end_array (b);
      json_builder_end_object (b);
      break;
    case KS_PROBE_HTTP_GET:
      json_builder_set_member_name (b, "httpGet");
      json_builder_begin_object (b);
      ks_builder_add_string (b, "path", p->path);
      ks_builder_add_int_or_string (b, "port", &p->port);
      if (p->host != NULL)
        ks_builder_add_string (b, "host", p->host);
      ks_builder_add_string (b, "scheme", p->https ? "HTTPS" : "HTTP");
      if (p->n_http_headers > 0)
        {
          json_builder_set_member_name (b, "httpHeaders");
          json_builder_begin_array (b);
          for (guint i = 0; i < p->n_http_headers; i++)
            {
              json_builder_begin_object (b);
              ks_builder_add_string (b, "name", p->http_headers[i].name);
              ks_builder_add_string (b, "value", p->http_headers[i].value);
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
      break;
    case KS_PROBE_TCP_SOCKET:
      json_builder_set_member_name (b, "tcpSocket");
      json_builder_begin_object (b);
      ks_builder_add_int_or_string (b, "port", &p->port);
      if (p->host != NULL)
        ks_builder_add_string (b, "host", p->host);
      json_builder_end_object (b);
      break;
    }
  if (p->initial_delay_seconds != 0)
    ks_builder_add_int (b, "initialDelaySeconds", p->initial_delay_seconds);
  ks_builder_add_int (b, "timeoutSeconds", p->timeout_seconds);
  ks_builder_add_int (b, "periodSeconds", p->period_seconds);
  ks_builder_add_int (b, "successThreshold", p->success_threshold);
  ks_builder_add_int (b, "failureThreshold", p->failure_threshold);
  if (p->termination_grace_period_seconds >= 0)
    ks_builder_add_int (b, "terminationGracePeriodSeconds", p->termination_grace_period_seconds);
  json_builder_end_object (b);
}

/* Containers */

static void
container_clear (KsContainer *c)
{
  ks_probe_free (c->liveness_probe);
  ks_probe_free (c->readiness_probe);
  ks_probe_free (c->startup_probe);
  g_free (c->name);
  g_free (c->image);
  g_strfreev (c->command);
  g_strfreev (c->args);
  g_free (c->working_dir);
  g_free (c->image_pull_policy);
  for (guint i = 0; i < c->n_env; i++)
    {
      g_free (c->env[i].name);
      g_free (c->env[i].value);
      g_free (c->env[i].field_path);
    }
  g_free (c->env);
  for (guint i = 0; i < c->n_ports; i++)
    {
      g_free (c->ports[i].name);
      g_free (c->ports[i].protocol);
      g_free (c->ports[i].host_ip);
    }
  g_free (c->ports);
  for (guint i = 0; i < c->n_volume_mounts; i++)
    {
      g_free (c->volume_mounts[i].name);
      g_free (c->volume_mounts[i].mount_path);
      g_free (c->volume_mounts[i].sub_path);
    }
  g_free (c->volume_mounts);
  ks_resources_clear (&c->requests);
  ks_resources_clear (&c->limits);
}

static void
container_copy (KsContainer *dst, const KsContainer *src)
{
  *dst = *src;
  dst->name = g_strdup (src->name);
  dst->image = g_strdup (src->image);
  dst->command = g_strdupv (src->command);
  dst->args = g_strdupv (src->args);
  dst->working_dir = g_strdup (src->working_dir);
  dst->image_pull_policy = g_strdup (src->image_pull_policy);
  dst->env = g_new0 (KsEnvVar, MAX (src->n_env, 1));
  for (guint i = 0; i < src->n_env; i++)
    {
      dst->env[i].name = g_strdup (src->env[i].name);
      dst->env[i].value = g_strdup (src->env[i].value);
      dst->env[i].field_path = g_strdup (src->env[i].field_path);
    }
  dst->ports = g_new0 (KsContainerPort, MAX (src->n_ports, 1));
  for (guint i = 0; i < src->n_ports; i++)
    {
      dst->ports[i] = src->ports[i];
      dst->ports[i].name = g_strdup (src->ports[i].name);
      dst->ports[i].protocol = g_strdup (src->ports[i].protocol);
      dst->ports[i].host_ip = g_strdup (src->ports[i].host_ip);
    }
  dst->volume_mounts = g_new0 (KsVolumeMount, MAX (src->n_volume_mounts, 1));
  for (guint i = 0; i < src->n_volume_mounts; i++)
    {
      dst->volume_mounts[i] = src->volume_mounts[i];
      dst->volume_mounts[i].name = g_strdup (src->volume_mounts[i].name);
      dst->volume_mounts[i].mount_path = g_strdup (src->volume_mounts[i].mount_path);
      dst->volume_mounts[i].sub_path = g_strdup (src->volume_mounts[i].sub_path);
    }
  memset (&dst->requests, 0, sizeof dst->requests);
  memset (&dst->limits, 0, sizeof dst->limits);
  ks_resources_copy (&dst->requests, &src->requests);
  ks_resources_copy (&dst->limits, &src->limits);
  dst->liveness_probe = ks_probe_copy (src->liveness_probe);
  dst->readiness_probe = ks_probe_copy (src->readiness_probe);
  dst->startup_probe = ks_probe_copy (src->startup_probe);
}

/* imagePullPolicy default: Always for ":latest" or no tag, else IfNotPresent. */
static const char *
default_pull_policy (const char *image)
{
  const char *slash, *colon;

  if (image == NULL || strchr (image, '@') != NULL)
    return "IfNotPresent";
  slash = strrchr (image, '/');
  colon = strrchr (image, ':');
  if (colon == NULL || (slash != NULL && colon < slash))
    return "Always";
  return strcmp (colon, ":latest") == 0 ? "Always" : "IfNotPresent";
}

static gboolean
port_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer unused)
{
  static const char *const protocols[] = { "TCP", "UDP", "SCTP", NULL };
  KsContainerPort *p = slot;
  int protocol = 0;

  if (ks_decoder_member (item, "containerPort") == NULL)
    ks_decoder_error_field (dec, item, "containerPort", "required field is missing");
  ks_decoder_get_string (dec, item, "name", &p->name);
  ks_decoder_get_int32 (dec, item, "containerPort", 1, 65535, &p->container_port);
  ks_decoder_get_int32 (dec, item, "hostPort", 0, 65535, &p->host_port);
  ks_decoder_get_enum (dec, item, "protocol", protocols, &protocol);
  ks_decoder_get_string (dec, item, "hostIP", &p->host_ip);
  p->protocol = g_strdup (protocols[protocol]);
  return TRUE;
}

/* validEnvDownwardAPIFieldPathExpressions, and metadata.labels['<key>'] and
 * metadata.annotations['<key>']. */
static gboolean
env_field_path_valid (const char *path)
{
  static const char *const plain[] = { "metadata.name",
                                       "metadata.namespace",
                                       "metadata.uid",
                                       "spec.nodeName",
                                       "spec.serviceAccountName",
                                       "status.hostIP",
                                       "status.hostIPs",
                                       "status.podIP",
                                       "status.podIPs",
                                       NULL };
  static const char *const subscripted[] = { "metadata.labels['", "metadata.annotations['", NULL };

  if (g_strv_contains (plain, path))
    return TRUE;
  for (guint i = 0; subscripted[i] != NULL; i++)
    if (g_str_has_prefix (path, subscripted[i]) && g_str_has_suffix (path, "']")
        && strlen (path) > strlen (subscripted[i]) + 2)
      return TRUE;
  return FALSE;
}

/* valueFrom: only fieldRef (kubesim has no ConfigMaps or Secrets, and no resourceFieldRef). */
static void
env_value_from_decode (KsDecoder *dec, JsonNode *from, KsEnvVar *e)
{
  static const char *const unsupported[]
      = { "configMapKeyRef", "secretKeyRef", "resourceFieldRef", NULL };
  JsonNode *ref;
  gboolean reported = FALSE;
  gsize mark = ks_decoder_push (dec, "valueFrom");

  if (!ks_decoder_expect_object (dec, from))
    {
      ks_decoder_pop (dec, mark);
      return;
    }
  for (guint i = 0; unsupported[i] != NULL; i++)
    if (ks_decoder_member (from, unsupported[i]) != NULL)
      {
        ks_decoder_error_field (dec, from, unsupported[i],
                                "Unsupported value: kubesim supports only fieldRef (the downward "
                                "API) in valueFrom");
        reported = TRUE;
      }
  ref = ks_decoder_member (from, "fieldRef");
  if (ref == NULL)
    {
      if (!reported)
        ks_decoder_error (dec, from,
                          "Invalid value: \"\": must specify one of: `fieldRef`, "
                          "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
      ks_decoder_pop (dec, mark);
      return;
    }
  {
    gsize mark2 = ks_decoder_push (dec, "fieldRef");
    char *path = NULL;
    if (ks_decoder_expect_object (dec, ref)
        && ks_decoder_require_string (dec, ref, "fieldPath", &path, NULL) && path != NULL)
      {
        if (env_field_path_valid (path))
          e->field_path = g_steal_pointer (&path);
        else
          ks_decoder_error_field (
              dec, ref, "fieldPath",
              "Unsupported value: \"%s\": supported values: \"metadata.name\", "
              "\"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", "
              "\"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", "
              "\"status.podIP\", \"status.podIPs\", metadata.labels['<KEY>'], "
              "metadata.annotations['<KEY>']",
              path);
      }
    g_free (path);
    ks_decoder_pop (dec, mark2);
  }
  if (e->value != NULL && e->value[0] != '\0')
    ks_decoder_error (dec, from,
                      "Invalid value: \"\": may not be specified when `value` is not "
                      "empty");
  ks_decoder_pop (dec, mark);
}

static gboolean
env_var_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer unused)
{
  KsEnvVar *e = slot;
  JsonNode *from;

  ks_decoder_require_string (dec, item, "name", &e->name, NULL);
  ks_decoder_get_string (dec, item, "value", &e->value);
  if ((from = ks_decoder_member (item, "valueFrom")) != NULL)
    env_value_from_decode (dec, from, e);
  if (e->value == NULL)
    e->value = g_strdup ("");
  return TRUE;
}

/* Check limits ≥ requests and extended-resource rules; fill requests from limits. */
static void
resources_finish (KsDecoder *dec, JsonNode *res_node, KsContainer *c)
{
  static const struct
  {
    const char *name;
    guint8 flag;
  } basic[] = { { KS_RESOURCE_CPU, KS_RES_SET_CPU },
                { KS_RESOURCE_MEMORY, KS_RES_SET_MEMORY },
                { KS_RESOURCE_EPHEMERAL_STORAGE, KS_RES_SET_EPHEMERAL } };

  /* A limit without a request defaults the request to the limit (core/v1 defaults). */
  for (guint i = 0; i < G_N_ELEMENTS (basic); i++)
    if ((c->limits.set & basic[i].flag) && !(c->requests.set & basic[i].flag))
      ks_resources_set (&c->requests, basic[i].name, ks_resources_get (&c->limits, basic[i].name));
  for (guint i = 0; i < c->limits.n_scalar; i++)
    if (!ks_resources_has (&c->requests, c->limits.scalar[i].name))
      ks_resources_set (&c->requests, c->limits.scalar[i].name, c->limits.scalar[i].value);

  for (guint i = 0; i < G_N_ELEMENTS (basic); i++)
    {
      const char *name = basic[i].name;
      if ((c->limits.set & basic[i].flag)
          && ks_resources_get (&c->requests, name) > ks_resources_get (&c->limits, name))
        {
          gsize mark = ks_decoder_push (dec, "requests");
          ks_decoder_error_field (dec, ks_decoder_member (res_node, "requests"), name,
                                  "must be less than or equal to the %s limit", name);
          ks_decoder_pop (dec, mark);
        }
    }
  for (guint i = 0; i < c->requests.n_scalar; i++)
    {
      const char *name = c->requests.scalar[i].name;
      if (g_str_has_prefix (name, "hugepages-") || ks_resource_name_is_extended (name))
        {
          if (!ks_resources_has (&c->limits, name))
            {
              gsize mark = ks_decoder_push (dec, "limits");
              ks_decoder_error (dec, res_node,
                                "a limit must be set for %s: it cannot be overcommitted", name);
              ks_decoder_pop (dec, mark);
            }
          else if (ks_resources_get (&c->limits, name) != c->requests.scalar[i].value)
            {
              gsize mark = ks_decoder_push (dec, "requests");
              ks_decoder_error_field (dec, ks_decoder_member (res_node, "requests"), name,
                                      "must be equal to the %s limit: it cannot be "
                                      "overcommitted",
                                      name);
              ks_decoder_pop (dec, mark);
            }
        }
    }
}

/* One volumeMount, validated as ValidateVolumeMounts does but for the volume's existence
 * (ks_pod_spec_check_mounts, which knows the volumes) and mountPath uniqueness
 * (volume_mounts_decode). */
static gboolean
volume_mount_decode (KsDecoder *dec, JsonNode *node, gpointer slot, gpointer data)
{
  KsVolumeMount *m = slot;
  guint errors = ks_decoder_n_errors (dec);

  (void) data;
  if (!ks_decoder_expect_object (dec, node))
    return FALSE;
  ks_decoder_get_string (dec, node, "name", &m->name);
  ks_decoder_get_string (dec, node, "mountPath", &m->mount_path);
  ks_decoder_get_string (dec, node, "subPath", &m->sub_path);
  ks_decoder_get_bool (dec, node, "readOnly", &m->read_only);
  if (m->name == NULL || m->name[0] == '\0')
    ks_decoder_error_field (dec, node, "name", "Required value");
  if (m->mount_path == NULL || m->mount_path[0] == '\0')
    ks_decoder_error_field (dec, node, "mountPath", "Required value");
  if (m->sub_path != NULL && m->sub_path[0] == '\0')
    g_clear_pointer (&m->sub_path, g_free);
  if (m->sub_path != NULL)
    {
      /* validateLocalDescendingPath */
      g_auto (GStrv) parts = g_strsplit (m->sub_path, "/", -1);
      if (g_path_is_absolute (m->sub_path))
        ks_decoder_error_field (dec, node, "subPath",
                                "Invalid value: \"%s\": must be a relative path", m->sub_path);
      for (guint i = 0; parts[i] != NULL; i++)
        if (strcmp (parts[i], "..") == 0)
          {
            ks_decoder_error_field (dec, node, "subPath",
                                    "Invalid value: \"%s\": must not contain '..'", m->sub_path);
            break;
          }
    }
  if (ks_decoder_n_errors (dec) != errors)
    {
      g_free (m->name);
      g_free (m->mount_path);
      g_free (m->sub_path);
      memset (m, 0, sizeof *m);
      return FALSE;
    }
  return TRUE;
}

static void
volume_mounts_decode (KsDecoder *dec, JsonNode *node, KsContainer *c)
{
  JsonArray *array;

  c->volume_mounts = ks_decoder_list (dec, node, sizeof (KsVolumeMount), volume_mount_decode, NULL,
                                      &c->n_volume_mounts);
  if (c->volume_mounts == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;
  array = json_node_get_array (node);
  for (guint i = 0; i < c->n_volume_mounts && i < json_array_get_length (array); i++)
    for (guint j = 0; j < i; j++)
      if (c->volume_mounts[i].mount_path != NULL && c->volume_mounts[j].mount_path != NULL
          && strcmp (c->volume_mounts[i].mount_path, c->volume_mounts[j].mount_path) == 0)
        {
          gsize mark = ks_decoder_push_index (dec, i);
          ks_decoder_error_field (dec, json_array_get_element (array, i), "mountPath",
                                  "Invalid value: \"%s\": must be unique",
                                  c->volume_mounts[i].mount_path);
          ks_decoder_pop (dec, mark);
          break;
        }
}

static gboolean
container_decode (KsDecoder *dec, JsonNode *node, gboolean init, KsContainer *c)
{
  JsonNode *m;
  guint errors = ks_decoder_n_errors (dec);
  g_autofree char *restart = NULL;
  const char *why;

  memset (c, 0, sizeof *c);
  if (!ks_decoder_expect_object (dec, node))
    return FALSE;
  ks_decoder_require_string (dec, node, "name", &c->name, NULL);
  ks_decoder_require_string (dec, node, "image", &c->image, NULL);
  ks_decoder_get_strv (dec, node, "command", &c->command);
  ks_decoder_get_strv (dec, node, "args", &c->args);
  ks_decoder_get_string (dec, node, "workingDir", &c->working_dir);
  ks_decoder_get_string (dec, node, "imagePullPolicy", &c->image_pull_policy);
  if (c->name != NULL && (why = ks_validate_dns1123_label (c->name)) != NULL)
    ks_decoder_error_field (dec, node, "name", "invalid container name \"%s\": %s", c->name, why);
  if (c->image != NULL && c->image[0] == '\0')
    ks_decoder_error_field (dec, node, "image", "must not be empty");
  if (c->image_pull_policy != NULL && strcmp (c->image_pull_policy, "Always") != 0
      && strcmp (c->image_pull_policy, "IfNotPresent") != 0
      && strcmp (c->image_pull_policy, "Never") != 0)
    ks_decoder_error_field (dec, node, "imagePullPolicy",
                            "unsupported value \"%s\": supported values: Always, IfNotPresent, "
                            "Never",
                            c->image_pull_policy);
  if (c->image_pull_policy == NULL)
    c->image_pull_policy = g_strdup (default_pull_policy (c->image));
  if ((m = ks_decoder_member (node, "ports")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "ports");
      c->ports = ks_decoder_list (dec, m, sizeof (KsContainerPort), port_decode, NULL, &c->n_ports);
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (node, "env")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "env");
      c->env = ks_decoder_list (dec, m, sizeof (KsEnvVar), env_var_decode, NULL, &c->n_env);
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (node, "volumeMounts")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "volumeMounts");
      volume_mounts_decode (dec, m, c);
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (node, "resources")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "resources");
      if (ks_decoder_expect_object (dec, m))
        {
          JsonNode *r;
          guint before = ks_decoder_n_errors (dec);
          if ((r = ks_decoder_member (m, "requests")) != NULL)
            {
              gsize mark2 = ks_decoder_push (dec, "requests");
              ks_resources_decode (dec, r, &c->requests);
              ks_decoder_pop (dec, mark2);
            }
          if ((r = ks_decoder_member (m, "limits")) != NULL)
            {
              gsize mark2 = ks_decoder_push (dec, "limits");
              ks_resources_decode (dec, r, &c->limits);
              ks_decoder_pop (dec, mark2);
            }
          if (ks_decoder_n_errors (dec) == before)
            resources_finish (dec, m, c);
        }
      ks_decoder_pop (dec, mark);
    }
  ks_decoder_get_string (dec, node, "restartPolicy", &restart);
  if (restart != NULL)
    {
      if (!init || strcmp (restart, "Always") != 0)
        ks_decoder_error_field (dec, node, "restartPolicy",
                                "only init containers may set restartPolicy, and only to "
                                "\"Always\" (a sidecar)");
      else
        c->restart_always = TRUE;
    }
  c->liveness_probe = probe_decode (dec, node, "livenessProbe", c->restart_always, init);
  c->readiness_probe = probe_decode (dec, node, "readinessProbe", c->restart_always, init);
  c->startup_probe = probe_decode (dec, node, "startupProbe", c->restart_always, init);
  if (ks_decoder_n_errors (dec) != errors)
    {
      container_clear (c);
      memset (c, 0, sizeof *c);
      return FALSE;
    }
  return TRUE;
}

static gboolean
container_item (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer init)
{
  return container_decode (dec, item, GPOINTER_TO_INT (init), slot);
}

static void
containers_decode (KsDecoder *dec, JsonNode *spec, const char *field, gboolean init,
                   KsContainer **out, guint *n_out)
{
  JsonNode *m = ks_decoder_member (spec, field);
  gsize mark;

  *out = NULL;
  *n_out = 0;
  if (m == NULL)
    return;
  mark = ks_decoder_push (dec, field);
  *out = ks_decoder_list (dec, m, sizeof (KsContainer), container_item, GINT_TO_POINTER (init),
                          n_out);
  ks_decoder_pop (dec, mark);
}

static void
container_encode (const KsContainer *c, gboolean init, JsonBuilder *b)
{
  json_builder_begin_object (b);
  ks_builder_add_string (b, "name", c->name);
  ks_builder_add_string (b, "image", c->image);
  if (c->command != NULL)
    {
      json_builder_set_member_name (b, "command");
      json_builder_begin_array (b);
      for (char **p = c->command; *p != NULL; p++)
        json_builder_add_string_value (b, *p);
      json_builder_end_array (b);
    }
  if (c->args != NULL)
    {
      json_builder_set_member_name (b, "args");
      json_builder_begin_array (b);
      for (char **p = c->args; *p != NULL; p++)
        json_builder_add_string_value (b, *p);
      json_builder_end_array (b);
    }
  if (c->working_dir != NULL)
    ks_builder_add_string (b, "workingDir", c->working_dir);
  if (c->n_ports > 0)
    {
      json_builder_set_member_name (b, "ports");
      json_builder_begin_array (b);
      for (guint i = 0; i < c->n_ports; i++)
        {
          const KsContainerPort *p = &c->ports[i];
          json_builder_begin_object (b);
          if (p->name != NULL)
            ks_builder_add_string (b, "name", p->name);
          if (p->host_port != 0)
            ks_builder_add_int (b, "hostPort", p->host_port);
          ks_builder_add_int (b, "containerPort", p->container_port);
          ks_builder_add_string (b, "protocol", p->protocol);
          if (p->host_ip != NULL)
            ks_builder_add_string (b, "hostIP", p->host_ip);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  if (c->n_env > 0)
    {
      json_builder_set_member_name (b, "env");
      json_builder_begin_array (b);
      for (guint i = 0; i < c->n_env; i++)
        {
          json_builder_begin_object (b);
          ks_builder_add_string (b, "name", c->env[i].name);
          if (c->env[i].value[0] != '\0')
            ks_builder_add_string (b, "value", c->env[i].value);
          if (c->env[i].field_path != NULL)
            {
              json_builder_set_member_name (b, "valueFrom");
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "fieldRef");
              json_builder_begin_object (b);
              ks_builder_add_string (b, "apiVersion", "v1");
              ks_builder_add_string (b, "fieldPath", c->env[i].field_path);
              json_builder_end_object (b);
              json_builder_end_object (b);
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  if (c->n_volume_mounts > 0)
    {
      json_builder_set_member_name (b, "volumeMounts");
      json_builder_begin_array (b);
      for (guint i = 0; i < c->n_volume_mounts; i++)
        {
          const KsVolumeMount *m = &c->volume_mounts[i];
          json_builder_begin_object (b);
          ks_builder_add_string (b, "name", m->name);
          ks_builder_add_string (b, "mountPath", m->mount_path);
          if (m->sub_path != NULL)
            ks_builder_add_string (b, "subPath", m->sub_path);
          if (m->read_only)
            {
              json_builder_set_member_name (b, "readOnly");
              json_builder_add_boolean_value (b, TRUE);
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "resources");
  json_builder_begin_object (b);
  if (c->limits.set != 0 || c->limits.n_scalar > 0)
    {
      json_builder_set_member_name (b, "limits");
      ks_resources_encode (&c->limits, b);
    }
  if (c->requests.set != 0 || c->requests.n_scalar > 0)
    {
      json_builder_set_member_name (b, "requests");
      ks_resources_encode (&c->requests, b);
    }
  json_builder_end_object (b);
  if (init && c->restart_always)
    ks_builder_add_string (b, "restartPolicy", "Always");
  probe_encode (b, "livenessProbe", c->liveness_probe);
  probe_encode (b, "readinessProbe", c->readiness_probe);
  probe_encode (b, "startupProbe", c->startup_probe);
  ks_builder_add_string (b, "imagePullPolicy", c->image_pull_policy);
  json_builder_end_object (b);
}

/* Pod specs */

KsPodSpec *
ks_pod_spec_new (void)
{
  KsPodSpec *spec = g_new0 (KsPodSpec, 1);
  spec->ref_count = 1;
  spec->scheduler_name = g_strdup ("default-scheduler");
  spec->restart_policy = KS_RESTART_ALWAYS;
  spec->termination_grace_period_seconds = 30;
  spec->active_deadline_seconds = -1;
  return spec;
}

KsPodSpec *
ks_pod_spec_ref (KsPodSpec *spec)
{
  if (spec != NULL)
    spec->ref_count++;
  return spec;
}

static void
spec_free_fields (KsPodSpec *spec)
{
  for (guint i = 0; i < spec->n_containers; i++)
    container_clear (&spec->containers[i]);
  g_free (spec->containers);
  for (guint i = 0; i < spec->n_init_containers; i++)
    container_clear (&spec->init_containers[i]);
  g_free (spec->init_containers);
  ks_str_map_unref (spec->node_selector);
  ks_node_affinity_free (spec->node_affinity);
  ks_pod_affinity_unref (spec->pod_affinity);
  ks_pod_affinity_unref (spec->pod_anti_affinity);
  ks_topology_spread_constraints_unref (spec->topology_spread_constraints);
  for (guint i = 0; i < spec->n_tolerations; i++)
    ks_toleration_clear (&spec->tolerations[i]);
  g_free (spec->tolerations);
  g_free (spec->priority_class_name);
  g_free (spec->scheduler_name);
  g_free (spec->node_name);
  g_free (spec->hostname);
  g_free (spec->subdomain);
  g_free (spec->service_account_name);
  if (spec->volumes != NULL)
    json_node_unref (spec->volumes);
  g_strfreev (spec->claim_names);
  ks_resources_clear (&spec->overhead);
  ks_resources_clear (&spec->requests);
  ks_pod_spec_unref (spec->admitted_cache);
}

void
ks_pod_spec_unref (KsPodSpec *spec)
{
  if (spec == NULL || --spec->ref_count > 0)
    return;
  spec_free_fields (spec);
  g_free (spec);
}

/* Node affinity has no copy function of its own: round-trip through JSON. */
static KsNodeAffinity *
node_affinity_copy (const KsNodeAffinity *a)
{
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (KsDiag) diag = NULL;
  KsDecoder dec;
  KsNodeAffinity *copy;

  if (a == NULL)
    return NULL;
  b = json_builder_new ();
  ks_node_affinity_encode (a, b);
  node = json_builder_get_root (b);
  diag = ks_diag_new ();
  ks_decoder_init (&dec, NULL, diag);
  copy = ks_node_affinity_decode (&dec, node);
  ks_decoder_clear (&dec);
  g_assert (copy != NULL);
  return copy;
}

KsPodSpec *
ks_pod_spec_copy (const KsPodSpec *src)
{
  KsPodSpec *spec = g_new (KsPodSpec, 1);

  *spec = *src;
  spec->ref_count = 1;
  spec->containers = g_new0 (KsContainer, MAX (src->n_containers, 1));
  for (guint i = 0; i < src->n_containers; i++)
    container_copy (&spec->containers[i], &src->containers[i]);
  spec->init_containers = g_new0 (KsContainer, MAX (src->n_init_containers, 1));
  for (guint i = 0; i < src->n_init_containers; i++)
    container_copy (&spec->init_containers[i], &src->init_containers[i]);
  spec->node_selector = ks_str_map_ref (src->node_selector);
  spec->node_affinity = node_affinity_copy (src->node_affinity);
  /* Immutable: shared. */
  spec->pod_affinity = ks_pod_affinity_ref (src->pod_affinity);
  spec->pod_anti_affinity = ks_pod_affinity_ref (src->pod_anti_affinity);
  spec->topology_spread_constraints
      = ks_topology_spread_constraints_ref (src->topology_spread_constraints);
  spec->tolerations = g_new0 (KsToleration, MAX (src->n_tolerations, 1));
  for (guint i = 0; i < src->n_tolerations; i++)
    ks_toleration_copy (&spec->tolerations[i], &src->tolerations[i]);
  spec->priority_class_name = g_strdup (src->priority_class_name);
  spec->scheduler_name = g_strdup (src->scheduler_name);
  spec->node_name = g_strdup (src->node_name);
  spec->hostname = g_strdup (src->hostname);
  spec->subdomain = g_strdup (src->subdomain);
  spec->service_account_name = g_strdup (src->service_account_name);
  spec->volumes = src->volumes != NULL ? json_node_copy (src->volumes) : NULL;
  spec->claim_names = g_strdupv (src->claim_names);
  memset (&spec->overhead, 0, sizeof spec->overhead);
  ks_resources_copy (&spec->overhead, &src->overhead);
  memset (&spec->requests, 0, sizeof spec->requests);
  ks_resources_copy (&spec->requests, &src->requests);
  spec->admitted = FALSE;
  spec->admitted_cache = NULL;
  return spec;
}

/* The value of one container for the non-zero sums: a missing cpu/memory request counts the
 * scheduler's default; an explicit 0 stays 0. */
static void
nonzero (const KsContainer *c, gint64 *cpu, gint64 *mem)
{
  *cpu = (c->requests.set & KS_RES_SET_CPU) ? c->requests.milli_cpu : KS_DEFAULT_MILLI_CPU_REQUEST;
  *mem = (c->requests.set & KS_RES_SET_MEMORY) ? c->requests.memory : KS_DEFAULT_MEMORY_REQUEST;
}

void
ks_pod_spec_finish (KsPodSpec *spec)
{
  KsResources sum = { 0 }, init_max = { 0 }, sidecars = { 0 };
  gint64 nz_cpu = 0, nz_mem = 0, nz_init_cpu = 0, nz_init_mem = 0, nz_side_cpu = 0, nz_side_mem = 0;
  gboolean any = FALSE, guaranteed = TRUE;

  /* PodRequests (§1.7.1): max(Σ containers + Σ sidecars, max over init containers of
   * (init + sidecars started before it)) + overhead. */
  for (guint i = 0; i < spec->n_containers; i++)
    {
      gint64 c, m;
      ks_resources_add (&sum, &spec->containers[i].requests);
      nonzero (&spec->containers[i], &c, &m);
      nz_cpu += c;
      nz_mem += m;
    }
  for (guint i = 0; i < spec->n_init_containers; i++)
    {
      const KsContainer *ic = &spec->init_containers[i];
      gint64 c, m;
      nonzero (ic, &c, &m);
      if (ic->restart_always)
        {
          ks_resources_add (&sum, &ic->requests);
          ks_resources_add (&sidecars, &ic->requests);
          ks_resources_max (&init_max, &sidecars);
          nz_cpu += c;
          nz_mem += m;
          nz_side_cpu += c;
          nz_side_mem += m;
          nz_init_cpu = MAX (nz_init_cpu, nz_side_cpu);
          nz_init_mem = MAX (nz_init_mem, nz_side_mem);
        }
      else
        {
          KsResources candidate = { 0 };
          ks_resources_copy (&candidate, &ic->requests);
          ks_resources_add (&candidate, &sidecars);
          ks_resources_max (&init_max, &candidate);
          ks_resources_clear (&candidate);
          nz_init_cpu = MAX (nz_init_cpu, c + nz_side_cpu);
          nz_init_mem = MAX (nz_init_mem, m + nz_side_mem);
        }
    }
  ks_resources_max (&sum, &init_max);
  ks_resources_add (&sum, &spec->overhead);
  sum.set &= ~KS_RES_SET_PODS;
  ks_resources_clear (&spec->requests);
  spec->requests = sum;
  spec->nonzero_milli_cpu = MAX (nz_cpu, nz_init_cpu) + spec->overhead.milli_cpu;
  spec->nonzero_memory = MAX (nz_mem, nz_init_mem) + spec->overhead.memory;
  ks_resources_clear (&init_max);
  ks_resources_clear (&sidecars);

  /* QoS class (pkg/apis/core/helper/qos): cpu and memory only. */
  for (guint k = 0; k < spec->n_containers + spec->n_init_containers; k++)
    {
      const KsContainer *c = k < spec->n_containers
                                 ? &spec->containers[k]
                                 : &spec->init_containers[k - spec->n_containers];
      guint8 rq = c->requests.set & (KS_RES_SET_CPU | KS_RES_SET_MEMORY);
      guint8 lm = c->limits.set & (KS_RES_SET_CPU | KS_RES_SET_MEMORY);
      if ((rq & KS_RES_SET_CPU && c->requests.milli_cpu != 0)
          || (rq & KS_RES_SET_MEMORY && c->requests.memory != 0)
          || (lm & KS_RES_SET_CPU && c->limits.milli_cpu != 0)
          || (lm & KS_RES_SET_MEMORY && c->limits.memory != 0))
        any = TRUE;
      /* Guaranteed needs cpu and memory limits above 0 in every container (a 0 limit does not
       * count as a limit), and requests equal to them. */
      if (lm != (KS_RES_SET_CPU | KS_RES_SET_MEMORY) || c->limits.milli_cpu <= 0
          || c->limits.memory <= 0 || c->requests.milli_cpu != c->limits.milli_cpu
          || c->requests.memory != c->limits.memory)
        guaranteed = FALSE;
    }
  spec->qos_class = !any ? KS_QOS_BEST_EFFORT : guaranteed ? KS_QOS_GUARANTEED : KS_QOS_BURSTABLE;
}

static void
check_unique_names (KsDecoder *dec, JsonNode *node, KsPodSpec *spec)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint k = 0; k < spec->n_init_containers + spec->n_containers; k++)
    {
      gboolean init = k < spec->n_init_containers;
      guint i = init ? k : k - spec->n_init_containers;
      const KsContainer *c = init ? &spec->init_containers[i] : &spec->containers[i];
      if (!g_hash_table_add (seen, c->name))
        {
          gsize mark = ks_decoder_push (dec, init ? "initContainers" : "containers");
          gsize mark2 = ks_decoder_push_index (dec, i);
          ks_decoder_error (dec, node, "duplicate container name \"%s\"", c->name);
          ks_decoder_pop (dec, mark2);
          ks_decoder_pop (dec, mark);
        }
    }
}

/* spec.volumes: each a mapping with a unique DNS-label name; a persistentVolumeClaim source
 * needs a claimName (ValidateVolumes).  Other sources are kept as written, not modelled. */
static void
volumes_decode (KsDecoder *dec, JsonNode *node, KsPodSpec *spec)
{
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) claims = g_ptr_array_new ();
  JsonArray *array;

  if (!ks_decoder_expect_array (dec, node))
    return;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *v = json_array_get_element (array, i);
      gsize mark = ks_decoder_push_index (dec, i);
      g_autofree char *name = NULL;
      JsonNode *pvc;
      if (!ks_decoder_expect_object (dec, v))
        {
          ks_decoder_pop (dec, mark);
          continue;
        }
      if (ks_decoder_require_string (dec, v, "name", &name, NULL))
        {
          const char *bad = ks_validate_dns1123_label (name);
          if (bad != NULL)
            ks_decoder_error_field (dec, v, "name", "Invalid value: \"%s\": %s", name, bad);
          else if (g_hash_table_contains (names, name))
            ks_decoder_error_field (dec, v, "name", "Duplicate value: \"%s\"", name);
          else
            g_hash_table_add (names, g_strdup (name));
        }
      if ((pvc = ks_decoder_member (v, "persistentVolumeClaim")) != NULL)
        {
          gsize mark2 = ks_decoder_push (dec, "persistentVolumeClaim");
          char *claim = NULL;
          gboolean read_only = FALSE;
          if (ks_decoder_expect_object (dec, pvc))
            {
              ks_decoder_get_bool (dec, pvc, "readOnly", &read_only);
              if (ks_decoder_require_string (dec, pvc, "claimName", &claim, NULL))
                {
                  if (claim[0] == '\0')
                    {
                      ks_decoder_error_field (dec, pvc, "claimName", "Required value");
                      g_free (claim);
                    }
                  else
                    g_ptr_array_add (claims, claim);
                }
            }
          ks_decoder_pop (dec, mark2);
        }
      ks_decoder_pop (dec, mark);
    }
  spec->volumes = json_node_copy (node);
  if (claims->len > 0)
    {
      g_ptr_array_add (claims, NULL);
      spec->claim_names = (char **) g_ptr_array_steal (claims, NULL);
    }
}

JsonObject *
ks_pod_spec_find_volume (const KsPodSpec *spec, const char *name)
{
  JsonArray *array;

  if (spec->volumes == NULL || !JSON_NODE_HOLDS_ARRAY (spec->volumes))
    return NULL;
  array = json_node_get_array (spec->volumes);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *v = json_array_get_element (array, i);
      if (JSON_NODE_HOLDS_OBJECT (v)
          && g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (v),
                                                                    "name", NULL),
                        name)
                 == 0)
        return json_node_get_object (v);
    }
  return NULL;
}

static void
check_container_mounts (KsDecoder *dec, JsonNode *node, const char *field, const KsContainer *cs,
                        guint n, const KsPodSpec *spec, const char *const *extra)
{
  JsonNode *list = ks_decoder_member (node, field);
  gsize mark;

  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return;
  mark = ks_decoder_push (dec, field);
  for (guint i = 0; i < n && i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *cn = json_array_get_element (json_node_get_array (list), i);
      JsonNode *mounts = ks_decoder_member (cn, "volumeMounts");
      gsize mark2 = ks_decoder_push_index (dec, i);
      gsize mark3 = ks_decoder_push (dec, "volumeMounts");
      for (guint j = 0; j < cs[i].n_volume_mounts; j++)
        {
          const char *name = cs[i].volume_mounts[j].name;
          gsize mark4;
          if (ks_pod_spec_find_volume (spec, name) != NULL
              || (extra != NULL && g_strv_contains (extra, name)))
            continue;
          mark4 = ks_decoder_push_index (dec, j);
          ks_decoder_error_field (dec, json_array_get_element (json_node_get_array (mounts), j),
                                  "name", "Not found: \"%s\" (not one of the pod's volumes)", name);
          ks_decoder_pop (dec, mark4);
        }
      ks_decoder_pop (dec, mark3);
      ks_decoder_pop (dec, mark2);
    }
  ks_decoder_pop (dec, mark);
}

gboolean
ks_pod_spec_check_mounts (KsDecoder *dec, JsonNode *node, const KsPodSpec *spec,
                          const char *const *extra)
{
  guint errors = ks_decoder_n_errors (dec);

  check_container_mounts (dec, node, "initContainers", spec->init_containers,
                          spec->n_init_containers, spec, extra);
  check_container_mounts (dec, node, "containers", spec->containers, spec->n_containers, spec,
                          extra);
  return ks_decoder_n_errors (dec) == errors;
}

gboolean
ks_pod_template_check_mounts (KsDecoder *dec, JsonNode *node, const KsPodTemplate *t,
                              const char *const *extra)
{
  JsonNode *tn = ks_decoder_member (node, "template");
  gsize m1, m2;
  gboolean ok;

  if (t->spec == NULL || tn == NULL)
    return TRUE;
  m1 = ks_decoder_push (dec, "template");
  m2 = ks_decoder_push (dec, "spec");
  ok = ks_pod_spec_check_mounts (dec, ks_decoder_member (tn, "spec"), t->spec, extra);
  ks_decoder_pop (dec, m2);
  ks_decoder_pop (dec, m1);
  return ok;
}

KsPodSpec *
ks_pod_spec_decode (KsDecoder *dec, JsonNode *node)
{
  KsPodSpec *spec;
  JsonNode *m, *affinity;
  guint errors = ks_decoder_n_errors (dec);
  int restart = KS_RESTART_ALWAYS, preemption = -1;

  if (!ks_decoder_expect_object (dec, node))
    return NULL;
  spec = ks_pod_spec_new ();
  containers_decode (dec, node, "containers", FALSE, &spec->containers, &spec->n_containers);
  containers_decode (dec, node, "initContainers", TRUE, &spec->init_containers,
                     &spec->n_init_containers);
  if (ks_decoder_member (node, "containers") == NULL)
    ks_decoder_error_field (dec, node, "containers",
                            "required field is missing: a pod needs at least one container");
  else if (spec->n_containers == 0 && ks_decoder_n_errors (dec) == errors)
    ks_decoder_error_field (dec, node, "containers", "a pod needs at least one container");
  if (ks_decoder_n_errors (dec) == errors)
    check_unique_names (dec, node, spec);
  ks_decoder_get_str_map (dec, node, "nodeSelector", &spec->node_selector);
  if ((affinity = ks_decoder_member (node, "affinity")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "affinity");
      if (ks_decoder_expect_object (dec, affinity))
        {
          if ((m = ks_decoder_member (affinity, "nodeAffinity")) != NULL)
            {
              gsize mark2 = ks_decoder_push (dec, "nodeAffinity");
              spec->node_affinity = ks_node_affinity_decode (dec, m);
              ks_decoder_pop (dec, mark2);
            }
          if ((m = ks_decoder_member (affinity, "podAffinity")) != NULL)
            {
              gsize mark2 = ks_decoder_push (dec, "podAffinity");
              spec->pod_affinity = ks_pod_affinity_decode (dec, m);
              ks_decoder_pop (dec, mark2);
            }
          if ((m = ks_decoder_member (affinity, "podAntiAffinity")) != NULL)
            {
              gsize mark2 = ks_decoder_push (dec, "podAntiAffinity");
              spec->pod_anti_affinity = ks_pod_affinity_decode (dec, m);
              ks_decoder_pop (dec, mark2);
            }
        }
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (node, "topologySpreadConstraints")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "topologySpreadConstraints");
      spec->topology_spread_constraints = ks_topology_spread_constraints_decode (dec, m, FALSE);
      ks_decoder_pop (dec, mark);
      /* An empty list is the same as none. */
      if (spec->topology_spread_constraints != NULL && spec->topology_spread_constraints->n == 0)
        g_clear_pointer (&spec->topology_spread_constraints, ks_topology_spread_constraints_unref);
    }
  if ((m = ks_decoder_member (node, "tolerations")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "tolerations");
      ks_tolerations_decode (dec, m, &spec->tolerations, &spec->n_tolerations);
      ks_decoder_pop (dec, mark);
    }
  ks_decoder_get_string (dec, node, "priorityClassName", &spec->priority_class_name);
  if (ks_decoder_member (node, "priority") != NULL)
    spec->has_priority
        = ks_decoder_get_int32 (dec, node, "priority", G_MININT32, G_MAXINT32, &spec->priority);
  ks_decoder_get_enum (dec, node, "preemptionPolicy", preemption_names, &preemption);
  if (preemption >= 0)
    {
      spec->has_preemption_policy = TRUE;
      spec->preemption_policy = preemption;
    }
  ks_decoder_get_string (dec, node, "schedulerName", &spec->scheduler_name);
  ks_decoder_get_string (dec, node, "nodeName", &spec->node_name);
  ks_decoder_get_enum (dec, node, "restartPolicy", restart_names, &restart);
  spec->restart_policy = restart;
  ks_decoder_get_int64 (dec, node, "terminationGracePeriodSeconds",
                        &spec->termination_grace_period_seconds);
  if (spec->termination_grace_period_seconds < 0)
    ks_decoder_error_field (dec, node, "terminationGracePeriodSeconds",
                            "must be greater than or equal to 0");
  ks_decoder_get_int64 (dec, node, "activeDeadlineSeconds", &spec->active_deadline_seconds);
  ks_decoder_get_string (dec, node, "hostname", &spec->hostname);
  ks_decoder_get_string (dec, node, "subdomain", &spec->subdomain);
  ks_decoder_get_string (dec, node, "serviceAccountName", &spec->service_account_name);
  if ((m = ks_decoder_member (node, "overhead")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "overhead");
      ks_resources_decode (dec, m, &spec->overhead);
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (node, "volumes")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "volumes");
      volumes_decode (dec, m, spec);
      ks_decoder_pop (dec, mark);
    }
  if (ks_decoder_n_errors (dec) != errors)
    {
      ks_pod_spec_unref (spec);
      return NULL;
    }
  ks_pod_spec_finish (spec);
  return spec;
}

void
ks_pod_spec_encode (const KsPodSpec *spec, const char *node_name, JsonBuilder *b)
{
  json_builder_begin_object (b);
  if (spec->n_init_containers > 0)
    {
      json_builder_set_member_name (b, "initContainers");
      json_builder_begin_array (b);
      for (guint i = 0; i < spec->n_init_containers; i++)
        container_encode (&spec->init_containers[i], TRUE, b);
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "containers");
  json_builder_begin_array (b);
  for (guint i = 0; i < spec->n_containers; i++)
    container_encode (&spec->containers[i], FALSE, b);
  json_builder_end_array (b);
  ks_builder_add_string (b, "restartPolicy", restart_names[spec->restart_policy]);
  ks_builder_add_int (b, "terminationGracePeriodSeconds", spec->termination_grace_period_seconds);
  if (spec->active_deadline_seconds >= 0)
    ks_builder_add_int (b, "activeDeadlineSeconds", spec->active_deadline_seconds);
  ks_builder_add_string (b, "dnsPolicy", "ClusterFirst");
  if (ks_str_map_size (spec->node_selector) > 0)
    ks_builder_add_str_map (b, "nodeSelector", spec->node_selector);
  if (spec->service_account_name != NULL)
    ks_builder_add_string (b, "serviceAccountName", spec->service_account_name);
  if (node_name != NULL)
    ks_builder_add_string (b, "nodeName", node_name);
  if (spec->hostname != NULL)
    ks_builder_add_string (b, "hostname", spec->hostname);
  if (spec->subdomain != NULL)
    ks_builder_add_string (b, "subdomain", spec->subdomain);
  if (spec->node_affinity != NULL || spec->pod_affinity != NULL || spec->pod_anti_affinity != NULL)
    {
      json_builder_set_member_name (b, "affinity");
      json_builder_begin_object (b);
      if (spec->node_affinity != NULL)
        {
          json_builder_set_member_name (b, "nodeAffinity");
          ks_node_affinity_encode (spec->node_affinity, b);
        }
      if (spec->pod_affinity != NULL)
        {
          json_builder_set_member_name (b, "podAffinity");
          ks_pod_affinity_encode (spec->pod_affinity, b);
        }
      if (spec->pod_anti_affinity != NULL)
        {
          json_builder_set_member_name (b, "podAntiAffinity");
          ks_pod_affinity_encode (spec->pod_anti_affinity, b);
        }
      json_builder_end_object (b);
    }
  ks_builder_add_string (b, "schedulerName", spec->scheduler_name);
  if (spec->n_tolerations > 0)
    {
      json_builder_set_member_name (b, "tolerations");
      ks_tolerations_encode (spec->tolerations, spec->n_tolerations, b);
    }
  if (spec->priority_class_name != NULL)
    ks_builder_add_string (b, "priorityClassName", spec->priority_class_name);
  if (spec->has_priority)
    ks_builder_add_int (b, "priority", spec->priority);
  if (spec->has_preemption_policy)
    ks_builder_add_string (b, "preemptionPolicy", preemption_names[spec->preemption_policy]);
  if (!ks_resources_is_zero (&spec->overhead))
    {
      json_builder_set_member_name (b, "overhead");
      ks_resources_encode (&spec->overhead, b);
    }
  if (spec->topology_spread_constraints != NULL)
    {
      json_builder_set_member_name (b, "topologySpreadConstraints");
      ks_topology_spread_constraints_encode (spec->topology_spread_constraints, b);
    }
  if (spec->volumes != NULL)
    {
      json_builder_set_member_name (b, "volumes");
      json_builder_add_value (b, json_node_copy (spec->volumes));
    }
  json_builder_end_object (b);
}

char *
ks_pod_spec_to_json (const KsPodSpec *spec)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  ks_pod_spec_encode (spec, spec->node_name, b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* Pods */

KsPod *
ks_pod_new (KsPodSpec *spec)
{
  KsPod *pod = (KsPod *) ks_object_new (&ks_pod_kind);
  pod->spec = ks_pod_spec_ref (spec);
  pod->start_time = KS_TIME_NONE;
  return pod;
}

KsPod *
ks_pod_copy (const KsPod *pod)
{
  return (KsPod *) ks_object_copy (KS_OBJECT (pod));
}

gboolean
ks_pod_is_terminal (const KsPod *pod)
{
  return pod->phase == KS_POD_SUCCEEDED || pod->phase == KS_POD_FAILED;
}

gboolean
ks_pod_is_active (const KsPod *pod)
{
  return !ks_pod_is_terminal (pod) && !ks_object_is_being_deleted (KS_OBJECT (pod));
}

gboolean
ks_pod_is_ready (const KsPod *pod)
{
  return pod->conditions[KS_POD_COND_READY].status == KS_CONDITION_TRUE;
}

gboolean
ks_pod_is_available (const KsPod *pod, gint32 min_ready_seconds, gint64 now)
{
  if (!ks_pod_is_ready (pod))
    return FALSE;
  if (min_ready_seconds == 0)
    return TRUE;
  return pod->conditions[KS_POD_COND_READY].last_transition_time
             + min_ready_seconds * KS_USEC_PER_SEC
         < now;
}

/* Pod condition messages are interned reference-counted strings: the pods of a template carry
 * the same few ("containers with unready status: [app]"), so a copy of a pod takes a reference
 * rather than a duplicate, and the intern table drops a text with its last reference. */
static char *
condition_message_new (const char *message)
{
  return message != NULL ? g_ref_string_new_intern (message) : NULL;
}

static char *
condition_message_ref (char *message)
{
  return message != NULL ? g_ref_string_acquire (message) : NULL;
}

static void
condition_message_unref (char *message)
{
  if (message != NULL)
    g_ref_string_release (message);
}

void
ks_pod_set_condition (KsPod *pod, KsPodConditionType type, KsConditionStatus status,
                      const char *reason, const char *message, gint64 now)
{
  KsCondition *c = &pod->conditions[type];

  if (c->status != status)
    c->last_transition_time = now;
  c->status = status;
  c->reason = ks_intern_reason (reason);
  if (g_strcmp0 (c->message, message) != 0)
    {
      condition_message_unref (c->message);
      c->message = condition_message_new (message);
    }
}

gint32
ks_pod_max_restarts (const KsPod *pod)
{
  gint32 max = 0;
  if (pod->container_statuses == NULL)
    return 0;
  for (guint i = 0; i < pod->spec->n_containers; i++)
    max = MAX (max, pod->container_statuses[i].restart_count);
  return max;
}

gint64
ks_pod_first_start (const KsPod *pod)
{
  gint64 t = KS_TIME_NONE;

  if (pod->container_statuses == NULL)
    return t;
  for (guint i = 0; i < pod->spec->n_containers; i++)
    {
      const KsContainerStatus *c = &pod->container_statuses[i];
      gint64 s
          = c->has_last && c->last_started_at != KS_TIME_NONE ? c->last_started_at : c->started_at;
      if (s != KS_TIME_NONE && (t == KS_TIME_NONE || s < t))
        t = s;
    }
  return t;
}

void
ks_pod_ensure_container_statuses (KsPod *pod)
{
  guint n = pod->spec->n_containers;
  KsContainerStatus *init;

  if (pod->container_statuses != NULL)
    return;
  pod->container_statuses = g_new0 (KsContainerStatus, MAX (n + pod->spec->n_init_containers, 1));
  for (guint i = 0; i < n; i++)
    {
      pod->container_statuses[i].state = KS_CONTAINER_WAITING;
      pod->container_statuses[i].reason = ks_intern ("ContainerCreating");
      pod->container_statuses[i].started_at = KS_TIME_NONE;
      pod->container_statuses[i].finished_at = KS_TIME_NONE;
    }
  init = pod->container_statuses + n;
  for (guint i = 0; i < pod->spec->n_init_containers; i++)
    {
      init[i].state = KS_CONTAINER_WAITING;
      init[i].reason = ks_intern ("PodInitializing");
      init[i].started_at = KS_TIME_NONE;
      init[i].finished_at = KS_TIME_NONE;
    }
}

static KsContainerStatus *
statuses_copy (const KsContainerStatus *src, guint n)
{
  KsContainerStatus *dst;
  if (src == NULL)
    return NULL;
  dst = g_memdup2 (src, MAX (n, 1) * sizeof (KsContainerStatus));
  for (guint i = 0; i < n; i++)
    {
      dst[i].message = g_strdup (src[i].message);
      dst[i].container_id = g_strdup (src[i].container_id);
    }
  return dst;
}

static void
statuses_free (KsContainerStatus *s, guint n)
{
  if (s == NULL)
    return;
  for (guint i = 0; i < n; i++)
    {
      g_free (s[i].message);
      g_free (s[i].container_id);
    }
  g_free (s);
}

const char *
ks_pod_get_status_string (const KsPod *pod, KsPodStatusString which)
{
  return pod->strings != NULL ? pod->strings[which] : NULL;
}

void
ks_pod_set_status_string (KsPod *pod, KsPodStatusString which, const char *value)
{
  if (pod->strings == NULL)
    {
      if (value == NULL)
        return;
      pod->strings = g_new0 (char *, KS_N_POD_STATUS_STRINGS);
    }
  g_free (pod->strings[which]);
  pod->strings[which] = g_strdup (value);
}

static void
strings_free (char **strings)
{
  if (strings == NULL)
    return;
  for (guint i = 0; i < KS_N_POD_STATUS_STRINGS; i++)
    g_free (strings[i]);
  g_free (strings);
}

static void
pod_copy (KsObject *dst_obj, const KsObject *src_obj)
{
  KsPod *dst = KS_POD (dst_obj);
  const KsPod *src = KS_POD (src_obj);

  ks_pod_spec_ref (dst->spec);
  for (guint i = 0; i < KS_N_POD_CONDITIONS; i++)
    dst->conditions[i].message = condition_message_ref (src->conditions[i].message);
  dst->strings = NULL;
  if (src->strings != NULL)
    for (guint i = 0; i < KS_N_POD_STATUS_STRINGS; i++)
      ks_pod_set_status_string (dst, i, src->strings[i]);
  dst->container_statuses = statuses_copy (src->container_statuses,
                                           src->spec->n_containers + src->spec->n_init_containers);
}

static void
pod_copy_status (KsObject *dst_obj, const KsObject *src_obj)
{
  KsPod *dst = KS_POD (dst_obj);
  const KsPod *src = KS_POD (src_obj);

  dst->phase = src->phase;
  dst->start_time = src->start_time;
  for (guint i = 0; i < KS_N_POD_CONDITIONS; i++)
    {
      condition_message_unref (dst->conditions[i].message);
      dst->conditions[i] = src->conditions[i];
      dst->conditions[i].message = condition_message_ref (src->conditions[i].message);
    }
  for (guint i = 0; i < KS_N_POD_STATUS_STRINGS; i++)
    ks_pod_set_status_string (dst, i, src->strings != NULL ? src->strings[i] : NULL);
  statuses_free (dst->container_statuses, dst->spec->n_containers + dst->spec->n_init_containers);
  dst->container_statuses = NULL;
  /* Statuses are one per container of the spec: they carry over only to a spec with as many
   * containers (the kubelet writes them again otherwise). */
  if (src->spec->n_containers == dst->spec->n_containers
      && src->spec->n_init_containers == dst->spec->n_init_containers)
    dst->container_statuses = statuses_copy (
        src->container_statuses, src->spec->n_containers + src->spec->n_init_containers);
}

static void
pod_finalize (KsObject *obj)
{
  KsPod *pod = KS_POD (obj);

  statuses_free (pod->container_statuses, pod->spec->n_containers + pod->spec->n_init_containers);
  ks_pod_spec_unref (pod->spec);
  for (guint i = 0; i < KS_N_POD_CONDITIONS; i++)
    condition_message_unref (pod->conditions[i].message);
  strings_free (pod->strings);
}

/* A condition status: "True", "False" or "Unknown" (required). */
static gboolean
condition_status_decode (KsDecoder *dec, JsonNode *node, KsConditionStatus *out)
{
  int status = -1;

  if (ks_decoder_member (node, "status") == NULL)
    {
      ks_decoder_error_field (dec, node, "status",
                              "required field is missing (True, False or "
                              "Unknown)");
      return FALSE;
    }
  if (!ks_decoder_get_enum (dec, node, "status", condition_status_names + 1, &status))
    return FALSE;
  *out = status + 1;
  return TRUE;
}

static const char *
decode_interned (KsDecoder *dec, JsonNode *node, const char *field)
{
  g_autofree char *s = NULL;

  ks_decoder_get_string (dec, node, field, &s);
  return s != NULL ? ks_intern (s) : NULL;
}

/* The member "terminated" of a state mapping, into the given fields. */
static void
terminated_decode (KsDecoder *dec, JsonNode *t, gint32 *exit_code, const char **reason,
                   char **message, gint64 *started_at, gint64 *finished_at)
{
  ks_decoder_get_int32 (dec, t, "exitCode", G_MININT32, G_MAXINT32, exit_code);
  *reason = decode_interned (dec, t, "reason");
  if (message != NULL)
    ks_decoder_get_string (dec, t, "message", message);
  ks_decoder_get_time (dec, t, "startedAt", started_at);
  ks_decoder_get_time (dec, t, "finishedAt", finished_at);
}

static void
container_state_decode (KsDecoder *dec, JsonNode *state, KsContainerStatus *s)
{
  static const char *const names[] = { "waiting", "running", "terminated" };
  JsonNode *which = NULL;
  int n = 0;

  if (!ks_decoder_expect_object (dec, state))
    return;
  for (int i = 0; i < 3; i++)
    if (ks_decoder_member (state, names[i]) != NULL)
      {
        if (n++ > 0)
          {
            ks_decoder_error_field (dec, state, names[i],
                                    "only one of waiting, running and terminated may be set");
            return;
          }
        which = ks_decoder_member (state, names[i]);
        s->state = i;
      }
  if (which == NULL)
    return;
  {
    gsize mark = ks_decoder_push (dec, names[s->state]);
    if (ks_decoder_expect_object (dec, which))
      switch (s->state)
        {
        case KS_CONTAINER_WAITING:
          s->reason = decode_interned (dec, which, "reason");
          ks_decoder_get_string (dec, which, "message", &s->message);
          break;
        case KS_CONTAINER_RUNNING:
          ks_decoder_get_time (dec, which, "startedAt", &s->started_at);
          break;
        default:
          terminated_decode (dec, which, &s->exit_code, &s->reason, &s->message, &s->started_at,
                             &s->finished_at);
          break;
        }
    ks_decoder_pop (dec, mark);
  }
}

static void
container_status_decode (KsDecoder *dec, JsonNode *node, KsContainerStatus *s)
{
  JsonNode *m;

  if ((m = ks_decoder_member (node, "state")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "state");
      container_state_decode (dec, m, s);
      ks_decoder_pop (dec, mark);
    }
  if ((m = ks_decoder_member (node, "lastState")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "lastState");
      JsonNode *t;
      /* kubesim keeps only a terminated previous instance. */
      if (ks_decoder_expect_object (dec, m) && (t = ks_decoder_member (m, "terminated")) != NULL)
        {
          gsize mark2 = ks_decoder_push (dec, "terminated");
          if (ks_decoder_expect_object (dec, t))
            {
              s->has_last = TRUE;
              terminated_decode (dec, t, &s->last_exit_code, &s->last_reason, NULL,
                                 &s->last_started_at, &s->last_finished_at);
            }
          ks_decoder_pop (dec, mark2);
        }
      ks_decoder_pop (dec, mark);
    }
  {
    gboolean ready = FALSE, started = FALSE;
    ks_decoder_get_bool (dec, node, "ready", &ready);
    ks_decoder_get_bool (dec, node, "started", &started);
    s->ready = ready;
    s->started = started;
  }
  ks_decoder_get_int32 (dec, node, "restartCount", 0, G_MAXINT32, &s->restart_count);
  ks_decoder_get_string (dec, node, "containerID", &s->container_id);
}

/* status.containerStatuses or initContainerStatuses, matched to the spec's containers by name;
 * containers without an entry get the status a new pod's containers have. */
static KsContainerStatus *
container_statuses_decode (KsDecoder *dec, JsonNode *status, const char *field,
                           const KsContainer *containers, guint n, gboolean init)
{
  JsonNode *list = ks_decoder_member (status, field);
  g_autofree gboolean *seen = NULL;
  KsContainerStatus *out;
  gsize mark;

  if (list == NULL)
    return NULL;
  mark = ks_decoder_push (dec, field);
  if (!ks_decoder_expect_array (dec, list))
    {
      ks_decoder_pop (dec, mark);
      return NULL;
    }
  out = g_new0 (KsContainerStatus, MAX (n, 1));
  seen = g_new0 (gboolean, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      out[i].state = KS_CONTAINER_WAITING;
      out[i].reason = ks_intern (init ? "PodInitializing" : "ContainerCreating");
      out[i].started_at = out[i].finished_at = KS_TIME_NONE;
      out[i].last_started_at = out[i].last_finished_at = KS_TIME_NONE;
    }
  for (guint k = 0; k < json_array_get_length (json_node_get_array (list)); k++)
    {
      JsonNode *item = json_array_get_element (json_node_get_array (list), k);
      g_autofree char *name = NULL;
      gsize mark2 = ks_decoder_push_index (dec, k);
      guint i;

      if (ks_decoder_expect_object (dec, item)
          && ks_decoder_require_string (dec, item, "name", &name, NULL))
        {
          for (i = 0; i < n && strcmp (containers[i].name, name) != 0; i++)
            ;
          if (i == n)
            ks_decoder_error_field (dec, item, "name", "no container named \"%s\" in spec.%s", name,
                                    init ? "initContainers" : "containers");
          else if (seen[i])
            ks_decoder_error_field (dec, item, "name", "duplicate status of container \"%s\"",
                                    name);
          else
            {
              KsContainerStatus *s = &out[i];
              seen[i] = TRUE;
              s->reason = NULL;
              container_status_decode (dec, item, s);
            }
        }
      ks_decoder_pop (dec, mark2);
    }
  ks_decoder_pop (dec, mark);
  return out;
}

static gboolean
pod_condition_decode (KsDecoder *dec, JsonNode *item, gpointer slot, gpointer user_data)
{
  KsPod *pod = user_data;
  int type = -1;
  KsConditionStatus status;
  gint64 time = 0;
  g_autofree char *type_name = NULL;

  if (!ks_decoder_require_string (dec, item, "type", &type_name, NULL))
    return FALSE;
  for (int i = 0; pod_condition_names[i] != NULL; i++)
    if (strcmp (pod_condition_names[i], type_name) == 0)
      type = i;
  if (type < 0)
    return FALSE; /* a condition kubesim does not model (a readiness gate's): dropped */
  if (!condition_status_decode (dec, item, &status))
    return FALSE;
  if (ks_decoder_get_time (dec, item, "lastTransitionTime", &time)
      && (time < -(G_GINT64_CONSTANT (1) << 55) || time >= (G_GINT64_CONSTANT (1) << 55)))
    {
      ks_decoder_error_field (dec, item, "lastTransitionTime", "time out of range");
      return FALSE;
    }
  {
    KsCondition *c = &pod->conditions[type];
    g_autofree char *message = NULL;
    c->status = status;
    c->last_transition_time = time;
    c->reason = decode_interned (dec, item, "reason");
    ks_decoder_get_string (dec, item, "message", &message);
    condition_message_unref (c->message);
    c->message = condition_message_new (message);
  }
  return FALSE; /* the slot is not kept: conditions live in the pod */
}

static void
pod_status_decode (KsDecoder *dec, JsonNode *status, KsPod *pod)
{
  static const char *const members[]
      = { "nominatedNodeName", "reason", "message", "hostIP", "podIP" };
  int phase = KS_POD_PENDING;
  g_autofree KsContainerStatus *init = NULL; /* entries move into pod->container_statuses */
  g_autofree KsContainerStatus *regular = NULL;
  JsonNode *m;

  if (!ks_decoder_expect_object (dec, status))
    return;
  ks_decoder_get_enum (dec, status, "phase", phase_names, &phase);
  pod->phase = phase;
  if ((m = ks_decoder_member (status, "conditions")) != NULL)
    {
      gsize mark = ks_decoder_push (dec, "conditions");
      guint n;
      g_free (ks_decoder_list (dec, m, sizeof (int), pod_condition_decode, pod, &n));
      ks_decoder_pop (dec, mark);
    }
  for (guint i = 0; i < KS_N_POD_STATUS_STRINGS; i++)
    {
      g_autofree char *value = NULL;
      ks_decoder_get_string (dec, status, members[i], &value);
      if (value == NULL && i == KS_POD_POD_IP && (m = ks_decoder_member (status, "podIPs")) != NULL
          && JSON_NODE_HOLDS_ARRAY (m) && json_array_get_length (json_node_get_array (m)) > 0)
        {
          gsize mark = ks_decoder_push (dec, "podIPs");
          gsize mark2 = ks_decoder_push_index (dec, 0);
          ks_decoder_get_string (dec, json_array_get_element (json_node_get_array (m), 0), "ip",
                                 &value);
          ks_decoder_pop (dec, mark2);
          ks_decoder_pop (dec, mark);
        }
      if (value != NULL)
        ks_pod_set_status_string (pod, i, value);
    }
  ks_decoder_get_time (dec, status, "startTime", &pod->start_time);
  init = container_statuses_decode (dec, status, "initContainerStatuses",
                                    pod->spec->init_containers, pod->spec->n_init_containers, TRUE);
  regular = container_statuses_decode (dec, status, "containerStatuses", pod->spec->containers,
                                       pod->spec->n_containers, FALSE);
  /* One list without the other: the kubelet allocates both at once (in one array), the missing
   * one as a new pod's. */
  if (init != NULL || regular != NULL)
    {
      ks_pod_ensure_container_statuses (pod);
      if (regular != NULL)
        memcpy (pod->container_statuses, regular,
                pod->spec->n_containers * sizeof (KsContainerStatus));
      if (init != NULL)
        memcpy (pod->container_statuses + pod->spec->n_containers, init,
                pod->spec->n_init_containers * sizeof (KsContainerStatus));
    }
}

static void
pod_decode (KsDecoder *dec, JsonNode *node, KsObject *obj)
{
  KsPod *pod = KS_POD (obj);
  JsonNode *spec = ks_decoder_member (node, "spec");
  JsonNode *status;
  gsize mark;

  pod->start_time = KS_TIME_NONE;
  if (spec == NULL)
    {
      ks_decoder_error_field (dec, node, "spec", "required field is missing");
      return;
    }
  mark = ks_decoder_push (dec, "spec");
  pod->spec = ks_pod_spec_decode (dec, spec);
  if (pod->spec != NULL && !ks_pod_spec_check_mounts (dec, spec, pod->spec, NULL))
    g_clear_pointer (&pod->spec, ks_pod_spec_unref);
  ks_decoder_pop (dec, mark);
  if (pod->spec != NULL && pod->spec->node_name != NULL)
    {
      pod->node_name = ks_intern (pod->spec->node_name);
      g_clear_pointer (&pod->spec->node_name, g_free);
    }
  if (pod->spec == NULL)
    {
      pod->spec = ks_pod_spec_new (); /* keeps finalize simple; the object is dropped anyway */
      return;
    }
  if (dec->mode != KS_DECODE_STORED)
    return;
  /* A stored pod went through admission when it was created: its spec has the admitted
   * priority and tolerations already. */
  pod->spec->admitted = TRUE;
  if ((status = ks_decoder_member (node, "status")) != NULL)
    {
      mark = ks_decoder_push (dec, "status");
      pod_status_decode (dec, status, pod);
      ks_decoder_pop (dec, mark);
    }
}

static void
container_status_encode (const KsContainer *c, const KsContainerStatus *s, JsonBuilder *b,
                         gint64 epoch)
{
  json_builder_begin_object (b);
  ks_builder_add_string (b, "name", c->name);
  json_builder_set_member_name (b, "state");
  json_builder_begin_object (b);
  switch (s->state)
    {
    case KS_CONTAINER_WAITING:
      json_builder_set_member_name (b, "waiting");
      json_builder_begin_object (b);
      if (s->reason != NULL)
        ks_builder_add_string (b, "reason", s->reason);
      if (s->message != NULL)
        ks_builder_add_string (b, "message", s->message);
      json_builder_end_object (b);
      break;
    case KS_CONTAINER_RUNNING:
      json_builder_set_member_name (b, "running");
      json_builder_begin_object (b);
      ks_builder_add_time (b, "startedAt", s->started_at, epoch);
      json_builder_end_object (b);
      break;
    case KS_CONTAINER_TERMINATED:
      json_builder_set_member_name (b, "terminated");
      json_builder_begin_object (b);
      ks_builder_add_int (b, "exitCode", s->exit_code);
      if (s->reason != NULL)
        ks_builder_add_string (b, "reason", s->reason);
      if (s->message != NULL)
        ks_builder_add_string (b, "message", s->message);
      if (s->started_at != KS_TIME_NONE)
        ks_builder_add_time (b, "startedAt", s->started_at, epoch);
      ks_builder_add_time (b, "finishedAt", s->finished_at, epoch);
      if (s->container_id != NULL)
        ks_builder_add_string (b, "containerID", s->container_id);
      json_builder_end_object (b);
      break;
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "lastState");
  json_builder_begin_object (b);
  if (s->has_last)
    {
      json_builder_set_member_name (b, "terminated");
      json_builder_begin_object (b);
      ks_builder_add_int (b, "exitCode", s->last_exit_code);
      if (s->last_reason != NULL)
        ks_builder_add_string (b, "reason", s->last_reason);
      if (s->last_started_at != KS_TIME_NONE)
        ks_builder_add_time (b, "startedAt", s->last_started_at, epoch);
      ks_builder_add_time (b, "finishedAt", s->last_finished_at, epoch);
      /* While the container waits to restart, containerID still names the last instance. */
      if (s->state == KS_CONTAINER_WAITING && s->container_id != NULL)
        ks_builder_add_string (b, "containerID", s->container_id);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  ks_builder_add_bool (b, "ready", s->ready);
  ks_builder_add_int (b, "restartCount", s->restart_count);
  ks_builder_add_string (b, "image", c->image);
  if (s->container_id != NULL)
    ks_builder_add_string (b, "containerID", s->container_id);
  ks_builder_add_bool (b, "started", s->started);
  json_builder_end_object (b);
}

static void
pod_encode (const KsObject *obj, JsonBuilder *b, gint64 epoch)
{
  const KsPod *pod = KS_POD (obj);
  static const KsPodConditionType order[]
      = { KS_POD_COND_DISRUPTION_TARGET, KS_POD_COND_INITIALIZED, KS_POD_COND_READY,
          KS_POD_COND_CONTAINERS_READY, KS_POD_COND_SCHEDULED };
  gboolean any = FALSE;

  json_builder_set_member_name (b, "spec");
  ks_pod_spec_encode (pod->spec, pod->node_name, b);
  json_builder_set_member_name (b, "status");
  json_builder_begin_object (b);
  ks_builder_add_string (b, "phase", phase_names[pod->phase]);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    any |= pod->conditions[order[i]].status != KS_CONDITION_UNSET;
  if (any)
    {
      json_builder_set_member_name (b, "conditions");
      json_builder_begin_array (b);
      for (guint i = 0; i < G_N_ELEMENTS (order); i++)
        {
          const KsCondition *c = &pod->conditions[order[i]];
          if (c->status == KS_CONDITION_UNSET)
            continue;
          json_builder_begin_object (b);
          ks_builder_add_string (b, "type", pod_condition_names[order[i]]);
          ks_builder_add_string (b, "status", condition_status_names[c->status]);
          json_builder_set_member_name (b, "lastProbeTime");
          json_builder_add_null_value (b);
          ks_builder_add_time (b, "lastTransitionTime", c->last_transition_time, epoch);
          if (c->reason != NULL)
            ks_builder_add_string (b, "reason", c->reason);
          if (c->message != NULL)
            ks_builder_add_string (b, "message", c->message);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  {
    static const char *const members[]
        = { "message", "reason", "nominatedNodeName", "hostIP", "podIP" };
    static const KsPodStatusString fields[]
        = { KS_POD_MESSAGE, KS_POD_REASON, KS_POD_NOMINATED_NODE_NAME, KS_POD_HOST_IP,
            KS_POD_POD_IP };
    for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
      {
        const char *value = ks_pod_get_status_string (pod, fields[i]);
        if (value == NULL)
          continue;
        ks_builder_add_string (b, members[i], value);
        /* hostIPs and podIPs (single stack: the one address) follow their singular forms. */
        if (fields[i] == KS_POD_HOST_IP || fields[i] == KS_POD_POD_IP)
          {
            json_builder_set_member_name (b, fields[i] == KS_POD_HOST_IP ? "hostIPs" : "podIPs");
            json_builder_begin_array (b);
            json_builder_begin_object (b);
            ks_builder_add_string (b, "ip", value);
            json_builder_end_object (b);
            json_builder_end_array (b);
          }
      }
  }
  if (pod->start_time != KS_TIME_NONE)
    ks_builder_add_time (b, "startTime", pod->start_time, epoch);
  if (ks_pod_init_container_statuses (pod) != NULL)
    {
      json_builder_set_member_name (b, "initContainerStatuses");
      json_builder_begin_array (b);
      for (guint i = 0; i < pod->spec->n_init_containers; i++)
        container_status_encode (&pod->spec->init_containers[i],
                                 &ks_pod_init_container_statuses (pod)[i], b, epoch);
      json_builder_end_array (b);
    }
  if (pod->container_statuses != NULL)
    {
      json_builder_set_member_name (b, "containerStatuses");
      json_builder_begin_array (b);
      for (guint i = 0; i < pod->spec->n_containers; i++)
        container_status_encode (&pod->spec->containers[i], &pod->container_statuses[i], b, epoch);
      json_builder_end_array (b);
    }
  ks_builder_add_string (b, "qosClass", qos_names[pod->spec->qos_class]);
  json_builder_end_object (b);
}

const KsKind ks_pod_kind = {
  .id = KS_KIND_POD,
  .name = "Pod",
  .api_version = "v1",
  .group = "",
  .plural = "pods",
  .short_name = "po",
  .namespaced = TRUE,
  .has_generation = FALSE,
  .size = sizeof (KsPod),
  .decode = pod_decode,
  .encode = pod_encode,
  .copy = pod_copy,
  .finalize = pod_finalize,
  .copy_status = pod_copy_status,
};

/* Templates */

void
ks_pod_template_clear (KsPodTemplate *t)
{
  ks_str_map_unref (t->labels);
  ks_str_map_unref (t->annotations);
  ks_pod_spec_unref (t->spec);
  memset (t, 0, sizeof *t);
}

void
ks_pod_template_copy (KsPodTemplate *dst, const KsPodTemplate *src)
{
  dst->labels = ks_str_map_ref (src->labels);
  dst->annotations = ks_str_map_ref (src->annotations);
  dst->spec = ks_pod_spec_ref (src->spec);
}

gboolean
ks_pod_template_decode (KsDecoder *dec, JsonNode *node, KsPodTemplate *out)
{
  JsonNode *t = ks_decoder_member (node, "template");
  JsonNode *meta, *spec;
  guint errors = ks_decoder_n_errors (dec);
  gsize mark;

  if (t == NULL)
    {
      ks_decoder_error_field (dec, node, "template", "required field is missing");
      return FALSE;
    }
  mark = ks_decoder_push (dec, "template");
  if (ks_decoder_expect_object (dec, t))
    {
      if ((meta = ks_decoder_member (t, "metadata")) != NULL)
        {
          gsize mark2 = ks_decoder_push (dec, "metadata");
          if (ks_decoder_expect_object (dec, meta))
            {
              ks_decoder_get_str_map (dec, meta, "labels", &out->labels);
              ks_decoder_get_str_map (dec, meta, "annotations", &out->annotations);
              for (guint i = 0; i < ks_str_map_size (out->labels); i++)
                {
                  const char *k = ks_str_map_key (out->labels, i);
                  const char *why = ks_validate_label_key (k);
                  if (why == NULL)
                    why = ks_validate_label_value (ks_str_map_value (out->labels, i));
                  if (why != NULL)
                    {
                      gsize mark3 = ks_decoder_push (dec, "labels");
                      ks_decoder_error_field (dec, ks_decoder_member (meta, "labels"), k,
                                              "invalid label: %s", why);
                      ks_decoder_pop (dec, mark3);
                    }
                }
            }
          ks_decoder_pop (dec, mark2);
        }
      if ((spec = ks_decoder_member (t, "spec")) == NULL)
        ks_decoder_error_field (dec, t, "spec", "required field is missing");
      else
        {
          gsize mark2 = ks_decoder_push (dec, "spec");
          out->spec = ks_pod_spec_decode (dec, spec);
          ks_decoder_pop (dec, mark2);
        }
    }
  ks_decoder_pop (dec, mark);
  return ks_decoder_n_errors (dec) == errors;
}

void
ks_pod_template_encode (const KsPodTemplate *t, JsonBuilder *b)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  if (ks_str_map_size (t->labels) > 0)
    ks_builder_add_str_map (b, "labels", t->labels);
  if (ks_str_map_size (t->annotations) > 0)
    ks_builder_add_str_map (b, "annotations", t->annotations);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "spec");
  ks_pod_spec_encode (t->spec, t->spec->node_name, b);
  json_builder_end_object (b);
}

char *
ks_pod_template_to_json (const KsPodTemplate *t, const char *skip_label)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  KsPodTemplate copy = *t;
  g_autoptr (KsStrMap) labels = NULL;

  if (skip_label != NULL)
    {
      labels = ks_str_map_with (t->labels, skip_label, NULL);
      copy.labels = labels;
    }
  ks_pod_template_encode (&copy, b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

KsPod *
ks_pod_new_from_template (const KsPodTemplate *t)
{
  KsPod *pod = ks_pod_new (t->spec);

  pod->parent.meta.labels = ks_str_map_ref (t->labels);
  pod->parent.meta.annotations = ks_str_map_ref (t->annotations);
  if (t->spec->node_name != NULL)
    pod->node_name = ks_intern (t->spec->node_name);
  return pod;
}

void
ks_builder_add_selector_and_template (JsonBuilder *b, const KsLabelSelector *selector,
                                      const KsPodTemplate *t)
{
  if (selector != NULL)
    {
      json_builder_set_member_name (b, "selector");
      ks_label_selector_encode (selector, b);
    }
  if (t->spec != NULL)
    {
      json_builder_set_member_name (b, "template");
      ks_pod_template_encode (t, b);
    }
}
