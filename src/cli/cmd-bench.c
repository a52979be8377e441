/* cmd-bench.c: kubesim bench (placeholder replaced below) */
#include "config.h"
#include "ks-cli.h"
int
ks_cmd_bench (int argc, char **argv)
{
  return KS_EXIT_USAGE;
}
