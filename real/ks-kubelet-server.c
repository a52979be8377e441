/* ks-kubelet-server.c: the node agent's HTTP server: container logs (see ks-kubelet-server.h).
 *
 * A log response is a LogStream: it reads the instance's file in chunks with pread and appends
 * one chunk at a time to the chunked response, the next when libsoup has written it
 * ("wrote-chunk"), so a slow client holds at most one chunk here.  At the end of the file a
 * follower waits on a 200 ms timer for more; a change of the pod seen by the watch that says
 * the instance no longer runs turns following off, so the rest of the file is sent and the
 * response completes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ks-api-status.h"
#include "ks-http-listen.h"
#include "ks-kubelet-server.h"
#include "ks-resource-metrics.h"
#include "ks-runc-runtime.h"

/* clang-format off */
G_DEFINE_QUARK (ks-kubelet-server-error-quark, ks_kubelet_server_error)
/* clang-format on */

#define LOG_CHUNK (64 * 1024)
#define FOLLOW_POLL_MS 200

/* ---- options -------------------------------------------------------------------------------- */

/* strconv.ParseBool */
static gboolean
parse_bool (const char *text, gboolean *out)
{
  static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
  static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    if (strcmp (text, yes[i]) == 0)
      return *out = TRUE, TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (no); i++)
    if (strcmp (text, no[i]) == 0)
      return *out = FALSE, TRUE;
  return FALSE;
}

static gboolean
parse_int (const char *text, gint64 *out)
{
  return g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, out, NULL);
}

static const char *
query_get (GHashTable *query, const char *name)
{
  return query != NULL ? g_hash_table_lookup (query, name) : NULL;
}

/* One Kubernetes field error: its cause type, field and body ("Invalid value: -1: ..."). */
typedef struct
{
  const char *type;
  const char *field;
  char *body;
} FieldError;

static void
field_errors_free (GArray *errors)
{
  for (guint i = 0; i < errors->len; i++)
    g_free (g_array_index (errors, FieldError, i).body);
  g_array_unref (errors);
}

/* "PodLogOptions "p" is invalid: <errors>" as NewInvalid words it. */
static char *
invalid_message (const char *pod, GArray *errors)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "PodLogOptions \"%s\" is invalid: ", pod);
  if (errors->len > 1)
    g_string_append_c (out, '[');
  for (guint i = 0; i < errors->len; i++)
    {
      const FieldError *e = &g_array_index (errors, FieldError, i);
      g_string_append_printf (out, "%s%s: %s", i > 0 ? ", " : "", e->field, e->body);
    }
  if (errors->len > 1)
    g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

/* The parsing and validation of ks_log_options_parse; on INVALID, *causes (when not NULL) gets
 * the field errors. */
static gboolean
parse_options (GHashTable *query, const char *pod, KsLogOptions *out, GArray **causes,
               GError **error)
{
  static const char *const bools[] = { "follow", "previous", "timestamps" };
  static const char *const ints[] = { "tailLines", "limitBytes", "sinceSeconds" };
  gboolean bool_values[G_N_ELEMENTS (bools)] = { FALSE };
  gint64 int_values[G_N_ELEMENTS (ints)];
  gboolean has_int[G_N_ELEMENTS (ints)] = { FALSE };
  const char *since_time = query_get (query, "sinceTime");
  g_autoptr (GArray) errors = g_array_new (FALSE, TRUE, sizeof (FieldError));

  for (guint i = 0; i < G_N_ELEMENTS (bools); i++)
    {
      const char *v = query_get (query, bools[i]);
      if (v != NULL && !parse_bool (v, &bool_values[i]))
        {
          g_set_error (error, KS_KUBELET_SERVER_ERROR, KS_KUBELET_SERVER_ERROR_BAD_REQUEST,
                       "%s: \"%s\" is not a boolean (true or false)", bools[i], v);
          return FALSE;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      const char *v = query_get (query, ints[i]);
      if (v != NULL && !(has_int[i] = parse_int (v, &int_values[i])))
        {
          g_set_error (error, KS_KUBELET_SERVER_ERROR, KS_KUBELET_SERVER_ERROR_BAD_REQUEST,
                       "%s: \"%s\" is not an integer", ints[i], v);
          return FALSE;
        }
    }

  /* ValidatePodLogOptions */
  if (has_int[0] && int_values[0] < 0)
    g_array_append_val (errors, ((FieldError){ "FieldValueInvalid", "tailLines",
                                               g_strdup_printf ("Invalid value: %" G_GINT64_FORMAT
                                                                ": must be greater than or equal "
                                                                "to 0",
                                                                int_values[0]) }));
  if (has_int[1] && int_values[1] < 1)
    g_array_append_val (errors, ((FieldError){ "FieldValueInvalid", "limitBytes",
                                               g_strdup_printf ("Invalid value: %" G_GINT64_FORMAT
                                                                ": must be greater than 0",
                                                                int_values[1]) }));
  if (has_int[2] && since_time != NULL)
    g_array_append_val (errors, ((FieldError){ "FieldValueForbidden", "",
                                               g_strdup ("Forbidden: at most one of `sinceTime` "
                                                         "or `sinceSeconds` may be specified") }));
  else if (has_int[2] && int_values[2] < 1)
    g_array_append_val (errors, ((FieldError){ "FieldValueInvalid", "sinceSeconds",
                                               g_strdup_printf ("Invalid value: %" G_GINT64_FORMAT
                                                                ": must be greater than 0",
                                                                int_values[2]) }));
  if (errors->len > 0)
    {
      g_autofree char *message = invalid_message (pod, errors);
      g_set_error_literal (error, KS_KUBELET_SERVER_ERROR, KS_KUBELET_SERVER_ERROR_INVALID,
                           message);
      if (causes != NULL)
        *causes = g_steal_pointer (&errors);
      else
        field_errors_free (g_steal_pointer (&errors));
      return FALSE;
    }
  g_array_set_size (errors, 0);

  if (bool_values[2])
    {
      g_set_error_literal (error, KS_KUBELET_SERVER_ERROR, KS_KUBELET_SERVER_ERROR_BAD_REQUEST,
                           "timestamps are not supported: kubesim's container logs do not "
                           "record when each line was written");
      return FALSE;
    }
  if (has_int[2] || since_time != NULL)
    {
      g_set_error (error, KS_KUBELET_SERVER_ERROR, KS_KUBELET_SERVER_ERROR_BAD_REQUEST,
                   "%s is not supported: kubesim's container logs do not record when each line "
                   "was written; use tailLines",
                   has_int[2] ? "sinceSeconds" : "sinceTime");
      return FALSE;
    }
  out->follow = bool_values[0];
  out->previous = bool_values[1];
  out->tail_lines = has_int[0] ? int_values[0] : -1;
  out->limit_bytes = has_int[1] ? int_values[1] : -1;
  return TRUE;
}

gboolean
ks_log_options_parse (GHashTable *query, const char *pod, KsLogOptions *out, GError **error)
{
  g_return_val_if_fail (pod != NULL && out != NULL, FALSE);
  return parse_options (query, pod, out, NULL, error);
}

/* ---- choosing the instance ------------------------------------------------------------------ */

/* The status of container c of pod, or NULL when the pod has no statuses yet; *found says
 * whether the pod has such a container at all. */
static const KsContainerStatus *
find_status (const KsPod *pod, const char *c, gboolean *found)
{
  const KsPodSpec *spec = pod->spec;

  *found = FALSE;
  for (guint i = 0; i < spec->n_containers; i++)
    if (strcmp (spec->containers[i].name, c) == 0)
      {
        *found = TRUE;
        return pod->container_statuses != NULL ? &pod->container_statuses[i] : NULL;
      }
  for (guint i = 0; i < spec->n_init_containers; i++)
    if (strcmp (spec->init_containers[i].name, c) == 0)
      {
        *found = TRUE;
        return ks_pod_init_container_statuses (pod) != NULL
                   ? &ks_pod_init_container_statuses (pod)[i]
                   : NULL;
      }
  return NULL;
}

/* The number of the last terminated instance of a container that has one. */
static gint
last_instance (const KsContainerStatus *s)
{
  /* The kubelet counts a restart that waits for its back-off only once it happens. */
  if (s->state == KS_CONTAINER_WAITING && g_strcmp0 (s->reason, "CrashLoopBackOff") == 0)
    return s->restart_count;
  return MAX (s->restart_count - 1, 0);
}

/* The number of the instance the status' containerID names (the runc runtime's
 * "runc://<pod-uid>-<container>-<n>"), or -1 when it names none of this container's. */
static gint
id_instance (const KsPod *pod, const char *container, const KsContainerStatus *s)
{
  gint n;

  if (s == NULL || s->container_id == NULL
      || !ks_runc_runtime_parse_container_id (s->container_id, &KS_OBJECT (pod)->meta.uid,
                                              container, &n))
    return -1;
  return n;
}

gboolean
ks_log_select_instance (const KsPod *pod, const char *container, gboolean previous, gint *instance,
                        gboolean *running, GError **error)
{
  const char *name = KS_OBJECT (pod)->meta.name;
  const KsContainerStatus *s;
  gboolean found;
  gint named;

  g_return_val_if_fail (pod != NULL && container != NULL, FALSE);
  *running = FALSE;
  s = find_status (pod, container, &found);
  if (!found)
    {
      g_set_error (error, KS_KUBELET_SERVER_ERROR, KS_KUBELET_SERVER_ERROR_NOT_FOUND,
                   "container \"%s\" not found in pod \"%s\"", container, name);
      return FALSE;
    }
  /* validateContainerLogStatus; a pod the kubelet has not written statuses for yet is
   * ContainerCreating, as its first status will say.  The containerID names the instance that
   * runs or ran last, exactly; while the container waits to restart that is the last terminated
   * one, else the last terminated one is the instance before it. */
  named = id_instance (pod, container, s);
  if (previous)
    {
      if (s == NULL || !s->has_last)
        {
          g_set_error (error, KS_KUBELET_SERVER_ERROR, KS_KUBELET_SERVER_ERROR_BAD_REQUEST,
                       "previous terminated container \"%s\" in pod \"%s\" not found", container,
                       name);
          return FALSE;
        }
      if (named >= 0)
        *instance = s->state == KS_CONTAINER_WAITING ? named : MAX (named - 1, 0);
      else
        *instance = last_instance (s);
      return TRUE;
    }
  if (s != NULL && s->state == KS_CONTAINER_RUNNING)
    {
      *instance = named >= 0 ? named : s->restart_count;
      *running = TRUE;
      return TRUE;
    }
  if (s != NULL && s->state == KS_CONTAINER_TERMINATED)
    {
      *instance = named >= 0 ? named : s->restart_count;
      return TRUE;
    }
  if (s != NULL && s->has_last)
    {
      *instance = named >= 0 ? named : last_instance (s);
      return TRUE;
    }
  {
    const char *reason = s != NULL ? s->reason : "ContainerCreating";
    const char *why = reason != NULL ? reason : "";

    if (g_strcmp0 (reason, "ErrImagePull") == 0)
      why = "image can't be pulled";
    else if (g_strcmp0 (reason, "ImagePullBackOff") == 0)
      why = "trying and failing to pull image";
    g_set_error (error, KS_KUBELET_SERVER_ERROR, KS_KUBELET_SERVER_ERROR_BAD_REQUEST,
                 "container \"%s\" in pod \"%s\" is waiting to start: %s", container, name, why);
    return FALSE;
  }
}

/* ---- tail ----------------------------------------------------------------------------------- */

gboolean
ks_log_tail_offset (int fd, gint64 size, gint64 tail_lines, gint64 *offset, GError **error)
{
  g_autofree char *buf = NULL;
  gint64 end = size, found = 0;

  if (tail_lines < 0 || size <= 0)
    {
      *offset = 0;
      return TRUE;
    }
  if (tail_lines == 0)
    {
      *offset = size;
      return TRUE;
    }
  buf = g_malloc (LOG_CHUNK);
  while (end > 0)
    {
      gint64 start = MAX (end - LOG_CHUNK, 0);
      gsize want = (gsize) (end - start);
      gssize n;

      n = pread (fd, buf, want, start);
      if (n < 0 && errno == EINTR)
        continue;
      if (n != (gssize) want)
        {
          int saved = n < 0 ? errno : EIO;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot read the log: %s",
                       g_strerror (saved));
          return FALSE;
        }
      for (gint64 i = (gint64) want - 1; i >= 0; i--)
        {
          /* The file's own last newline ends the last line; it does not start one. */
          if (buf[i] != '\n' || start + i == size - 1)
            continue;
          if (++found == tail_lines)
            {
              *offset = start + i + 1;
              return TRUE;
            }
        }
      end = start;
    }
  *offset = 0;
  return TRUE;
}

/* ---- the server ----------------------------------------------------------------------------- */

typedef struct _LogStream LogStream;

struct _KsKubeletServer
{
  KsClient *client;
  char *node_name;
  char *logs_dir;
  SoupServer *soup;
  guint port;
  guint watch;
  GHashTable *pods;   /* "ns/name" → KsPod (a reference) */
  GPtrArray *streams; /* LogStream*, not owned (each frees itself when its message ends) */
  KsRuntime *runtime; /* for /metrics/resource; NULL: not served yet */
};

struct _LogStream
{
  KsKubeletServer *server; /* NULL once detached */
  SoupServerMessage *msg;
  char *key; /* "ns/name" of the pod */
  KsUid pod_uid;
  char *container;
  gint instance;
  char *path;
  int fd; /* -1 until the file exists */
  gint64 offset;
  gint64 remaining; /* bytes limitBytes still allows; -1: no limit */
  gboolean follow;  /* the instance runs: wait for more at the end of the file */
  gboolean writing; /* a chunk is out, waiting for wrote-chunk */
  gboolean done;    /* the body is complete */
  guint poll_id;
  GSource *hup_source;
  gulong finished_id;
  gulong wrote_chunk_id;
};

static char *
pod_key (const char *ns, const char *name)
{
  return g_strconcat (ns, "/", name, NULL);
}

static void
reply_status (SoupServerMessage *msg, guint code, const char *reason, const char *message,
              const char *pod, const char *kind, GArray *causes)
{
  g_autofree KsApiCause *list = NULL;
  guint n = causes != NULL ? causes->len : 0;
  char *json;

  if (n > 0)
    {
      list = g_new0 (KsApiCause, n);
      for (guint i = 0; i < n; i++)
        {
          const FieldError *e = &g_array_index (causes, FieldError, i);
          list[i] = (KsApiCause){ e->type, e->body, e->field };
        }
    }
  json = ks_api_status_json ("Failure", code, reason, message, kind != NULL, pod, NULL, kind, NULL,
                             list, n);
  soup_server_message_set_status (msg, code, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, json, strlen (json));
}

static void
reply_error (SoupServerMessage *msg, const GError *error, const char *pod, GArray *causes)
{
  if (g_error_matches (error, KS_KUBELET_SERVER_ERROR, KS_KUBELET_SERVER_ERROR_INVALID))
    reply_status (msg, 422, "Invalid", error->message, pod, "PodLogOptions", causes);
  else if (g_error_matches (error, KS_KUBELET_SERVER_ERROR, KS_KUBELET_SERVER_ERROR_NOT_FOUND))
    reply_status (msg, 404, "NotFound", error->message, NULL, NULL, NULL);
  else if (g_error_matches (error, KS_KUBELET_SERVER_ERROR, KS_KUBELET_SERVER_ERROR_BAD_REQUEST))
    reply_status (msg, 400, "BadRequest", error->message, NULL, NULL, NULL);
  else
    {
      g_autofree char *message = g_strdup_printf ("Internal error occurred: %s", error->message);
      reply_status (msg, 500, "InternalError", message, NULL, NULL, NULL);
    }
}

/* Whether instance n of container c of pod (uid) is the one running now. */
static gboolean
instance_running (const KsPod *pod, const KsUid *uid, const char *c, gint n)
{
  const KsContainerStatus *s;
  gboolean found;

  if (pod == NULL || !ks_uid_equal (&KS_OBJECT (pod)->meta.uid, uid))
    return FALSE;
  s = find_status (pod, c, &found);
  if (s == NULL || s->state != KS_CONTAINER_RUNNING)
    return FALSE;
  return id_instance (pod, c, s) >= 0 ? id_instance (pod, c, s) == n : s->restart_count == n;
}

/* Streams */

static void stream_pump (LogStream *st);

static void
stream_detach (LogStream *st)
{
  if (st->poll_id != 0)
    g_source_remove (st->poll_id);
  st->poll_id = 0;
  if (st->hup_source != NULL)
    {
      g_source_destroy (st->hup_source);
      g_clear_pointer (&st->hup_source, g_source_unref);
    }
  if (st->msg != NULL)
    {
      g_signal_handler_disconnect (st->msg, st->finished_id);
      g_signal_handler_disconnect (st->msg, st->wrote_chunk_id);
      g_clear_object (&st->msg);
    }
  if (st->server != NULL)
    {
      g_ptr_array_remove_fast (st->server->streams, st);
      st->server = NULL;
    }
}

static void
stream_free (LogStream *st)
{
  stream_detach (st);
  if (st->fd >= 0)
    close (st->fd);
  g_free (st->key);
  g_free (st->container);
  g_free (st->path);
  g_free (st);
}

static void
on_stream_finished (SoupServerMessage *msg, gpointer data)
{
  stream_free (data);
}

static void
on_stream_wrote_chunk (SoupServerMessage *msg, gpointer data)
{
  LogStream *st = data;

  st->writing = FALSE;
  stream_pump (st);
}

static void
stream_complete (LogStream *st)
{
  if (st->done)
    return;
  st->done = TRUE;
  soup_message_body_complete (soup_server_message_get_response_body (st->msg));
  soup_server_message_unpause (st->msg);
}

/* Drop the connection now (the client went away, or the server is freed). */
static void
stream_abort (LogStream *st)
{
  GSocket *socket = soup_server_message_get_socket (st->msg);

  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  stream_complete (st);
}

static gboolean
on_poll (gpointer data)
{
  LogStream *st = data;

  st->poll_id = 0;
  stream_pump (st);
  return G_SOURCE_REMOVE;
}

/* Open the file once it exists. */
static gboolean
stream_open (LogStream *st)
{
  if (st->fd >= 0)
    return TRUE;
  st->fd = open (st->path, O_RDONLY | O_CLOEXEC);
  if (st->fd < 0 && errno != ENOENT)
    g_message ("cannot read the log %s: %s", st->path, g_strerror (errno));
  return st->fd >= 0;
}

/* Send what comes next: a chunk of the file, or the end, or wait for more. */
static void
stream_pump (LogStream *st)
{
  char *buf;
  gssize n = 0;
  gsize want;

  if (st->writing || st->done || st->msg == NULL)
    return;
  if (st->remaining == 0)
    {
      stream_complete (st);
      return;
    }
  if (stream_open (st))
    {
      want = st->remaining < 0 ? LOG_CHUNK : (gsize) MIN (st->remaining, LOG_CHUNK);
      buf = g_malloc (want);
      do
        n = pread (st->fd, buf, want, st->offset);
      while (n < 0 && errno == EINTR);
      if (n > 0)
        {
          st->offset += n;
          if (st->remaining > 0)
            st->remaining -= n;
          st->writing = TRUE;
          soup_message_body_append (soup_server_message_get_response_body (st->msg),
                                    SOUP_MEMORY_TAKE, buf, (gsize) n);
          soup_server_message_unpause (st->msg);
          return;
        }
      g_free (buf);
      if (n < 0)
        {
          g_message ("cannot read the log %s: %s", st->path, g_strerror (errno));
          stream_complete (st);
          return;
        }
    }
  if (st->follow)
    {
      if (st->poll_id == 0)
        st->poll_id = g_timeout_add (FOLLOW_POLL_MS, on_poll, st);
      return;
    }
  stream_complete (st);
}

/* The pod of key changed (pod NULL: gone): a follower whose instance stopped running sends the
 * rest of its file and ends. */
static void
streams_pod_changed (KsKubeletServer *s, const char *key, const KsPod *pod)
{
  /* A copy: a stream may complete and leave the list while we go. */
  g_autoptr (GPtrArray) streams = g_ptr_array_copy (s->streams, NULL, NULL);

  for (guint i = 0; i < streams->len; i++)
    {
      LogStream *st = streams->pdata[i];
      if (!st->follow || strcmp (st->key, key) != 0
          || instance_running (pod, &st->pod_uid, st->container, st->instance))
        continue;
      st->follow = FALSE;
      if (st->poll_id != 0)
        {
          g_source_remove (st->poll_id);
          st->poll_id = 0;
        }
      stream_pump (st);
    }
}

/* Client gone: streaming clients send nothing after the request, so the socket becoming
 * readable means it was closed. */
static gboolean
on_peer_input (GSocket *socket, GIOCondition condition, gpointer data)
{
  LogStream *st = data;
  char c;
  gssize n = recv (g_socket_get_fd (socket), &c, 1, MSG_PEEK | MSG_DONTWAIT);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&st->hup_source, g_source_unref);
  if (n <= 0 && st->msg != NULL)
    stream_abort (st);
  return G_SOURCE_REMOVE;
}

static void
serve_log (KsKubeletServer *s, SoupServerMessage *msg, const char *ns, const char *name,
           const char *container, GHashTable *query)
{
  g_autofree char *key = pod_key (ns, name);
  g_autoptr (KsObject) fetched = NULL;
  g_autoptr (GError) error = NULL;
  GArray *causes = NULL;
  KsLogOptions options;
  const KsPod *pod;
  gint instance;
  gboolean running;
  SoupMessageHeaders *headers;
  LogStream *st;
  GSocket *socket;
  char uid[KS_UID_STRING_LEN];
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;

  if (!parse_options (query, name, &options, &causes, &error))
    {
      reply_error (msg, error, name, causes);
      if (causes != NULL)
        field_errors_free (causes);
      return;
    }
  pod = g_hash_table_lookup (s->pods, key);
  if (pod == NULL)
    {
      /* The watch may not have seen a pod that was just bound: ask. */
      fetched = ks_client_get (s->client, ks_kind_get (KS_KIND_POD), ns, name, NULL);
      if (fetched != NULL && g_strcmp0 (KS_POD (fetched)->node_name, s->node_name) == 0)
        pod = KS_POD (fetched);
    }
  if (pod == NULL)
    {
      g_autofree char *message = g_strdup_printf ("pod \"%s\" does not exist", name);
      reply_status (msg, 404, "NotFound", message, NULL, NULL, NULL);
      return;
    }
  if (!ks_log_select_instance (pod, container, options.previous, &instance, &running, &error))
    {
      reply_error (msg, error, name, NULL);
      return;
    }

  st = g_new0 (LogStream, 1);
  st->server = s;
  st->msg = g_object_ref (msg);
  st->key = g_steal_pointer (&key);
  st->pod_uid = KS_OBJECT (pod)->meta.uid;
  st->container = g_strdup (container);
  st->instance = instance;
  dir = g_strdup_printf ("%s_%s_%s", ns, name, ks_uid_to_string (&st->pod_uid, uid));
  file = g_strdup_printf ("%d.log", instance);
  st->path = g_build_filename (s->logs_dir, dir, container, file, NULL);
  st->fd = -1;
  st->remaining = options.limit_bytes;
  st->follow = options.follow && running;
  if (stream_open (st))
    {
      struct stat sb;
      if (fstat (st->fd, &sb) != 0
          || !ks_log_tail_offset (st->fd, sb.st_size, options.tail_lines, &st->offset, &error))
        {
          if (error == NULL)
            g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", st->path,
                         g_strerror (errno));
          st->server = NULL;
          g_clear_object (&st->msg);
          stream_free (st);
          reply_error (msg, error, name, NULL);
          return;
        }
    }
  g_ptr_array_add (s->streams, st);
  st->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_stream_finished), st);
  st->wrote_chunk_id
      = g_signal_connect (msg, "wrote-chunk", G_CALLBACK (on_stream_wrote_chunk), st);
  socket = soup_server_message_get_socket (msg);
  if (socket != NULL)
    {
      st->hup_source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (st->hup_source, G_SOURCE_FUNC (on_peer_input), st, NULL);
      g_source_attach (st->hup_source, g_main_context_get_thread_default ());
    }
  headers = soup_server_message_get_response_headers (msg);
  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_content_type (headers, "text/plain", NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
  stream_pump (st);
}

static gint
compare_keys (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* /metrics/resource: the usage of the node and of its pods' running containers, read now. */
static void
serve_resource_metrics (KsKubeletServer *s, SoupServerMessage *msg)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  g_autoptr (GPtrArray) pods = g_ptr_array_new ();
  g_autoptr (KsMetricsBatch) batch = NULL;
  GHashTableIter iter;
  gpointer key;
  gboolean incomplete;
  char *text;

  if (s->runtime == NULL)
    {
      reply_status (msg, 503, "ServiceUnavailable", "the container runtime is not ready yet", NULL,
                    NULL, NULL);
      return;
    }
  g_hash_table_iter_init (&iter, s->pods);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_keys);
  for (guint i = 0; i < keys->len; i++)
    g_ptr_array_add (pods, g_hash_table_lookup (s->pods, keys->pdata[i]));
  batch = ks_resource_metrics_collect (s->runtime, s->node_name, pods, &incomplete);
  text = ks_resource_metrics_encode (batch, incomplete);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4; charset=utf-8",
                                    SOUP_MEMORY_TAKE, text, strlen (text));
}

static void
handle (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
        gpointer data)
{
  KsKubeletServer *s = data;
  g_auto (GStrv) segs = g_strsplit (path, "/", -1);
  g_autofree char *ns = NULL, *name = NULL, *container = NULL;

  if (strcmp (path, "/metrics/resource") == 0)
    {
      if (strcmp (soup_server_message_get_method (msg), "GET") == 0)
        serve_resource_metrics (s, msg);
      else
        reply_status (msg, 405, "MethodNotAllowed", "only GET is supported on /metrics/resource",
                      NULL, NULL, NULL);
      return;
    }

  /* "", "containerLogs", ns, pod, container */
  if (g_strv_length (segs) != 5 || strcmp (segs[0], "") != 0
      || strcmp (segs[1], "containerLogs") != 0)
    {
      reply_status (msg, 404, "NotFound", "the server could not find the requested resource", NULL,
                    NULL, NULL);
      return;
    }
  if (strcmp (soup_server_message_get_method (msg), "GET") != 0)
    {
      reply_status (msg, 405, "MethodNotAllowed", "only GET is supported on containerLogs", NULL,
                    NULL, NULL);
      return;
    }
  ns = g_uri_unescape_string (segs[2], NULL);
  name = g_uri_unescape_string (segs[3], NULL);
  container = g_uri_unescape_string (segs[4], NULL);
  if (ns == NULL || name == NULL || container == NULL || ns[0] == '\0' || name[0] == '\0'
      || container[0] == '\0')
    {
      reply_status (msg, 400, "BadRequest", "expected /containerLogs/<namespace>/<pod>/<container>",
                    NULL, NULL, NULL);
      return;
    }
  serve_log (s, msg, ns, name, container, query);
}

static void
on_pod (const KsWatchEvent *event, gpointer data)
{
  KsKubeletServer *s = data;
  const KsObject *obj = event->object;
  char *key = pod_key (obj->meta.namespace, obj->meta.name);

  if (event->type == KS_WATCH_DELETED)
    {
      g_hash_table_remove (s->pods, key);
      streams_pod_changed (s, key, NULL);
      g_free (key);
      return;
    }
  g_hash_table_replace (s->pods, key, ks_object_ref ((KsObject *) obj));
  streams_pod_changed (s, key, KS_POD (obj));
}

KsKubeletServer *
ks_kubelet_server_new (KsClient *client, const char *node_name, const char *logs_dir)
{
  KsKubeletServer *s = g_new0 (KsKubeletServer, 1);

  g_return_val_if_fail (client != NULL && node_name != NULL && logs_dir != NULL, NULL);
  s->client = client;
  s->node_name = g_strdup (node_name);
  s->logs_dir = g_strdup (logs_dir);
  s->pods
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ks_object_unref);
  s->streams = g_ptr_array_new ();
  s->soup = soup_server_new ("server-header", "kubesim-kubelet ", "raw-paths", TRUE, NULL);
  soup_server_add_handler (s->soup, NULL, handle, s, NULL);
  s->watch
      = ks_client_watch (client, ks_kind_get (KS_KIND_POD), s->node_name, TRUE, on_pod, s, NULL);
  return s;
}

gboolean
ks_kubelet_server_listen (KsKubeletServer *s, guint port, GError **error)
{
  return ks_http_listen_loopback (s->soup, port, &s->port, error);
}

void
ks_kubelet_server_set_runtime (KsKubeletServer *s, KsRuntime *runtime)
{
  s->runtime = runtime;
}

guint
ks_kubelet_server_get_port (KsKubeletServer *s)
{
  return s->port;
}

guint
ks_kubelet_server_n_streams (KsKubeletServer *s)
{
  return s->streams->len;
}

void
ks_kubelet_server_free (KsKubeletServer *s)
{
  if (s == NULL)
    return;
  ks_client_unwatch (s->client, s->watch);
  /* Each stream is cut off and freed; its message no longer reaches it. */
  while (s->streams->len > 0)
    {
      LogStream *st = g_ptr_array_index (s->streams, s->streams->len - 1);
      stream_abort (st);
      stream_free (st);
    }
  soup_server_disconnect (s->soup);
  g_object_unref (s->soup);
  g_ptr_array_unref (s->streams);
  g_hash_table_unref (s->pods);
  g_free (s->node_name);
  g_free (s->logs_dir);
  g_free (s);
}
