// finalizefloor: the crash-safe floor of an in-place finalize, for the faststart benchmark.
// It does only what any crash-safe finalize must do after the header is known, the way
// mp4writer's in-place strategy does it (Sources/MP4Finalizer/InPlaceFinalize.swift), in C
// with nothing but libc so that its start-up is the least a process costs:
//
//   1 write the header and a trailer to NAME.journal; fdatasync it, fsync the directory
//   2 write the header at the start of NAME.target; fsync it
//   3 rename NAME.target to NAME.mp4; fsync the directory
//   4 remove the journal (no sync: a rerun would remove it)
//
// Four syncs, as mp4writer's. What it leaves out is the work particular to MP4: reading and
// checking the track files, planning the moov, the range insert.
//
//   finalizefloor DIRECTORY HEADER_BYTES    the steps above, in DIRECTORY
//   finalizefloor --noop                    start and exit (a process's start-up alone)
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fail(const char *call, const char *path) {
    fprintf(stderr, "finalizefloor: %s %s: %s\n", call, path, strerror(errno));
    exit(1);
}

static void write_all(int fd, const char *bytes, size_t count, const char *path) {
    while (count > 0) {
        ssize_t n = write(fd, bytes, count);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("write", path);
        bytes += n;
        count -= (size_t)n;
    }
}

static void sync_directory(const char *directory) {
    int fd = open(directory, O_RDONLY | O_DIRECTORY);
    if (fd < 0 || fsync(fd) != 0) fail("fsync", directory);
    close(fd);
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--noop") == 0) return 0;
    if (argc != 3) {
        fprintf(stderr, "usage: finalizefloor DIRECTORY HEADER_BYTES | --noop\n");
        return 2;
    }
    const char *directory = argv[1];
    size_t length = (size_t)strtoull(argv[2], NULL, 10);
    char *header = calloc(length + 32, 1);  // + the journal's trailer
    if (!header) fail("calloc", "header");
    char journal[4096], target[4096], output[4096];
    snprintf(journal, sizeof journal, "%s/floor.mp4.journal", directory);
    snprintf(target, sizeof target, "%s/floor.mp4.target", directory);
    snprintf(output, sizeof output, "%s/floor.mp4", directory);

    int fd = open(journal, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) fail("open", journal);
    write_all(fd, header, length + 32, journal);
    if (fdatasync(fd) != 0) fail("fdatasync", journal);  // the journal before acting on it
    sync_directory(directory);                           // ... and its name
    close(fd);

    fd = open(target, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) fail("open", target);
    write_all(fd, header, length, target);
    if (fsync(fd) != 0) fail("fsync", target);  // the output's bytes before its name
    close(fd);
    if (rename(target, output) != 0) fail("rename", target);
    sync_directory(directory);  // the name, before the journal goes
    if (unlink(journal) != 0) fail("unlink", journal);
    free(header);
    return 0;
}
