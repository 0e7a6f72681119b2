// Linux system calls that Swift's Glibc module hides behind _GNU_SOURCE. Declared here under
// other names (asm labels bind them to the libc symbols), so that no system header has to be
// compiled with _GNU_SOURCE, which would clash with the Glibc module's definitions.
#ifndef SYSTEM_SHIMS_H
#define SYSTEM_SHIMS_H

/// ssize_t copy_file_range(int, off64_t *, int, off64_t *, size_t, unsigned int), glibc 2.27+.
extern long shim_copy_file_range(int fd_in, long long *off_in, int fd_out, long long *off_out,
                                 unsigned long len, unsigned int flags) __asm__("copy_file_range");

/// int fallocate(int fd, int mode, off_t offset, off_t len), with 64-bit off_t.
extern int shim_fallocate(int fd, int mode, long long offset, long long len) __asm__("fallocate64");

/// int sync_file_range(int fd, off64_t offset, off64_t nbytes, unsigned int flags).
extern int shim_sync_file_range(int fd, long long offset, long long nbytes, unsigned int flags) __asm__("sync_file_range");

/// int accept4(int, struct sockaddr *, socklen_t *, int): accept with SOCK_CLOEXEC set
/// atomically, so a child spawned meanwhile cannot inherit the connection.
extern int shim_accept4(int fd, void *address, void *length, int flags) __asm__("accept4");

/// int pthread_setname_np(pthread_t, const char *): names the calling thread for top -H and
/// debuggers (15 bytes at most). pthread_t is an unsigned long on Linux.
extern int shim_pthread_setname_np(unsigned long thread, const char *name) __asm__("pthread_setname_np");

/// linux/fs.h: sync_file_range flags.
#define SHIM_SYNC_FILE_RANGE_WAIT_BEFORE 1
#define SHIM_SYNC_FILE_RANGE_WRITE 2
#define SHIM_SYNC_FILE_RANGE_WAIT_AFTER 4

/// linux/falloc.h
#define SHIM_FALLOC_FL_KEEP_SIZE 0x01
#define SHIM_FALLOC_FL_COLLAPSE_RANGE 0x08
#define SHIM_FALLOC_FL_INSERT_RANGE 0x20

/// Set before main (a constructor in SystemShims.c) to 1 when shim_crc32c_update may be used
/// on this CPU. Read through the inline function below: a Swift `static let` would cost a
/// swift_once call on every checksum, and the finalizer checks one per 40-byte record.
extern int shim_crc32c_hardware_flag;
/// CRC-32C hardware support: 1 when shim_crc32c_update may be used on this CPU.
static inline int shim_crc32c_hardware_available(void) { return shim_crc32c_hardware_flag; }
/// Raw CRC-32C update (no pre/post inversion) with the CPU's crc32 instruction.
unsigned int shim_crc32c_update(unsigned int crc, const void *data, unsigned long length);
/// How many of `count` units of `stride` bytes at `units`, from the first, are intact: a unit
/// is when the CRC-32C of its first `covered` bytes (a multiple of 4) equals the big-endian
/// u32 stored right after them. Checks four units at a time; 0 where there is no crc32
/// instruction (callers check shim_crc32c_hardware_available() first).
unsigned long shim_crc32c_intact_units(const void *units, unsigned long count, unsigned long stride, unsigned long covered);
#endif
