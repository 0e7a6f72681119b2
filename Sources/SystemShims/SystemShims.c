// CRC-32C with the CPU's crc32 instruction where there is one (SSE 4.2 on x86-64, the CRC
// extension on ARMv8). Swift cannot name these instructions; this file is the only C in the
// project. Callers check shim_crc32c_hardware_available() and fall back to the table code.
#include "SystemShims.h"
#include <stdint.h>
#include <string.h>

int shim_crc32c_hardware_flag = 0;

#if defined(__x86_64__)
// The crc32 instruction takes 3 cycles and can start one a cycle: one dependent chain runs at
// a third of the unit's speed. Long buffers are cut into three lanes checksummed together, and
// the lanes joined by "shifting" a lane's CRC over the bytes after it: a linear map, applied
// by four 256-entry tables per lane length (Mark Adler's crc32c.c does the same). A 40 KB
// video frame costs about a third of the single chain's time.
enum { crc32c_long_lane = 8192, crc32c_short_lane = 256 };
static uint32_t crc32c_long_shift[4][256];
static uint32_t crc32c_short_shift[4][256];

/// The product of the 32x32 GF(2) matrix `mat` (a column per bit) and `vec`.
static uint32_t crc32c_matrix_times(const uint32_t *mat, uint32_t vec) {
    uint32_t sum = 0;
    for (; vec; vec >>= 1, mat++) if (vec & 1) sum ^= *mat;
    return sum;
}

static void crc32c_matrix_square(uint32_t *square, const uint32_t *mat) {
    for (int n = 0; n < 32; n++) square[n] = crc32c_matrix_times(mat, mat[n]);
}

/// Tables that apply `bytes` zero bytes (a power of two) to a raw CRC register, a byte of it
/// per table.
static void crc32c_make_shift(uint32_t tables[4][256], unsigned long bytes) {
    uint32_t op[32], other[32];
    op[0] = 0x82F63B78u;  // one zero bit: the reflected polynomial, then a shift
    for (int n = 1; n < 32; n++) op[n] = 1u << (n - 1);
    // Square the one-bit operator 3 times (a byte), then once per halving of `bytes`.
    for (unsigned long bits = 1; bits < 8 * bytes; bits *= 2) {
        crc32c_matrix_square(other, op);
        memcpy(op, other, sizeof(op));
    }
    for (uint32_t n = 0; n < 256; n++) {
        tables[0][n] = crc32c_matrix_times(op, n);
        tables[1][n] = crc32c_matrix_times(op, n << 8);
        tables[2][n] = crc32c_matrix_times(op, n << 16);
        tables[3][n] = crc32c_matrix_times(op, n << 24);
    }
}

static inline uint32_t crc32c_shift(uint32_t tables[4][256], uint32_t crc) {
    return tables[0][crc & 0xFF] ^ tables[1][(crc >> 8) & 0xFF] ^ tables[2][(crc >> 16) & 0xFF] ^ tables[3][crc >> 24];
}

__attribute__((constructor)) static void shim_crc32c_detect(void) {
    __builtin_cpu_init();
    shim_crc32c_hardware_flag = __builtin_cpu_supports("sse4.2");
    crc32c_make_shift(crc32c_long_shift, crc32c_long_lane);
    crc32c_make_shift(crc32c_short_shift, crc32c_short_lane);
}

/// Three lanes of `lane` bytes from `*p`, joined into `crc`, for as long as `*length` allows.
__attribute__((target("sse4.2")))
static uint64_t crc32c_three_lanes(uint64_t crc, const unsigned char **p, unsigned long *length,
                                   unsigned long lane, uint32_t shift[4][256]) {
    while (*length >= 3 * lane) {
        const unsigned char *a = *p, *end = a + lane;
        uint64_t c1 = 0, c2 = 0;
        for (; a < end; a += 8) {
            uint64_t w0, w1, w2;
            memcpy(&w0, a, 8);
            memcpy(&w1, a + lane, 8);
            memcpy(&w2, a + 2 * lane, 8);
            crc = __builtin_ia32_crc32di(crc, w0);
            c1 = __builtin_ia32_crc32di(c1, w1);
            c2 = __builtin_ia32_crc32di(c2, w2);
        }
        crc = crc32c_shift(shift, (uint32_t)crc) ^ (uint32_t)c1;
        crc = crc32c_shift(shift, (uint32_t)crc) ^ (uint32_t)c2;
        *p += 3 * lane;
        *length -= 3 * lane;
    }
    return crc;
}

__attribute__((target("sse4.2")))
uint32_t shim_crc32c_update(uint32_t crc, const void *data, unsigned long length) {
    const unsigned char *p = (const unsigned char *)data;
    uint64_t c = crc;
    c = crc32c_three_lanes(c, &p, &length, crc32c_long_lane, crc32c_long_shift);
    c = crc32c_three_lanes(c, &p, &length, crc32c_short_lane, crc32c_short_shift);
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = __builtin_ia32_crc32di(c, word);
        p += 8;
        length -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    if (length >= 4) {  // a staging record checks 36 bytes: 4 words and this
        uint32_t word;
        memcpy(&word, p, 4);
        c32 = __builtin_ia32_crc32si(c32, word);
        p += 4;
        length -= 4;
    }
    while (length > 0) {
        c32 = __builtin_ia32_crc32qi(c32, *p);
        p++;
        length--;
    }
    return c32;
}
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>
__attribute__((constructor)) static void shim_crc32c_detect(void) { shim_crc32c_hardware_flag = 1; }

uint32_t shim_crc32c_update(uint32_t crc, const void *data, unsigned long length) {
    const unsigned char *p = (const unsigned char *)data;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        crc = __crc32cd(crc, word);
        p += 8;
        length -= 8;
    }
    if (length >= 4) {
        uint32_t word;
        memcpy(&word, p, 4);
        crc = __crc32cw(crc, word);
        p += 4;
        length -= 4;
    }
    while (length > 0) {
        crc = __crc32cb(crc, *p);
        p++;
        length--;
    }
    return crc;
}
#else
uint32_t shim_crc32c_update(uint32_t crc, const void *data, unsigned long length) {
    (void)data; (void)length;
    return crc;
}
#endif

// The record checksums of many staging units in one call: the finalizer checks one per
// 40-byte record, and a call per record, each a chain of dependent crc32 instructions, left
// the CPU waiting on the instruction's latency. Four units at a time keep four independent
// chains in flight.
#if defined(__x86_64__)
#define SHIM_CRC_TARGET __attribute__((target("sse4.2")))
SHIM_CRC_TARGET static inline uint32_t crc_word64(uint32_t c, uint64_t w) { return (uint32_t)__builtin_ia32_crc32di(c, w); }
SHIM_CRC_TARGET static inline uint32_t crc_word32(uint32_t c, uint32_t w) { return __builtin_ia32_crc32si(c, w); }
#define SHIM_CRC_WORDS 1
#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#define SHIM_CRC_TARGET
static inline uint32_t crc_word64(uint32_t c, uint64_t w) { return __crc32cd(c, w); }
static inline uint32_t crc_word32(uint32_t c, uint32_t w) { return __crc32cw(c, w); }
#define SHIM_CRC_WORDS 1
#endif

#if defined(SHIM_CRC_WORDS)
SHIM_CRC_TARGET static inline int unit_intact(const unsigned char *unit, unsigned long covered) {
    uint32_t c = ~0u;
    unsigned long o = 0;
    for (; o + 8 <= covered; o += 8) { uint64_t w; memcpy(&w, unit + o, 8); c = crc_word64(c, w); }
    if (o < covered) { uint32_t w; memcpy(&w, unit + o, 4); c = crc_word32(c, w); }
    uint32_t stored;
    memcpy(&stored, unit + covered, 4);
    return ~c == __builtin_bswap32(stored);
}

SHIM_CRC_TARGET
unsigned long shim_crc32c_intact_units(const void *units, unsigned long count, unsigned long stride, unsigned long covered) {
    const unsigned char *p = (const unsigned char *)units;
    unsigned long i = 0;
    for (; i + 4 <= count; i += 4) {
        const unsigned char *u = p + i * stride;
        uint32_t c0 = ~0u, c1 = ~0u, c2 = ~0u, c3 = ~0u;
        unsigned long o = 0;
        for (; o + 8 <= covered; o += 8) {
            uint64_t w0, w1, w2, w3;
            memcpy(&w0, u + o, 8);
            memcpy(&w1, u + stride + o, 8);
            memcpy(&w2, u + 2 * stride + o, 8);
            memcpy(&w3, u + 3 * stride + o, 8);
            c0 = crc_word64(c0, w0);
            c1 = crc_word64(c1, w1);
            c2 = crc_word64(c2, w2);
            c3 = crc_word64(c3, w3);
        }
        if (o < covered) {
            uint32_t w0, w1, w2, w3;
            memcpy(&w0, u + o, 4);
            memcpy(&w1, u + stride + o, 4);
            memcpy(&w2, u + 2 * stride + o, 4);
            memcpy(&w3, u + 3 * stride + o, 4);
            c0 = crc_word32(c0, w0);
            c1 = crc_word32(c1, w1);
            c2 = crc_word32(c2, w2);
            c3 = crc_word32(c3, w3);
        }
        uint32_t s0, s1, s2, s3;
        memcpy(&s0, u + covered, 4);
        memcpy(&s1, u + stride + covered, 4);
        memcpy(&s2, u + 2 * stride + covered, 4);
        memcpy(&s3, u + 3 * stride + covered, 4);
        if (~c0 != __builtin_bswap32(s0)) return i;
        if (~c1 != __builtin_bswap32(s1)) return i + 1;
        if (~c2 != __builtin_bswap32(s2)) return i + 2;
        if (~c3 != __builtin_bswap32(s3)) return i + 3;
    }
    for (; i < count; i++) {
        if (!unit_intact(p + i * stride, covered)) return i;
    }
    return count;
}
#else
unsigned long shim_crc32c_intact_units(const void *units, unsigned long count, unsigned long stride, unsigned long covered) {
    (void)units; (void)count; (void)stride; (void)covered;
    return 0;
}
#endif
