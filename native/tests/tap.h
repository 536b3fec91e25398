/* Tiny TAP producer: declare the plan up front, one line per check. */
#ifndef COVE_TAP_H
#define COVE_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define plan(n) printf("1..%d\n", (n))
#define ok(cond, ...)                                                  \
    do {                                                               \
        int ok_c_ = !!(cond);                                          \
        printf("%s %d - ", ok_c_ ? "ok" : "not ok", ++tap_n);          \
        printf(__VA_ARGS__);                                           \
        printf("\n");                                                  \
        if (!ok_c_) {                                                  \
            tap_failed++;                                              \
            printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
        }                                                              \
    } while (0)
#define is_str(a, b, ...)                                              \
    do {                                                               \
        const char *is_a_ = (a), *is_b_ = (b);                         \
        ok(is_a_ && is_b_ && strcmp(is_a_, is_b_) == 0, __VA_ARGS__);  \
        if (!(is_a_ && is_b_ && strcmp(is_a_, is_b_) == 0))            \
            printf("#   got '%s', want '%s'\n", is_a_ ? is_a_ : "(null)", \
                   is_b_ ? is_b_ : "(null)");                          \
    } while (0)
#define done_testing() return tap_failed ? 1 : 0

#endif
