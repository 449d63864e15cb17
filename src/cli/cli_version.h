/* cli_version.h - what `migplan --version` prints. */
#ifndef MIGPLAN_CLI_VERSION_H
#define MIGPLAN_CLI_VERSION_H

#include <stdio.h>

/* Print the version, the git commit of the build, the revision of the
 * built-in profile database and the drivers whose memory sizes it
 * encodes to f:
 *
 *   migplan 0.1.0
 *   commit: 3ce13be4a1c2
 *   profiles: 17 models, revision 6f0c2d1e9ab4
 *   memory sizes: drivers 535.183.01, 580.173.02 (3 models); ...
 *
 * The first line and the keys stay as they are for scripts. Returns an exit
 * code: 0, or 2 when the database does not load. */
int cli_version(FILE *f);

#endif
