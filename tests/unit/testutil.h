/* testutil.h — includes every cmocka test needs, in the order cmocka wants. */
#ifndef DOPPEL_TESTUTIL_H
#define DOPPEL_TESTUTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doppel.h"

/* Directory of ../shared when the tests run from the repository root. */
#define SHARED_DIR "../shared"
#endif
