/* SPDX-License-Identifier: Apache-2.0 */
/* cli_version.h - what `migplan --version` prints. */
#ifndef MIGPLAN_CLI_VERSION_H
#define MIGPLAN_CLI_VERSION_H

#include <stdio.h>

#include "cli.h"

/* Print the version, the git commit of the build, the revision of the
 * built-in profile database and the drivers whose memory sizes it
 * encodes to f:
 *
 *   migplan 0.1.0
 *   commit: 3ce13be4a1c2
 *   profiles: 17 models, revision 6f0c2d1e9ab4
 *   memory sizes: drivers 535.183.01, 580.173.02 (3 models); ...
 *
 * The first line and the keys stay as they are for scripts. Returns the
 * exit status: 0, or what cli_fail gives when the built-in database does
 * not load (a bug: 2 or 3). */
int cli_version(cli_ctx *c, FILE *f);

#endif
