/* kubectl-cli.c: the cluster options and context of the kubectl-like commands (see
 * kubectl-cli.h). */
#include "config.h"

#include <gio/gunixoutputstream.h>
#include <string.h>
#include <unistd.h>

#include "ks-cli.h"
#include "kubectl-cli.h"
#include "real/ks-kubeconfig.h"
#include "src/api/ks-duration.h"

void
ks_cli_cluster_add_options (GOptionContext *context, KsCliCluster *c)
{
  GOptionEntry entries[]
      = { { "namespace", 'n', 0, G_OPTION_ARG_STRING, &c->namespace,
            "The namespace (default \"default\")", "NS" },
          { "server", 's', 0, G_OPTION_ARG_STRING, &c->server,
            "The API server's URL (default: from the kubeconfig)", "URL" },
          { "kubeconfig", 0, 0, G_OPTION_ARG_FILENAME, &c->kubeconfig,
            "The kubeconfig file (default $KUBECONFIG, else DIR/kubeconfig)", "FILE" },
          { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &c->data_dir,
            "Find the kubeconfig in DIR (default $KUBESIM_DATA_DIR or " KS_DEFAULT_DATA_DIR ")",
            "DIR" },
          { NULL } };

  g_option_context_add_main_entries (context, c->no_namespace ? entries + 1 : entries, NULL);
}

void
ks_cli_cluster_clear (KsCliCluster *c)
{
  g_free (c->server);
  g_free (c->kubeconfig);
  g_free (c->data_dir);
  g_free (c->namespace);
}

KsKubectl *
ks_cli_kubectl_new (const char *command, KsCliCluster *c, int *status)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *kubeconfig = NULL;
  g_autoptr (GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  g_autoptr (GOutputStream) err = g_unix_output_stream_new (STDERR_FILENO, FALSE);
  KsKubectlConfig config = { 0 };
  KsKubectl *k;

  if (c->data_dir != NULL && c->kubeconfig == NULL && c->server == NULL)
    kubeconfig = g_build_filename (c->data_dir, "kubeconfig", NULL);
  server = ks_kubeconfig_find_server (c->server, kubeconfig != NULL ? kubeconfig : c->kubeconfig,
                                      &error);
  if (server == NULL)
    {
      g_printerr ("kubesim %s: %s\n", command, error->message);
      *status = g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? KS_EXIT_FAILED
                                                                          : KS_EXIT_USAGE;
      return NULL;
    }
  if (c->namespace != NULL && c->namespace[0] == '\0')
    {
      g_printerr ("kubesim %s: --namespace: the namespace is empty\n", command);
      *status = KS_EXIT_USAGE;
      return NULL;
    }
  config.server = server;
  config.namespace = c->namespace;
  config.out = out;
  config.err = err;
  k = ks_kubectl_new (&config, &error);
  if (k == NULL)
    {
      g_printerr ("kubesim %s: %s\n", command, error->message);
      *status = KS_EXIT_USAGE;
    }
  return k;
}

gboolean
ks_cli_parse_duration (const char *command, const char *option, const char *text, gint64 *out)
{
  g_autoptr (GError) error = NULL;

  if (text == NULL)
    return TRUE;
  /* A bare number is seconds, as kubectl's duration flags take "0" too. */
  if (strspn (text, "0123456789") == strlen (text) && text[0] != '\0')
    {
      *out = g_ascii_strtoll (text, NULL, 10) * G_USEC_PER_SEC;
      return TRUE;
    }
  if (!ks_duration_parse (text, out, &error) || *out < 0)
    {
      /* The parser's message names the text and says what would be valid. */
      if (error != NULL)
        g_printerr ("kubesim %s: %s: %s\n", command, option, error->message);
      else
        g_printerr ("kubesim %s: %s: invalid duration \"%s\": negative (e.g. 30s, 5m, 1h)\n",
                    command, option, text);
      return FALSE;
    }
  return TRUE;
}
