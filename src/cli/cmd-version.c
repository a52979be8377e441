/* cmd-version.c: kubesim version */
#include "config.h"

#include <stdio.h>

#include "ks-cli.h"

int
ks_cmd_version (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_summary (context, "Print kubesim's version.");
  if (!ks_cli_parse (context, "version", &argc, &argv))
    return KS_EXIT_USAGE;
  if (argc > 1)
    {
      g_printerr ("kubesim version: unexpected argument \"%s\"\n", argv[1]);
      return KS_EXIT_USAGE;
    }
  printf ("kubesim %s\n", PACKAGE_VERSION);
  return KS_EXIT_OK;
}
