// CRC-32C with the CPU's crc32 instruction where there is one (SSE 4.2 on x86-64, the CRC
// extension on ARMv8). Swift cannot name these instructions; this file is the only C in the
// project. Callers check shim_crc32c_hardware_available() and fall back to the table code.
#include "SystemShims.h"
#include <stdint.h>
#include <string.h>

int shim_crc32c_hardware_flag = 0;

#if defined(__x86_64__)
__attribute__((constructor)) static void shim_crc32c_detect(void) {
    __builtin_cpu_init();
    shim_crc32c_hardware_flag = __builtin_cpu_supports("sse4.2");
}

__attribute__((target("sse4.2")))
uint32_t shim_crc32c_update(uint32_t crc, const void *data, unsigned long length) {
    const unsigned char *p = (const unsigned char *)data;
    uint64_t c = crc;
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
