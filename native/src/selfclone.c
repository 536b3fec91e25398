#include "selfclone.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static int is_cloned(void)
{
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), seals;
    if (fd < 0) return 0;
    seals = fcntl(fd, F_GET_SEALS);
    close(fd);
    return seals >= 0 && (seals & SEALS) == SEALS;
}

void ensure_cloned_binary(char **argv)
{
    struct stat st;
    off_t off = 0;
    int src, mfd;
    if (is_cloned()) return;
    src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (src < 0) die_errno(E_FAILED, "open /proc/self/exe (CVE-2019-5736 protection)");
    if (fstat(src, &st) < 0) die_errno(E_FAILED, "fstat /proc/self/exe");
    mfd = memfd_create("cove-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0) die_errno(E_FAILED, "memfd_create (CVE-2019-5736 protection)");
    /* Plain read/write: pages spliced in by sendfile(2) can still hold
     * extra references when the seals are added, and F_SEAL_WRITE then
     * waits for them (memfd_wait_for_pins: ~10 ms per run). */
    while (off < st.st_size) {
        char buf[65536];
        ssize_t n = read(src, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || write_all(mfd, buf, (size_t)n) < 0)
            die_errno(E_FAILED, "copy /proc/self/exe to a memfd");
        off += n;
    }
    close(src);
    if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0) die_errno(E_FAILED, "seal the runtime's memfd copy");
    /* The status fd was made CLOEXEC when parsed; the new image parses
     * --status-fd again. MFD_CLOEXEC is fine for an ELF file. */
    if (cove_status_fd >= 0) fcntl(cove_status_fd, F_SETFD, 0);
    fexecve(mfd, argv, environ);
    if (cove_status_fd >= 0) fcntl(cove_status_fd, F_SETFD, FD_CLOEXEC);
    die_errno(E_FAILED, "re-exec from the sealed memfd copy");
}
