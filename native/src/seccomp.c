#include "seccomp.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>

#include "util.h"

static uint32_t action(enum seccomp_action a, unsigned errno_ret)
{
    switch (a) {
    case SA_KILL_THREAD: return SCMP_ACT_KILL_THREAD;
    case SA_KILL_PROCESS: return SCMP_ACT_KILL_PROCESS;
    case SA_TRAP: return SCMP_ACT_TRAP;
    case SA_ERRNO: return SCMP_ACT_ERRNO(errno_ret);
    case SA_TRACE: return SCMP_ACT_TRACE(errno_ret);
    case SA_ALLOW: return SCMP_ACT_ALLOW;
    case SA_LOG: return SCMP_ACT_LOG;
    }
    return SCMP_ACT_KILL_PROCESS;
}

static uint32_t arch_token(const char *name)
{
    /* "SCMP_ARCH_X86_64" -> seccomp_arch_resolve_name("x86_64") */
    char lower[64];
    size_t i;
    if (strncmp(name, "SCMP_ARCH_", 10) != 0) return 0;
    name += 10;
    for (i = 0; name[i] && i < sizeof lower - 1; i++)
        lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    lower[i] = 0;
    return seccomp_arch_resolve_name(lower);
}

void seccomp_install(const struct seccomp_config *sc)
{
    static const enum scmp_compare ops[] = {SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE,
                                            SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT,
                                            SCMP_CMP_MASKED_EQ};
    scmp_filter_ctx ctx;
    size_t i, k, a;
    int r;
    uint32_t def = action(sc->default_action, sc->default_errno);

    ctx = seccomp_init(def);
    if (!ctx) die(E_FAILED, "seccomp_init failed");
    /* libseccomp sets no_new_privs itself on load unless told not to;
     * process.noNewPrivileges decides, and finish_and_exec sets it. */
    r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (r < 0) die(E_FAILED, "seccomp_attr_set SCMP_FLTATR_CTL_NNP 0: %s", strerror(-r));
    for (i = 0; i < sc->n_archs; i++) {
        uint32_t arch = arch_token(sc->archs[i]);
        if (!arch) die(E_CONFIG, "linux.seccomp: unknown architecture '%s'", sc->archs[i]);
        r = seccomp_arch_add(ctx, arch);
        if (r < 0 && r != -EEXIST)
            die(E_FAILED, "seccomp_arch_add %s: %s", sc->archs[i], strerror(-r));
    }
    for (i = 0; i < sc->n_rules; i++) {
        const struct seccomp_rule *rule = &sc->rules[i];
        uint32_t act = action(rule->action, rule->errno_ret);
        struct scmp_arg_cmp cmps[6];
        if (act == def) continue; /* libseccomp refuses rules equal to default */
        if (rule->n_args > 6) die(E_CONFIG, "linux.seccomp: too many args in rule %zu", i);
        for (a = 0; a < rule->n_args; a++) {
            cmps[a].arg = rule->args[a].index;
            cmps[a].op = ops[rule->args[a].op];
            cmps[a].datum_a = rule->args[a].value;
            cmps[a].datum_b = rule->args[a].value_two;
        }
        for (k = 0; k < rule->n_names; k++) {
            int nr = seccomp_syscall_resolve_name(rule->names[k]);
            if (nr == __NR_SCMP_ERROR) continue;
            r = seccomp_rule_add_array(ctx, act, nr, (unsigned)rule->n_args, cmps);
            if (r < 0)
                die(E_FAILED, "seccomp_rule_add %s: %s", rule->names[k], strerror(-r));
        }
    }
    r = seccomp_load(ctx);
    if (r < 0) die(E_FAILED, "seccomp_load: %s", strerror(-r));
    seccomp_release(ctx);
}
