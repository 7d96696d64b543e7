/*
 * cov_shim.c - edge coverage for libFuzzer from gcc's -fsanitize-coverage=trace-pc.
 *
 * gcc has no -fsanitize=fuzzer; it instruments code with trace-pc (a call to
 * __sanitizer_cov_trace_pc at every edge) and trace-cmp (the comparison hooks
 * libFuzzer implements). This shim turns trace-pc calls into libFuzzer's inline
 * 8-bit counters: each (previous PC, PC) pair is hashed to a counter, and the
 * counters (with a matching PC table) are registered when the instrumented
 * extension is loaded. The libFuzzer runtime comes from atheris'
 * asan_with_fuzzer.so, preloaded with LD_PRELOAD (see README.md).
 *
 * Compile this file WITHOUT -fsanitize-coverage (it must not trace itself).
 */
#include <stdint.h>

#define COUNTERS (1u << 16)

static uint8_t counters[COUNTERS];
static uintptr_t pc_table[2 * COUNTERS];
static __thread uintptr_t previous;

void __sanitizer_cov_8bit_counters_init(uint8_t *start, uint8_t *stop);
void __sanitizer_cov_pcs_init(const uintptr_t *beg, const uintptr_t *end);

__attribute__((constructor)) static void register_counters(void)
{
    for (uintptr_t i = 0; i < COUNTERS; i++) {
        pc_table[2 * i] = 0x10000 + i; /* synthetic PCs: one per counter */
        pc_table[2 * i + 1] = 0;
    }
    __sanitizer_cov_8bit_counters_init(counters, counters + COUNTERS);
    __sanitizer_cov_pcs_init(pc_table, pc_table + 2 * COUNTERS);
}

/* hidden: calls bind inside this module, not to libFuzzer's own (unsupported) definition */
__attribute__((visibility("hidden"))) void __sanitizer_cov_trace_pc(void)
{
    uintptr_t pc = (uintptr_t)__builtin_return_address(0);
    uint64_t h = ((uint64_t)pc ^ ((uint64_t)previous >> 1)) * 0x9E3779B97F4A7C15ULL;
    previous = pc;
    counters[(h >> 40) & (COUNTERS - 1)]++;
}
