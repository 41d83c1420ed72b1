/* Test-only LD_PRELOAD shim for the power-loss negative control (scripts/powerloss.sh): makes fsync,
 * fdatasync, syncfs, sync_file_range and msync report success without doing anything, so a broker run
 * under it acknowledges writes that only the page cache holds. Never for anything but that test. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

int fsync(int fd) { (void)fd; return 0; }
int fdatasync(int fd) { (void)fd; return 0; }
int syncfs(int fd) { (void)fd; return 0; }
void sync(void) {}
int sync_file_range(int fd, off_t offset, off_t nbytes, unsigned int flags) {
    (void)fd; (void)offset; (void)nbytes; (void)flags;
    return 0;
}
int msync(void *addr, size_t length, int flags) { (void)addr; (void)length; (void)flags; return 0; }
